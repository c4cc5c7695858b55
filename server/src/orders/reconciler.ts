import { runPeriodically, type InferenceQueue } from '../jobs/index.js';
import type { Logger } from '../observability/logger.js';
import { WxPayApiError, type WxPayClient } from '../payment/index.js';
import { redisScripts, type Redis, type RedisKeys } from '../redis/index.js';
import type { ApplyEvent } from './order-transitions.js';
import type { OrderRecord, OrderStore } from './order-store.js';
import type { PaymentEvents } from './payment-events.js';
import type { RecoverySweep } from './recovery-sweep.js';
import type { RefundService } from './refund-service.js';

/**
 * The safety net under callbacks: follows every unpaid order until WeChat Pay says it is paid (credited like a
 * callback) or it expires (closed at WeChat Pay, then CLOSED here), and every refund until it is final. Work is
 * claimed from Redis schedules with a lease, so any number of instances can run it and a crashed one's work
 * comes back by itself.
 */
export interface Reconciler {
  /** One pass over everything due now. Returns how many entries it handled. */
  runOnce(): Promise<number>;
  start(): void;
  /** Stops the loop and waits for the pass in progress. Idempotent. */
  stop(): Promise<void>;
}

export interface ReconcilerDeps {
  redis: Redis;
  keys: RedisKeys;
  store: OrderStore;
  applyEvent: ApplyEvent;
  wxpay: WxPayClient;
  payments: PaymentEvents;
  refunds: RefundService;
  queue: InferenceQueue;
  logger: Logger;
  intervalMs: number;
  /** Subscribe messages due after completion (delivery's notifier). */
  notifications?: { schedule: string; process(orderId: string): Promise<void> };
  /** Gives stalled orders their next step by state (recovery-sweep.ts); runs on every pass. */
  sweep?: RecoverySweep;
  /** Re-creates paid orders Redis lost from the ledger (ledger-healer.ts); runs on every pass. */
  heal?: { runOnce(): Promise<number> };
}

/** How long a claimed entry stays invisible to other instances. */
const LEASE_MS = 30_000;
const BATCH = 20;

/** Backoff of payment checks after the client said it paid: 2 s, 4 s, 8 s … capped at 60 s. */
const paymentCheckDelayMs = (attempt: number) => Math.min(2_000 * 2 ** attempt, 60_000);

/** Schedules a payment check `delayMs` from now, or keeps an earlier one. */
export async function schedulePaymentCheck(
  redis: Redis,
  keys: RedisKeys,
  orderId: string,
  atMs: number,
): Promise<void> {
  await redis.zadd(keys.paymentChecks(), 'LT', atMs, orderId);
}

export function createReconciler(deps: ReconcilerDeps): Reconciler {
  const { redis, keys, store, logger } = deps;
  const scripts = redisScripts(redis);

  const claim = async (schedule: string) =>
    (await scripts.run('claimDue', [schedule], [Date.now(), LEASE_MS, BATCH])) as string[];

  async function closeExpired(order: OrderRecord): Promise<void> {
    try {
      await deps.wxpay.closeOrder(order.id);
    } catch (err) {
      // Paid in the last second: credit it instead of closing it.
      if (err instanceof WxPayApiError && err.code === 'ORDERPAID') {
        await deps.payments.applyTransaction(await deps.wxpay.queryByOutTradeNo(order.id), 'query');
        return;
      }
      throw err;
    }
    await deps.applyEvent(order.id, 'close');
    await Promise.all([
      redis.zrem(keys.paymentChecks(), order.id),
      redis.zrem(keys.userOpenOrders(order.userKey), order.id),
    ]);
  }

  async function checkPayment(orderId: string): Promise<void> {
    const order = await store.get(orderId);
    if (!order || order.state !== 'CREATED') {
      // A PAID order whose job enqueue was lost to a crash gets it here (idempotent by job id).
      if (order?.state === 'PAID') await deps.queue.enqueue(order.id);
      await redis.zrem(keys.paymentChecks(), orderId);
      return;
    }
    let tx;
    try {
      tx = await deps.wxpay.queryByOutTradeNo(orderId);
    } catch (err) {
      if (!(err instanceof WxPayApiError && err.code === 'ORDER_NOT_EXIST')) throw err;
    }
    if (tx?.trade_state === 'SUCCESS') {
      await deps.payments.applyTransaction(tx, 'query');
      return;
    }
    const deadPayment = tx && ['CLOSED', 'REVOKED', 'PAYERROR'].includes(tx.trade_state);
    if (deadPayment || !tx || Date.now() >= order.payBy) {
      await closeExpired(order);
      return;
    }
    const attempt = order.checkAttempts ?? 0;
    await store.setFields(orderId, { checkAttempts: attempt + 1 });
    // Never later than the payment deadline: that check closes the order.
    await redis.zadd(
      keys.paymentChecks(),
      Math.min(Date.now() + paymentCheckDelayMs(attempt), order.payBy),
      orderId,
    );
  }

  async function guarded(kind: string, orderId: string, step: (id: string) => Promise<void>): Promise<void> {
    try {
      await step(orderId);
    } catch (err) {
      // The lease brings the entry back after LEASE_MS: nothing is lost, only delayed.
      logger.warn(
        { orderId, kind, err: { message: (err as Error).message } },
        'reconciler step failed; will retry',
      );
    }
  }

  async function runOnce(): Promise<number> {
    const notifications = deps.notifications;
    const [payments, refunds, notices] = await Promise.all([
      claim(keys.paymentChecks()),
      claim(keys.refundChecks()),
      notifications ? claim(notifications.schedule) : Promise.resolve([] as string[]),
    ]);
    const [, , , swept, healed] = await Promise.all([
      Promise.all(payments.map((id) => guarded('payment', id, checkPayment))),
      Promise.all(refunds.map((id) => guarded('refund', id, (orderId) => deps.refunds.process(orderId)))),
      Promise.all(notices.map((id) => guarded('notify', id, (orderId) => notifications!.process(orderId)))),
      deps.sweep?.runOnce() ?? 0,
      // Its own failure (PostgreSQL unreachable) must not cost the rest of the pass.
      deps.heal?.runOnce().catch((err: unknown) => {
        logger.warn({ err: { message: (err as Error).message } }, 'ledger heal pass failed; will retry');
        return 0;
      }) ?? 0,
    ]);
    return payments.length + refunds.length + notices.length + swept + healed;
  }

  const loop = runPeriodically(runOnce, {
    intervalMs: deps.intervalMs,
    onError: (err: unknown) =>
      logger.warn({ err: { message: (err as Error).message } }, 'reconciler pass failed'),
  });
  return {
    runOnce,
    start: loop.start,
    stop: loop.stop,
  };
}
