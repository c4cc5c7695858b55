import {
  XPayRequestValidationError,
  appKeyForEnv,
  buildGoodsPaymentParams,
  computePaySig,
  computeUserSignature,
  envOfEnvType,
  serializeSignData,
  signVirtualPayment,
  signaturesMatch,
  VIRTUAL_PAYMENT_SIGN_URI,
  type GoodsPaymentInput,
} from '../../../server/src/xpay/index.js';
import { xpayVector, xpayVectors } from './support/xpay-vectors.js';

const V4_PAY = xpayVector(xpayVectors.hmac, 'V4-paySig');
const V4_SIG = xpayVector(xpayVectors.hmac, 'V4-signature');

/** V4's order, as the builder's input. */
const V4_INPUT: GoodsPaymentInput = {
  offerId: '1450593228',
  env: 1,
  productId: 'light_monthly',
  goodsPrice: 990,
  buyQuantity: 1,
  outTradeNo: 'PM20260719123000A1B2C3D4',
  attach: 'membership:light_monthly',
};
const KEYS = { appKeys: { production: 'prod-key', sandbox: V4_PAY.key }, sessionKey: V4_SIG.key };

function fieldOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof XPayRequestValidationError) return err.field;
    throw err;
  }
  throw new Error('expected an XPayRequestValidationError');
}

describe('wx.requestVirtualPayment parameters', () => {
  test("serialise V4's order to V4's signData byte for byte, and sign it with the sandbox AppKey for env 1", () => {
    const params = buildGoodsPaymentParams(V4_INPUT, KEYS);
    expect(params).toEqual({
      mode: 'short_series_goods',
      signData: V4_PAY.body,
      paySig: V4_PAY.expected,
      signature: V4_SIG.expected,
    });
  });

  test('sign env 0 with the production AppKey, never the sandbox one', () => {
    const params = buildGoodsPaymentParams({ ...V4_INPUT, env: 0 }, KEYS);
    expect(JSON.parse(params.signData).env).toBe(0);
    expect(params.paySig).toBe(computePaySig('prod-key', VIRTUAL_PAYMENT_SIGN_URI, params.signData));
    expect(params.paySig).not.toBe(
      computePaySig(KEYS.appKeys.sandbox, VIRTUAL_PAYMENT_SIGN_URI, params.signData),
    );
  });

  test('carry only the documented fields, in the official order, with activitySellingPrice after goodsPrice', () => {
    const signData = serializeSignData('short_series_goods', {
      ...V4_INPUT,
      currencyType: 'CNY',
      buyQuantity: 2,
      activitySellingPrice: 500,
    });
    expect(Object.keys(JSON.parse(signData))).toEqual([
      'offerId',
      'buyQuantity',
      'env',
      'currencyType',
      'productId',
      'goodsPrice',
      'activitySellingPrice',
      'outTradeNo',
      'attach',
    ]);
    expect(signData).not.toContain('platform');
  });

  test('coin mode carries neither productId nor goodsPrice', () => {
    const {
      productId: _p,
      goodsPrice: _g,
      ...coin
    } = { ...V4_INPUT, currencyType: 'CNY' as const, buyQuantity: 100 };
    const signData = serializeSignData('short_series_coin', coin);
    expect(JSON.parse(signData)).not.toHaveProperty('productId');
    expect(fieldOf(() => serializeSignData('short_series_coin', { ...coin, productId: 'x' }))).toBe(
      'productId',
    );
  });

  test.each([
    ['outTradeNo', { outTradeNo: '_PM2026071912' }],
    ['outTradeNo', { outTradeNo: 'PM12345' }],
    ['outTradeNo', { outTradeNo: 'P'.repeat(33) }],
    ['outTradeNo', { outTradeNo: 'PM2026#0719' }],
    ['productId', { productId: '' }],
    ['goodsPrice', { goodsPrice: 0 }],
    ['goodsPrice', { goodsPrice: 9.9 }],
    ['buyQuantity', { buyQuantity: 0 }],
    ['activitySellingPrice', { activitySellingPrice: 395 }],
    ['activitySellingPrice', { activitySellingPrice: 991 }],
    ['env', { env: 2 }],
    ['offerId', { offerId: '' }],
  ] as const)('refuse a bad %s locally, naming the field (%j)', (field, change) => {
    expect(fieldOf(() => buildGoodsPaymentParams({ ...V4_INPUT, ...(change as object) }, KEYS))).toBe(field);
  });

  test('accept the outTradeNo alphabet [0-9A-Za-z_-|*@] and 8 or 32 characters', () => {
    for (const outTradeNo of ['Ab1_-|*@', 'A'.repeat(32), 'a_b'.padEnd(8, '9')]) {
      expect(() => buildGoodsPaymentParams({ ...V4_INPUT, outTradeNo }, KEYS)).not.toThrow();
    }
  });

  test('refuse to sign without the AppKey of the env or without a session_key', () => {
    expect(() =>
      buildGoodsPaymentParams(V4_INPUT, { ...KEYS, appKeys: { production: 'p', sandbox: '' } }),
    ).toThrow(/sandbox AppKey/);
    expect(() => buildGoodsPaymentParams(V4_INPUT, { ...KEYS, sessionKey: '' })).toThrow(/session_key/);
  });

  test('refuse to sign a signData whose env is not the one named', () => {
    const { signData } = buildGoodsPaymentParams(V4_INPUT, KEYS);
    expect(() => signVirtualPayment('short_series_goods', signData, 0, KEYS)).toThrow(/"env":0/);
    expect(() => signVirtualPayment('short_series_goods', 'not json', 1, KEYS)).toThrow(TypeError);
  });
});

