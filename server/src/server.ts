import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type Koa from 'koa';
import { createApp, type Lifecycle } from './app.js';
import type { Config } from './config.js';
import { createStreamHub, createWsGateway } from './delivery/index.js';
import { startMetricsServer, type MetricsServer } from './http/metrics-server.js';
import { openLedger } from './ledger/index.js';
import { merchantFromConfig, merchantFromSandbox, type Merchant } from './merchant.js';
import type { Logger } from './observability/logger.js';
import { createMetrics } from './observability/metrics.js';
import { assertNotifyUrl } from './payment/index.js';
import { closeRedis, createRedis, createRedisKeys } from './redis/index.js';
import {
  WECHAT_SANDBOX_PREFIX,
  WXPAY_SANDBOX_PREFIX,
  createSandbox,
  loadOrCreateSandboxKeys,
  type Sandbox,
} from './sandbox/index.js';
import { breakerRoute } from './sandbox/breaker-route.js';
import { createServices, type Endpoints, type Services } from './services.js';
import { listenForRevocations, sessionIdOf } from './sessions/index.js';
import { DEFAULT_MOCK_MODEL_PREFIX, createMockModel, type MockModel } from './mock-model/index.js';

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  /** The domain services (tests drive the reconciler and inspect stores through them). */
  readonly services: Services;
  /** The embedded emulator, in sandbox mode. */
  readonly sandbox: Sandbox | undefined;
  /** Prometheus scrape URL on the private metrics listener; undefined unless METRICS_PORT is set. */
  readonly metricsUrl: string | undefined;
  /** Stops accepting, drains in-flight requests (up to SHUTDOWN_TIMEOUT_MS), closes sockets and Redis. Idempotent. */
  close(): Promise<void>;
}

export const NOTIFY_PATH = '/api/pay/wxpay/notify';

function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

/**
 * In sandbox mode the embedded emulators stand in for WeChat and for the model providers, reached at this
 * server's own address: the same wire protocols, so going live only changes URLs and keys.
 */
async function sandboxSetup(config: Readonly<Config>, url: string, logger: Logger) {
  const keys = await loadOrCreateSandboxKeys(config.SANDBOX_KEYS_DIR);
  const sandbox: Sandbox = createSandbox({ keys, notifyScale: config.SANDBOX_NOTIFY_SCALE, logger });
  const sandboxModels = [...config.catalog.models.values()].filter(
    (m) => config.catalog.providers.get(m.provider)?.baseURL === 'sandbox',
  );
  const mockModel = createMockModel({
    models: Object.fromEntries(sandboxModels.map((m) => [m.model, {}])),
    ttftMs: config.SANDBOX_MODEL_TTFT_MS,
    tokensPerSecond: config.SANDBOX_MODEL_TOKENS_PER_SECOND,
  });
  return {
    sandbox,
    mockModel,
    merchant: merchantFromSandbox(keys, config),
    wxpayApiBase: config.WXPAY_API_BASE ?? `${url}${WXPAY_SANDBOX_PREFIX}`,
    wechatApiBase: config.WECHAT_API_BASE ?? `${url}${WECHAT_SANDBOX_PREFIX}`,
    sandboxModelBase: `${url}${DEFAULT_MOCK_MODEL_PREFIX}/v1`,
  };
}

/**
 * Starts the HTTP + WebSocket server and every dependency, and returns a handle that shuts it all down. It binds
 * first, then builds the app: in sandbox mode (and with PORT=0) the URLs WeChat calls depend on the bound port.
 */
export interface StartOptions {
  /** The fetch the WeChat clients use (tests wrap it to interleave calls). Default: global fetch. */
  fetch?: typeof globalThis.fetch;
}

/** `GET /sandbox/breakers` over this process's router (sandbox/breaker-route.ts). */
function sandboxBreakers(services: Services): Koa.Middleware {
  const { catalog } = services;
  return breakerRoute({
    circuitStates: () => services.router.circuitStates(),
    tiers: () =>
      catalog.tierList.map((tier) => ({
        id: tier.id,
        title: tier.title,
        available: services.tierAvailability.available(tier.id),
        providers: [...new Set(tier.models.map((m) => catalog.models.get(m)?.provider ?? m))],
      })),
  });
}

