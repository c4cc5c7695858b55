import type { OrderRecord } from '../orders/order-store.js';
import type { Transaction } from '../payment/index.js';
import type { LedgerOrderInput, LedgerPaymentInput, LedgerRefundInput } from './ledger-types.js';

/** The ledger's record of an order as Redis holds it (owner: the HMAC user key; the openid is never copied). */
export function ledgerOrderOf(order: OrderRecord): LedgerOrderInput {
  return {
    id: order.id,
    ownerKey: order.userKey,
    tier: order.tier,
    tierTitle: order.tierTitle,
    priceFen: order.priceFen,
    createdAt: order.createdAt,
    payBy: order.payBy,
    state: order.state,
    prompt: order.prompt,
  };
}

/**
 * A verified WeChat Pay transaction as a ledger payment. Callers have checked it has a transaction id and is in
 * CNY; were it not so, the ledger's constraints would refuse it (empty id, other currency).
 */
export function ledgerPaymentOf(tx: Transaction, via: 'notify' | 'query'): LedgerPaymentInput {
  const paidAt = tx.success_time ? Date.parse(tx.success_time) : NaN;
  return {
    orderId: tx.out_trade_no,
    transactionId: tx.transaction_id ?? '',
    amountFen: tx.amount.total,
    ...(tx.amount.payer_total === undefined ? {} : { payerTotalFen: tx.amount.payer_total }),
    currency: tx.amount.currency ?? '',
    paidAt: Number.isFinite(paidAt) ? paidAt : Date.now(),
    via,
  };
}

/** The payment Redis recorded for a paid order, for an order paid before the ledger held it; else undefined. */
export function ledgerPaymentOfRecord(order: OrderRecord): LedgerPaymentInput | undefined {
  if (!order.transactionId) return undefined;
  return {
    orderId: order.id,
    transactionId: order.transactionId,
    amountFen: order.priceFen,
    currency: 'CNY',
    paidAt: order.at.PAID ?? order.updatedAt,
    via: order.paidVia === 'query' ? 'query' : 'notify',
  };
}

/** The order's refund (one per order, its amount the price paid). */
export function ledgerRefundOf(order: OrderRecord, outRefundNo: string): LedgerRefundInput {
  return {
    orderId: order.id,
    outRefundNo,
    amountFen: order.priceFen,
    reason: order.refundReason ?? 'generation_failed',
  };
}
