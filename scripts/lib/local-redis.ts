import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/**
 * Finding or starting a local Redis, shared by `npm start` and the test harness.
 * A Redis to use: the one at REDIS_URL, or a private redis-server this process started.
 */
export interface LocalRedis {
  url: string;
  /** Set when this process started the server; `stop()` ends it. */
  child?: ChildProcess;
  stop(): Promise<void>;
}

/** Resolves true when something at `url` answers PING within `timeoutMs`. */
export async function redisAnswers(url: string, timeoutMs = 1_000): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function hasRedisServerBinary(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

/**
 * Finds a Redis: REDIS_URL (default 127.0.0.1:6379) if it answers; otherwise, when
 * `redis-server` is installed, a private one on a free port that keeps nothing on disk; otherwise an error that
 * says how to get one.
 */
export async function ensureRedis(env: NodeJS.ProcessEnv = process.env): Promise<LocalRedis> {
  const url = env['REDIS_URL'] || DEFAULT_REDIS_URL;
  // A Redis Cluster (redis+cluster://…) is the operator's own: used as given, never swapped for a private node.
  if (/^rediss?\+cluster:\/\//.test(url)) return { url, stop: async () => undefined };
  if (await redisAnswers(url)) return { url, stop: async () => undefined };

  if (!hasRedisServerBinary()) {
    throw new Error(
      `No Redis answers at ${url}, and redis-server is not installed to start a private one.\n` +
        'TokenTill keeps orders, sessions and answer streams in Redis (6.2 or newer). Either install it ' +
        '(Debian/Ubuntu: `sudo apt-get install -y redis-server`; macOS: `brew install redis`) and run this ' +
        'again, or set REDIS_URL to a Redis you can use (e.g. `REDIS_URL=redis://127.0.0.1:6380`).',
    );
  }
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'tokentill-redis-'));
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    { stdio: 'ignore', detached: false },
  );
  const privateUrl = `redis://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  while (!(await redisAnswers(privateUrl, 200))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`redis-server on port ${port} did not start (exit code ${child.exitCode})`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: privateUrl,
    child,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
