import { randomUUID } from 'node:crypto';
import { OrderListResponseSchema, PROMPT_MAX_CHARS, type OrderListResponse } from '@tokentill/shared-types';
import { pageOfIndex } from '../../../server/src/orders/order-pages';
import { apiClient, createOrder, login } from '../../support/api-client';
import { useTestServer } from '../../support/test-server';

/** `GET /api/orders` pages through every order with a cursor; the prompt limit counts characters as people do. */
const fixture = useTestServer({ MAX_UNPAID_ORDERS: '100', ORDERS_PER_MINUTE: '100' });
const url = () => fixture.server.url;

async function page(token: string, query: string): Promise<OrderListResponse> {
  const res = await apiClient(url(), token).get(`/api/orders${query}`);
  expect(res.status).toBe(200);
  return OrderListResponseSchema.parse(res.body);
}

describe('GET /api/orders pages', () => {
  it('walks every order, newest first, each exactly once, with nextCursor until the last page', async () => {
    const token = await login(url());
    const created: string[] = [];
    for (let i = 0; i < 7; i++) created.push((await createOrder(url(), token, { prompt: `q${i}` })).orderId);

    const first = await page(token, '?limit=3');
    const second = await page(token, `?limit=3&cursor=${encodeURIComponent(first.nextCursor!)}`);
    // A new order arriving meanwhile is not a reason to repeat or skip one on the next page.
    await createOrder(url(), token, { prompt: 'newer' });
    const third = await page(token, `?limit=3&cursor=${encodeURIComponent(second.nextCursor!)}`);

    expect([first, second, third].map((p) => p.orders.length)).toEqual([3, 3, 1]);
    expect(third.nextCursor).toBeUndefined();
    expect([...first.orders, ...second.orders, ...third.orders].map((o) => o.orderId)).toEqual(
      [...created].reverse(),
    );
  });

  it('gives 20 by default, and more than 20 orders are all reachable', async () => {
    const token = await login(url());
    for (let i = 0; i < 21; i++) await createOrder(url(), token, { prompt: `order ${i}` });
    const first = await page(token, '');
    expect(first.orders).toHaveLength(20);
    const rest = await page(token, `?cursor=${encodeURIComponent(first.nextCursor!)}`);
    expect(rest.orders.map((o) => o.prompt)).toEqual(['order 0']);
    expect(rest.nextCursor).toBeUndefined();
  });

  it('refuses a malformed cursor or limit with 400 VALIDATION_FAILED naming the field', async () => {
    const api = apiClient(url(), await login(url()));
    for (const [query, field] of [
      ['?cursor=abc', 'cursor'],
      ['?limit=0', 'limit'],
      ['?limit=51', 'limit'],
    ] as const) {
      const res = await api.get(`/api/orders${query}`);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(res.body.error.issues[0].path).toBe(field);
    }
  });

  it('orders created in the same millisecond are neither repeated nor skipped across pages', async () => {
    const key = `${fixture.server.prefix}page-test:${randomUUID()}`;
    // Scores as creation times: three orders share 2000.
    await fixture.redis.zadd(key, 3000, 'TTA', 2000, 'TTB', 2000, 'TTC', 2000, 'TTD', 1000, 'TTE');
    const seen: string[] = [];
    let before;
    do {
      const result = await pageOfIndex(fixture.redis, key, 2, before);
      seen.push(...result.ids);
      before = result.next;
    } while (before);
    expect(seen).toEqual(['TTA', 'TTD', 'TTC', 'TTB', 'TTE']);
  });
});

describe('prompt length', () => {
  it('counts characters as a person does: 2000 emoji fit, 2001 do not', async () => {
    const api = apiClient(url(), await login(url()));
    // Each emoji is one character but two UTF-16 code units.
    const fits = await api.post('/api/orders', { prompt: '😀'.repeat(PROMPT_MAX_CHARS), tier: 'basic' });
    expect(fits.status).toBe(201);
    const over = await api.post('/api/orders', { prompt: '😀'.repeat(PROMPT_MAX_CHARS + 1), tier: 'basic' });
    expect(over.status).toBe(400);
    expect(over.body.error.issues).toEqual([
      { path: 'prompt', message: `the prompt is longer than ${PROMPT_MAX_CHARS} characters` },
    ]);
  });

  it('stores the prompt trimmed, as the model gets it', async () => {
    const token = await login(url());
    const { orderId } = await createOrder(url(), token, { prompt: '\n\n  两边的空行  \n\n' });
    const view = await apiClient(url(), token).get(`/api/orders/${orderId}`);
    expect(view.body.prompt).toBe('两边的空行');
  });
});
