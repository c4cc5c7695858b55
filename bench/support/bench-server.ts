/**
 * Starts the real server in this process, in sandbox mode, on a free loopback port, against Redis under a fresh
 * key prefix, the way test/support/test-server.ts does (without its jest-only parts). Background work (reconciler,
 * inference worker) is off, so paid orders' jobs stay queued where a benchmark can count them.
 *
 * Logging is on at `info` like production, written to /dev/null (serialising each line is part of the cost; a
 * terminal is not). BENCH_LOG_LEVEL=silent shows what logging costs.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig, type Config } from '../../server/src/config';
import { createLogger } from '../../server/src/observability/logger';
import { closeRedis, createRedis, type Redis } from '../../server/src/redis';
import { startServer, type RunningServer } from '../../server/src/server';

export const REDIS_URL = process.env['REDIS_URL'] || 'redis://127.0.0.1:6379';
export const BENCH_LOG_LEVEL = process.env['BENCH_LOG_LEVEL'] || 'info';

export interface BenchServer extends RunningServer {
  prefix: string;
  config: Readonly<Config>;
  /** A separate connection for the benchmark's own checks and cleanup. */
  admin: Redis;
  /** Closes the server, deletes every key under the prefix and the sandbox keys directory. Idempotent. */
  shutdown(): Promise<number>;
}

/** Deletes every key under `prefix` (SCAN, never KEYS: the shared Redis may be large). Bounded by the key count. */
export async function deletePrefix(redis: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  let rounds = 0;
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (batch.length > 0) deleted += await redis.del(...batch);
    if (++rounds > 1_000_000) throw new Error('deletePrefix: too many SCAN rounds');
  } while (cursor !== '0');
  return deleted;
}

export function benchPrefix(): string {
  return `bench:${randomUUID()}:`;
}

export async function startBenchServer(env: NodeJS.ProcessEnv = {}): Promise<BenchServer> {
  const prefix = benchPrefix();
  const keysDir = mkdtempSync(join(tmpdir(), 'tokentill-bench-keys-'));
  const config = loadConfig({
    NODE_ENV: 'production',
    PORT: '0',
    HOST: '127.0.0.1',
    // Production settings against the sandbox's endpoints, on purpose: the server refuses that unless told.
    SANDBOX: '1',
    SANDBOX_ALLOW_UNSAFE: '1',
    // Benchmarks read the server's own histograms from its private metrics listener (`metricsUrl`).
    METRICS_PORT: '0',
    SANDBOX_KEYS_DIR: keysDir,
    REDIS_URL,
    REDIS_PREFIX: prefix,
    IN_PROCESS_WORKER: '0',
    LOG_LEVEL: BENCH_LOG_LEVEL,
    ...env,
  });
  const logger = createLogger(
    { level: config.LOG_LEVEL },
    pino.destination({ dest: '/dev/null', sync: true }),
  );
  const admin = createRedis(REDIS_URL, { connectionName: 'tokentill-bench' });
  let running: RunningServer;
  try {
    running = await startServer(config, logger);
  } catch (err) {
    await closeRedis(admin);
    rmSync(keysDir, { recursive: true, force: true });
    throw err;
  }
  let done: Promise<number> | undefined;
  const shutdown = () =>
    (done ??= (async () => {
      try {
        await running.close();
      } finally {
        rmSync(keysDir, { recursive: true, force: true });
      }
      const deleted = await deletePrefix(admin, prefix);
      await closeRedis(admin);
      return deleted;
    })());
  return Object.assign(running, { prefix, config, admin, shutdown });
}

/** Shuts the server down and reports the cleanup. */
export async function stopBenchServer(server: BenchServer): Promise<void> {
  const deleted = await server.shutdown();
  console.log(`cleanup: deleted ${deleted} Redis keys under ${server.prefix}`);
}
