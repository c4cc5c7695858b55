import { ConfigError } from './config.js';
import { startMetricsServer } from './http/metrics-server.js';
import { openLedger } from './ledger/index.js';
import { merchantFromConfig, merchantFromSandbox } from './merchant.js';
import { createLogger } from './observability/logger.js';
import { createMetrics } from './observability/metrics.js';
import { exitOnSignals, exitOnStartFailure, loadConfigOrExit } from './process-entry.js';
import { closeRedis, createRedis, createRedisKeys } from './redis/index.js';
import { DEFAULT_MOCK_MODEL_PREFIX } from './mock-model/index.js';
import { loadOrCreateSandboxKeys } from './sandbox/index.js';
import { NOTIFY_PATH } from './server.js';
import { createServices } from './services.js';

/**
 * Worker process (`npm run worker`): the background work without HTTP — the inference worker that turns paid
 * orders into answers, and the reconciler that follows payments and refunds. Run any number of them beside API
 * instances started with IN_PROCESS_WORKER=0. A worker calls WeChat at WXPAY_API_BASE / WECHAT_API_BASE and,
 * in sandbox mode, the mock model at PUBLIC_BASE_URL: point them at an API instance. With METRICS_PORT set it
 * serves its own metrics (order transitions, …) there, like an API instance; give each process its own port.
 */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'tokentill-worker' });
  const missing = (['WXPAY_API_BASE', 'WECHAT_API_BASE', 'PUBLIC_BASE_URL'] as const).filter(
    (n) => !config[n],
  );
  if (missing.length > 0) {
    throw new ConfigError(
      missing.map(
        (n) => `${n}: required by a separate worker process (in sandbox mode: the API instance's URLs)`,
      ),
    );
  }
  const ledgerPool = await openLedger(config, logger, 'tokentill-worker');
  const redis = createRedis(config.REDIS_URL, { connectionName: 'tokentill-worker' });
  redis.on('error', (err) => logger.warn({ err: { message: err.message } }, 'redis connection error'));
  const merchant = config.SANDBOX
    ? merchantFromSandbox(await loadOrCreateSandboxKeys(config.SANDBOX_KEYS_DIR), config)
    : merchantFromConfig(config);
  const metrics = createMetrics();
  const services = createServices({
    config,
    logger,
    metrics,
    redis,
    keys: createRedisKeys(config.REDIS_PREFIX),
    merchant,
    ledgerPool,
    endpoints: {
      wxpayApiBase: config.WXPAY_API_BASE as string,
      wechatApiBase: config.WECHAT_API_BASE as string,
      notifyUrl: `${config.PUBLIC_BASE_URL}${NOTIFY_PATH}`,
      ...(config.SANDBOX
        ? { sandboxModelBase: `${config.PUBLIC_BASE_URL}${DEFAULT_MOCK_MODEL_PREFIX}/v1` }
        : {}),
    },
  });
  const metricsServer =
    config.METRICS_PORT === undefined
      ? undefined
      : await startMetricsServer({
          registry: metrics.registry,
          port: config.METRICS_PORT,
          host: config.METRICS_HOST,
          token: config.METRICS_TOKEN,
          logger,
        });
  await services.startBackgroundWork();
  logger.info({ sandbox: config.SANDBOX, metricsUrl: metricsServer?.url }, 'TokenTill worker started');
  exitOnSignals(async () => {
    await services.close();
    await metricsServer?.close();
    await closeRedis(redis);
    await ledgerPool.end();
    logger.info('shutdown complete');
  }, logger);
}

main().catch(exitOnStartFailure('TokenTill worker'));
