import type { CreateOrderRequest, WxPayRequestParams } from '@tokentill/shared-types';
import { ApiError } from './api-error';
import { createOrder, listOrders, orderPayment } from './orders';
import { forgetUnpaidOrder, loadUnpaidOrder, saveUnpaidOrder } from './unpaid-order';

/** An order ready to pay. */
export interface PayableOrder {
  orderId: string;
  params: WxPayRequestParams;
}

/** How far the server's clock may be behind ours when matching an order it created for a timed-out request. */
const CLOCK_SKEW_MS = 60_000;

/** Errors after which the order may exist on the server although the client never heard back. */
const UNANSWERED = new Set(['TIMEOUT', 'NETWORK_ERROR']);

/**
 * The order to pay for `request`: the stored unpaid order when it is the same question and can still be paid,
 * else a new one. A creation that timed out (or lost its answer to the network) may still have succeeded on the
 * server: the user's latest orders are checked for it before giving up, so it is paid rather than left behind.
 * The order is remembered as unpaid until the payment goes through ({@link forgetUnpaidOrder}).
 */
export async function obtainOrder(request: CreateOrderRequest): Promise<PayableOrder> {
  const stored = loadUnpaidOrder();
  if (stored && stored.prompt === request.prompt && stored.tierId === request.tier) {
    try {
      const { payment } = await orderPayment(stored.orderId);
      return { orderId: stored.orderId, params: payment.params };
    } catch (error) {
      // Closed (cancelled, replaced at the unpaid cap, expired) or paid: ask with a new order.
      if (!(
        error instanceof ApiError &&
        (error.code === 'ORDER_NOT_PAYABLE' || error.code === 'NOT_FOUND')
      )) {
        throw error;
      }
      forgetUnpaidOrder(stored.orderId);
    }
  }

  const startedAt = Date.now();
  let order: PayableOrder;
  try {
    const created = await createOrder(request);
    order = { orderId: created.orderId, params: created.payment.params };
  } catch (error) {
    if (!(error instanceof ApiError && UNANSWERED.has(error.code))) throw error;
    const found = await createdMeanwhile(request, startedAt).catch(() => undefined);
    if (!found) throw error;
    order = found;
  }
  saveUnpaidOrder({
    orderId: order.orderId,
    prompt: request.prompt,
    tierId: request.tier,
    createdAt: startedAt,
  });
  return order;
}

/** The unpaid order the server created for `request` since `since`, if it did, with its payment parameters. */
async function createdMeanwhile(
  request: CreateOrderRequest,
  since: number,
): Promise<PayableOrder | undefined> {
  const { orders } = await listOrders({ limit: 5 });
  const match = orders.find(
    (order) =>
      order.state === 'CREATED' &&
      order.prompt === request.prompt &&
      order.tier === request.tier &&
      Date.parse(order.createdAt) >= since - CLOCK_SKEW_MS,
  );
  if (!match) return undefined;
  const { payment } = await orderPayment(match.orderId);
  return { orderId: match.orderId, params: payment.params };
}
