import { XPAY_ORDER_STATUS } from '../../../server/src/xpay/index.js';
import { XPAY_PUSH_MAX_ATTEMPTS } from '../../../server/src/sandbox/index.js';
import { useSandbox } from '../sandbox/support/sandbox-harness.js';
import {
  configurePush,
  login,
  outTradeNoOf,
  pay,
  paymentParams,
  usePushEndpoint,
  xpayClient,
  type SandboxUser,
} from './support/xpay-harness.js';

const h = useSandbox(() => ({ notifyScale: 0.001 }));
const endpoint = usePushEndpoint(h);

/** Pays for an item after arming `fault` on it; returns the user and the outTradeNo once pushes settled. */
async function payWithFault(
  fault: Record<string, unknown>,
): Promise<{ user: SandboxUser; outTradeNo: string }> {
  const user = await login(h, 'mallory');
  const params = paymentParams(h, user);
  const outTradeNo = outTradeNoOf(params);
  if (Object.keys(fault).length > 0) {
    expect(
      (await h.call('POST', '/sandbox/xpay/faults', { out_trade_no: outTradeNo, ...fault })).status,
    ).toBe(200);
  }
  expect((await pay(h, user, { ...params })).status).toBe(200);
  await h.sandbox.settled();
  return { user, outTradeNo };
}

const statusOf = async (user: SandboxUser, outTradeNo: string) =>
  (await xpayClient(h).queryOrder({ openid: user.openid, env: 1, order: { orderId: outTradeNo } })).status;

describe('xpay sandbox: push faults', () => {
  test('a lost push leaves the order paid but undelivered; notify_provide_goods delivers it, once', async () => {
    const { user, outTradeNo } = await payWithFault({ drop: true });
    expect(endpoint.current.received).toHaveLength(0);
    expect(h.sandbox.xpay.pushes(outTradeNo)[0]!.state).toBe('dropped');
    expect(await statusOf(user, outTradeNo)).toBe(XPAY_ORDER_STATUS.PAID);

    const client = xpayClient(h);
    expect(await client.notifyProvideGoods({ env: 1, order: { orderId: outTradeNo } })).toEqual({
      alreadyProvided: false,
    });
    expect(await statusOf(user, outTradeNo)).toBe(XPAY_ORDER_STATUS.PROVIDED);
    expect(await client.notifyProvideGoods({ env: 1, order: { orderId: outTradeNo } })).toEqual({
      alreadyProvided: true,
    });
  });

  test('a duplicated push arrives as identical, individually valid copies', async () => {
    const { outTradeNo } = await payWithFault({ duplicates: 3 });
    const received = endpoint.current.received;
    expect(received).toHaveLength(3);
    expect(received.every((r) => r.status === 200 && r.reason === undefined)).toBe(true);
    expect(new Set(received.map((r) => JSON.stringify(r.event)))).toEqual(
      new Set([JSON.stringify(received[0]!.event)]),
    );
    // Each copy is sealed on its own (its own nonce), as WeChat's own duplicates are.
    expect(new Set(received.map((r) => r.query['nonce'])).size).toBe(3);
    expect(h.sandbox.xpay.pushes(outTradeNo)[0]!.state).toBe('delivered');
  });

  test.each([
    ['badSignature', 'bad_signature'],
    ['staleTimestamp', 'stale_timestamp'],
    ['wrongAppid', 'wrong_appid'],
  ])(
    'a forged first attempt (%s) is refused by the endpoint, and the genuine retry delivers',
    async (fault, reason) => {
      const { user, outTradeNo } = await payWithFault({ [fault]: true });
      const received = endpoint.current.received;
      expect(received.map((r) => [r.reason, r.status])).toEqual([
        [reason, 401],
        [undefined, 200],
      ]);
      const [push] = h.sandbox.xpay.pushes(outTradeNo);
      expect(push).toMatchObject({ state: 'delivered' });
      expect(push!.merchantAcceptedInvalid).toBeUndefined();
      expect(await statusOf(user, outTradeNo)).toBe(XPAY_ORDER_STATUS.PROVIDED);
    },
  );

  test('an endpoint that acknowledges a forged push is flagged', async () => {
    endpoint.current.override = () => ({ status: 200, body: 'success' });
    const { outTradeNo } = await payWithFault({ badSignature: true });
    expect(h.sandbox.xpay.pushes(outTradeNo)[0]).toMatchObject({
      state: 'delivered',
      merchantAcceptedInvalid: 'bad_signature',
    });
  });

  test(`an endpoint that keeps failing gets ${XPAY_PUSH_MAX_ATTEMPTS} tries; the order stays paid until confirmed`, async () => {
    endpoint.current.override = () => ({ status: 500, body: '' });
    const { user, outTradeNo } = await payWithFault({});
    expect(endpoint.current.received).toHaveLength(XPAY_PUSH_MAX_ATTEMPTS);
    const [push] = h.sandbox.xpay.pushes(outTradeNo);
    expect(push!.state).toBe('failed');
    expect(push!.attempts.map((a) => a.attempt)).toEqual([1, 2, 3]);
    expect(await statusOf(user, outTradeNo)).toBe(XPAY_ORDER_STATUS.PAID);
  });

  test('a 200 that is not an acknowledgement in the push format counts as a failure', async () => {
    await configurePush(h, endpoint.current, 'safe', 'xml');
    // First a bare "ok", then a JSON acknowledgement to an XML push, then a proper XML one.
    const replies = ['ok', '{"ErrCode":0,"ErrMsg":"success"}'];
    endpoint.current.override = (_entry, index) =>
      index < replies.length ? { status: 200, body: replies[index]! } : undefined;
    const { outTradeNo } = await payWithFault({});
    const [push] = h.sandbox.xpay.pushes(outTradeNo);
    expect(push!.attempts.map((a) => a.ok)).toEqual([false, false, true]);
    expect(push!.attempts[0]!.refused).toMatch(/not an acknowledgement/);
  });

  test('with no push URL configured nothing is pushed, and query_order is the only way to learn of the payment', async () => {
    expect((await h.call('POST', '/sandbox/xpay/push-config', { url: null })).json).not.toHaveProperty('url');
    const { user, outTradeNo } = await payWithFault({});
    expect(h.sandbox.xpay.pushes(outTradeNo)[0]!.state).toBe('not_configured');
    expect(await statusOf(user, outTradeNo)).toBe(XPAY_ORDER_STATUS.PAID);
  });

  test('fault and push settings requests are validated', async () => {
    expect((await h.call('POST', '/sandbox/xpay/faults', { dropp: true })).json).toMatchObject({
      code: 'BAD_REQUEST',
    });
    expect(
      (await h.call('POST', '/sandbox/xpay/faults', { badSignature: true, wrongAppid: true })).status,
    ).toBe(400);
    expect((await h.call('POST', '/sandbox/xpay/push-config', { mode: 'secure' })).status).toBe(400);
    expect((await h.call('POST', '/sandbox/xpay/push-config', { url: 'ftp://x' })).status).toBe(400);
    const state = await h.call('GET', '/sandbox/xpay/state');
    expect(state.json).toMatchObject({ offerId: h.sandbox.xpay.credentials.offerId, push: { mode: 'safe' } });
    // The state never carries the AppKeys, the push Token or the AES key.
    const text = JSON.stringify(state.json);
    const { appKey, sandboxAppKey, pushToken, pushAesKey } = h.sandbox.xpay.credentials;
    for (const secret of [appKey, sandboxAppKey, pushToken, pushAesKey]) expect(text).not.toContain(secret);
  });
});
