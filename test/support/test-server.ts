import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type Config } from '../../server/src/config';
import { createLogger } from '../../server/src/observability/logger';
import { startServer, type RunningServer, type StartOptions } from '../../server/src/server';
import { DEFAULT_REDIS_URL } from '../../scripts/lib/local-redis';
import { closeRedis, createRedis, type Redis } from '../../server/src/redis';
import { deletePrefix } from './test-redis';
import { dropLedgerSchema, prepareLedgerSchema, schemaForPrefix, testDatabaseUrl } from './test-postgres';

/** One sandbox key set per test run: generating RSA keys is the slow part of starting a sandbox. */
const sharedKeysDir = mkdtempSync(join(tmpdir(), 'tokentill-sandbox-keys-'));

export interface TestServer extends RunningServer {
  prefix: string;
  config: Readonly<Config>;
}

/**
 * Starts the real server in-process, in sandbox mode (asked for explicitly: the server defaults to live), on a free
 * port with its metrics listener on another free port (`metricsUrl`), against the test Redis under a fresh key
 * prefix and a ledger schema of its own (migrated); notification retries run 1000× faster and the mock model
 * streams fast. Background work (reconciler, inference worker) is off unless a test starts it with
 * `services.startBackgroundWork()` or drives it.
 */
export async function startTestServer(
  env: NodeJS.ProcessEnv = {},
  options: StartOptions = {},
): Promise<TestServer> {
  const prefix = `test:${randomUUID()}:`;
  // The ledger schema goes with the Redis prefix: a second server on the same prefix shares the same ledger.
  const schema = env['DATABASE_SCHEMA'] ?? schemaForPrefix(env['REDIS_PREFIX'] ?? prefix);
  await prepareLedgerSchema(schema);
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    METRICS_PORT: '0',
    SANDBOX: '1',
    SANDBOX_KEYS_DIR: sharedKeysDir,
    SANDBOX_NOTIFY_SCALE: '0.001',
    REDIS_URL: process.env['REDIS_URL'] || DEFAULT_REDIS_URL,
    REDIS_PREFIX: prefix,
    DATABASE_URL: testDatabaseUrl(),
    DATABASE_SCHEMA: schema,
    IN_PROCESS_WORKER: '0',
    SANDBOX_MODEL_TTFT_MS: '5',
    SANDBOX_MODEL_TOKENS_PER_SECOND: '5000',
    LOG_LEVEL: process.env['TEST_LOG_LEVEL'] ?? 'silent',
    ...env,
  });
  const running = await startServer(config, createLogger({ level: config.LOG_LEVEL }), options);
  return Object.assign(running, { prefix, config });
}

/** A test server and a Redis connection for one test file, started before its tests and cleaned up after. */
export interface ServerFixture {
  readonly server: TestServer;
  readonly redis: Redis;
}

/**
 * Starts a test server (and, with `background`, its worker and reconciler) before the file's tests; afterwards
 * stops it and deletes its keys. Call at the top level of a test file.
 */
export function useTestServer(
  env: NodeJS.ProcessEnv = {},
  options: { background?: boolean } = {},
): ServerFixture {
  let server: TestServer | undefined;
  let redis: Redis | undefined;
  beforeAll(async () => {
    server = await startTestServer(env);
    if (options.background) await server.services.startBackgroundWork();
    redis = createRedis(process.env['REDIS_URL'] || DEFAULT_REDIS_URL);
  });
  afterAll(async () => {
    await server?.close();
    if (redis && server) await deletePrefix(redis, server.prefix);
    if (server) await dropLedgerSchema(server.config.DATABASE_SCHEMA);
    if (redis) await closeRedis(redis);
  });
  return {
    get server() {
      if (!server) throw new Error('the test server starts in beforeAll');
      return server;
    },
    get redis() {
      if (!redis) throw new Error('the test Redis connects in beforeAll');
      return redis;
    },
  };
}
