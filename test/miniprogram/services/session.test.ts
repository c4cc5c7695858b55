import Taro from '@tarojs/taro';
import { ApiError } from '../../../miniprogram/src/services/api-error';
import { request } from '../../../miniprogram/src/services/http';
import { SESSION_STORAGE_KEY, sessionToken } from '../../../miniprogram/src/services/session';
import { fetchTiers } from '../../../miniprogram/src/services/tiers';
import { storage } from '../mocks/taro';
import { envelope, mockApi, sessionReply, storedSession } from '../support/api';

const taroLogin = jest.mocked(Taro.login);

describe('session and authenticated requests', () => {
  let codes: number;

  beforeEach(() => {
    storage.clear();
    codes = 0;
    taroLogin.mockReset();
    taroLogin.mockImplementation((() =>
      Promise.resolve({ code: `code-${++codes}`, errMsg: 'login:ok' })) as never);
  });

  it('logs in with a Taro.login code, stores the token, and sends it as a Bearer header', async () => {
    const calls = mockApi({
      'POST /api/session': sessionReply('tok-1', 7200),
      'GET /api/orders': { status: 200, body: { orders: [] } },
    });

    await expect(request('/api/orders')).resolves.toEqual({ orders: [] });

    expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual(['POST /api/session', 'GET /api/orders']);
    expect(calls[0]?.data).toEqual({ code: 'code-1' });
    expect(calls[0]?.header['authorization']).toBeUndefined();
    expect(calls[1]?.header['authorization']).toBe('Bearer tok-1');
    const stored = storage.get(SESSION_STORAGE_KEY) as { token: string; expiresAt: number };
    expect(stored.token).toBe('tok-1');
    expect(stored.expiresAt).toBeGreaterThan(Date.now() + 7_000_000);

    // The stored token is reused: no second login.
    await request('/api/orders');
    expect(calls.filter((c) => c.path === '/api/session')).toHaveLength(1);
    expect(taroLogin).toHaveBeenCalledTimes(1);
  });

  it('logs in again once when the server says SESSION_EXPIRED, then retries the call with the new token', async () => {
    storage.set(SESSION_STORAGE_KEY, storedSession('old-token'));
    const calls = mockApi({
      'POST /api/session': sessionReply('new-token'),
      'POST /api/orders': [
        { status: 401, body: envelope('SESSION_EXPIRED') },
        { status: 201, body: { orderId: 'order-0001' } },
      ],
    });

    await expect(request('/api/orders', { method: 'POST', data: { prompt: 'hi' } })).resolves.toEqual({
      orderId: 'order-0001',
    });

    expect(calls.map((c) => `${c.method} ${c.path} ${c.header['authorization'] ?? '-'}`)).toEqual([
      'POST /api/orders Bearer old-token',
      'POST /api/session -',
      'POST /api/orders Bearer new-token',
    ]);
    expect(calls[2]?.data).toEqual({ prompt: 'hi' });
    expect((storage.get(SESSION_STORAGE_KEY) as { token: string }).token).toBe('new-token');
  });

  it('renews at most once per failing call: a second UNAUTHENTICATED is thrown, not retried forever', async () => {
    storage.set(SESSION_STORAGE_KEY, storedSession('old-token'));
    const calls = mockApi({
      'POST /api/session': sessionReply('new-token'),
      'GET /api/orders': { status: 401, body: envelope('UNAUTHENTICATED') },
    });

    const error = await request('/api/orders').catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: 'UNAUTHENTICATED', status: 401 });
    expect(calls.filter((c) => c.path === '/api/session')).toHaveLength(1);
    expect(calls.filter((c) => c.path === '/api/orders')).toHaveLength(2);
  });

  it('shares one login between concurrent calls refused with the same expired token', async () => {
    storage.set(SESSION_STORAGE_KEY, storedSession('old-token'));
    const calls = mockApi({
      'POST /api/session': sessionReply('new-token'),
      'GET /api/orders/*': (call) =>
        call.header['authorization'] === 'Bearer new-token'
          ? { status: 200, body: { ok: call.path } }
          : { status: 401, body: envelope('SESSION_EXPIRED') },
    });

    const results = await Promise.all([request('/api/orders/aaaaaaaa'), request('/api/orders/bbbbbbbb')]);

    expect(results).toEqual([{ ok: '/api/orders/aaaaaaaa' }, { ok: '/api/orders/bbbbbbbb' }]);
    expect(calls.filter((c) => c.path === '/api/session')).toHaveLength(1);
  });

  it('asks Taro.login for a fresh code when the server refuses one (WECHAT_CODE_INVALID)', async () => {
    const calls = mockApi({
      'POST /api/session': [{ status: 401, body: envelope('WECHAT_CODE_INVALID') }, sessionReply('tok-2')],
    });

    await expect(sessionToken()).resolves.toBe('tok-2');

    expect(taroLogin).toHaveBeenCalledTimes(2);
    expect(calls.map((c) => c.data)).toEqual([{ code: 'code-1' }, { code: 'code-2' }]);
  });

  it('renews a token that expires within a minute before using it', async () => {
    storage.set(SESSION_STORAGE_KEY, { token: 'nearly-expired', expiresAt: Date.now() + 30_000 });
    const calls = mockApi({ 'POST /api/session': sessionReply('fresh') });

    await expect(sessionToken()).resolves.toBe('fresh');
    expect(calls).toHaveLength(1);
  });

  it('loads the public tiers without logging in', async () => {
    const calls = mockApi({ 'GET /api/tiers': { status: 200, body: { tiers: [] } } });

    await expect(fetchTiers()).resolves.toEqual([]);

    expect(taroLogin).not.toHaveBeenCalled();
    expect(calls).toHaveLength(1);
    expect(calls[0]?.header['authorization']).toBeUndefined();
  });
});
