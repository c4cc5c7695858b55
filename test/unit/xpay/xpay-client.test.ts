import {
  XPayApiError,
  XPayConnectionError,
  XPayRequestValidationError,
  XPayTimeoutError,
  computePaySig,
  computeUserSignature,
  createXPayClient,
  isRetryable,
  type XPayClientOptions,
} from '../../../server/src/xpay/index.js';

const APP_KEYS = { production: 'production-app-key', sandbox: 'sandbox-app-key' };
const OPENID = 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o';
const ORDER = {
  order_id: 'TTm5x1k2a0123456789abcdef',
  status: 2,
  order_type: 0,
  order_fee: 100,
  paid_fee: 100,
  left_fee: 100,
  env_type: 2,
  wx_order_id: 'wxo_0001',
};

interface Sent {
  url: URL;
  body: string;
}

/** A fetch that records what it is sent and answers from a script (one entry per call; the last repeats). */
function scriptedFetch(script: (() => Response | Promise<Response>)[]) {
  const sent: Sent[] = [];
  const fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    sent.push({ url: new URL(String(input)), body: String(init?.body) });
    const next = script[Math.min(sent.length - 1, script.length - 1)]!;
    return next();
  }) as typeof globalThis.fetch;
  return { fetch, sent };
}

const json =
  (value: unknown, status = 200) =>
  () =>
    new Response(JSON.stringify(value), { status });
const ok = (extra: Record<string, unknown> = {}) => json({ errcode: 0, errmsg: 'ok', ...extra });

