import { TiersResponseSchema } from '@tokentill/shared-types';
import {
  apiClient,
  createOrder,
  eventually,
  login,
  sandboxPay,
  waitForOrder,
} from '../../support/api-client';
import { useTestServer } from '../../support/test-server';

/**
 * With every provider behind a tier's chain failing, the circuit breakers open and the server stops taking that
 * tier's orders before any payment exists, instead of charging and refunding each one. The sandbox catalog puts
 * each mock model behind its own provider, so the basic tier (mock-fast → mock-backup) can be down while the pro
 * tier (mock-smart first) is not. Real server with its worker and router in-process (the API decides from the
 * same breakers that answer the orders).
 */
const fixture = useTestServer(
  { MAX_UNPAID_ORDERS: '100', ORDERS_PER_MINUTE: '100', RECONCILE_INTERVAL_MS: '100' },
  { background: true },
);
const url = () => fixture.server.url;
const control = () => apiClient(url());

interface Breakers {
  providers: Record<string, string>;
  tiers: { id: string; available: boolean; providers: string[] }[];
}

async function tiersAvailable(): Promise<Record<string, boolean>> {
  const { tiers } = TiersResponseSchema.parse((await control().get('/api/tiers')).body);
  return Object.fromEntries(tiers.map((t) => [t.id, t.available]));
}

it('refuses a tier whose every provider has an open circuit, before any payment order exists', async () => {
  const token = await login(url());
  expect(await tiersAvailable()).toEqual({ basic: true, pro: true });
  const before = (await control().get<Breakers>('/sandbox/breakers')).body;
  expect(before.providers).toEqual({
    'sandbox-fast': 'closed',
    'sandbox-smart': 'closed',
    'sandbox-backup': 'closed',
  });
  expect(before.tiers.find((t) => t.id === 'basic')).toMatchObject({
    available: true,
    providers: ['sandbox-fast', 'sandbox-backup'],
  });
  // An unpaid basic order from before the outage.
  const waiting = await createOrder(url(), token, { prompt: '还没付款的问题' });

  // Both basic models fail every request: five paid orders fail (and are refunded), which opens both circuits.
  for (const model of ['mock-fast', 'mock-backup']) {
    expect((await control().post('/sandbox/model/faults', { kind: 'http_500', model })).status).toBe(201);
  }
  for (let i = 0; i < 5; i++) {
    const { orderId } = await createOrder(url(), token, { prompt: `故障 ${i}` });
    await sandboxPay(url(), orderId);
    await waitForOrder(url(), token, orderId, (o) => ['REFUNDING', 'REFUNDED'].includes(o.state), 10_000);
  }
  await eventually(
    async () => {
      const { providers } = (await control().get<Breakers>('/sandbox/breakers')).body;
      return providers['sandbox-fast'] === 'open' && providers['sandbox-backup'] === 'open';
    },
    5_000,
    'both basic providers open',
  );
  expect(await tiersAvailable()).toEqual({ basic: false, pro: true });
  const wechatOrders = async () =>
    ((await control().get('/sandbox/state')).body as { orders: unknown[] }).orders.length;
  const atWeChat = await wechatOrders();
  const listed = (await apiClient(url(), token).get('/api/orders')).body.orders.length;

  const refused = await apiClient(url(), token).post('/api/orders', { prompt: '新问题', tier: 'basic' });

  expect(refused.status).toBe(503);
  expect(refused.body.error.code).toBe('TIER_UNAVAILABLE');
  expect(refused.body.error.message).toContain('nothing was charged');
  expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
  // No order, here or at WeChat Pay.
  expect(await wechatOrders()).toBe(atWeChat);
  expect((await apiClient(url(), token).get('/api/orders')).body.orders).toHaveLength(listed);
  // Paying the order from before the outage is refused the same way, before the pay sheet opens.
  const payAgain = await apiClient(url(), token).get(`/api/orders/${waiting.orderId}/payment`);
  expect(payAgain.status).toBe(503);
  expect(payAgain.body.error.code).toBe('TIER_UNAVAILABLE');
  // Another tier, with a healthy provider first, still sells.
  expect((await apiClient(url(), token).post('/api/orders', { prompt: '新问题', tier: 'pro' })).status).toBe(
    201,
  );
}, 30_000);
