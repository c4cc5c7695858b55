/**
 * The emulated WeChat Pay: what each API call and each simulated user action does to the ledger, and which
 * notifications follow. HTTP lives in the route files; this module is what they (and tests) call.
 */
import type { Refund, Transaction } from '../../payment/index.js';
import type { Logger } from '../../observability/logger.js';
import type { SandboxKeys } from '../sandbox-keys.js';
import type { TimerScope } from '../timer-scope.js';
import type { NotificationDeliverer } from './notification-deliverer.js';
import type { FaultStore } from './notification-faults.js';
import { createWxPayLedger, type SandboxOrder, type WxPayLedger } from './wxpay-ledger.js';
import { WxPayReplyError } from './wxpay-reply-error.js';
import { parseJsapiOrder, parseRefundRequest, checkCloseRequest } from './wxpay-request-rules.js';
import { refundResource, refundView, transactionResource, transactionView } from './wxpay-views.js';

/** Options for {@link createWxPayService}. */
export interface WxPayServiceOptions {
  keys: SandboxKeys;
  now: () => number;
  /** Milliseconds a refund stays PROCESSING before it succeeds. */
  refundDelayMs: number;
  deliverer: NotificationDeliverer;
  faults: FaultStore;
  scope: TimerScope;
  logger: Logger;
}

/** Identifies the order the simulated user pays: by out_trade_no or by prepay_id. */
export type PayTarget = { outTradeNo: string } | { prepayId: string };

/** The emulated WeChat Pay merchant API plus the user's side of paying. */
export interface WxPayService {
  readonly ledger: WxPayLedger;
  /** `POST /v3/pay/transactions/jsapi` for the signing merchant `mchid`. */
  placeOrder(body: Record<string, unknown>, mchid: string): { prepay_id: string };
  /** `GET …/out-trade-no/{no}`. @throws WxPayReplyError 404 `ORDER_NOT_EXIST`. */
  queryByOutTradeNo(outTradeNo: string): Transaction;
  /** `GET …/id/{transaction_id}`. @throws WxPayReplyError 404 `ORDER_NOT_EXIST`. */
  queryByTransactionId(transactionId: string): Transaction;
  /** `POST …/out-trade-no/{no}/close`. */
  closeOrder(outTradeNo: string, body: Record<string, unknown>, mchid: string): void;
  /**
   * The user confirms payment: the order becomes SUCCESS and a TRANSACTION.SUCCESS notification is sent to its
   * notify_url (subject to faults).
   *
   * @throws WxPayReplyError `ORDER_NOT_EXIST`, `ORDERPAID`, `ORDER_CLOSED`, or `INVALID_REQUEST` when expired.
   */
  pay(target: PayTarget): Transaction;
  /** `POST /v3/refund/domestic/refunds`; PROCESSING, then SUCCESS plus a REFUND.SUCCESS notification. */
  requestRefund(body: Record<string, unknown>): Refund;
  /** `GET /v3/refund/domestic/refunds/{out_refund_no}`. @throws WxPayReplyError 404 `RESOURCE_NOT_EXISTS`. */
  queryRefund(outRefundNo: string): Refund;
}

/** Creates the service over a fresh ledger. */
export function createWxPayService(options: WxPayServiceOptions): WxPayService {
  const { keys, now, deliverer, faults, scope, logger } = options;
  const ledger = createWxPayLedger();

  const orderOrThrow = (order: SandboxOrder | undefined, ref: string): SandboxOrder => {
    if (!order) throw new WxPayReplyError(404, 'ORDER_NOT_EXIST', '订单不存在', { reference: ref });
    return order;
  };

  const settleRefund = (outRefundNo: string) => {
    const refund = ledger.settleRefund(outRefundNo, now());
    if (!refund) return;
    logger.debug({ outRefundNo, outTradeNo: refund.outTradeNo }, 'sandbox refund succeeded');
    deliverer.deliver(
      { url: refund.notifyUrl, outTradeNo: refund.outTradeNo, outRefundNo },
      {
        eventType: 'REFUND.SUCCESS',
        summary: '退款成功',
        originalType: 'refund',
        resource: refundResource(refund, keys.mchid),
      },
      faults.take(refund.outTradeNo),
    );
  };

  return {
    ledger,

    placeOrder(body, mchid) {
      const request = parseJsapiOrder(body, { appid: keys.appid, mchid });
      const order = ledger.placeOrder(request, now());
      return { prepay_id: order.prepayId };
    },

    queryByOutTradeNo: (outTradeNo) =>
      transactionView(orderOrThrow(ledger.findOrder(outTradeNo), outTradeNo)),

    queryByTransactionId: (transactionId) =>
      transactionView(orderOrThrow(ledger.findOrderByTransactionId(transactionId), transactionId)),

    closeOrder(outTradeNo, body, mchid) {
      checkCloseRequest(body, mchid);
      ledger.closeOrder(outTradeNo, now());
    },

    pay(target) {
      const order =
        'outTradeNo' in target
          ? orderOrThrow(ledger.findOrder(target.outTradeNo), target.outTradeNo)
          : orderOrThrow(ledger.findOrderByPrepayId(target.prepayId), target.prepayId);
      ledger.payOrder(order, now());
      logger.debug({ outTradeNo: order.outTradeNo }, 'sandbox order paid');
      deliverer.deliver(
        { url: order.notifyUrl, outTradeNo: order.outTradeNo },
        {
          eventType: 'TRANSACTION.SUCCESS',
          summary: '支付成功',
          originalType: 'transaction',
          resource: transactionResource(order),
        },
        faults.take(order.outTradeNo),
      );
      return transactionView(order);
    },

    requestRefund(body) {
      const { refund, created } = ledger.requestRefund(parseRefundRequest(body), now());
      if (created) scope.after(options.refundDelayMs, () => settleRefund(refund.outRefundNo));
      return refundView(refund);
    },

    queryRefund(outRefundNo) {
      const refund = ledger.findRefund(outRefundNo);
      if (!refund) {
        throw new WxPayReplyError(404, 'RESOURCE_NOT_EXISTS', '退款单不存在', { out_refund_no: outRefundNo });
      }
      return refundView(refund);
    },
  };
}
