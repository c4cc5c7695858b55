import { ConfigError } from './config.js';
import { openLedger } from './ledger/index.js';
import { merchantFromConfig, merchantFromSandbox } from './merchant.js';
import { DEFAULT_MOCK_MODEL_PREFIX } from './mock-model/index.js';
import { createLogger } from './observability/logger.js';
import { createMetrics } from './observability/metrics.js';
import { EXIT_CONFIG, loadConfigOrExit } from './process-entry.js';
import { closeRedis, createRedis, createRedisKeys } from './redis/index.js';
import { loadOrCreateSandboxKeys } from './sandbox/index.js';
import { NOTIFY_PATH } from './server.js';
import { createServices } from './services.js';

/**
 * `npm run reconcile-bills -- --date YYYY-MM-DD` (built server): reconciles one Beijing day of the ledger with
 * WeChat Pay's trade and refund bills, then exits: 0 when the day has no difference, 2 when it has some (listed in
 * bill_differences and the log), 1 when the run failed (e.g. the bill is not ready, or failed its hash). Safe to
 * repeat: a second run adds nothing. The background work runs it daily for the previous day by itself.
 */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const at = args.indexOf('--date');
  const billDate = at >= 0 ? args[at + 1] : undefined;
  if (!billDate || !/^\d{4}-\d{2}-\d{2}$/.test(billDate)) {
    process.stderr.write('usage: npm run reconcile-bills -- --date YYYY-MM-DD (a Beijing date)\n');
    process.exit(EXIT_CONFIG);
  }
  const config = loadConfigOrExit();
  if (!config.WXPAY_API_BASE || !config.PUBLIC_BASE_URL) {
    throw new ConfigError([
      'WXPAY_API_BASE and PUBLIC_BASE_URL: required to reach WeChat Pay (in sandbox mode: the API instance URLs)',
    ]);
  }
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'tokentill-reconcile-bills' });
  const ledgerPool = await openLedger(config, logger, 'tokentill-reconcile-bills');
  const redis = createRedis(config.REDIS_URL, { connectionName: 'tokentill-reconcile-bills' });
  redis.on('error', (err) => logger.warn({ err: { message: err.message } }, 'redis connection error'));
  const merchant = config.SANDBOX
    ? merchantFromSandbox(await loadOrCreateSandboxKeys(config.SANDBOX_KEYS_DIR), config)
    : merchantFromConfig(config);
  const services = createServices({
    config,
    logger,
    metrics: createMetrics({ defaultMetrics: false }),
    redis,
    keys: createRedisKeys(config.REDIS_PREFIX),
    merchant,
    ledgerPool,
    endpoints: {
      wxpayApiBase: config.WXPAY_API_BASE,
      wechatApiBase: config.WECHAT_API_BASE ?? config.WXPAY_API_BASE,
      notifyUrl: `${config.PUBLIC_BASE_URL}${NOTIFY_PATH}`,
      // Not called by a reconciliation, but the services are built whole.
      ...(config.SANDBOX
        ? { sandboxModelBase: `${config.PUBLIC_BASE_URL}${DEFAULT_MOCK_MODEL_PREFIX}/v1` }
        : {}),
    },
  });
  try {
    const run = await services.billReconciler.reconcile(billDate);
    process.exitCode = run.differences > 0 ? 2 : 0;
  } finally {
    await services.close();
    await closeRedis(redis);
    await ledgerPool.end();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bill reconciliation failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
