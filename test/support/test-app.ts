import type Koa from 'koa';
import { createApp, type AppDeps, type Lifecycle } from '../../server/src/app';
import { loadConfig } from '../../server/src/config';
import { createLogger } from '../../server/src/observability/logger';
import { createMetrics } from '../../server/src/observability/metrics';
import type { Redis, RedisKeys } from '../../server/src/redis';

export interface TestApp {
  app: Koa;
  deps: AppDeps;
  lifecycle: Lifecycle;
}

/** Builds the real app over the given Redis with a silent logger and a private metrics registry. */
export function buildTestApp(redis: Redis, keys: RedisKeys, env: NodeJS.ProcessEnv = {}): TestApp {
  const lifecycle: Lifecycle = { draining: false };
  const deps: AppDeps = {
    config: loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', ...env }),
    logger: createLogger({ level: 'silent' }),
    redis,
    keys,
    metrics: createMetrics({ defaultMetrics: false }),
    lifecycle,
  };
  return { app: createApp(deps), deps, lifecycle };
}
