import { createReadStream, existsSync, statSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import type { Middleware } from 'koa';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
};

/**
 * Serves the Mini Program's H5 build (a static folder) on GET/HEAD for paths outside the API: `/` is its
 * index.html, hashed assets are cached for a year, index.html never. Paths are resolved inside `root` only.
 */
export function serveH5(root: string): Middleware {
  const base = normalize(root + sep);
  return async (ctx, next) => {
    // Only the app's own files: `/` and paths with an extension (the H5 build uses the hash router), so API
    // routes like /healthz never touch the file system.
    const isAsset = ctx.path === '/' || /\.[a-z0-9]+$/i.test(ctx.path);
    if ((ctx.method !== 'GET' && ctx.method !== 'HEAD') || !isAsset || ctx.path.startsWith('/api/')) {
      return next();
    }
    let relative: string;
    try {
      relative = decodeURIComponent(ctx.path === '/' ? '/index.html' : ctx.path);
    } catch {
      return next();
    }
    const file = normalize(join(base, relative));
    if (!file.startsWith(base) || !existsSync(file) || !statSync(file).isFile()) return next();
    ctx.type = TYPES[extname(file)] ?? 'application/octet-stream';
    ctx.length = statSync(file).size;
    ctx.set(
      'Cache-Control',
      file.endsWith('index.html') ? 'no-cache' : 'public, max-age=31536000, immutable',
    );
    ctx.body = ctx.method === 'HEAD' ? null : createReadStream(file);
  };
}
