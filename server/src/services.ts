import type { Config } from './config.js';
import type { Catalog } from './catalog/index.js';
import { createOpenidVault } from './identity/openid-vault.js';
import {
  createLedger,
  createLedgerJournal,
  createLedgerRetention,
  ledgerSpendRecorder,
  withGenerationJournal,
  type JournalSource,
  type Ledger,
  type Pool,
} from './ledger/index.js';
import { createInferenceQueue, type InferenceQueue } from './jobs/index.js';
import type { Merchant } from './merchant.js';
import type { Logger } from './observability/logger.js';
import type { Metrics } from './observability/metrics.js';
import {
  CLOSE_GRACE_MS,
  createApplyEvent,
  createLedgerHealer,
  createLiveOrders,
  createOrderService,
  createOrderStore,
  createPaymentEvents,
  createReconciler,
  createRecoverySweep,
  createRefundService,
  type OrderService,
  type OrderStore,
  type PaymentEvents,
  type PaymentOutcome,
  type Reconciler,
} from './orders/index.js';
import { buildRequestPaymentParams, createWxPayClient, type WxPayClient } from './payment/index.js';
import { createBillReconciler, createBillSchedule, type BillReconciler } from './reconciliation/index.js';
import { closeRedis, createRedis, type Redis, type RedisKeys } from './redis/index.js';
import {
  createSessionService,
  createSessionStore,
  type SessionService,
  type SessionStore,
} from './sessions/index.js';
import { createLoginGuard } from './sessions/login-guard.js';
import { createAccessTokenCache, createWeChatApiClient, type WeChatApiClient } from './wechat/index.js';
import { createSubscribeNotifier, type SubscribeNotifier } from './delivery/subscribe-notifier.js';
import { createAnswerStreamStore, type AnswerStreamStore } from './delivery/index.js';
import {
  createInferenceWorker,
  createModelRouter,
  type InferenceWorker,
  type ModelRouter,
} from './inference/index.js';
import { createTierAvailability, type TierAvailability } from './inference/router/tier-availability.js';

/** Where this instance reaches WeChat and the sandbox model, and where WeChat reaches it. */
export interface Endpoints {
  wxpayApiBase: string;
  wechatApiBase: string;
  /** Base URL of the embedded mock model (providers whose baseURL is "sandbox"). */
  sandboxModelBase?: string;
  /** Full URL of POST /api/pay/wxpay/notify as WeChat Pay calls it. */
  notifyUrl: string;
}

/** The subscribe-message template the sandbox uses when none is configured (the H5 app asks for its grant). */
export const SANDBOX_TEMPLATE_ID = 'TT-SANDBOX-ANSWER-READY';

/** The domain services of one process, built from config; `close()` releases what they own. */
export interface Services {
  catalog: Catalog;
  merchant: Merchant;
  wxpay: WxPayClient;
  wechat: WeChatApiClient;
  sessionStore: SessionStore;
  sessions: SessionService;
  orderStore: OrderStore;
  orders: OrderService;
  payments: PaymentEvents;
  queue: InferenceQueue;
  reconciler: Reconciler;
  answers: AnswerStreamStore;
  router: ModelRouter;
  /** Whether a tier can take an order now, from this process's circuit breakers (see tier-availability.ts). */
  tierAvailability: TierAvailability;
  notifier: SubscribeNotifier;
  /** The PostgreSQL ledger: money facts committed before they are acknowledged (docs/ledger.md). */
  ledger: Ledger;
  /** Reconciles a day of the ledger with WeChat Pay's bills (run daily by the background work). */
  billReconciler: BillReconciler;
  /** Starts the background work of this process: the reconciler and an inference worker. */
  startBackgroundWork(options?: { lockDurationMs?: number; stalledIntervalMs?: number }): Promise<void>;
  close(): Promise<void>;
}

export interface ServicesDeps {
  config: Readonly<Config>;
  logger: Logger;
  metrics: Metrics;
  redis: Redis;
  keys: RedisKeys;
  merchant: Merchant;
  endpoints: Endpoints;
  /** Connections to the ledger's PostgreSQL (owned by the caller, which ends it after `close()`). */
  ledgerPool: Pool;
  /** Injected into the WeChat clients (tests). Default: global fetch. */
  fetch?: typeof globalThis.fetch;
}

/** What the payment path answers once a billed payment is in the ledger. */
const HEALED_OUTCOMES: readonly PaymentOutcome[] = [
  'paid',
  'duplicate',
  'late_payment_refunding',
  'unknown_order_refunding',
];

