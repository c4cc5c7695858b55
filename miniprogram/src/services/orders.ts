import type {
  CancelOrderResponse,
  ConfirmOrderResponse,
  CreateOrderRequest,
  CreateOrderResponse,
  OrderListResponse,
  OrderPaymentResponse,
  OrderView,
} from '@tokentill/shared-types';
import { ApiError } from './api-error';
import { get, post } from './http';

/** `POST /api/orders`: stores the order and returns the `requestPayment` parameters. */
export async function createOrder(request: CreateOrderRequest): Promise<CreateOrderResponse> {
  const body = await post<Partial<CreateOrderResponse> | null>('/api/orders', request);
  if (!body || typeof body.orderId !== 'string' || !body.payment?.params) {
    throw new ApiError('BAD_RESPONSE', 'POST /api/orders answered without an order', { status: 201 });
  }
  return body as CreateOrderResponse;
}

/**
 * `POST /api/orders/:id/confirm`: the user says they paid; the server asks WeChat Pay (the client's word is never
 * proof of payment) and answers the order's state.
 */
export function confirmOrder(orderId: string): Promise<ConfirmOrderResponse> {
  return post<ConfirmOrderResponse>(`/api/orders/${encodeURIComponent(orderId)}/confirm`, {});
}

/** `GET /api/orders/:id?after=N`: the order, with the answer's chunks after `after`. */
export function fetchOrder(orderId: string, after = 0): Promise<OrderView> {
  return get<OrderView>(`/api/orders/${encodeURIComponent(orderId)}?after=${after}`);
}

/**
 * `GET /api/orders?cursor=…&limit=…`: one page of the user's orders, newest first (without answers), and the
 * cursor of the next page when there is one.
 */
export async function listOrders(page: { cursor?: string; limit?: number } = {}): Promise<OrderListResponse> {
  const query = [
    page.cursor === undefined ? '' : `cursor=${encodeURIComponent(page.cursor)}`,
    page.limit === undefined ? '' : `limit=${page.limit}`,
  ]
    .filter(Boolean)
    .join('&');
  const body = await get<Partial<OrderListResponse> | null>(`/api/orders${query ? `?${query}` : ''}`);
  if (!body || !Array.isArray(body.orders)) {
    throw new ApiError('BAD_RESPONSE', 'GET /api/orders answered without an orders array', { status: 200 });
  }
  return {
    orders: body.orders,
    ...(typeof body.nextCursor === 'string' ? { nextCursor: body.nextCursor } : {}),
  };
}

/** `POST /api/orders/:id/cancel`: closes an unpaid order (nothing was charged); 409 ORDER_NOT_CANCELLABLE if paid. */
export function cancelOrder(orderId: string): Promise<CancelOrderResponse> {
  return post<CancelOrderResponse>(`/api/orders/${encodeURIComponent(orderId)}/cancel`, {});
}

/**
 * `GET /api/orders/:id/payment`: fresh `requestPayment` parameters for an unpaid order; 409 ORDER_NOT_PAYABLE once
 * it is paid, closed or past its deadline, 503 TIER_UNAVAILABLE while no model could answer it.
 */
export async function orderPayment(orderId: string): Promise<OrderPaymentResponse> {
  const body = await get<Partial<OrderPaymentResponse> | null>(
    `/api/orders/${encodeURIComponent(orderId)}/payment`,
  );
  if (!body || body.orderId !== orderId || !body.payment?.params) {
    throw new ApiError('BAD_RESPONSE', 'GET /api/orders/:id/payment answered without payment parameters', {
      status: 200,
    });
  }
  return body as OrderPaymentResponse;
}
