import type Koa from 'koa';
import type { Config } from './config.js';
import type { Logger } from './observability/logger.js';
import type { Metrics } from './observability/metrics.js';
import type { Redis, RedisKeys } from './redis/index.js';
import type { Services } from './services.js';

/**
 * What the HTTP app is built from. Its own module so that the app (app.ts) and the routes it mounts
 * (http/router.ts, http/routes/*) can all name it without importing each other.
 */

/** Whether the process is shutting down; readiness turns false while it drains. */
export interface Lifecycle {
  draining: boolean;
}

/** Everything the HTTP app needs, passed in so tests can build it with real or fake parts. */
export interface AppDeps {
  config: Readonly<Config>;
  logger: Logger;
  redis: Redis;
  keys: RedisKeys;
  metrics: Metrics;
  lifecycle: Lifecycle;
  services: Services;
  /** The embedded emulators (sandbox mode only: WeChat Pay / WeChat API, mock model); they read raw bodies. */
  sandbox?: Koa.Middleware[];
  /** Folder of the H5 build to serve at / (sandbox mode). */
  h5Dir?: string;
}
