/**
 * The emulated merchant account: orders and refunds in memory, with WeChat Pay's rules for repeated orders,
 * closing, paying and refunding. No HTTP and no timers: the service decides when things happen.
 */
import { formatRfc3339Beijing } from '../../payment/index.js';
import { newPrepayId, newRefundId, newTransactionId } from '../sandbox-ids.js';
import type { JsapiOrderRequest, RefundRequest } from './wxpay-request-rules.js';
import { WxPayReplyError } from './wxpay-reply-error.js';

/** The trade states the emulator produces (no USERPAYING/PAYERROR: the emulated user always pays at once). */
export type SandboxTradeState = 'NOTPAY' | 'SUCCESS' | 'CLOSED' | 'REFUND';

/** A prepay_id stays valid for 2 hours; asking again with the same parameters after that gives a new one. */
const PREPAY_ID_TTL_MS = 2 * 60 * 60 * 1000;
/** Without time_expire an unpaid order can be paid for 7 days. */
const DEFAULT_PAYABLE_MS = 7 * 24 * 60 * 60 * 1000;
/** time_expire earlier than order time + 1 minute is silently raised to it. */
const MIN_PAYABLE_MS = 60 * 1000;

/** One order as the emulator holds it. */
export interface SandboxOrder extends Omit<JsapiOrderRequest, 'fingerprint'> {
  fingerprint: string;
  tradeState: SandboxTradeState;
  createTime: string;
  prepayId: string;
  prepayIssuedAtMs: number;
  /** Every prepay_id ever issued for this order (all of them can still be paid with). */
  prepayIds: string[];
  /** Last instant the user can pay (time_expire, or 7 days). */
  payableUntilMs: number;
  transactionId?: string;
  successTime?: string;
  closeTime?: string;
  /** Fen accepted for refund so far (processing or done). */
  refundedFen: number;
}

/** One refund as the emulator holds it. */
export interface SandboxRefund {
  refundId: string;
  outRefundNo: string;
  outTradeNo: string;
  transactionId: string;
  reason?: string;
  /** Where REFUND.* notifications go: the request's notify_url, else the order's. */
  notifyUrl: string;
  refund: number;
  total: number;
  status: 'PROCESSING' | 'SUCCESS';
  createTime: string;
  successTime?: string;
}

/** Orders and refunds of the sandbox merchant. */
export interface WxPayLedger {
  /**
   * Places an order or repeats one. Same out_trade_no and identical parameters return the current prepay_id
   * (a fresh one once 2 hours have passed).
   *
   * @throws WxPayReplyError `ORDERPAID` / `ORDER_CLOSED` for a paid / closed order, `INVALID_REQUEST` when the
   *   parameters differ from the first request.
   */
  placeOrder(request: JsapiOrderRequest, nowMs: number): SandboxOrder;
  findOrder(outTradeNo: string): SandboxOrder | undefined;
  findOrderByPrepayId(prepayId: string): SandboxOrder | undefined;
  findOrderByTransactionId(transactionId: string): SandboxOrder | undefined;
  /**
   * Closes an unpaid order; closing a closed order again is a no-op.
   *
   * @throws WxPayReplyError `ORDER_NOT_EXIST`, or `ORDERPAID` for a paid order.
   */
  closeOrder(outTradeNo: string, nowMs: number): SandboxOrder;
  /**
   * The user pays: NOTPAY → SUCCESS with a transaction_id and success_time.
   *
   * @throws WxPayReplyError `ORDERPAID`, `ORDER_CLOSED`, or `INVALID_REQUEST` past the payable time.
   */
  payOrder(order: SandboxOrder, nowMs: number): SandboxOrder;
  /**
   * Accepts a refund (status PROCESSING) or returns the existing one for the same out_refund_no.
   *
   * @returns the refund and whether it was created by this call.
   * @throws WxPayReplyError `RESOURCE_NOT_EXISTS`, `INVALID_REQUEST` (unpaid order, amount over what is
   *   refundable, reused out_refund_no with other parameters) or `PARAM_ERROR` (total differs from the order).
   */
  requestRefund(request: RefundRequest, nowMs: number): { refund: SandboxRefund; created: boolean };
  findRefund(outRefundNo: string): SandboxRefund | undefined;
  /** PROCESSING → SUCCESS. Returns undefined when the refund is unknown or already settled. */
  settleRefund(outRefundNo: string, nowMs: number): SandboxRefund | undefined;
  orders(): SandboxOrder[];
  refunds(): SandboxRefund[];
}

const rfc3339 = (ms: number) => formatRfc3339Beijing(new Date(ms));

