import type Koa from 'koa';
import { createApp, type AppDeps, type Lifecycle } from '../../server/src/app';
import { loadConfig } from '../../server/src/config';
import { merchantFromSandbox } from '../../server/src/merchant';
import { createLogger } from '../../server/src/observability/logger';
import { createMetrics } from '../../server/src/observability/metrics';
import type { Redis, RedisKeys } from '../../server/src/redis';
import { generateSandboxKeys } from '../../server/src/sandbox';
import { createServices } from '../../server/src/services';
import { createLedgerPool } from '../../server/src/ledger';
import { dropLedgerSchema, freshSchema, prepareLedgerSchema, testDatabaseUrl } from './test-postgres';

export interface TestApp {
  app: Koa;
  deps: AppDeps;
  lifecycle: Lifecycle;
  close(): Promise<void>;
}

/**
 * Builds the real app over the given Redis, with a silent logger, a private metrics registry and a throwaway
 * sandbox merchant. Nothing listens and WeChat is never called: for tests of the HTTP layer itself. Flows that
 * need WeChat Pay use `startTestServer` (test/support/test-server.ts).
 */
export async function buildTestApp(
  redis: Redis,
  keys: RedisKeys,
  env: NodeJS.ProcessEnv = {},
): Promise<TestApp> {
  const lifecycle: Lifecycle = { draining: false };
  const config = loadConfig({ NODE_ENV: 'test', SANDBOX: '1', LOG_LEVEL: 'silent', ...env });
  const logger = createLogger({ level: 'silent' });
  const metrics = createMetrics({ defaultMetrics: false });
  const unreachable = 'http://127.0.0.1:9';
  // A ledger schema of the app's own, dropped when it closes.
  const schema = freshSchema();
  await prepareLedgerSchema(schema);
  const ledgerPool = createLedgerPool({
    url: testDatabaseUrl(),
    schema,
    size: 2,
    applicationName: 'test-app',
  });
  const services = createServices({
    config,
    logger,
    metrics,
    redis,
    keys,
    merchant: merchantFromSandbox(await generateSandboxKeys(), config),
    endpoints: {
      wxpayApiBase: unreachable,
      wechatApiBase: unreachable,
      sandboxModelBase: unreachable,
      notifyUrl: `${unreachable}/notify`,
    },
    ledgerPool,
  });
  const deps: AppDeps = { config, logger, redis, keys, metrics, lifecycle, services };
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await services.close();
      await ledgerPool.end();
      await dropLedgerSchema(schema);
    })());
  return { app: createApp(deps), deps, lifecycle, close };
}
