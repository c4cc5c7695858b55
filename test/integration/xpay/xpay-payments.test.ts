import {
  XPAY_ORDER_STATUS,
  XPayApiError,
  computePaySig,
  type GoodsDeliverNotify,
} from '../../../server/src/xpay/index.js';
import { useSandbox } from '../sandbox/support/sandbox-harness.js';
import {
  appKeysOf,
  configurePush,
  login,
  outTradeNoOf,
  pay,
  paymentParams,
  usePushEndpoint,
  xpayClient,
} from './support/xpay-harness.js';

const h = useSandbox(() => ({ notifyScale: 0.001 }));
const endpoint = usePushEndpoint(h);

async function rejection(promise: Promise<unknown>): Promise<XPayApiError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof XPayApiError) return err;
    throw err;
  }
  throw new Error('expected an XPayApiError');
}

describe('xpay sandbox: paying and the delivery push', () => {
  test('a paid item is pushed (safe mode, JSON), verified by the endpoint, acknowledged, and delivered', async () => {
    const user = await login(h, 'alice');
    const params = paymentParams(h, user, { goodsPrice: 300, buyQuantity: 2, activitySellingPrice: 200 });
    const paid = await pay(h, user, { ...params });
    expect(paid.status).toBe(200);
    expect(paid.json).toMatchObject({
      errMsg: 'requestVirtualPayment:ok',
      order: { status: XPAY_ORDER_STATUS.PAID },
    });
    await h.sandbox.settled();

    const [received] = endpoint.current.received;
    expect(received).toMatchObject({ status: 200, format: 'json', encrypted: true });
    expect(received!.query).toHaveProperty('msg_signature');
    const event = received!.event as GoodsDeliverNotify;
    expect(event).toMatchObject({
      Event: 'xpay_goods_deliver_notify',
      ToUserName: h.sandbox.xpay.credentials.originalId,
      OpenId: user.openid,
      OutTradeNo: outTradeNoOf(params),
      Env: 1,
      GoodsInfo: {
        ProductId: 'answer_standard',
        Quantity: 2,
        OrigPrice: 600,
        ActualPrice: 400,
        Attach: 'tier:standard',
      },
    });
    expect(event.WeChatPayInfo?.TransactionId).toMatch(/^4200\d{24}$/);

    const order = await xpayClient(h).queryOrder({
      openid: user.openid,
      env: 1,
      order: { orderId: event.OutTradeNo },
    });
    expect(order).toMatchObject({
      status: XPAY_ORDER_STATUS.PROVIDED,
      order_type: 0,
      env_type: 2,
      order_fee: 600,
      paid_fee: 400,
      left_fee: 400,
    });
    expect(order.provide_time).toBeGreaterThanOrEqual(order.paid_time ?? 0);
  });

  test.each([
    ['plaintext', 'json'],
    ['plaintext', 'xml'],
    ['safe', 'xml'],
    ['compatible', 'json'],
  ] as const)('pushes in %s mode as %s, each verified and typed by the endpoint', async (mode, format) => {
    await configurePush(h, endpoint.current, mode, format);
    const user = await login(h, 'bob');
    const params = paymentParams(h, user);
    expect((await pay(h, user, { ...params })).status).toBe(200);
    await h.sandbox.settled();
    const [received] = endpoint.current.received;
    expect(received).toMatchObject({ status: 200, format, encrypted: mode !== 'plaintext' });
    expect(received!.event).toMatchObject({
      Event: 'xpay_goods_deliver_notify',
      OutTradeNo: outTradeNoOf(params),
      Env: 1,
    });
    expect(received!.reply).toBe(
      format === 'json'
        ? '{"ErrCode":0,"ErrMsg":"success"}'
        : '<xml><ErrCode>0</ErrCode><ErrMsg><![CDATA[success]]></ErrMsg></xml>',
    );
    expect(h.sandbox.xpay.pushes(outTradeNoOf(params))[0]!.state).toBe('delivered');
  });

  test('iOS pays through Apple: production env only, 1 yuan at least, and no WeChatPayInfo in the push', async () => {
    const user = await login(h, 'carol');
    const sandboxEnv = await pay(h, user, { ...paymentParams(h, user) }, 'ios');
    expect(sandboxEnv.json).toMatchObject({
      errCode: -1,
      errMsg: expect.stringContaining('PAYMENT_ILLEGAL_IN_SANDBOX'),
    });
    const cheap = await pay(h, user, { ...paymentParams(h, user, { env: 0, goodsPrice: 99 }) }, 'ios');
    expect(cheap.json.errMsg).toContain('1 yuan');

    const params = paymentParams(h, user, { env: 0 });
    expect((await pay(h, user, { ...params }, 'ios')).status).toBe(200);
    await h.sandbox.settled();
    const event = endpoint.current.events()[0] as GoodsDeliverNotify;
    expect(event).toMatchObject({ Env: 0, OutTradeNo: outTradeNoOf(params) });
    expect(event).not.toHaveProperty('WeChatPayInfo');
  });
});

