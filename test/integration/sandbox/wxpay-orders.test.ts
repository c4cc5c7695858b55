import { generateKeyPairSync } from 'node:crypto';

import {
  WxPayApiError,
  createRequestSigner,
  createWechatpayVerifier,
  type JsapiOrderInput,
} from '../../../server/src/payment/index.js';
import { newOutTradeNo, startSandbox, useSandbox, type SandboxHarness } from './support/sandbox-harness.js';

const h = useSandbox();

const OPENID = 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o';

function order(overrides: Partial<JsapiOrderInput> = {}): JsapiOrderInput {
  return {
    description: 'TokenTill 回答 · pro',
    outTradeNo: newOutTradeNo(),
    notifyUrl: h.receiver.url,
    amountFen: 300,
    payerOpenid: OPENID,
    attach: 'tier:pro',
    timeExpire: new Date(Date.now() + 30 * 60_000),
    ...overrides,
  };
}

/** Sends a correctly signed raw request, for bodies the typed client would refuse to build. */
async function signedRequest(method: 'GET' | 'POST', pathAndQuery: string, body?: unknown) {
  const signer = createRequestSigner({
    mchid: h.keys.mchid,
    merchantSerial: h.keys.merchantSerial,
    merchantPrivateKey: h.keys.merchantPrivateKey,
  });
  const url = new URL(`${h.wxpayBase}${pathAndQuery}`);
  const text = body === undefined ? '' : JSON.stringify(body);
  const signed = await signer.sign(method, url.pathname + url.search, text);
  const response = await fetch(url, {
    method,
    headers: {
      Authorization: signed.authorization,
      'Content-Type': 'application/json',
      Accept: 'application/json',
    },
    body: method === 'GET' ? undefined : text,
  });
  return { status: response.status, headers: response.headers, json: (await response.json()) as any };
}

