import type { OrderView } from '@tokentill/shared-types';
import type { OrderRecord } from './order-store.js';

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

/** What the owner sees of an order: never the openid, the transaction id or internal bookkeeping. */
export function toOrderView(order: OrderRecord): Omit<OrderView, 'chunks'> {
  const view: Omit<OrderView, 'chunks'> = {
    orderId: order.id,
    state: order.state,
    tier: order.tier,
    tierTitle: order.tierTitle,
    priceFen: order.priceFen,
    prompt: order.prompt,
    createdAt: new Date(order.createdAt).toISOString(),
    updatedAt: new Date(order.updatedAt).toISOString(),
  };
  const paidAt = iso(order.at.PAID);
  const completedAt = iso(order.at.COMPLETED);
  const refundedAt = iso(order.at.REFUNDED);
  // Tokens of the call that answered; the cost is what the whole answer cost the operator: every model call of
  // every generation attempt (absent only if each call was free, hence 0).
  if (order.promptTokens !== undefined && order.completionTokens !== undefined) {
    view.usage = {
      promptTokens: order.promptTokens,
      completionTokens: order.completionTokens,
      costFen: Math.round((order.costFen ?? 0) * 1e4) / 1e4,
    };
  }
  if (paidAt) view.paidAt = paidAt;
  if (completedAt) view.completedAt = completedAt;
  if (refundedAt) view.refundedAt = refundedAt;
  return view;
}