export function createServices(deps: ServicesDeps): Services {
  const { config, logger, metrics, redis, keys, merchant, endpoints } = deps;
  const fetchImpl = deps.fetch ?? globalThis.fetch;

  const wxpay = createWxPayClient({
    mchid: merchant.mchid,
    appid: merchant.appid,
    merchantSerial: merchant.merchantSerial,
    merchantPrivateKey: merchant.merchantPrivateKey,
    ...(merchant.publicKeyId ? { wechatpaySerial: merchant.publicKeyId } : {}),
    verifier: merchant.verifier,
    apiBase: endpoints.wxpayApiBase,
    fetch: fetchImpl,
  });
  const wechat = createWeChatApiClient({
    appid: merchant.appid,
    appsecret: merchant.appsecret,
    apiBase: endpoints.wechatApiBase,
    fetch: fetchImpl,
  });
  const vault = createOpenidVault(merchant.openidSecret);
  const ledger = createLedger(deps.ledgerPool);
  const sessionStore = createSessionStore(redis, keys);
  const orderStore = createOrderStore(redis, keys, {
    retentionSeconds: config.ORDER_RETENTION_DAYS * 86_400,
  });
  const live = createLiveOrders(redis, keys);
  // One ApplyEvent per kind of caller, so the ledger's journal says who made each change.
  const applyEventAs = (source: JournalSource) =>
    createApplyEvent({
      store: orderStore,
      live,
      metrics,
      logger,
      recoveryAfterMs: config.RECOVERY_AFTER_MS,
      source,
      journal: (change) => ledgerJournal.record(change),
    });
  const applyEvent = applyEventAs('api');

  // BullMQ gets its own connection: it must not share the command client's retry policy.
  const queueConnection = createRedis(config.REDIS_URL, {
    connectionName: 'tokentill-queue',
    overrides: { maxRetriesPerRequest: null, enableAutoPipelining: false },
  });
  queueConnection.on('error', () => undefined); // reported through the main client and /readyz
  const queue = createInferenceQueue(queueConnection, keys.queuePrefix);

  // Refunds and payment events need each other (a late payment is refunded; a refund result is an event):
  // the refund service reaches `payments` lazily, once both exist.
  const refundsAs = (source: JournalSource) =>
    createRefundService({
      redis,
      keys,
      store: orderStore,
      applyEvent: applyEventAs(source),
      wxpay,
      logger,
      notifyUrl: endpoints.notifyUrl,
      applyRefundResult: (refund) => payments.applyRefund(refund, 'query'),
      ledger,
      source,
    });
  const refunds = refundsAs('api');
  const payments = createPaymentEvents({
    redis,
    keys,
    store: orderStore,
    applyEvent,
    queue,
    refunds,
    wxpay,
    logger,
    appid: merchant.appid,
    mchid: merchant.mchid,
    ledger,
  });
  // Reads the router's breakers (created below) only when asked, once everything exists.
  const tierAvailability = createTierAvailability(config.catalog, () => router.circuitStates());
  const orders = createOrderService({
    redis,
    keys,
    store: orderStore,
    live,
    catalog: config.catalog,
    wxpay,
    vault,
    applyEvent,
    payments,
    logger,
    ledger,
    notifyUrl: endpoints.notifyUrl,
    limits: {
      payWindowSeconds: config.ORDER_PAY_WINDOW_SECONDS,
      ordersPerMinute: config.ORDERS_PER_MINUTE,
      maxUnpaidOrders: config.MAX_UNPAID_ORDERS,
      confirmsPerMinute: config.CONFIRMS_PER_MINUTE,
      confirmQueryIntervalMs: config.CONFIRM_QUERY_INTERVAL_MS,
    },
    paymentParams: (prepayId) =>
      buildRequestPaymentParams({
        appid: merchant.appid,
        prepayId,
        merchantPrivateKey: merchant.merchantPrivateKey,
      }),
    canTakeOrder: (tierId, orderId) => tierAvailability.canTake(tierId, orderId),
  });
  const answers = createAnswerStreamStore(redis, keys);
  const ledgerJournal = createLedgerJournal({
    ledger,
    answers,
    getOrder: (orderId) => orderStore.get(orderId),
    logger,
  });
  const templateId = config.SUBSCRIBE_TEMPLATE_ID ?? (config.SANDBOX ? SANDBOX_TEMPLATE_ID : undefined);
  const notifier = createSubscribeNotifier({
    redis,
    keys,
    store: orderStore,
    answers,
    wechat,
    tokens: createAccessTokenCache(redis, keys, wechat),
    vault,
    logger,
    template: templateId
      ? {
          templateId,
          data: config.SUBSCRIBE_TEMPLATE_DATA,
          page: (orderId) => `pages/order/index?id=${orderId}`,
          miniprogramState: config.MINIPROGRAM_STATE,
        }
      : undefined,
  });
  const reconciler = createReconciler({
    redis,
    keys,
    store: orderStore,
    applyEvent: applyEventAs('reconciler'),
    wxpay,
    payments,
    refunds: refundsAs('reconciler'),
    queue,
    logger,
    intervalMs: config.RECONCILE_INTERVAL_MS,
    notifications: { schedule: keys.notifyChecks(), process: (orderId) => notifier.process(orderId) },
    sweep: createRecoverySweep({
      redis,
      keys,
      store: orderStore,
      live,
      applyEvent: applyEventAs('sweep'),
      queue,
      refunds: refundsAs('sweep'),
      metrics,
      logger,
      attemptBudget: config.GENERATION_ATTEMPTS,
      recheckMs: config.RECOVERY_AFTER_MS,
      stuckAfterMs: config.STUCK_ORDER_WARN_MS,
      closeGraceMs: CLOSE_GRACE_MS,
    }),
    heal: createLedgerHealer({
      ledger,
      journal: ledgerJournal,
      redis,
      keys,
      store: orderStore,
      live,
      queue,
      refunds: refundsAs('reconciler'),
      catalog: config.catalog,
      logger,
      quietMs: config.LEDGER_HEAL_AFTER_MS,
      answerWithinMs: config.LEDGER_HEAL_ANSWER_WITHIN_MS,
      recoveryAfterMs: config.RECOVERY_AFTER_MS,
    }),
  });

  const router = createModelRouter({
    catalog: config.catalog,
    logger,
    ...(endpoints.sandboxModelBase ? { sandboxBaseURL: endpoints.sandboxModelBase } : {}),
  });

  // Hourly is plenty for retention measured in days and years.
  const billReconciler = createBillReconciler({
    wxpay,
    pool: deps.ledgerPool,
    logger,
    registry: metrics.registry,
    // The usual path for a payment we did not hear of: WeChat Pay's query confirms it, then it is credited (order
    // known) or the order re-created and refunded (unknown).
    healPayment: async (outTradeNo) =>
      HEALED_OUTCOMES.includes(
        await payments.applyTransaction(await wxpay.queryByOutTradeNo(outTradeNo), 'query'),
      ),
  });
  const billSchedule = createBillSchedule({
    reconciler: billReconciler,
    pool: deps.ledgerPool,
    redis,
    leaseKey: (billDate) => keys.billReconcileLease(billDate),
    logger,
    intervalMs: config.BILL_RECONCILE_CHECK_MS,
  });

  const retention = createLedgerRetention({
    pool: deps.ledgerPool,
    logger,
    retentionYears: config.LEDGER_RETENTION_YEARS,
    textRetentionDays: config.LEDGER_TEXT_RETENTION_DAYS,
    intervalMs: 3_600_000,
  });

  let worker: InferenceWorker | undefined;
  let workerConnection: Redis | undefined;
  async function startBackgroundWork(options: { lockDurationMs?: number; stalledIntervalMs?: number } = {}) {
    if (worker) return;
    // BullMQ workers block on their connection: one of their own.
    workerConnection = createRedis(config.REDIS_URL, {
      connectionName: 'tokentill-worker',
      overrides: { maxRetriesPerRequest: null, enableAutoPipelining: false },
    });
    workerConnection.on('error', () => undefined);
    worker = createInferenceWorker({
      connection: workerConnection,
      queuePrefix: keys.queuePrefix,
      // A worker taking an order (PAID → GENERATING) changes its state outside ApplyEvent: journaled here.
      store: withGenerationJournal(orderStore, ledgerJournal, logger),
      answers,
      applyEvent: applyEventAs('worker'),
      refunds: refundsAs('worker'),
      router,
      catalog: config.catalog,
      vault,
      metrics,
      logger,
      concurrency: config.WORKER_CONCURRENCY,
      attemptBudget: config.GENERATION_ATTEMPTS,
      onCompleted: (orderId) => notifier.schedule(orderId),
      recordCall: ledgerSpendRecorder(ledger, logger),
      closeGraceMs: Math.max(0, config.SHUTDOWN_TIMEOUT_MS - 1_000),
      lockDurationMs: config.WORKER_LOCK_MS,
      ...options,
    });
    await worker.ready();
    reconciler.start();
    retention.start();
    billSchedule.start();
  }

  let closing: Promise<void> | undefined;
  return {
    catalog: config.catalog,
    merchant,
    wxpay,
    wechat,
    sessionStore,
    sessions: createSessionService({
      wechat,
      vault,
      store: sessionStore,
      guard: createLoginGuard({ redis, keys, loginsPerIpPerMinute: config.LOGINS_PER_IP_PER_MINUTE }),
      ttlSeconds: config.SESSION_TTL_SECONDS,
    }),
    orderStore,
    orders,
    payments,
    queue,
    reconciler,
    answers,
    router,
    tierAvailability,
    notifier,
    ledger,
    billReconciler,
    startBackgroundWork,
    close: () =>
      (closing ??= (async () => {
        await reconciler.stop();
        await retention.stop();
        await billSchedule.stop();
        await worker?.close();
        if (workerConnection) await closeRedis(workerConnection);
        await queue.close();
        await closeRedis(queueConnection);
      })()),
  };
}