describe('WeChat Pay sandbox: orders end to end', () => {
  it('creates an order, reports NOTPAY, takes the payment, notifies the merchant and then reports SUCCESS', async () => {
    const input = order();
    const { prepayId } = await h.client.createJsapiOrder(input);
    expect(prepayId).toMatch(/^wx\d{14}[0-9a-f]{20}$/);

    const unpaid = await h.client.queryByOutTradeNo(input.outTradeNo);
    expect(unpaid).toMatchObject({
      trade_state: 'NOTPAY',
      amount: { total: 300 },
      out_trade_no: input.outTradeNo,
    });
    expect(unpaid.transaction_id).toBeUndefined();
    expect(unpaid.payer).toBeUndefined();

    const paid = await h.call('POST', '/sandbox/pay', { out_trade_no: input.outTradeNo });
    expect(paid.status).toBe(200);
    expect(paid.json.transaction.trade_state).toBe('SUCCESS');

    const [received] = await h.receiver.waitFor(1);
    expect(received!.reason).toBeUndefined();
    expect(received!.status).toBe(204);
    expect(received!.headers['wechatpay-serial']).toBe(h.keys.publicKeyId);
    expect(received!.headers['wechatpay-signature-type']).toBe('WECHATPAY2-SHA256-RSA2048');
    const envelope = JSON.parse(received!.body.toString('utf8'));
    expect(envelope).toMatchObject({
      resource_type: 'encrypt-resource',
      event_type: 'TRANSACTION.SUCCESS',
      summary: '支付成功',
      resource: {
        original_type: 'transaction',
        algorithm: 'AEAD_AES_256_GCM',
        associated_data: 'transaction',
      },
    });
    expect(envelope.resource.nonce).toHaveLength(12);
    const notification = received!.notification!;
    expect(notification.kind).toBe('transaction');
    expect(notification.resource).toMatchObject({
      appid: h.keys.appid,
      mchid: h.keys.mchid,
      out_trade_no: input.outTradeNo,
      trade_state: 'SUCCESS',
      trade_type: 'JSAPI',
      attach: 'tier:pro',
      payer: { openid: OPENID },
      amount: { total: 300, payer_total: 300, currency: 'CNY' },
    });
    expect(notification.resource.transaction_id).toMatch(/^4200\d{24}$/);

    const settled = await h.client.queryByOutTradeNo(input.outTradeNo);
    expect(settled).toMatchObject({
      trade_state: 'SUCCESS',
      transaction_id: notification.resource.transaction_id,
      success_time: notification.resource.success_time,
      attach: 'tier:pro',
      payer: { openid: OPENID },
    });
    await h.sandbox.settled();
    const [delivery] = h.sandbox.deliveries(input.outTradeNo);
    expect(delivery).toMatchObject({
      state: 'delivered',
      eventType: 'TRANSACTION.SUCCESS',
      url: h.receiver.url,
    });
    expect(delivery!.attempts).toEqual([expect.objectContaining({ attempt: 1, status: 204, ok: true })]);
  });

  it('pays by prepay_id and by the signed wx.requestPayment parameters, and refuses a forged paySign', async () => {
    const first = order();
    const { prepayId } = await h.client.createJsapiOrder(first);
    expect((await h.call('POST', '/sandbox/pay', { prepay_id: prepayId })).status).toBe(200);

    const { buildRequestPaymentParams } = await import('../../../server/src/payment/index.js');
    const second = order();
    const created = await h.client.createJsapiOrder(second);
    const params = await buildRequestPaymentParams({
      appid: h.keys.appid,
      prepayId: created.prepayId,
      merchantPrivateKey: h.keys.merchantPrivateKey,
    });
    const forged = await h.call('POST', '/sandbox/pay', { ...params, nonceStr: 'tampered' });
    expect(forged.status).toBe(400);
    expect(forged.json.code).toBe('SIGN_ERROR');
    expect((await h.call('POST', '/sandbox/pay', params)).status).toBe(200);
    expect((await h.client.queryByOutTradeNo(second.outTradeNo)).trade_state).toBe('SUCCESS');
  });

  it('returns the same prepay_id for a repeated identical order and refuses changed parameters', async () => {
    const input = order();
    const first = await h.client.createJsapiOrder(input);
    const again = await h.client.createJsapiOrder(input);
    expect(again.prepayId).toBe(first.prepayId);

    const changed = h.client.createJsapiOrder({ ...input, amountFen: 301 });
    await expect(changed).rejects.toBeInstanceOf(WxPayApiError);
    await expect(changed).rejects.toMatchObject({
      status: 400,
      code: 'INVALID_REQUEST',
      message: '请求重入时，参数与首次请求时不一致',
    });
  });

  it('closes an unpaid order, which then reads CLOSED and can be neither paid nor re-ordered', async () => {
    const input = order();
    await h.client.createJsapiOrder(input);
    await h.client.closeOrder(input.outTradeNo);
    await h.client.closeOrder(input.outTradeNo); // closing twice is harmless, as with WeChat
    expect((await h.client.queryByOutTradeNo(input.outTradeNo)).trade_state).toBe('CLOSED');

    const pay = await h.call('POST', '/sandbox/pay', { out_trade_no: input.outTradeNo });
    expect(pay).toMatchObject({ status: 400, json: { code: 'ORDER_CLOSED' } });
    await expect(h.client.createJsapiOrder(input)).rejects.toMatchObject({ code: 'ORDER_CLOSED' });
    await h.sandbox.settled();
    expect(h.receiver.received).toHaveLength(0);
  });

  it('refuses to close a paid order with ORDERPAID and to pay it twice', async () => {
    const input = order();
    await h.client.createJsapiOrder(input);
    await h.call('POST', '/sandbox/pay', { out_trade_no: input.outTradeNo });
    await expect(h.client.closeOrder(input.outTradeNo)).rejects.toMatchObject({
      status: 400,
      code: 'ORDERPAID',
    });
    expect(await h.call('POST', '/sandbox/pay', { out_trade_no: input.outTradeNo })).toMatchObject({
      status: 400,
      json: { code: 'ORDERPAID' },
    });
    await expect(h.client.createJsapiOrder(input)).rejects.toMatchObject({ code: 'ORDERPAID' });
  });

  it('answers ORDER_NOT_EXIST (404) for an unknown order', async () => {
    await expect(h.client.queryByOutTradeNo('NoSuchOrder1')).rejects.toMatchObject({
      status: 404,
      code: 'ORDER_NOT_EXIST',
    });
  });
});

