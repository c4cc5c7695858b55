/**
 * The JSON WeChat Pay returns for the emulator's orders and refunds: query answers, refund answers and the
 * decrypted resources of notifications. Field sets follow the official Transaction / Refund models.
 */
import type { Refund, RefundNotificationResource, Transaction } from '../../payment/index.js';
import type { SandboxOrder, SandboxRefund } from './wxpay-ledger.js';

const TRADE_STATE_DESC: Record<SandboxOrder['tradeState'], string> = {
  NOTPAY: '订单未支付',
  SUCCESS: '支付成功',
  CLOSED: '订单已关闭',
  REFUND: '订单发生过退款',
};

/** Where a sandbox refund lands, in WeChat's wording. */
const USER_RECEIVED_ACCOUNT = '支付用户零钱';

/**
 * The transaction as the query API returns it. Payment fields (transaction_id, success_time, payer, attach,
 * bank_type) appear only once paid, as in production.
 */
export function transactionView(order: SandboxOrder): Transaction {
  const paid = order.transactionId !== undefined;
  const base: Transaction = {
    appid: order.appid,
    mchid: order.mchid,
    out_trade_no: order.outTradeNo,
    trade_state: order.tradeState,
    trade_state_desc: TRADE_STATE_DESC[order.tradeState],
    amount: paid
      ? {
          total: order.total,
          payer_total: order.total,
          currency: order.currency,
          payer_currency: order.currency,
        }
      : { total: order.total, currency: order.currency, payer_currency: order.currency },
  };
  if (!paid) return base;
  return {
    ...base,
    transaction_id: order.transactionId,
    trade_type: 'JSAPI',
    bank_type: 'OTHERS',
    // "实际情况下只有支付完成状态才会返回该字段"; WeChat sends "" when none was given.
    attach: order.attach ?? '',
    ...(order.successTime !== undefined ? { success_time: order.successTime } : {}),
    payer: { openid: order.payerOpenid },
  };
}

/** The decrypted resource of a TRANSACTION.SUCCESS notification (the paid transaction). */
export function transactionResource(order: SandboxOrder): Transaction {
  return { ...transactionView(order), trade_state: 'SUCCESS', trade_state_desc: TRADE_STATE_DESC.SUCCESS };
}

/** A refund as the create-refund and query-refund APIs return it. */
export function refundView(refund: SandboxRefund): Refund {
  return {
    refund_id: refund.refundId,
    out_refund_no: refund.outRefundNo,
    transaction_id: refund.transactionId,
    out_trade_no: refund.outTradeNo,
    channel: 'ORIGINAL',
    user_received_account: USER_RECEIVED_ACCOUNT,
    ...(refund.successTime !== undefined ? { success_time: refund.successTime } : {}),
    create_time: refund.createTime,
    status: refund.status,
    funds_account: 'AVAILABLE',
    amount: {
      total: refund.total,
      refund: refund.refund,
      payer_total: refund.total,
      payer_refund: refund.refund,
      settlement_refund: refund.refund,
      settlement_total: refund.total,
      discount_refund: 0,
      currency: 'CNY',
      refund_fee: 0,
    },
  };
}

/** The decrypted resource of a REFUND.SUCCESS notification. */
export function refundResource(refund: SandboxRefund, mchid: string): RefundNotificationResource {
  return {
    mchid,
    out_trade_no: refund.outTradeNo,
    transaction_id: refund.transactionId,
    out_refund_no: refund.outRefundNo,
    refund_id: refund.refundId,
    refund_status: refund.status,
    ...(refund.successTime !== undefined ? { success_time: refund.successTime } : {}),
    user_received_account: USER_RECEIVED_ACCOUNT,
    amount: {
      total: refund.total,
      refund: refund.refund,
      payer_total: refund.total,
      payer_refund: refund.refund,
    },
  };
}