describe('xpay sandbox: wx.requestVirtualPayment refusals (the fail callback)', () => {
  test('paySig signed with the AppKey of the other env is -15006', async () => {
    const user = await login(h, 'dave');
    const keys = appKeysOf(h);
    const swapped = paymentParams(
      h,
      user,
      {},
      { appKeys: { production: keys.sandbox, sandbox: keys.production } },
    );
    const answer = await pay(h, user, { ...swapped });
    expect(answer).toMatchObject({ status: 400, json: { errCode: -15006, errName: 'PAY_SIG_ERROR' } });
  });

  test('signData re-serialised by the client breaks the signatures it was sent with', async () => {
    const user = await login(h, 'erin');
    const params = paymentParams(h, user);
    const reserialised = JSON.stringify(JSON.parse(params.signData), null, 2);
    const answer = await pay(h, user, { ...params, signData: reserialised });
    expect(answer.json).toMatchObject({ errCode: -15006 });
    // Passing it as an object, as the type name suggests, is refused outright.
    expect((await pay(h, user, { ...params, signData: JSON.parse(params.signData) })).json.errCode).toBe(
      -15016,
    );
  });

  test('a session_key replaced by a later login is -15005; a user who never logged in is -15007', async () => {
    const user = await login(h, 'frank');
    const params = paymentParams(h, user);
    await login(h, 'frank'); // logs in again elsewhere: a new session_key
    const stale = await pay(h, user, { ...params });
    expect(stale.json).toMatchObject({ errCode: -15005, errMsg: expect.stringContaining('log in again') });

    const stranger = {
      openid: h.sandbox.wechat.openidFor('never-logged-in'),
      sessionKey: 'AAAAAAAAAAAAAAAAAAAAAA==',
    };
    expect((await pay(h, stranger, { ...paymentParams(h, stranger) })).json.errCode).toBe(-15007);
  });

  test('outTradeNo is single use (-15002), and another offerId is -15001', async () => {
    const user = await login(h, 'grace');
    const params = paymentParams(h, user);
    expect((await pay(h, user, { ...params })).status).toBe(200);
    expect((await pay(h, user, { ...params })).json.errCode).toBe(-15002);
    expect((await pay(h, user, { ...paymentParams(h, user, { offerId: '1234567890' }) })).json.errCode).toBe(
      -15001,
    );
  });
});

