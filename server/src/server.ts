import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp, type Lifecycle } from './app.js';
import type { Config } from './config.js';
import { createWsGateway } from './delivery/index.js';
import type { Logger } from './observability/logger.js';
import { createMetrics } from './observability/metrics.js';
import { closeRedis, createRedis, createRedisKeys } from './redis/index.js';

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  /** Stops accepting, drains in-flight requests (up to SHUTDOWN_TIMEOUT_MS), closes sockets and Redis. Idempotent. */
  close(): Promise<void>;
}

/** Builds every dependency, starts the HTTP + WebSocket server, and returns a handle that shuts it all down. */
export async function startServer(config: Readonly<Config>, logger: Logger): Promise<RunningServer> {
  const redis = createRedis(config.REDIS_URL, { connectionName: 'tokentill-api' });
  redis.on('error', (err) => logger.warn({ err: { message: err.message } }, 'redis connection error'));
  const lifecycle: Lifecycle = { draining: false };
  const app = createApp({
    config,
    logger,
    redis,
    keys: createRedisKeys(config.REDIS_PREFIX),
    metrics: createMetrics(),
    lifecycle,
  });

  const server = createServer(app.callback());
  const gateway = createWsGateway({ logger });
  server.on('upgrade', (req, socket, head) => gateway.handleUpgrade(req, socket, head));

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.PORT, config.HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = config.HOST === '0.0.0.0' || config.HOST === '::' ? '127.0.0.1' : config.HOST;
  const url = `http://${shownHost}:${port}`;
  logger.info({ url, sandbox: config.SANDBOX }, `TokenTill server listening on ${url}`);

  let closing: Promise<void> | undefined;
  async function drain(): Promise<void> {
    lifecycle.draining = true;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // Keep-alive connections with no request in flight would hold close() open until they time out.
    server.closeIdleConnections();
    const timer = setTimeout(() => {
      logger.warn(
        { timeoutMs: config.SHUTDOWN_TIMEOUT_MS },
        'drain timed out; closing remaining connections',
      );
      server.closeAllConnections();
    }, config.SHUTDOWN_TIMEOUT_MS);
    timer.unref();
    await Promise.all([gateway.close(), closed]);
    clearTimeout(timer);
    await closeRedis(redis);
    logger.info('shutdown complete');
  }
  return {
    url,
    port,
    server,
    close: () => (closing ??= drain()),
  };
}
