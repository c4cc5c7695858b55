import type { OrderView } from '@tokentill/shared-types';
import type { LedgerOrder } from './ledger-types.js';

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

/**
 * The owner's view of a finished order Redis no longer has, from the ledger: the same fields as from Redis, the
 * answer as one chunk (while its text is retained; an empty prompt and no chunks once erased).
 */
export function orderViewFromLedger(order: LedgerOrder, after: number): OrderView {
  const view: OrderView = {
    orderId: order.id,
    state: order.state,
    tier: order.tier,
    tierTitle: order.tierTitle,
    priceFen: order.priceFen,
    prompt: order.prompt ?? '',
    createdAt: new Date(order.createdAt).toISOString(),
    updatedAt: new Date(order.updatedAt).toISOString(),
    chunks: order.answer && after < 1 ? [{ seq: 1, text: order.answer }] : [],
  };
  const paidAt = iso(order.payment?.paidAt ?? order.enteredAt.PAID);
  const completedAt = iso(order.enteredAt.COMPLETED);
  const refundedAt = iso(order.enteredAt.REFUNDED);
  if (paidAt) view.paidAt = paidAt;
  if (completedAt) view.completedAt = completedAt;
  if (refundedAt) view.refundedAt = refundedAt;
  return view;
}
