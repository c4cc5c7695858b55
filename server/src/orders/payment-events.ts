import type { InferenceQueue } from '../jobs/index.js';
import {
  ledgerOrderOf,
  ledgerPaymentOf,
  ledgerPaymentOfRecord,
  ledgerRefundOf,
  isRefundStatus,
  resumeStreamSeq,
  type Ledger,
} from '../ledger/index.js';
import type { Logger } from '../observability/logger.js';
import {
  WxPayApiError,
  type RefundNotificationResource,
  type Transaction,
  type WxPayClient,
} from '../payment/index.js';
import type { Redis, RedisKeys } from '../redis/index.js';
import { isOrderId } from './order-id.js';
import type { ApplyEvent } from './order-transitions.js';
import type { OrderRecord, OrderStore } from './order-store.js';
import type { RefundService } from './refund-service.js';

/** What happened to a paid transaction reported by a callback or a query. */
export type PaymentOutcome =
  | 'paid'
  | 'duplicate'
  | 'late_payment_refunding'
  | 'unknown_order_refunding'
  | 'not_paid'
  | 'unknown_order'
  | 'mismatch';

export interface PaymentEvents {
  /**
   * Credits a WeChat Pay transaction to its order: checks appid, mchid, amount and trade state against the stored
   * order, then CREATED→PAID in one compare-and-set and enqueues the order's single inference job. Safe to call any
   * number of times, concurrently, from callbacks, confirm and the reconciler.
   */
  applyTransaction(tx: Transaction, via: 'notify' | 'query'): Promise<PaymentOutcome>;
  /**
   * Applies a refund result (notification or query), committed to the ledger first. Throws when the ledger is
   * unreachable: the notification is answered 5xx and WeChat Pay retries it.
   */
  applyRefund(
    refund: Pick<RefundNotificationResource, 'out_trade_no' | 'out_refund_no' | 'refund_status'>,
    via?: 'notify' | 'query',
  ): Promise<'refunded' | 'refund_failed' | 'pending' | 'ignored'>;
}

export interface PaymentEventsDeps {
  redis: Redis;
  keys: RedisKeys;
  store: OrderStore;
  applyEvent: ApplyEvent;
  queue: InferenceQueue;
  refunds: RefundService;
  /** Asked to confirm a payment for an order we cannot find before it is refunded. */
  wxpay: Pick<WxPayClient, 'queryByOutTradeNo'>;
  logger: Logger;
  appid: string;
  mchid: string;
  /** Payments and refund results are committed here before Redis changes (and before WeChat Pay hears 204). */
  ledger: Ledger;
}

/** Keeps at most this many anomalies for an operator to look at. */
const ANOMALY_LOG_LENGTH = 1_000;

/** The only currency and trade type a TokenTill order is paid with (Mini Program payments are JSAPI). */
const EXPECTED_CURRENCY = 'CNY';
const EXPECTED_TRADE_TYPE = 'JSAPI';

/** WeChat Pay's transaction_id: string(32) of letters and digits (in practice 28 digits). */
const TRANSACTION_ID = /^[0-9A-Za-z]{1,32}$/;

/** What the user paid (after coupons), when given: whole fen, never more than the order's total. */
function payerTotalFits(tx: Transaction): boolean {
  const payerTotal: unknown = tx.amount.payer_total;
  if (payerTotal === undefined) return true;
  return (
    Number.isSafeInteger(payerTotal) &&
    (payerTotal as number) >= 0 &&
    (payerTotal as number) <= tx.amount.total
  );
}

/** Stands in for the owner of an order re-created from a payment alone: no user can see it. */
const ORPHAN_OWNER = 'orphan';