/** Creates an empty ledger. */
export function createWxPayLedger(): WxPayLedger {
  const orders = new Map<string, SandboxOrder>();
  const byPrepayId = new Map<string, SandboxOrder>();
  const byTransactionId = new Map<string, SandboxOrder>();
  const refunds = new Map<string, SandboxRefund>();

  const issuePrepayId = (order: SandboxOrder, nowMs: number) => {
    order.prepayId = newPrepayId(nowMs);
    order.prepayIssuedAtMs = nowMs;
    order.prepayIds.push(order.prepayId);
    byPrepayId.set(order.prepayId, order);
  };

  const assertUnpaid = (order: SandboxOrder) => {
    if (order.tradeState === 'SUCCESS' || order.tradeState === 'REFUND') {
      throw new WxPayReplyError(400, 'ORDERPAID', '该订单已支付', { out_trade_no: order.outTradeNo });
    }
  };

  return {
    placeOrder(request, nowMs) {
      const existing = orders.get(request.outTradeNo);
      if (existing) {
        assertUnpaid(existing);
        if (existing.tradeState === 'CLOSED') {
          throw new WxPayReplyError(400, 'ORDER_CLOSED', '该订单已关闭，请使用新的商户订单号重新下单');
        }
        if (existing.fingerprint !== request.fingerprint) {
          throw new WxPayReplyError(400, 'INVALID_REQUEST', '请求重入时，参数与首次请求时不一致', {
            issue: `out_trade_no ${request.outTradeNo} was first ordered with different parameters`,
          });
        }
        if (nowMs - existing.prepayIssuedAtMs >= PREPAY_ID_TTL_MS) issuePrepayId(existing, nowMs);
        return existing;
      }
      const { fingerprint, ...fields } = request;
      const expireMs =
        request.timeExpire === undefined ? nowMs + DEFAULT_PAYABLE_MS : Date.parse(request.timeExpire);
      const order: SandboxOrder = {
        ...fields,
        fingerprint,
        tradeState: 'NOTPAY',
        createTime: rfc3339(nowMs),
        prepayId: '',
        prepayIssuedAtMs: nowMs,
        prepayIds: [],
        payableUntilMs: Math.max(expireMs, nowMs + MIN_PAYABLE_MS),
        refundedFen: 0,
      };
      issuePrepayId(order, nowMs);
      orders.set(order.outTradeNo, order);
      return order;
    },

    findOrder: (outTradeNo) => orders.get(outTradeNo),
    findOrderByPrepayId: (prepayId) => byPrepayId.get(prepayId),
    findOrderByTransactionId: (transactionId) => byTransactionId.get(transactionId),

    closeOrder(outTradeNo, nowMs) {
      const order = orders.get(outTradeNo);
      if (!order)
        throw new WxPayReplyError(404, 'ORDER_NOT_EXIST', '订单不存在', { out_trade_no: outTradeNo });
      assertUnpaid(order);
      if (order.tradeState === 'NOTPAY') {
        order.tradeState = 'CLOSED';
        order.closeTime = rfc3339(nowMs);
      }
      return order;
    },

    payOrder(order, nowMs) {
      assertUnpaid(order);
      if (order.tradeState === 'CLOSED') {
        throw new WxPayReplyError(400, 'ORDER_CLOSED', '订单已关闭，无法支付');
      }
      if (nowMs > order.payableUntilMs) {
        throw new WxPayReplyError(400, 'INVALID_REQUEST', '订单已超过支付结束时间，无法支付', {
          payable_until: rfc3339(order.payableUntilMs),
        });
      }
      order.tradeState = 'SUCCESS';
      order.transactionId = newTransactionId(nowMs);
      order.successTime = rfc3339(nowMs);
      byTransactionId.set(order.transactionId, order);
      return order;
    },

    requestRefund(request, nowMs) {
      const order =
        request.transactionId !== undefined
          ? byTransactionId.get(request.transactionId)
          : orders.get(request.outTradeNo ?? '');
      if (
        !order ||
        (request.outTradeNo !== undefined && order.outTradeNo !== request.outTradeNo) // both given, disagreeing
      ) {
        throw new WxPayReplyError(404, 'RESOURCE_NOT_EXISTS', '订单不存在', {
          out_trade_no: request.outTradeNo,
          transaction_id: request.transactionId,
        });
      }
      const existing = refunds.get(request.outRefundNo);
      if (existing) {
        // "同一商户退款单号多次请求只退一笔": a retry gets the same refund, whatever its status now.
        if (
          existing.outTradeNo !== order.outTradeNo ||
          existing.refund !== request.refund ||
          existing.total !== request.total
        ) {
          throw new WxPayReplyError(400, 'INVALID_REQUEST', '请求重入时，参数与首次请求时不一致', {
            issue: `out_refund_no ${request.outRefundNo} was first requested with different parameters`,
          });
        }
        return { refund: existing, created: false };
      }
      if (order.tradeState !== 'SUCCESS' && order.tradeState !== 'REFUND') {
        throw new WxPayReplyError(400, 'INVALID_REQUEST', '订单未支付，不能发起退款', {
          trade_state: order.tradeState,
        });
      }
      if (request.total !== order.total) {
        throw new WxPayReplyError(400, 'PARAM_ERROR', '订单金额total与原订单金额不一致', {
          field: '/amount/total',
          location: 'body',
          issue: `amount.total ${request.total} differs from the order amount ${order.total}`,
        });
      }
      if (order.refundedFen + request.refund > order.total) {
        throw new WxPayReplyError(400, 'INVALID_REQUEST', '申请退款金额超过订单可退金额', {
          issue: `${order.total - order.refundedFen} fen left to refund, asked for ${request.refund}`,
        });
      }
      const refund: SandboxRefund = {
        refundId: newRefundId(nowMs),
        outRefundNo: request.outRefundNo,
        outTradeNo: order.outTradeNo,
        transactionId: order.transactionId ?? '',
        ...(request.reason !== undefined ? { reason: request.reason } : {}),
        notifyUrl: request.notifyUrl ?? order.notifyUrl,
        refund: request.refund,
        total: request.total,
        status: 'PROCESSING',
        createTime: rfc3339(nowMs),
      };
      refunds.set(refund.outRefundNo, refund);
      order.refundedFen += refund.refund;
      order.tradeState = 'REFUND';
      return { refund, created: true };
    },

    findRefund: (outRefundNo) => refunds.get(outRefundNo),

    settleRefund(outRefundNo, nowMs) {
      const refund = refunds.get(outRefundNo);
      if (!refund || refund.status !== 'PROCESSING') return undefined;
      refund.status = 'SUCCESS';
      refund.successTime = rfc3339(nowMs);
      return refund;
    },

    orders: () => [...orders.values()],
    refunds: () => [...refunds.values()],
  };
}