function clientWith(fetch: typeof globalThis.fetch, overrides: Partial<XPayClientOptions> = {}) {
  const tokens = { get: jest.fn(async () => 'token-1'), refresh: jest.fn(async () => 'token-2') };
  const client = createXPayClient({
    appKeys: APP_KEYS,
    accessToken: tokens,
    apiBase: 'https://api.example.test/base/',
    fetch,
    retryDelayMs: 1,
    ...overrides,
  });
  return { client, tokens };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

describe('xpay client: signing and transport', () => {
  test('query_order signs the exact bytes it sends with the AppKey of the env, token in the query', async () => {
    const { fetch, sent } = scriptedFetch([ok({ order: ORDER })]);
    const { client } = clientWith(fetch);
    const order = await client.queryOrder({ openid: OPENID, env: 1, order: { orderId: ORDER.order_id } });
    expect(order).toEqual(ORDER);

    const [request] = sent;
    expect(request!.url.pathname).toBe('/base/xpay/query_order');
    expect(request!.body).toBe(`{"openid":"${OPENID}","env":1,"order_id":"${ORDER.order_id}"}`);
    expect(request!.url.searchParams.get('access_token')).toBe('token-1');
    // The signed uri is WeChat's path, whatever prefix the base carries.
    expect(request!.url.searchParams.get('pay_sig')).toBe(
      computePaySig(APP_KEYS.sandbox, '/xpay/query_order', request!.body),
    );
    expect(request!.url.searchParams.has('signature')).toBe(false);
  });

  test('env 0 is signed with the production AppKey', async () => {
    const { fetch, sent } = scriptedFetch([ok({ order: { ...ORDER, env_type: 1 } })]);
    await clientWith(fetch).client.queryOrder({ openid: OPENID, env: 0, order: { wxOrderId: 'wxo_0001' } });
    expect(JSON.parse(sent[0]!.body)).toEqual({ openid: OPENID, env: 0, wx_order_id: 'wxo_0001' });
    expect(sent[0]!.url.searchParams.get('pay_sig')).toBe(
      computePaySig(APP_KEYS.production, '/xpay/query_order', sent[0]!.body),
    );
  });

  test('query_user_balance adds the user signature under the session_key', async () => {
    const { fetch, sent } = scriptedFetch([ok({ balance: 0, first_save_flag: false })]);
    const balance = await clientWith(fetch).client.queryUserBalance({
      openid: OPENID,
      env: 1,
      userIp: '127.0.0.1',
      sessionKey: '9hAb/NEYUlkaMBEsmFgzig==',
    });
    expect(balance).toMatchObject({ balance: 0, first_save_flag: false });
    const query = sent[0]!.url.searchParams;
    expect(query.get('signature')).toBe(computeUserSignature('9hAb/NEYUlkaMBEsmFgzig==', sent[0]!.body));
    expect(query.get('pay_sig')).toBe(
      computePaySig(APP_KEYS.sandbox, '/xpay/query_user_balance', sent[0]!.body),
    );
  });

  test.each([
    ['errcode -1 (system busy)', json({ errcode: -1, errmsg: 'system error' })],
    ['HTTP 502 from a gateway', () => new Response('<html>bad gateway</html>', { status: 502 })],
    [
      'a network failure',
      () => {
        throw new TypeError('fetch failed');
      },
    ],
  ])('retries after %s with the same bytes and signature, then succeeds', async (_label, failure) => {
    const { fetch, sent } = scriptedFetch([failure, failure, ok({ order: ORDER })]);
    await clientWith(fetch).client.queryOrder({ openid: OPENID, env: 1, order: { orderId: ORDER.order_id } });
    expect(sent).toHaveLength(3);
    expect(new Set(sent.map((s) => s.body)).size).toBe(1);
    expect(new Set(sent.map((s) => s.url.searchParams.get('pay_sig'))).size).toBe(1);
  });

  test('gives up after maxRetries with the last error', async () => {
    const { fetch, sent } = scriptedFetch([json({ errcode: -1, errmsg: 'system error' })]);
    const err = await rejection(
      clientWith(fetch, { maxRetries: 1 }).client.queryOrder({
        openid: OPENID,
        env: 1,
        order: { orderId: ORDER.order_id },
      }),
    );
    expect(err).toBeInstanceOf(XPayApiError);
    expect((err as XPayApiError).code).toBe('SYSTEM_ERROR');
    expect(sent).toHaveLength(2);
  });

  test.each([
    [268490003, 'SIGNATURE_ERROR'],
    [268490002, 'INVALID_PARAMETER'],
    [268490009, 'SESSION_KEY_EXPIRED'],
    [268490016, 'LEFT_FEE_MISMATCH'],
    [268499999, 'UNKNOWN_ERRCODE'],
  ])('does not retry errcode %i, and names it %s', async (errcode, code) => {
    const { fetch, sent } = scriptedFetch([json({ errcode, errmsg: 'no, rid: 6593b2c1-4a1e0f7d-2b9c3e11' })]);
    const err = await rejection(
      clientWith(fetch).client.queryOrder({ openid: OPENID, env: 1, order: { orderId: ORDER.order_id } }),
    );
    expect(err).toMatchObject({ name: 'XPayApiError', errcode, code, api: 'query_order' });
    expect(isRetryable(err)).toBe(false);
    expect(sent).toHaveLength(1);
  });

  test('a refused access token is refreshed once and the call resent; a second refusal is final', async () => {
    const refused = json({ errcode: 40001, errmsg: 'invalid credential' });
    const first = scriptedFetch([refused, ok({ order: ORDER })]);
    const { client, tokens } = clientWith(first.fetch, { maxRetries: 0 });
    await client.queryOrder({ openid: OPENID, env: 1, order: { orderId: ORDER.order_id } });
    expect(tokens.refresh).toHaveBeenCalledTimes(1);
    expect(first.sent.map((s) => s.url.searchParams.get('access_token'))).toEqual(['token-1', 'token-2']);

    const second = scriptedFetch([refused, json({ errcode: 42001, errmsg: 'access_token expired' })]);
    const err = await rejection(
      clientWith(second.fetch).client.queryOrder({
        openid: OPENID,
        env: 1,
        order: { orderId: ORDER.order_id },
      }),
    );
    expect(err).toMatchObject({ code: 'ACCESS_TOKEN_EXPIRED' });
    expect(second.sent).toHaveLength(2);
  });

  test('a hung request times out as a retryable XPayTimeoutError whose message carries no token', async () => {
    const hang = (async (_input: unknown, init?: RequestInit) =>
      new Promise<Response>((_resolve, reject) =>
        init?.signal?.addEventListener('abort', () => reject(new Error('aborted'))),
      )) as typeof globalThis.fetch;
    const err = await rejection(
      clientWith(hang, { timeoutMs: 20, maxRetries: 0 }).client.queryOrder({
        openid: OPENID,
        env: 1,
        order: { orderId: ORDER.order_id },
      }),
    );
    expect(err).toBeInstanceOf(XPayTimeoutError);
    expect(isRetryable(err)).toBe(true);
    expect(err.message).not.toContain('token-1');
  });

  test('answers that are not the protocol are INVALID_RESPONSE, not crashes', async () => {
    for (const answer of [
      () => new Response('not json', { status: 200 }),
      json([1, 2]),
      ok({}), // no order
      ok({ order: { ...ORDER, status: '2' } }),
    ]) {
      const { fetch } = scriptedFetch([answer]);
      const err = await rejection(
        clientWith(fetch).client.queryOrder({ openid: OPENID, env: 1, order: { orderId: ORDER.order_id } }),
      );
      expect(err).toMatchObject({ name: 'XPayApiError', code: 'INVALID_RESPONSE' });
    }
  });

  test('a connection error is an XPayConnectionError', async () => {
    const { fetch } = scriptedFetch([() => new Response('', { status: 503 })]);
    const err = await rejection(
      clientWith(fetch, { maxRetries: 0 }).client.queryOrder({
        openid: OPENID,
        env: 1,
        order: { orderId: ORDER.order_id },
      }),
    );
    expect(err).toBeInstanceOf(XPayConnectionError);
    expect((err as XPayConnectionError).status).toBe(503);
  });
});

describe('xpay client: the calls', () => {
  const refund = {
    openid: OPENID,
    env: 1 as const,
    order: { orderId: ORDER.order_id },
    refundOrderId: 'TTm5x1k2a-R1',
    leftFee: 100,
    refundFee: 100,
    refundReason: '3' as const,
    reqFrom: '3' as const,
  };

  test('refund_order sends the documented fields in order and returns the refund ids', async () => {
    const { fetch, sent } = scriptedFetch([
      ok({
        refund_order_id: 'TTm5x1k2a-R1',
        refund_wx_order_id: 'wxr_1',
        pay_order_id: ORDER.order_id,
        pay_wx_order_id: 'wxo_0001',
      }),
    ]);
    const result = await clientWith(fetch).client.refundOrder({ ...refund, bizMeta: 'model failed' });
    expect(result).toEqual({
      refund_order_id: 'TTm5x1k2a-R1',
      refund_wx_order_id: 'wxr_1',
      pay_order_id: ORDER.order_id,
      pay_wx_order_id: 'wxo_0001',
      duplicate: false,
    });
    expect(Object.keys(JSON.parse(sent[0]!.body))).toEqual([
      'openid',
      'order_id',
      'refund_order_id',
      'left_fee',
      'refund_fee',
      'biz_meta',
      'refund_reason',
      'req_from',
      'env',
    ]);
  });

  test('a repeated refund_order_id (268490004) is the refund already accepted, not a failure', async () => {
    const { fetch } = scriptedFetch([json({ errcode: 268490004, errmsg: 'repeated' })]);
    expect(await clientWith(fetch).client.refundOrder(refund)).toEqual({
      refund_order_id: 'TTm5x1k2a-R1',
      duplicate: true,
    });
  });

  test.each([
    ['refund_fee', { refundFee: 101 }],
    ['refund_fee', { refundFee: 0 }],
    ['refund_order_id', { refundOrderId: 'R1' }],
    ['refund_order_id', { refundOrderId: 'TT|R1-000000' }],
    ['refund_reason', { refundReason: '6' }],
    ['req_from', { reqFrom: '4' }],
    ['biz_meta', { bizMeta: 'x'.repeat(1025) }],
    ['env', { env: 2 }],
    ['order_id', { order: { orderId: 'TT#000000' } }],
  ])('refuses a bad %s before sending anything', async (field, change) => {
    const { fetch, sent } = scriptedFetch([ok()]);
    const err = await rejection(clientWith(fetch).client.refundOrder({ ...refund, ...(change as object) }));
    expect(err).toBeInstanceOf(XPayRequestValidationError);
    expect((err as XPayRequestValidationError).field).toBe(field);
    expect(sent).toHaveLength(0);
  });

  test('notify_provide_goods resolves alreadyProvided on 268490004', async () => {
    const first = scriptedFetch([ok()]);
    expect(
      await clientWith(first.fetch).client.notifyProvideGoods({ env: 1, order: { orderId: ORDER.order_id } }),
    ).toEqual({
      alreadyProvided: false,
    });
    expect(JSON.parse(first.sent[0]!.body)).toEqual({ order_id: ORDER.order_id, env: 1 });
    const again = scriptedFetch([json({ errcode: 268490004, errmsg: 'repeated' })]);
    expect(
      await clientWith(again.fetch).client.notifyProvideGoods({ env: 1, order: { orderId: ORDER.order_id } }),
    ).toEqual({
      alreadyProvided: true,
    });
  });

  test('queryRefund reads the refund order and refuses a payment order under that id', async () => {
    const refundOrder = { ...ORDER, order_id: 'TTm5x1k2a-R1', order_type: 1, status: 5 };
    const { fetch, sent } = scriptedFetch([ok({ order: refundOrder })]);
    const order = await clientWith(fetch).client.queryRefund({
      openid: OPENID,
      env: 1,
      refundOrderId: 'TTm5x1k2a-R1',
    });
    expect(order.status).toBe(5);
    expect(JSON.parse(sent[0]!.body)).toMatchObject({ order_id: 'TTm5x1k2a-R1' });

    const wrong = scriptedFetch([ok({ order: { ...refundOrder, order_type: 0 } })]);
    const err = await rejection(
      clientWith(wrong.fetch).client.queryRefund({ openid: OPENID, env: 1, refundOrderId: 'TTm5x1k2a-R1' }),
    );
    expect(err).toMatchObject({ code: 'INVALID_RESPONSE' });
  });

  test('a missing AppKey for the env is refused before anything is sent', async () => {
    const { fetch, sent } = scriptedFetch([ok({ order: ORDER })]);
    const client = clientWith(fetch, { appKeys: { production: 'p', sandbox: '' } }).client;
    await expect(
      client.queryOrder({ openid: OPENID, env: 1, order: { orderId: ORDER.order_id } }),
    ).rejects.toThrow(/sandbox AppKey/);
    expect(sent).toHaveLength(0);
  });
});