export async function startServer(
  config: Readonly<Config>,
  logger: Logger,
  options: StartOptions = {},
): Promise<RunningServer> {
  // Before anything binds: a server that cannot record payments must not take them (unreachable ledger, or a
  // schema behind the code: `npm run migrate`).
  const ledgerPool = await openLedger(config, logger, 'tokentill-api');
  const server = createServer();
  // Bound before the app exists (its URLs depend on the port): answer 503 meanwhile instead of leaving a request
  // hanging until Node's request timeout.
  const booting = (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1', connection: 'close' });
    res.end(
      JSON.stringify({
        error: { code: 'NOT_READY', message: 'Starting up; try again shortly.', requestId: '' },
      }),
    );
  };
  server.on('request', booting);
  const { port } = await listen(server, config.PORT, config.HOST);
  const shownHost = config.HOST === '0.0.0.0' || config.HOST === '::' ? '127.0.0.1' : config.HOST;
  const url = `http://${shownHost}:${port}`;

  const redis = createRedis(config.REDIS_URL, { connectionName: 'tokentill-api' });
  redis.on('error', (err) => logger.warn({ err: { message: err.message } }, 'redis connection error'));
  const keys = createRedisKeys(config.REDIS_PREFIX);
  const metrics = createMetrics();
  const lifecycle: Lifecycle = { draining: false };
  let metricsServer: MetricsServer | undefined;
  if (config.METRICS_PORT !== undefined) {
    try {
      metricsServer = await startMetricsServer({
        registry: metrics.registry,
        port: config.METRICS_PORT,
        host: config.METRICS_HOST,
        token: config.METRICS_TOKEN,
        logger,
      });
    } catch (err) {
      // Leave nothing bound behind a failed start (tests and embedders start servers in-process).
      server.close();
      await closeRedis(redis);
      await ledgerPool.end();
      throw err;
    }
  }
  if (config.SANDBOX && config.SANDBOX_ALLOW_UNSAFE) {
    logger.warn(
      'SANDBOX_ALLOW_UNSAFE=1: sandbox mode despite a production or live setting; POST /sandbox/pay marks any order paid',
    );
  }

  let merchant: Merchant;
  let sandbox: Sandbox | undefined;
  let mockModel: MockModel | undefined;
  let bases: Pick<Endpoints, 'wxpayApiBase' | 'wechatApiBase' | 'sandboxModelBase'>;
  if (config.SANDBOX) {
    const setup = await sandboxSetup(config, url, logger);
    ({ sandbox, merchant, mockModel } = setup);
    bases = setup;
  } else {
    merchant = merchantFromConfig(config);
    bases = {
      wxpayApiBase: config.WXPAY_API_BASE as string,
      wechatApiBase: config.WECHAT_API_BASE as string,
    };
  }
  const publicBaseUrl = config.PUBLIC_BASE_URL ?? url;
  const notifyUrl = assertNotifyUrl(`${publicBaseUrl}${NOTIFY_PATH}`, { allowInsecureLocal: config.SANDBOX });
  const services = createServices({
    config,
    logger,
    metrics,
    redis,
    keys,
    merchant,
    endpoints: { ...bases, notifyUrl },
    ledgerPool,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const h5Available = existsSync(join(config.H5_DIR, 'index.html'));
  const app: Koa = createApp({
    config,
    logger,
    redis,
    keys,
    metrics,
    lifecycle,
    services,
    // The mock model and the breaker view first: the WeChat emulator answers everything else under /sandbox/
    // (404 included).
    ...(sandbox && mockModel
      ? { sandbox: [mockModel.middleware, sandboxBreakers(services), sandbox.middleware] }
      : {}),
    ...(config.SANDBOX && h5Available ? { h5Dir: config.H5_DIR } : {}),
  });
  server.off('request', booting);
  server.on('request', app.callback());

  // One reader per instance follows every answer stream its sockets watch (a blocking XREAD on one node, shard
  // channel notices on a cluster: see stream-hub.ts).
  const streamReader = createRedis(config.REDIS_URL, {
    connectionName: 'tokentill-stream-reader',
    overrides: { maxRetriesPerRequest: null, enableAutoPipelining: false },
    shardedSubscribers: true,
  });
  streamReader.on('error', () => undefined);
  const hub = createStreamHub({ reader: streamReader, control: redis, keys, logger });
  const gateway = createWsGateway({
    logger,
    hub,
    answers: services.answers,
    authenticate: async (token) => {
      const session = await services.sessionStore.get(token);
      return session ? { userKey: session.userKey, sessionId: sessionIdOf(token) } : undefined;
    },
    isSessionLive: (sessionId) => services.sessionStore.isLive(sessionId),
    maxSocketsPerUser: config.WS_MAX_SOCKETS_PER_USER,
    ownsOrder: async (principal, orderId) =>
      (await services.orderStore.get(orderId))?.userKey === principal.userKey,
    // A socket that saw the order through means the user was there: no subscribe message needed.
    onWatchedToEnd: (orderId) =>
      void redis.set(keys.orderWatched(orderId), '1', 'EX', 86_400).catch(() => undefined),
    usageOf: async (orderId) => {
      const order = await services.orderStore.get(orderId);
      return { promptTokens: order?.promptTokens ?? 0, completionTokens: order?.completionTokens ?? 0 };
    },
  });
  server.on('upgrade', (req, socket, head) => gateway.handleUpgrade(req, socket, head));
  // A logout on any instance closes that session's sockets here too.
  const revocations = listenForRevocations({
    subscriber: createRedis(config.REDIS_URL, {
      connectionName: 'tokentill-session-revocations',
      overrides: { maxRetriesPerRequest: null, enableAutoPipelining: false },
    }),
    channel: keys.sessionRevocations(),
    logger,
  });
  revocations.onRevoked((sessionId) => gateway.endSession(sessionId));
  if (config.IN_PROCESS_WORKER) await services.startBackgroundWork();

  logger.info(
    {
      url,
      sandbox: config.SANDBOX,
      app: config.SANDBOX && h5Available ? `${url}/` : undefined,
      notifyUrl,
      wxpayApiBase: bases.wxpayApiBase,
      wechatApiBase: bases.wechatApiBase,
      metricsUrl: metricsServer?.url,
    },
    `TokenTill server listening on ${url}`,
  );

  let closing: Promise<void> | undefined;
  async function drain(): Promise<void> {
    lifecycle.draining = true;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // Mock model streams in flight would otherwise hold connections open until the drain times out.
    const mockClosed = mockModel?.close();
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
    await services.close();
    await Promise.all([gateway.close(), closed, mockClosed]);
    clearTimeout(timer);
    await hub.close();
    await closeRedis(streamReader);
    await revocations.close();
    await sandbox?.close();
    await metricsServer?.close();
    await closeRedis(redis);
    await ledgerPool.end();
    logger.info('shutdown complete');
  }
  return {
    url,
    port,
    server,
    services,
    sandbox,
    metricsUrl: metricsServer?.url,
    close: () => (closing ??= drain()),
  };
}