describe('the exact-bytes rule', () => {
  const params = buildGoodsPaymentParams(V4_INPUT, KEYS);
  const appKey = appKeyForEnv(KEYS.appKeys, 1);
  const parsed = JSON.parse(params.signData) as Record<string, unknown>;
  const reserialised = {
    'with spaces': JSON.stringify(parsed, null, 1),
    'keys reordered': JSON.stringify(Object.fromEntries(Object.entries(parsed).reverse())),
    'price as 990.0': params.signData.replace('"goodsPrice":990', '"goodsPrice":990.0'),
  };

  test.each(Object.entries(reserialised))('signData re-serialised (%s) no longer verifies', (_how, text) => {
    // The same values: only the bytes differ, and both signatures break.
    expect(JSON.parse(text)).toEqual(parsed);
    expect(signaturesMatch(params.paySig, computePaySig(appKey, VIRTUAL_PAYMENT_SIGN_URI, text))).toBe(false);
    expect(signaturesMatch(params.signature, computeUserSignature(KEYS.sessionKey, text))).toBe(false);
  });

  test('the original string verifies, and only in lower-case hex', () => {
    const again = computePaySig(appKey, VIRTUAL_PAYMENT_SIGN_URI, params.signData);
    expect(signaturesMatch(params.paySig, again)).toBe(true);
    expect(signaturesMatch(params.paySig, again.toUpperCase())).toBe(false);
    expect(signaturesMatch(params.paySig, undefined)).toBe(false);
  });

  test('a server-API pay_sig signs the raw body bytes, and the uri must be the bare path', () => {
    const v1 = xpayVector(xpayVectors.hmac, 'V1-pay_sig');
    expect(computePaySig(v1.key, v1.uri ?? '', Buffer.from(v1.body, 'utf8'))).toBe(v1.expected);
    expect(() => computePaySig(v1.key, `${v1.uri}?access_token=x`, v1.body)).toThrow(/query string/);
  });
});

describe('env coding', () => {
  test('query_order env_type 1/2 maps to env 0/1', () => {
    expect([1, 2, 0, 3, '1'].map(envOfEnvType)).toEqual([0, 1, undefined, undefined, undefined]);
  });
});