describe('xpay sandbox: the server API', () => {
  test("query_order signed with the other env's AppKey is 268490003; another user's openid 268490001", async () => {
    const user = await login(h, 'heidi');
    const params = paymentParams(h, user);
    await pay(h, user, { ...params });
    const keys = appKeysOf(h);
    const swapped = xpayClient(h, { appKeys: { production: keys.sandbox, sandbox: keys.production } });
    const order = { orderId: outTradeNoOf(params) };
    expect(await rejection(swapped.queryOrder({ openid: user.openid, env: 1, order }))).toMatchObject({
      errcode: 268490003,
      code: 'SIGNATURE_ERROR',
    });
    const other = await login(h, 'ivan');
    expect(await rejection(xpayClient(h).queryOrder({ openid: other.openid, env: 1, order }))).toMatchObject({
      code: 'INVALID_OPENID',
    });
    // Production and sandbox are separate books.
    expect(await rejection(xpayClient(h).queryOrder({ openid: user.openid, env: 0, order }))).toMatchObject({
      code: 'INVALID_PARAMETER',
    });
  });

  test('a stale access token is refused with 40001, and the client refreshes it once', async () => {
    const user = await login(h, 'judy');
    const params = paymentParams(h, user);
    await pay(h, user, { ...params });
    let refreshed = 0;
    const client = xpayClient(h, {
      accessToken: {
        get: async () => 'not-a-token',
        refresh: async () => {
          refreshed += 1;
          const answer = await h.call('POST', '/sandbox/wechat/cgi-bin/stable_token', {
            grant_type: 'client_credential',
            appid: h.keys.appid,
            secret: h.keys.appSecret,
          });
          return answer.json.access_token as string;
        },
      },
    });
    const order = await client.queryOrder({
      openid: user.openid,
      env: 1,
      order: { orderId: outTradeNoOf(params) },
    });
    expect(order.order_id).toBe(outTradeNoOf(params));
    expect(refreshed).toBe(1);
  });

  test('query_user_balance needs the current session_key: an old one is 268490009, a wrong one 268490003', async () => {
    const first = await login(h, 'kim');
    const client = xpayClient(h);
    const balance = await client.queryUserBalance({
      openid: first.openid,
      env: 1,
      userIp: '127.0.0.1',
      sessionKey: first.sessionKey,
    });
    expect(balance).toMatchObject({ balance: 0, first_save_flag: false });
    await login(h, 'kim');
    const stale = await rejection(
      client.queryUserBalance({
        openid: first.openid,
        env: 1,
        userIp: '127.0.0.1',
        sessionKey: first.sessionKey,
      }),
    );
    expect(stale.code).toBe('SESSION_KEY_EXPIRED');
    const wrong = await rejection(
      client.queryUserBalance({
        openid: first.openid,
        env: 1,
        userIp: '127.0.0.1',
        sessionKey: 'd3Jvbmcga2V5IGhlcmU=',
      }),
    );
    expect(wrong.code).toBe('SIGNATURE_ERROR');
  });

  test('the emulator checks pay_sig over the exact bytes it received', async () => {
    const user = await login(h, 'leo');
    const params = paymentParams(h, user);
    await pay(h, user, { ...params });
    const token = (
      await h.call('POST', '/sandbox/wechat/cgi-bin/stable_token', {
        grant_type: 'client_credential',
        appid: h.keys.appid,
        secret: h.keys.appSecret,
      })
    ).json.access_token as string;
    const signed = JSON.stringify({ openid: user.openid, env: 1, order_id: outTradeNoOf(params) });
    const paySig = computePaySig(appKeysOf(h).sandbox, '/xpay/query_order', signed);
    const send = async (body: string) =>
      (
        await h.call(
          'POST',
          `/sandbox/wechat/xpay/query_order?access_token=${encodeURIComponent(token)}&pay_sig=${paySig}`,
          body,
        )
      ).json;
    expect(await send(signed)).toMatchObject({ errcode: 0, order: { order_id: outTradeNoOf(params) } });
    // The same JSON with a space: same meaning, other bytes.
    expect(await send(signed.replace('"env":1', '"env": 1'))).toMatchObject({ errcode: 268490003 });
  });

  test('unknown xpay APIs and methods answer as WeChat does (40066)', async () => {
    expect((await h.call('POST', '/sandbox/wechat/xpay/no_such_api', '{}')).json).toMatchObject({
      errcode: 40066,
    });
    expect((await h.call('GET', '/sandbox/wechat/xpay/query_order')).json).toMatchObject({ errcode: 40066 });
  });
});
