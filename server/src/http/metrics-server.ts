import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import type { Registry } from 'prom-client';
import { AppError } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import { errorHandler } from './middleware/error-handler.js';
import { requestId } from './middleware/request-id.js';

export const METRICS_PATH = '/metrics';

export interface MetricsServerOptions {
  registry: Registry;
  port: number;
  host: string;
  /** When set, scrapes must send `Authorization: Bearer <token>`. */
  token: string | undefined;
  logger: Logger;
}

export interface MetricsServer {
  /** Where to scrape, e.g. http://127.0.0.1:9464/metrics. */
  readonly url: string;
  readonly server: Server;
  /** Stops listening and closes open scrape connections. Idempotent. */
  close(): Promise<void>;
}

/** Compares digests, so the time taken says nothing about how much of the token matched. */
function sameToken(given: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * The Prometheus scrape endpoint on a listener of its own (METRICS_PORT, loopback by default), never on the public
 * port: the counters tell how many orders were paid and refunded, which is nobody's business outside.
 */
export function createMetricsApp(registry: Registry, token: string | undefined): Koa {
  const app = new Koa({ proxy: false });
  app.use(requestId());
  app.use(errorHandler());
  app.use(async (ctx) => {
    if (ctx.path !== METRICS_PATH)
      throw new AppError('NOT_FOUND', `Only GET ${METRICS_PATH} is served here.`);
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
      throw new AppError('METHOD_NOT_ALLOWED', `${ctx.method} is not allowed on ${METRICS_PATH}; use GET.`, {
        headers: { Allow: 'GET, HEAD' },
      });
    }
    if (token !== undefined) {
      const [scheme, given] = (ctx.get('authorization') || '').split(' ');
      if (scheme?.toLowerCase() !== 'bearer' || !given || !sameToken(given, token)) {
        throw new AppError(
          'UNAUTHENTICATED',
          'Send the metrics token as "Authorization: Bearer <METRICS_TOKEN>".',
          {
            headers: { 'WWW-Authenticate': 'Bearer realm="metrics"' },
          },
        );
      }
    }
    ctx.type = registry.contentType;
    ctx.body = await registry.metrics();
  });
  return app;
}

/** Binds the metrics listener; rejects (nothing left listening) when the port is taken. */
export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const app = createMetricsApp(options.registry, options.token);
  app.on('error', (err: unknown) => options.logger.error({ err }, 'metrics request failed'));
  const server = createServer(app.callback());
  const { port } = await new Promise<AddressInfo>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
  const shown = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
  const host = shown.includes(':') ? `[${shown}]` : shown;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}${METRICS_PATH}`,
    server,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        // A scraper's keep-alive connection would otherwise hold close() open.
        server.closeAllConnections();
      })),
  };
}