describe('WeChat Pay sandbox: refunds', () => {
  it('accepts a refund as PROCESSING, then notifies REFUND.SUCCESS and reports SUCCESS', async () => {
    const input = order();
    await h.client.createJsapiOrder(input);
    await h.call('POST', '/sandbox/pay', { out_trade_no: input.outTradeNo });
    await h.receiver.waitFor(1);

    const refundInput = {
      outTradeNo: input.outTradeNo,
      outRefundNo: `R${input.outTradeNo}`,
      refundFen: 300,
      totalFen: 300,
      reason: '生成失败',
    };
    const accepted = await h.client.createRefund(refundInput);
    expect(accepted).toMatchObject({
      status: 'PROCESSING',
      out_trade_no: input.outTradeNo,
      amount: { refund: 300, total: 300 },
    });
    expect(accepted.refund_id).toMatch(/^50\d{27}$/);
    expect((await h.client.createRefund(refundInput)).refund_id).toBe(accepted.refund_id);
    expect((await h.client.queryByOutTradeNo(input.outTradeNo)).trade_state).toBe('REFUND');

    const received = await h.receiver.waitFor(2);
    const refundNotice = received[1]!;
    expect(refundNotice.reason).toBeUndefined();
    expect(JSON.parse(refundNotice.body.toString('utf8'))).toMatchObject({
      event_type: 'REFUND.SUCCESS',
      resource: { original_type: 'refund', associated_data: 'refund' },
    });
    expect(refundNotice.notification).toMatchObject({
      kind: 'refund',
      resource: {
        mchid: h.keys.mchid,
        out_trade_no: input.outTradeNo,
        out_refund_no: refundInput.outRefundNo,
        refund_id: accepted.refund_id,
        refund_status: 'SUCCESS',
        amount: { total: 300, refund: 300, payer_total: 300, payer_refund: 300 },
      },
    });
    const done = await h.client.queryRefund(refundInput.outRefundNo);
    expect(done).toMatchObject({ status: 'SUCCESS', refund_id: accepted.refund_id });
    expect(done.success_time).toEqual(expect.any(String));
  });

  it('refuses refunds of an unpaid order, above the refundable amount, and of unknown refunds', async () => {
    const input = order();
    await h.client.createJsapiOrder(input);
    const refund = {
      outTradeNo: input.outTradeNo,
      outRefundNo: `R${input.outTradeNo}`,
      refundFen: 100,
      totalFen: 300,
    };
    await expect(h.client.createRefund(refund)).rejects.toMatchObject({
      status: 400,
      code: 'INVALID_REQUEST',
    });

    await h.call('POST', '/sandbox/pay', { out_trade_no: input.outTradeNo });
    await h.client.createRefund({ ...refund, refundFen: 200 });
    await expect(
      h.client.createRefund({ ...refund, outRefundNo: `S${input.outTradeNo}`, refundFen: 101 }),
    ).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
      message: '申请退款金额超过订单可退金额',
    });
    await expect(h.client.queryRefund('NoSuchRefund')).rejects.toMatchObject({
      status: 404,
      code: 'RESOURCE_NOT_EXISTS',
    });
  });
});

