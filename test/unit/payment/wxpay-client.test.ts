import { generateKeyPairSync, verify } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import {
  WxPayApiError,
  WxPayConnectionError,
  WxPayRequestValidationError,
  WxPayResponseSignatureError,
  WxPayTimeoutError,
  createWechatpayVerifier,
  createWxPayClient,
  parseAuthorization,
  type WxPayClientOptions,
} from '../../../server/src/payment/index.js';
import {
  startFakeWxPay,
  type FakeReply,
  type FakeWxPayServer,
  type RecordedRequest,
} from './support/fake-wxpay-server.js';

const MCHID = '1230000109';
const APPID = 'wxd678efh567hg6787';
const MERCHANT_SERIAL = '1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C';
const PUB_KEY_ID = 'PUB_KEY_ID_0000000000000000000000000000000001';

const merchant = generateKeyPairSync('rsa', { modulusLength: 2048 });
const platform = generateKeyPairSync('rsa', { modulusLength: 2048 });
const verifier = createWechatpayVerifier({
  publicKeys: [{ id: PUB_KEY_ID, pem: platform.publicKey.export({ type: 'spki', format: 'pem' }) }],
});

const transaction = {
  appid: APPID,
  mchid: MCHID,
  out_trade_no: 'T2026|ab*1',
  transaction_id: '4200000001202611270000000001',
  trade_type: 'JSAPI',
  trade_state: 'SUCCESS',
  trade_state_desc: '支付成功',
  bank_type: 'OTHERS',
  attach: 'tier:pro',
  success_time: '2026-11-27T14:31:00+08:00',
  payer: { openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' },
  amount: { total: 100, payer_total: 100, currency: 'CNY', payer_currency: 'CNY' },
};
const refund = {
  refund_id: '50000000382019052709732678859',
  out_refund_no: 'R-T2026-1',
  transaction_id: transaction.transaction_id,
  out_trade_no: 'T2026-1',
  channel: 'ORIGINAL',
  user_received_account: '支付用户零钱',
  create_time: '2026-11-27T14:40:00+08:00',
  status: 'PROCESSING',
  amount: { total: 100, refund: 100, payer_total: 100, payer_refund: 100, currency: 'CNY' },
};

const json = (status: number, body: unknown, extra: Partial<FakeReply> = {}): FakeReply => ({
  status,
  body: JSON.stringify(body),
  ...extra,
});

let server: FakeWxPayServer;
let replies: FakeReply[];
/** Replies are consumed in order; the last one repeats. */
const handler = (_req: RecordedRequest): FakeReply => (replies.length > 1 ? replies.shift()! : replies[0]!);

beforeEach(async () => {
  replies = [json(200, {})];
  server = await startFakeWxPay({
    merchantPublicKey: merchant.publicKey,
    platformPrivateKey: platform.privateKey,
    platformSerial: PUB_KEY_ID,
    handler,
  });
});

afterEach(async () => {
  await server.close();
});

function client(overrides: Partial<WxPayClientOptions> = {}) {
  return createWxPayClient({
    mchid: MCHID,
    appid: APPID,
    merchantSerial: MERCHANT_SERIAL,
    merchantPrivateKey: merchant.privateKey,
    wechatpaySerial: PUB_KEY_ID,
    verifier,
    apiBase: server.baseUrl,
    retryDelayMs: 1,
    ...overrides,
  });
}

/** Independently (plain node:crypto) checks that the request's Authorization signs exactly what was received. */
function signedExactly(req: RecordedRequest): boolean {
  const auth = parseAuthorization(req.headers.authorization);
  if (!auth) return false;
  const message = Buffer.concat([
    Buffer.from(`${req.method}\n${req.url}\n${auth.timestamp}\n${auth.nonce_str}\n`),
    req.body,
    Buffer.from('\n'),
  ]);
  return verify('sha256', message, merchant.publicKey, Buffer.from(auth.signature, 'base64'));
}

const order = {
  description: 'TokenTill 专业版回答-1次',
  outTradeNo: 'T2026-1',
  notifyUrl: 'https://pay.example.com/api/pay/wxpay/notify',
  amountFen: 100,
  payerOpenid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
  attach: 'tier:pro',
  timeExpire: new Date('2026-11-27T06:30:00Z'),
};

describe('the WeChat Pay client', () => {
  test('creates a JSAPI order by signing and sending the exact same body bytes, with the required headers', async () => {
    replies = [json(200, { prepay_id: 'wx201410272009395522657a690389285100' })];
    await expect(client().createJsapiOrder(order)).resolves.toEqual({
      prepayId: 'wx201410272009395522657a690389285100',
    });

    expect(server.requests).toHaveLength(1);
    const [req] = server.requests as [RecordedRequest];
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/v3/pay/transactions/jsapi');
    expect(req.body.toString('utf8')).toBe(
      '{"appid":"wxd678efh567hg6787","mchid":"1230000109","description":"TokenTill 专业版回答-1次",' +
        '"out_trade_no":"T2026-1","time_expire":"2026-11-27T14:30:00+08:00","attach":"tier:pro",' +
        '"notify_url":"https://pay.example.com/api/pay/wxpay/notify","amount":{"total":100,"currency":"CNY"},' +
        '"payer":{"openid":"oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"}}',
    );
    expect(signedExactly(req)).toBe(true);
    expect(req.authorized).toBe(true);
    expect(parseAuthorization(req.headers.authorization)).toMatchObject({
      mchid: MCHID,
      serial_no: MERCHANT_SERIAL,
    });
    expect(req.headers).toMatchObject({
      accept: 'application/json',
      'content-type': 'application/json',
      'wechatpay-serial': PUB_KEY_ID,
    });
    expect(req.headers['user-agent']).toMatch(/^TokenTill-WxPay\/1 \(Node v\d+/);
  });

  test('queries an order with the path parameter URL-encoded and the full path+query signed', async () => {
    replies = [json(200, transaction)];
    await expect(client().queryByOutTradeNo('T2026|ab*1')).resolves.toEqual(transaction);
    const [req] = server.requests as [RecordedRequest];
    expect(req.method).toBe('GET');
    expect(req.url).toBe('/v3/pay/transactions/out-trade-no/T2026%7Cab*1?mchid=1230000109');
    expect(req.body).toHaveLength(0);
    expect(signedExactly(req)).toBe(true);
  });

  test('retries a 500 with the same body, re-signed with a new nonce, then succeeds', async () => {
    replies = [
      json(500, { code: 'SYSTEM_ERROR', message: '系统繁忙，请稍后重试' }),
      json(200, { prepay_id: 'wx2' }),
    ];
    await expect(client().createJsapiOrder(order)).resolves.toEqual({ prepayId: 'wx2' });
    expect(server.requests).toHaveLength(2);
    const [first, second] = server.requests as [RecordedRequest, RecordedRequest];
    expect(second.body.equals(first.body)).toBe(true);
    expect(signedExactly(first) && signedExactly(second)).toBe(true);
    const nonce = (r: RecordedRequest) => parseAuthorization(r.headers.authorization)?.nonce_str;
    expect(nonce(second)).not.toBe(nonce(first));
  });

  test('gives up after maxRetries retryable failures and reports the last one', async () => {
    replies = [json(503, { code: 'SYSTEM_ERROR', message: '系统繁忙' })];
    const err = await client({ maxRetries: 2 })
      .closeOrder('T2026-1')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WxPayApiError);
    expect(err).toMatchObject({ status: 503, code: 'SYSTEM_ERROR' });
    expect(server.requests).toHaveLength(3);
  });

  test('does not retry a 400 PARAM_ERROR and surfaces WeChat’s code, message, detail and Request-ID', async () => {
    const detail = { field: '/amount/total', value: 0, issue: 'must be positive', location: 'body' };
    replies = [json(400, { code: 'PARAM_ERROR', message: '参数错误', detail })];
    const err = await client()
      .createJsapiOrder(order)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WxPayApiError);
    expect(err).toMatchObject({
      status: 400,
      code: 'PARAM_ERROR',
      message: '参数错误',
      detail,
      requestId: 'req-1',
    });
    expect(server.requests).toHaveLength(1);
  });

  test('a wrong merchant key gets WeChat’s 401 SIGN_ERROR from the fake server, not retried', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const err = await client({ merchantPrivateKey: other.privateKey })
      .queryByOutTradeNo('T2026-1')
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 401, code: 'SIGN_ERROR' });
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]?.authorized).toBe(false);
  });

  test.each([
    ['wrong_body', 'bad_signature'],
    ['probe', 'signature_probe'],
    ['none', 'malformed_headers'],
  ] as const)('rejects a 2xx answer signed %s as %s and does not retry it', async (sign, reason) => {
    replies = [json(200, { prepay_id: 'wx-forged' }, { sign })];
    const err = await client()
      .createJsapiOrder(order)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WxPayResponseSignatureError);
    expect(err).toMatchObject({ reason, status: 200, requestId: 'req-1' });
    expect(server.requests).toHaveLength(1);
  });

  test('rejects a 2xx answer signed under an unknown serial', async () => {
    replies = [json(200, transaction, { serial: 'PUB_KEY_ID_0000000000000000000000000000000099' })];
    await expect(client().queryByOutTradeNo('T2026-1')).rejects.toMatchObject({ reason: 'unknown_serial' });
  });

  test('closes an order: POST {"mchid"} and a 204 verified over the empty body', async () => {
    replies = [{ status: 204 }];
    await expect(client().closeOrder('T2026-1')).resolves.toBeUndefined();
    const [req] = server.requests as [RecordedRequest];
    expect(req.url).toBe('/v3/pay/transactions/out-trade-no/T2026-1/close');
    expect(req.body.toString()).toBe('{"mchid":"1230000109"}');
    expect(signedExactly(req)).toBe(true);
  });

  test('rejects a 204 whose signature covers a non-empty body', async () => {
    replies = [{ status: 204, sign: 'wrong_body' }];
    await expect(client().closeOrder('T2026-1')).rejects.toBeInstanceOf(WxPayResponseSignatureError);
  });

  test('aborts an attempt after timeoutMs and retries it as a timeout', async () => {
    replies = [json(200, transaction, { delayMs: 5_000 })];
    const started = Date.now();
    const err = await client({ timeoutMs: 100, maxRetries: 1 })
      .queryByOutTradeNo('T2026-1')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WxPayTimeoutError);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(server.requests).toHaveLength(2);
  });

  test('reports a refused connection as a WxPayConnectionError after retrying', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const err = await client({ apiBase: `http://127.0.0.1:${port}`, maxRetries: 1 })
      .queryByOutTradeNo('T2026-1')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WxPayConnectionError);
    expect(err).not.toBeInstanceOf(WxPayTimeoutError);
  });

  test('creates and queries a refund', async () => {
    replies = [json(200, refund)];
    await expect(
      client().createRefund({
        outTradeNo: 'T2026-1',
        outRefundNo: 'R-T2026-1',
        reason: '回答生成失败',
        refundFen: 100,
        totalFen: 100,
      }),
    ).resolves.toEqual(refund);
    await expect(client().queryRefund('R-T2026-1')).resolves.toEqual(refund);
    const [create, query] = server.requests as [RecordedRequest, RecordedRequest];
    expect(create.url).toBe('/v3/refund/domestic/refunds');
    expect(create.body.toString()).toBe(
      '{"out_trade_no":"T2026-1","out_refund_no":"R-T2026-1","reason":"回答生成失败",' +
        '"amount":{"refund":100,"total":100,"currency":"CNY"}}',
    );
    expect(query.method).toBe('GET');
    expect(query.url).toBe('/v3/refund/domestic/refunds/R-T2026-1');
    expect(signedExactly(create) && signedExactly(query)).toBe(true);
  });

  test('signs the real path when apiBase carries a path prefix (e.g. behind a proxy)', async () => {
    replies = [json(200, transaction)];
    await client({ apiBase: `${server.baseUrl}/wxpay/` }).queryByOutTradeNo('T2026-1');
    expect(server.requests[0]?.url).toBe('/wxpay/v3/pay/transactions/out-trade-no/T2026-1?mchid=1230000109');
    expect(server.requests[0]?.authorized).toBe(true);
  });

  test('an unusable 2xx body is an INVALID_RESPONSE error', async () => {
    replies = [json(200, { nothing: true })];
    await expect(client().createJsapiOrder(order)).rejects.toMatchObject({
      code: 'INVALID_RESPONSE',
      status: 200,
    });
  });

  test.each([
    ['description', { description: 'x'.repeat(128) }],
    ['description', { description: '' }],
    ['out_trade_no', { outTradeNo: 'abc' }],
    ['out_trade_no', { outTradeNo: 'T2026/../1' }],
    ['attach', { attach: '汉'.repeat(43) }], // 129 bytes
    ['amount.total', { amountFen: 1.5 }],
    ['amount.total', { amountFen: 0 }],
    ['notify_url', { notifyUrl: 'https://pay.example.com/n?x=1' }],
  ])('refuses a bad %s locally, before sending anything', async (field, change) => {
    const err = await client()
      .createJsapiOrder({ ...order, ...change })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WxPayRequestValidationError);
    expect(err).toMatchObject({ field });
    expect(server.requests).toHaveLength(0);
  });

  test('accepts limits exactly: 127-character description, 128-byte attach, 32-character out_trade_no', async () => {
    replies = [json(200, { prepay_id: 'wx3' })];
    await client().createJsapiOrder({
      ...order,
      description: '汉'.repeat(127),
      attach: `${'汉'.repeat(42)}ab`,
      outTradeNo: `A${'_-|*'.repeat(7)}123`,
    });
    expect(server.requests).toHaveLength(1);
  });

  test('refuses a refund larger than the order and a malformed out_refund_no', async () => {
    const base = { outTradeNo: 'T2026-1', outRefundNo: 'R-1', refundFen: 100, totalFen: 100 };
    await expect(client().createRefund({ ...base, refundFen: 101 })).rejects.toMatchObject({
      field: 'amount.refund',
    });
    await expect(client().createRefund({ ...base, outRefundNo: 'R 1' })).rejects.toMatchObject({
      field: 'out_refund_no',
    });
    expect(server.requests).toHaveLength(0);
  });
});
