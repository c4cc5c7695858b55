import { Redis, type RedisOptions } from 'ioredis';

export type { Redis } from 'ioredis';

export interface RedisClientOptions {
  /** Name shown by CLIENT LIST, so an operator can tell API, worker and subscriber connections apart. */
  connectionName?: string;
  /** Extra ioredis options (tests shorten timeouts). */
  overrides?: Partial<RedisOptions>;
}

/**
 * The one place a Redis connection is made. Commands fail after a bounded number of reconnect attempts rather
 * than queueing forever, so a request path never hangs on a dead Redis: it answers 503 instead.
 */
export function createRedis(url: string, options: RedisClientOptions = {}): Redis {
  return new Redis(url, {
    connectionName: options.connectionName ?? 'tokentill',
    maxRetriesPerRequest: 2,
    connectTimeout: 5_000,
    // Auto-pipelining batches commands issued in the same tick: fewer round trips on hot paths.
    enableAutoPipelining: true,
    retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, 2_000),
    ...options.overrides,
  });
}

/** Closes a connection politely (QUIT), falling back to a hard disconnect when Redis is unreachable. */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'end') return;
  if (redis.status !== 'ready') {
    redis.disconnect();
    return;
  }
  try {
    await redis.quit();
  } catch {
    redis.disconnect();
  }
}

/** PING with a deadline: the readiness probe must answer even while ioredis is reconnecting. */
export async function pingRedis(redis: Redis, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      redis.ping(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no PONG within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
