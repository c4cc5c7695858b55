import { apiClient, createOrder, eventually, login, sandboxPay } from '../../support/api-client';
import { createRedis, closeRedis, type Redis } from '../../../server/src/redis';
import { DEFAULT_REDIS_URL } from '../../../scripts/lib/local-redis';
import { useTwoInstances, type UpstreamCall, type TwoInstances } from './two-instances';

/**
 * POST /api/orders/:id/confirm asks WeChat Pay about the order, a signed query counted against the merchant's
 * frequency limit. Across instances an order gets one query at a time, spaced out, and a user's confirmations
 * are limited. Queries are counted as the instances send them.
 */

const isQueryOf = (orderId: string) => (call: UpstreamCall) =>
  call.method === 'GET' && call.url.pathname.endsWith(`/v3/pay/transactions/out-trade-no/${orderId}`);

const queriesOf = (instances: TwoInstances, orderId: string) =>
  instances.calls.filter(isQueryOf(orderId)).length;

/** The answer: `{ orderId, state }`, or the error envelope. */
const confirm = (baseUrl: string, token: string, orderId: string) =>
  apiClient(baseUrl, token).post(`/api/orders/${orderId}/confirm`);

let redis: Redis;
beforeAll(() => {
  redis = createRedis(process.env['REDIS_URL'] || DEFAULT_REDIS_URL);
});
afterAll(async () => {
  await closeRedis(redis);
});

describe('one WeChat Pay query per order, spaced out', () => {
  // A long interval so that how fast this machine runs cannot matter.
  const instances = useTwoInstances({ CONFIRMS_PER_MINUTE: '100', CONFIRM_QUERY_INTERVAL_MS: '60000' });

  it('sends 1 query for 50 concurrent confirmations on two instances, and credits the payment', async () => {
    const { a, b } = instances;
    const token = await login(a.url);
    const { orderId } = await createOrder(a.url, token);
    // Paid at WeChat Pay, but its notification is lost: only a query can find out.
    const fault = await apiClient(a.url).post('/sandbox/faults', { out_trade_no: orderId, drop: true });
    expect(fault.status).toBeLessThan(300);
    await sandboxPay(a.url, orderId);

    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => confirm(i % 2 ? b.url : a.url, token, orderId)),
    );
    expect(answers.map((r) => r.status)).toEqual(Array(50).fill(200));
    expect(queriesOf(instances, orderId)).toBe(1);
    // The confirmation that queried answers PAID; the others answered the state as it stood when they looked.
    const states = answers.map((r) => r.body.state);
    expect(states).toContain('PAID');
    expect(states.filter((state) => state !== 'CREATED' && state !== 'PAID')).toEqual([]);
    const order = await a.services.orderStore.get(orderId);
    expect([order?.state, order?.paidVia]).toEqual(['PAID', 'query']);
  });

  it('answers a confirmation inside the interval without a query, and still has the reconciler check soon', async () => {
    const { a, b, keys } = instances;
    const token = await login(a.url);
    const { orderId } = await createOrder(a.url, token);
    expect((await confirm(a.url, token, orderId)).body.state).toBe('CREATED');
    expect(queriesOf(instances, orderId)).toBe(1);

    // Push the order's scheduled check back to its payment deadline, as if the first follow-up had run.
    const farOff = Date.now() + 15 * 60_000;
    await redis.zadd(keys.paymentChecks(), farOff, orderId);
    const askedAt = Date.now();
    const second = await confirm(b.url, token, orderId);
    expect([second.status, second.body]).toEqual([200, { orderId, state: 'CREATED' }]);
    expect(queriesOf(instances, orderId)).toBe(1);
    const checkAt = Number(await redis.zscore(keys.paymentChecks(), orderId));
    expect(checkAt).toBeGreaterThanOrEqual(askedAt);
    expect(checkAt).toBeLessThan(askedAt + 60_000);
  });
});

describe('a query in flight, and the per-user limit', () => {
  /** Orders whose WeChat Pay query is held back until the test lets it go. */
  const held = new Map<string, Promise<void>>();
  const instances = useTwoInstances(
    // The shortest interval: only a query in flight keeps a second one out.
    { CONFIRMS_PER_MINUTE: '5', CONFIRM_QUERY_INTERVAL_MS: '1' },
    async (call) => {
      const orderId = call.url.pathname.split('/').pop() ?? '';
      if (isQueryOf(orderId)(call)) await held.get(orderId);
    },
  );

  it('never sends a second query while one is in flight on another instance, however long it takes', async () => {
    const { a, b } = instances;
    const token = await login(a.url);
    const { orderId } = await createOrder(a.url, token);
    let release!: () => void;
    held.set(orderId, new Promise<void>((resolve) => (release = resolve)));

    const first = confirm(a.url, token, orderId);
    await eventually(() => queriesOf(instances, orderId) === 1, 5_000, 'the first query');
    const second = await confirm(b.url, token, orderId);
    expect([second.status, second.body]).toEqual([200, { orderId, state: 'CREATED' }]);
    release();
    expect((await first).status).toBe(200);
    expect(queriesOf(instances, orderId)).toBe(1);
  });

  it('limits confirmations per user with 429 RATE_LIMITED and Retry-After; other users are not affected', async () => {
    const { a, b } = instances;
    const token = await login(a.url);
    const { orderId } = await createOrder(a.url, token);
    // 2 × limit + 1 calls within a minute: whatever window boundary falls among them, one window is over.
    const answers = [];
    for (let i = 0; i < 11; i++) answers.push(await confirm(i % 2 ? b.url : a.url, token, orderId));
    const refused = answers.filter((r) => r.status === 429);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    expect(answers.filter((r) => r.status === 200).length).toBeLessThanOrEqual(10);
    const first = refused[0]!;
    expect(first.body.error).toMatchObject({
      code: 'RATE_LIMITED',
      message: expect.stringContaining('At most 5 payment confirmations per minute'),
    });
    const retryAfter = Number(first.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60).toBe(true);

    const other = await login(a.url);
    const own = await createOrder(a.url, other);
    expect((await confirm(b.url, other, own.orderId)).status).toBe(200);
  });
});