export function createPaymentEvents(deps: PaymentEventsDeps): PaymentEvents {
  const { store, keys, redis, logger } = deps;

  async function flagAnomaly(
    order: OrderRecord | undefined,
    tx: Transaction,
    problem: string,
    message = 'payment notification does not match its order: flagged, not credited',
  ): Promise<void> {
    const entry = JSON.stringify({
      at: new Date().toISOString(),
      outTradeNo: tx.out_trade_no,
      transactionId: tx.transaction_id,
      problem,
      expected: order ? { priceFen: order.priceFen, state: order.state } : undefined,
      got: {
        appid: tx.appid,
        mchid: tx.mchid,
        total: tx.amount.total,
        currency: tx.amount.currency,
        tradeType: tx.trade_type,
        tradeState: tx.trade_state,
      },
    });
    await redis
      .multi()
      .lpush(keys.paymentAnomalies(), entry)
      .ltrim(keys.paymentAnomalies(), 0, ANOMALY_LOG_LENGTH - 1)
      .exec();
    logger.warn({ orderId: tx.out_trade_no, problem }, message);
  }

  /** Marks the order's unpaid slot and payment check as done. */
  async function settle(order: OrderRecord): Promise<void> {
    await Promise.all([
      redis.zrem(keys.userOpenOrders(order.userKey), order.id),
      redis.zrem(keys.paymentChecks(), order.id),
    ]);
  }

  /** What is wrong with a paid transaction for one of our orders (`priceFen` undefined: order unknown). */
  function problemsOf(tx: Transaction, priceFen: number | undefined): string[] {
    return [
      tx.appid !== deps.appid && `appid ${tx.appid} is not ours`,
      tx.mchid !== deps.mchid && `mchid ${tx.mchid} is not ours`,
      priceFen !== undefined &&
        tx.amount.total !== priceFen &&
        `amount ${tx.amount.total} fen differs from the price ${priceFen} fen`,
      tx.amount.currency !== EXPECTED_CURRENCY &&
        `currency ${String(tx.amount.currency)} is not ${EXPECTED_CURRENCY}`,
      tx.trade_type !== EXPECTED_TRADE_TYPE &&
        `trade type ${String(tx.trade_type)} is not ${EXPECTED_TRADE_TYPE}`,
      !TRANSACTION_ID.test(tx.transaction_id ?? '') &&
        `transaction_id ${JSON.stringify(tx.transaction_id ?? null)} is missing or malformed`,
      !payerTotalFits(tx) &&
        `payer_total ${JSON.stringify(tx.amount.payer_total)} is not a whole fen amount within the total`,
    ].filter((p): p is string => typeof p === 'string');
  }

  /**
   * A verified payment for an id in our format that we have no record of (lost in a Redis failover, say). The
   * user's money must not stay silently with the merchant: WeChat Pay is asked to confirm the payment, the order
   * is re-created from it (closed, owned by nobody) and refunded through the usual path, and the operator is
   * alerted. Duplicate notifications land on the re-created order and change nothing.
   */
  async function refundUnknownOrder(tx: Transaction, via: 'notify' | 'query'): Promise<PaymentOutcome> {
    let confirmed = tx;
    if (via === 'notify') {
      try {
        confirmed = await deps.wxpay.queryByOutTradeNo(tx.out_trade_no);
      } catch (err) {
        if (!(err instanceof WxPayApiError && err.code === 'ORDER_NOT_EXIST')) throw err; // 5xx: WeChat retries
        await flagAnomaly(undefined, tx, 'unknown out_trade_no, and WeChat Pay does not know it either');
        return 'unknown_order';
      }
    }
    const problems = problemsOf(confirmed, undefined);
    if (
      confirmed.trade_state !== 'SUCCESS' ||
      confirmed.transaction_id !== tx.transaction_id ||
      confirmed.amount.total !== tx.amount.total ||
      problems.length > 0
    ) {
      await flagAnomaly(
        undefined,
        tx,
        ['unknown out_trade_no; the query does not confirm it', ...problems].join('; '),
      );
      return 'unknown_order';
    }
    const now = Date.now();
    // The money is a fact before anything else: recorded against the ledger's order if it knows it (Redis lost
    // it), else against an orphan order of its own.
    const recorded = await deps.ledger.recordPayment(
      {
        id: tx.out_trade_no,
        ownerKey: ORPHAN_OWNER,
        tier: '',
        tierTitle: '',
        priceFen: confirmed.amount.total,
        createdAt: now,
        payBy: now,
        state: 'CLOSED',
        prompt: '',
      },
      ledgerPaymentOf(confirmed, via),
    );
    if (recorded === 'conflict') {
      await flagAnomaly(undefined, tx, 'the ledger holds another payment for this order or transaction');
      return 'unknown_order';
    }
    const created = await store.create({
      id: tx.out_trade_no,
      state: 'CLOSED',
      userKey: ORPHAN_OWNER,
      tier: '',
      tierTitle: '',
      priceFen: confirmed.amount.total,
      prompt: '',
      createdAt: now,
      payBy: now,
      transactionId: confirmed.transaction_id,
      paidVia: via,
    });
    // Its stream continues after the changes the ledger journaled before Redis lost it.
    if (created) await resumeStreamSeq(redis, keys, deps.ledger, tx.out_trade_no);
    const refunding = await deps.refunds.request(
      tx.out_trade_no,
      'unknown_order',
      { transactionId: confirmed.transaction_id },
      via,
    );
    await flagAnomaly(
      undefined,
      tx,
      'paid order unknown here: refunding it',
      'a verified payment for an order we have no record of: refunding it; an operator should look',
    );
    return refunding ? 'unknown_order_refunding' : 'duplicate';
  }

  return {
    async applyTransaction(tx, via) {
      if (tx.trade_state !== 'SUCCESS') return 'not_paid';
      if (!isOrderId(tx.out_trade_no)) {
        // Valid at WeChat Pay, but never one of ours: nothing to credit or refund here.
        await flagAnomaly(undefined, tx, 'out_trade_no is not a TokenTill order id');
        return 'unknown_order';
      }
      const order = await store.get(tx.out_trade_no);
      if (!order) return refundUnknownOrder(tx, via);
      const problems = problemsOf(tx, order.priceFen);
      if (problems.length > 0) {
        await flagAnomaly(order, tx, problems.join('; '));
        return 'mismatch';
      }

      // Durable before acknowledged: committed to the ledger before the compare-and-set, so a PostgreSQL outage
      // is a 5xx (WeChat Pay retries) and never a credit the ledger does not have. Idempotent: a retried callback
      // writes nothing new.
      const recorded = await deps.ledger.recordPayment(ledgerOrderOf(order), ledgerPaymentOf(tx, via));
      if (recorded === 'conflict') {
        await flagAnomaly(
          order,
          tx,
          'the ledger holds another payment for this order, or this payment for another',
        );
        return 'mismatch';
      }
      const paid = await deps.applyEvent(order.id, 'pay', {
        fields: { transactionId: tx.transaction_id, paidVia: via },
        source: via,
      });
      if (paid.ok) {
        // The job is enqueued only after the compare-and-set won; a crash in between is healed by the retried
        // callback or the reconciler, both of which land in the PAID branch below.
        await deps.queue.enqueue(order.id);
        await settle(order);
        return 'paid';
      }
      if (!('current' in paid)) return 'unknown_order';
      switch (paid.current) {
        case 'PAID':
          await deps.queue.enqueue(order.id); // idempotent: same job id
          await settle(order);
          return 'duplicate';
        case 'CLOSED': {
          // The user paid an order we had already closed (a race with expiry). Real money: refund it, never run it.
          const refunding = await deps.refunds.request(
            order.id,
            'paid_after_close',
            { transactionId: tx.transaction_id },
            via,
          );
          await settle(order);
          logger.warn({ orderId: order.id }, 'payment arrived after the order was closed: refunding');
          return refunding ? 'late_payment_refunding' : 'duplicate';
        }
        default:
          return 'duplicate';
      }
    },

    async applyRefund(refund, via = 'notify') {
      const order = await store.get(refund.out_trade_no); // undefined for ids that are not ours
      if (!order || order.outRefundNo !== refund.out_refund_no) {
        logger.warn({ orderId: refund.out_trade_no }, 'refund result for an unknown refund: ignored');
        return 'ignored';
      }
      // Committed before the state changes (and before a notification is answered 204). An order paid before
      // the ledger held it gets its payment recorded first: a refund needs one.
      const payment = ledgerPaymentOfRecord(order);
      if (payment) await deps.ledger.recordPayment(ledgerOrderOf(order), payment);
      if (isRefundStatus(refund.refund_status)) {
        await deps.ledger.recordRefundStatus(
          ledgerRefundOf(order, refund.out_refund_no),
          refund.refund_status,
        );
      }
      if (refund.refund_status === 'SUCCESS') {
        const done = await deps.applyEvent(order.id, 'refund_succeeded', { source: via });
        await redis.zrem(keys.refundChecks(), order.id);
        return done.ok || ('current' in done && done.current === 'REFUNDED') ? 'refunded' : 'ignored';
      }
      if (refund.refund_status === 'CLOSED' || refund.refund_status === 'ABNORMAL') {
        // ABNORMAL needs the user's bank details or an operator: stop retrying and surface it.
        await deps.applyEvent(order.id, 'refund_failed', { source: via });
        await redis.zrem(keys.refundChecks(), order.id);
        logger.error(
          { orderId: order.id, status: refund.refund_status },
          'refund did not complete: operator needed',
        );
        return 'refund_failed';
      }
      return 'pending';
    },
  };
}