describe('WeChat Pay sandbox: request checks', () => {
  it('rejects a request signed with another merchant key as 401 SIGN_ERROR', async () => {
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const client = h.clientWith({ merchantPrivateKey: stranger.privateKey });
    const attempt = client.queryByOutTradeNo('Anything1');
    await expect(attempt).rejects.toBeInstanceOf(WxPayApiError);
    await expect(attempt).rejects.toMatchObject({ status: 401, code: 'SIGN_ERROR' });
  });

  it('verifies the signature over the full path as received, including the /sandbox/wxpay prefix', async () => {
    const signer = createRequestSigner({
      mchid: h.keys.mchid,
      merchantSerial: h.keys.merchantSerial,
      merchantPrivateKey: h.keys.merchantPrivateKey,
    });
    const pathAndQuery = `/v3/pay/transactions/out-trade-no/Anything1?mchid=${h.keys.mchid}`;
    // Signed without the prefix, as a client that ignored its base path would do.
    const signed = await signer.sign('GET', pathAndQuery, '');
    const response = await fetch(`${h.wxpayBase}${pathAndQuery}`, {
      headers: { Authorization: signed.authorization },
    });
    expect(response.status).toBe(401);
    const body = (await response.json()) as any;
    expect(body.code).toBe('SIGN_ERROR');
    expect(body.detail.sign_information.url).toBe(`/sandbox/wxpay${pathAndQuery}`);
    expect(body.detail.sign_information.truncated_sign_message).toMatch(/^GET\n\/sandbox\/wxpay\/v3\//);
  });

  it('rejects a missing Authorization, another mchid and a stale timestamp as SIGN_ERROR', async () => {
    const missing = await fetch(
      `${h.wxpayBase}/v3/pay/transactions/out-trade-no/Anything1?mchid=${h.keys.mchid}`,
    );
    expect(missing.status).toBe(401);
    expect(((await missing.json()) as any).code).toBe('SIGN_ERROR');

    await expect(h.clientWith({ mchid: '1900000000' }).queryByOutTradeNo('Anything1')).rejects.toMatchObject({
      status: 401,
      code: 'SIGN_ERROR',
    });
    // The client checks response freshness with the same clock, so only the request is stale to the emulator.
    const stale = h.clientWith({
      now: () => Date.now() - 10 * 60_000,
      verifier: createWechatpayVerifier({
        publicKeys: [{ id: h.keys.publicKeyId, pem: h.keys.wechatpayPublicKeyPem }],
        maxClockSkewSeconds: 3600,
      }),
    });
    await expect(stale.queryByOutTradeNo('Anything1')).rejects.toMatchObject({
      status: 401,
      code: 'SIGN_ERROR',
    });
  });

  it('surfaces PARAM_ERROR with a message naming the field', async () => {
    const attempt = h.client.createJsapiOrder(order({ notifyUrl: 'ftp://example.com/notify' }));
    await expect(attempt).rejects.toBeInstanceOf(WxPayApiError);
    await expect(attempt).rejects.toMatchObject({
      status: 400,
      code: 'PARAM_ERROR',
      message: expect.stringContaining('/body/notify_url'),
    });
  });

  it.each([
    ['description over 127 characters', { description: 'x'.repeat(128) }, '/body/description'],
    ['an out_trade_no with a forbidden character', { out_trade_no: 'bad#number' }, '/body/out_trade_no'],
    [
      'a notify_url with a query string',
      { notify_url: 'https://example.com/notify?x=1' },
      '/body/notify_url',
    ],
    [
      'a notify_url over 255 characters',
      { notify_url: `https://example.com/${'n'.repeat(250)}` },
      '/body/notify_url',
    ],
    ['a zero amount', { amount: { total: 0, currency: 'CNY' } }, '/body/amount/total'],
    ['a fractional amount', { amount: { total: 1.5, currency: 'CNY' } }, '/body/amount/total'],
    ['no payer openid', { payer: {} }, '/body/payer/openid'],
    ['an attach over 128 bytes', { attach: '汉'.repeat(43) }, '/body/attach'],
    ['a time_expire that is not RFC 3339', { time_expire: '2026-11-27 14:30:00' }, '/body/time_expire'],
    ['a body mchid other than the signer', { mchid: '1900000000' }, 'mchid'],
  ])('answers PARAM_ERROR for %s', async (_name, patch, fragment) => {
    const body = {
      appid: h.keys.appid,
      mchid: h.keys.mchid,
      description: 'ok',
      out_trade_no: newOutTradeNo(),
      notify_url: h.receiver.url,
      amount: { total: 1, currency: 'CNY' },
      payer: { openid: OPENID },
      ...patch,
    };
    const response = await signedRequest('POST', '/v3/pay/transactions/jsapi', body);
    expect(response.status).toBe(400);
    expect(response.json.code).toBe('PARAM_ERROR');
    expect(response.json.message).toContain(fragment);
    // Error answers are signed too.
    expect(response.headers.get('wechatpay-serial')).toBe(h.keys.publicKeyId);
    expect(response.headers.get('request-id')).toEqual(expect.any(String));
  });

  it('answers APPID_MCHID_NOT_MATCH for an appid not bound to the merchant', async () => {
    await expect(
      h.clientWith({ appid: 'wx0000000000000000' }).createJsapiOrder(order()),
    ).rejects.toMatchObject({
      status: 400,
      code: 'APPID_MCHID_NOT_MATCH',
    });
  });

  it('lets requests outside /sandbox/ fall through to the next middleware', async () => {
    expect(await h.call('GET', '/api/tiers')).toEqual({ status: 418, json: { fellThrough: true } });
    expect((await h.call('GET', '/sandbox/nope')).status).toBe(404);
    expect((await h.call('GET', '/sandbox/')).json.wxpayApiBase).toBe('/sandbox/wxpay');
  });
});

describe('WeChat Pay sandbox: time rules', () => {
  let clock: number;
  let timed: SandboxHarness;

  beforeEach(async () => {
    clock = Date.now();
    timed = await startSandbox(h.keys, { now: () => clock });
  });
  afterEach(async () => {
    await timed.close();
  });

  it('refuses payment after time_expire and issues a fresh prepay_id after 2 hours', async () => {
    const client = timed.clientWith({ now: () => clock });
    const expiring = order({ notifyUrl: timed.receiver.url, timeExpire: new Date(clock + 2 * 60_000) });
    await client.createJsapiOrder(expiring);
    clock += 3 * 60_000;
    expect(await timed.call('POST', '/sandbox/pay', { out_trade_no: expiring.outTradeNo })).toMatchObject({
      status: 400,
      json: { code: 'INVALID_REQUEST' },
    });
    expect((await client.queryByOutTradeNo(expiring.outTradeNo)).trade_state).toBe('NOTPAY');

    const lasting = order({ notifyUrl: timed.receiver.url, timeExpire: new Date(clock + 24 * 3600_000) });
    const first = await client.createJsapiOrder(lasting);
    clock += 2 * 3600_000;
    const renewed = await client.createJsapiOrder(lasting);
    expect(renewed.prepayId).not.toBe(first.prepayId);
    // Both prepay_ids still lead to the same order.
    expect((await timed.call('POST', '/sandbox/pay', { prepay_id: first.prepayId })).status).toBe(200);
  });
});
