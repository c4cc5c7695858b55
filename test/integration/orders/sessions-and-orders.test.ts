import { randomUUID } from 'node:crypto';
import {
  CreateOrderResponseSchema,
  ErrorEnvelopeSchema,
  OrderViewSchema,
  PROMPT_MAX_CHARS,
} from '@tokentill/shared-types';
import { apiClient, createOrder, login } from '../../support/api-client';
import { deletePrefix } from '../../support/test-redis';
import { startTestServer, type TestServer } from '../../support/test-server';
import { createRedis, closeRedis } from '../../../server/src/redis';
import { loadOrCreateSandboxKeys, openidForIdentity } from '../../../server/src/sandbox';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ ORDERS_PER_MINUTE: '5', MAX_UNPAID_ORDERS: '3' });
});
afterAll(async () => {
  await server.close();
  const redis = createRedis(process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379');
  await deletePrefix(redis, server.prefix);
  await closeRedis(redis);
});

describe('POST /api/session', () => {
  it('exchanges a wx.login code for an opaque session token', async () => {
    const res = await apiClient(server.url).post('/api/session', { code: `alice.${randomUUID()}` });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      expiresIn: 7 * 24 * 3600,
    });
  });

  it('refuses a used code and an invalid code with 401 WECHAT_CODE_INVALID', async () => {
    const code = `bob.${randomUUID()}`;
    expect((await apiClient(server.url).post('/api/session', { code })).status).toBe(200);
    const reused = await apiClient(server.url).post('/api/session', { code });
    expect(reused.status).toBe(401);
    expect(ErrorEnvelopeSchema.parse(reused.body).error.code).toBe('WECHAT_CODE_INVALID');
    const invalid = await apiClient(server.url).post('/api/session', { code: 'invalid-code' });
    expect(invalid.status).toBe(401);
    expect(invalid.body.error.code).toBe('WECHAT_CODE_INVALID');
  });

  it('answers a missing code with 400 VALIDATION_FAILED', async () => {
    const res = await apiClient(server.url).post('/api/session', {});
    expect(res.status).toBe(400);
    expect(res.body.error.issues).toEqual([{ path: 'code', message: expect.any(String) }]);
  });

  it('never stores the raw openid: sessions and orders hold an HMAC key and a sealed value', async () => {
    const token = await login(server.url, 'carol');
    await createOrder(server.url, token);
    const keys = await loadOrCreateSandboxKeys(server.config.SANDBOX_KEYS_DIR);
    const openid = openidForIdentity(keys.identitySecret, keys.appid, 'carol');
    const session = await server.services.sessionStore.get(token);
    expect(session?.userKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(session?.userKey).not.toContain(openid);

    const redis = createRedis(process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379');
    try {
      const everything: string[] = [];
      for (const key of await redis.keys(`${server.prefix}*`)) {
        const type = await redis.type(key);
        everything.push(key);
        if (type === 'hash') everything.push(JSON.stringify(await redis.hgetall(key)));
        if (type === 'zset') everything.push(JSON.stringify(await redis.zrange(key, '0', '-1')));
      }
      expect(everything.join('\n')).toContain(session!.sealedOpenid);
      expect(everything.join('\n')).not.toContain(openid);
    } finally {
      await closeRedis(redis);
    }
  });

  it('revokes a session on DELETE', async () => {
    const token = await login(server.url);
    await apiClient(server.url, token).call('DELETE', '/api/session');
    const res = await apiClient(server.url, token).get('/api/orders');
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('SESSION_EXPIRED');
  });
});

describe('GET /api/tiers', () => {
  it('lists the tiers of the catalog with their prices in fen, each available', async () => {
    const res = await apiClient(server.url).get('/api/tiers');
    expect(res.status).toBe(200);
    expect(res.body.tiers).toEqual([
      { id: 'basic', title: '快速回答', priceFen: 10, description: expect.any(String), available: true },
      { id: 'pro', title: '深度回答', priceFen: 100, description: expect.any(String), available: true },
    ]);
  });
});

describe('POST /api/orders', () => {
  it('requires a session', async () => {
    const res = await apiClient(server.url).post('/api/orders', { prompt: 'hi', tier: 'basic' });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('UNAUTHENTICATED');
  });

  it('stores the order CREATED and answers with signed wx.requestPayment parameters', async () => {
    const token = await login(server.url);
    const created = CreateOrderResponseSchema.parse(await createOrder(server.url, token, { tier: 'pro' }));
    expect(created.orderId).toMatch(/^TT[0-9A-Z]{24}$/);
    expect(created.payment.params).toMatchObject({
      signType: 'RSA',
      package: expect.stringMatching(/^prepay_id=/),
    });

    const view = await apiClient(server.url, token).get(`/api/orders/${created.orderId}`);
    expect(view.status).toBe(200);
    expect(OrderViewSchema.parse(view.body)).toMatchObject({ state: 'CREATED', tier: 'pro', priceFen: 100 });

    // The emulator holds the same order, for the same amount, payable by this user.
    const atWeChat = server.sandbox!.wxpay;
    expect(atWeChat).toBeDefined();
    const tx = await server.services.wxpay.queryByOutTradeNo(created.orderId);
    expect(tx).toMatchObject({
      trade_state: 'NOTPAY',
      amount: { total: 100 },
      out_trade_no: created.orderId,
    });
  });

  it('rejects an empty or overlong prompt and an unknown tier, naming the field', async () => {
    const token = await login(server.url);
    const api = apiClient(server.url, token);
    const empty = await api.post('/api/orders', { prompt: '   ', tier: 'basic' });
    expect(empty.status).toBe(400);
    expect(empty.body.error.issues).toEqual([{ path: 'prompt', message: 'the prompt is empty' }]);
    const long = await api.post('/api/orders', { prompt: 'x'.repeat(PROMPT_MAX_CHARS + 1), tier: 'basic' });
    expect(long.body.error.issues[0].path).toBe('prompt');
    const tier = await api.post('/api/orders', { prompt: 'hi', tier: 'gold' });
    expect(tier.status).toBe(400);
    expect(tier.body.error.message).toContain('Unknown tier "gold"');
  });

  it('caps unpaid orders per user: at the cap, the oldest unpaid order makes way (unpaid-orders.test.ts)', async () => {
    const token = await login(server.url);
    const oldest = await createOrder(server.url, token);
    for (let i = 0; i < 2; i++) await createOrder(server.url, token);
    const res = await apiClient(server.url, token).post('/api/orders', { prompt: 'one more', tier: 'basic' });
    expect(res.status).toBe(201);
    const closed = await apiClient(server.url, token).get(`/api/orders/${oldest.orderId}`);
    expect(closed.body.state).toBe('CLOSED');
    // Another user is not affected.
    await createOrder(server.url, await login(server.url));
  });

  it('rate-limits order creation per user with 429 RATE_LIMITED and Retry-After', async () => {
    const token = await login(server.url);
    const api = apiClient(server.url, token);
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 6; i++) {
      // Unknown tiers are refused before the rate limit, so use real ones (the unpaid cap closes the oldest).
      const res = await api.post('/api/orders', { prompt: `q${i}`, tier: 'basic' });
      statuses.push(res.status);
      if (res.status === 429 && res.body.error.code === 'RATE_LIMITED')
        retryAfter = res.headers.get('retry-after');
    }
    expect(statuses.slice(0, 3)).toEqual([201, 201, 201]);
    expect(statuses[5]).toBe(429);
    expect(Number(retryAfter)).toBeGreaterThan(0);
  });
});

describe('reading orders', () => {
  it('shows an order to its owner only; others get 404 as if it did not exist', async () => {
    const owner = await login(server.url);
    const other = await login(server.url);
    const { orderId } = await createOrder(server.url, owner);
    expect((await apiClient(server.url, owner).get(`/api/orders/${orderId}`)).status).toBe(200);
    const foreign = await apiClient(server.url, other).get(`/api/orders/${orderId}`);
    expect(foreign.status).toBe(404);
    expect(foreign.body.error.code).toBe('NOT_FOUND');
    expect((await apiClient(server.url, other).post(`/api/orders/${orderId}/confirm`)).status).toBe(404);
    expect((await apiClient(server.url, owner).get('/api/orders/not-an-id!')).status).toBe(404);
  });

  it('lists the user’s recent orders, newest first', async () => {
    const token = await login(server.url);
    const first = await createOrder(server.url, token, { prompt: 'first' });
    const second = await createOrder(server.url, token, { prompt: 'second' });
    const res = await apiClient(server.url, token).get('/api/orders');
    expect(res.body.orders.map((o: { orderId: string }) => o.orderId)).toEqual([
      second.orderId,
      first.orderId,
    ]);
  });
});
