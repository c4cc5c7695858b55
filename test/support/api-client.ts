import { randomUUID } from 'node:crypto';
import type { CreateOrderResponse, OrderView } from '@tokentill/shared-types';

export interface ApiResponse<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

/** A small JSON client for the TokenTill API over real HTTP. */
export function apiClient(baseUrl: string, token?: string) {
  async function call<T = any>(method: string, path: string, body?: unknown): Promise<ApiResponse<T>> {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T, headers: res.headers };
  }
  return {
    call,
    get: <T = any>(path: string) => call<T>('GET', path),
    post: <T = any>(path: string, body?: unknown) => call<T>('POST', path, body ?? {}),
  };
}

/** Logs a sandbox user in: codes `<identity>.<nonce>` map to one stable openid per identity. */
export async function login(baseUrl: string, identity = `user-${randomUUID()}`): Promise<string> {
  const res = await apiClient(baseUrl).post<{ token: string }>('/api/session', {
    code: `${identity}.${randomUUID()}`,
  });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.token;
}

export async function createOrder(
  baseUrl: string,
  token: string,
  order: { prompt?: string; tier?: string } = {},
): Promise<CreateOrderResponse> {
  const res = await apiClient(baseUrl, token).post<CreateOrderResponse>('/api/orders', {
    prompt: order.prompt ?? '用一句话解释什么是量子纠缠',
    tier: order.tier ?? 'basic',
  });
  if (res.status !== 201) throw new Error(`order failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Plays the user entering their payment password in the WeChat Pay emulator. */
export async function sandboxPay(baseUrl: string, outTradeNo: string): Promise<ApiResponse> {
  return apiClient(baseUrl).post('/sandbox/pay', { out_trade_no: outTradeNo });
}

/** Polls the owner's view of an order until `predicate` holds. */
export async function waitForOrder(
  baseUrl: string,
  token: string,
  orderId: string,
  predicate: (order: OrderView) => boolean,
  timeoutMs = 5_000,
): Promise<OrderView> {
  const deadline = Date.now() + timeoutMs;
  let last: OrderView | undefined;
  while (Date.now() < deadline) {
    const res = await apiClient(baseUrl, token).get<OrderView>(`/api/orders/${orderId}`);
    last = res.body;
    if (res.status === 200 && predicate(res.body)) return res.body;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`order ${orderId} did not reach the expected state; last seen ${JSON.stringify(last)}`);
}

/** Resolves when `check` returns true, polling every few ms. */
export async function eventually(
  check: () => Promise<boolean> | boolean,
  timeoutMs = 5_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}
