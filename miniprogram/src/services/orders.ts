import type {
  ConfirmOrderResponse,
  CreateOrderRequest,
  CreateOrderResponse,
  OrderListResponse,
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

/** `GET /api/orders`: the user's recent orders, newest first (without answers). */
export async function listOrders(): Promise<OrderListResponse['orders']> {
  const body = await get<Partial<OrderListResponse> | null>('/api/orders');
  if (!body || !Array.isArray(body.orders)) {
    throw new ApiError('BAD_RESPONSE', 'GET /api/orders answered without an orders array', { status: 200 });
  }
  return body.orders;
}
