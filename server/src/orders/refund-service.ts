import { ledgerOrderOf, ledgerPaymentOfRecord, ledgerRefundOf, type Ledger } from '../ledger/index.js';
import type { JournalSource } from '../ledger/ledger-types.js';
import type { Logger } from '../observability/logger.js';
import { WxPayApiError, type WxPayClient } from '../payment/index.js';
import type { Redis, RedisKeys } from '../redis/index.js';
import type { ApplyEvent } from './order-transitions.js';
import type { OrderFields, OrderStore } from './order-store.js';

export type RefundReason = 'generation_failed' | 'paid_after_close' | 'unknown_order';

const REFUND_REASON_TEXT: Record<RefundReason, string> = {
  generation_failed: 'AI 回答生成失败，全额退款',
  paid_after_close: '订单已关闭，支付款项原路退回',
  unknown_order: '订单记录缺失，支付款项原路退回',
};

export interface RefundService {
  /**
   * Moves a FAILED (or late-paid CLOSED) order to REFUNDING with a stable `out_refund_no` and schedules the refund
   * request. Returns false if the order was not in a refundable state (e.g. already refunding).
   */
  request(
    orderId: string,
    reason: RefundReason,
    fields?: OrderFields,
    source?: JournalSource,
  ): Promise<boolean>;
  /** One step of following a refund: submit it (first time, idempotent on WeChat's side) or query it. */
  process(orderId: string): Promise<void>;
}

export interface RefundServiceDeps {
  redis: Redis;
  keys: RedisKeys;
  store: OrderStore;
  applyEvent: ApplyEvent;
  wxpay: WxPayClient;
  logger: Logger;
  /** Where WeChat Pay sends REFUND.* notifications. */
  notifyUrl: string;
  applyRefundResult: (refund: {
    out_trade_no: string;
    out_refund_no: string;
    refund_status: string;
  }) => Promise<unknown>;
  /** Where the refund request is recorded once the order moved to REFUNDING. */
  ledger: Ledger;
  /** Who asks for refunds through this service (the journal's source), unless a call says otherwise. */
  source: JournalSource;
}

/** Stable per order: WeChat Pay refunds one out_refund_no at most once, so retries can never refund twice. */
export const outRefundNoFor = (orderId: string) => `${orderId}-R1`;

/** Backoff of refund follow-ups: 5 s, 10 s, 20 s … capped at 30 min. */
const followUpDelayMs = (attempt: number) => Math.min(5_000 * 2 ** attempt, 30 * 60_000);

export function createRefundService(deps: RefundServiceDeps): RefundService {
  const { store, redis, keys, logger } = deps;
  const schedule = (orderId: string, atMs: number) => redis.zadd(keys.refundChecks(), atMs, orderId);

  /**
   * The request is our own decision, recorded after it was made: its out_refund_no is fixed per order, so a lost
   * record costs nothing (the refund's result, committed before it is applied, creates the row too).
   */
  async function recordRequest(orderId: string): Promise<void> {
    try {
      const order = await store.get(orderId);
      if (!order?.outRefundNo) return;
      const payment = ledgerPaymentOfRecord(order);
      if (payment) await deps.ledger.recordPayment(ledgerOrderOf(order), payment);
      await deps.ledger.recordRefundRequest(ledgerRefundOf(order, order.outRefundNo));
    } catch (err) {
      logger.warn(
        { orderId, err: { message: (err as Error).message } },
        'could not record the refund request in the ledger; its result will record it',
      );
    }
  }

  return {
    async request(orderId, reason, fields = {}, source = deps.source) {
      const outcome = await deps.applyEvent(orderId, 'request_refund', {
        fields: { ...fields, outRefundNo: outRefundNoFor(orderId), refundReason: reason, checkAttempts: 0 },
        source,
      });
      if (!outcome.ok) return false;
      await schedule(orderId, Date.now());
      await recordRequest(orderId);
      return true;
    },

    async process(orderId) {
      const order = await store.get(orderId);
      if (!order || order.state !== 'REFUNDING' || !order.outRefundNo) {
        await redis.zrem(keys.refundChecks(), orderId);
        return;
      }
      const attempt = order.checkAttempts ?? 0;
      try {
        const refund =
          order.refundSubmittedAt === undefined
            ? await deps.wxpay.createRefund({
                outTradeNo: order.id,
                outRefundNo: order.outRefundNo,
                refundFen: order.priceFen,
                totalFen: order.priceFen,
                reason: REFUND_REASON_TEXT[(order.refundReason as RefundReason) ?? 'generation_failed'],
                notifyUrl: deps.notifyUrl,
              })
            : await deps.wxpay.queryRefund(order.outRefundNo);
        if (order.refundSubmittedAt === undefined)
          await store.setFields(orderId, { refundSubmittedAt: Date.now() });
        const result = await deps.applyRefundResult({
          out_trade_no: order.id,
          out_refund_no: order.outRefundNo,
          refund_status: refund.status,
        });
        if (result !== 'pending') return;
      } catch (err) {
        const detail =
          err instanceof WxPayApiError
            ? { code: err.code, status: err.status }
            : { message: (err as Error).message };
        logger.warn({ orderId, attempt, ...detail }, 'refund step failed; will retry');
      }
      await store.setFields(orderId, { checkAttempts: attempt + 1 });
      await schedule(orderId, Date.now() + followUpDelayMs(attempt));
    },
  };
}
