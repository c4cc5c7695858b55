import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type Config } from '../../server/src/config';
import { createLogger } from '../../server/src/observability/logger';
import { startServer, type RunningServer, type StartOptions } from '../../server/src/server';
import { DEFAULT_REDIS_URL } from '../../scripts/lib/local-redis';

/** One sandbox key set per test run: generating RSA keys is the slow part of starting a sandbox. */
const sharedKeysDir = mkdtempSync(join(tmpdir(), 'tokentill-sandbox-keys-'));

export interface TestServer extends RunningServer {
  prefix: string;
  config: Readonly<Config>;
}

/**
 * Starts the real server in-process, in sandbox mode, on a free port, against the test Redis under a fresh key
 * prefix; notification retries run 1000× faster and the mock model streams fast. Background work (reconciler,
 * inference worker) is off unless a test starts it with `services.startBackgroundWork()` or drives it.
 */
export async function startTestServer(
  env: NodeJS.ProcessEnv = {},
  options: StartOptions = {},
): Promise<TestServer> {
  const prefix = `test:${randomUUID()}:`;
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    SANDBOX: '1',
    SANDBOX_KEYS_DIR: sharedKeysDir,
    SANDBOX_NOTIFY_SCALE: '0.001',
    REDIS_URL: process.env['REDIS_URL'] || DEFAULT_REDIS_URL,
    REDIS_PREFIX: prefix,
    IN_PROCESS_WORKER: '0',
    SANDBOX_MODEL_TTFT_MS: '5',
    SANDBOX_MODEL_TOKENS_PER_SECOND: '5000',
    LOG_LEVEL: process.env['TEST_LOG_LEVEL'] ?? 'silent',
    ...env,
  });
  const running = await startServer(config, createLogger({ level: config.LOG_LEVEL }), options);
  return Object.assign(running, { prefix, config });
}
