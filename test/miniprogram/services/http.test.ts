import Taro from '@tarojs/taro';
import { ApiError } from '../../../miniprogram/src/services/api-error';
import { REQUEST_TIMEOUT_MS, apiUrl, get, request } from '../../../miniprogram/src/services/http';
import { SESSION_STORAGE_KEY } from '../../../miniprogram/src/services/session';
import { storage } from '../mocks/taro';
import { storedSession } from '../support/api';

const taroRequest = jest.mocked(Taro.request);

describe('http service', () => {
  const originalBase = process.env.TARO_APP_API_BASE;

  beforeEach(() => {
    taroRequest.mockReset();
    process.env.TARO_APP_API_BASE = 'http://127.0.0.1:3000/';
    // Logged in already: these tests are about the transport (login and renewal: session.test.ts).
    storage.clear();
    storage.set(SESSION_STORAGE_KEY, storedSession('tok-http'));
  });

  afterAll(() => {
    process.env.TARO_APP_API_BASE = originalBase;
  });

  it('sends JSON with the session token to the configured base URL with a 15 s timeout, returns the 2xx body', async () => {
    taroRequest.mockResolvedValue({ statusCode: 200, data: { ok: true }, header: {}, errMsg: 'request:ok' });

    await expect(request('/api/orders', { method: 'POST', data: { prompt: 'hi' } })).resolves.toEqual({
      ok: true,
    });

    expect(taroRequest).toHaveBeenCalledTimes(1);
    expect(taroRequest.mock.calls[0]?.[0]).toMatchObject({
      url: 'http://127.0.0.1:3000/api/orders',
      method: 'POST',
      data: { prompt: 'hi' },
      dataType: 'json',
      timeout: REQUEST_TIMEOUT_MS,
      header: { 'content-type': 'application/json', authorization: 'Bearer tok-http' },
    });
    expect(REQUEST_TIMEOUT_MS).toBe(15_000);
  });

  it('sends no authorization header on a call made with auth: false', async () => {
    taroRequest.mockResolvedValue({ statusCode: 200, data: {}, header: {}, errMsg: 'request:ok' });

    await request('/sandbox/pay', { method: 'POST', data: {}, auth: false });

    expect(taroRequest.mock.calls[0]?.[0].header).toEqual({ 'content-type': 'application/json' });
  });

  it('uses a relative URL when no base is configured (H5, same origin)', () => {
    process.env.TARO_APP_API_BASE = '';
    expect(apiUrl('/api/tiers')).toBe('/api/tiers');
    delete process.env.TARO_APP_API_BASE;
    expect(apiUrl('/api/tiers')).toBe('/api/tiers');
  });

  it('turns an error envelope into an ApiError with its code, message, status and request id', async () => {
    taroRequest.mockResolvedValue({
      statusCode: 503,
      data: { error: { code: 'UPSTREAM_UNAVAILABLE', message: 'Model busy', requestId: 'req-42' } },
      header: {},
      errMsg: 'request:ok',
    });

    const error = await get('/api/tiers').catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      name: 'ApiError',
      code: 'UPSTREAM_UNAVAILABLE',
      message: 'Model busy',
      status: 503,
      requestId: 'req-42',
    });
  });

  it('reports a non-2xx answer without an envelope as BAD_RESPONSE', async () => {
    taroRequest.mockResolvedValue({
      statusCode: 502,
      data: '<html>Bad Gateway</html>',
      header: {},
      errMsg: '',
    });

    await expect(get('/api/tiers')).rejects.toMatchObject({ code: 'BAD_RESPONSE', status: 502 });
  });

  it('reports a timeout as TIMEOUT and other transport failures as NETWORK_ERROR', async () => {
    taroRequest.mockRejectedValueOnce({ errMsg: 'request:fail timeout' });
    await expect(get('/api/tiers')).rejects.toMatchObject({ code: 'TIMEOUT', status: 0 });

    taroRequest.mockRejectedValueOnce({ errMsg: 'request:fail url not in domain list' });
    await expect(get('/api/tiers')).rejects.toMatchObject({
      code: 'NETWORK_ERROR',
      message: 'request:fail url not in domain list',
    });
  });
});
