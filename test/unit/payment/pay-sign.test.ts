import { createPublicKey } from 'node:crypto';

import {
  buildPaySignMessage,
  buildRequestPaymentParams,
  loadPrivateKey,
  verifySha256Rsa,
} from '../../../server/src/payment/index.js';
import { fixture, vector, vectors } from './support/vectors.js';

const key = loadPrivateKey(fixture('doc_test_key.pem'));
const input = {
  appid: 'wx2421b1c4370ec43b',
  prepayId: 'wx201410272009395522657a690389285100',
  merchantPrivateKey: key,
  now: () => 1554208460_000,
  nonce: () => '593BEC0C930BF1AFEB40B4A08C8FB242',
};

describe('wx.requestPayment parameters', () => {
  test('RSA-3 (official Mini Program paySign) is reproduced through the paySign builder', async () => {
    const v = vector(vectors.rsa_sign, 'RSA-3');
    const params = await buildRequestPaymentParams(input);
    expect(params).toEqual({
      timeStamp: '1554208460',
      nonceStr: '593BEC0C930BF1AFEB40B4A08C8FB242',
      package: 'prepay_id=wx201410272009395522657a690389285100',
      signType: 'RSA',
      paySign: v.signature,
    });
    expect(buildPaySignMessage(input.appid, params.timeStamp, params.nonceStr, params.package)).toBe(
      v.message,
    );
  });

  test('signs the package with "prepay_id=", not the bare id of the APP variant (RSA-4)', async () => {
    const params = await buildRequestPaymentParams(input);
    expect(params.paySign).not.toBe(vector(vectors.rsa_sign, 'RSA-4').signature);
  });

  test('signs the appid although wx.requestPayment never receives it', async () => {
    const params = await buildRequestPaymentParams({ ...input, appid: 'wxOTHERAPPID000000' });
    const message = buildPaySignMessage(input.appid, params.timeStamp, params.nonceStr, params.package);
    expect(verifySha256Rsa(message, params.paySign, createPublicKey(key))).toBe(false);
  });

  test('uses the current time and a fresh 32-character nonce by default', async () => {
    const { now: _now, nonce: _nonce, ...defaults } = input;
    const [a, b] = await Promise.all([
      buildRequestPaymentParams(defaults),
      buildRequestPaymentParams(defaults),
    ]);
    expect(a.nonceStr).toHaveLength(32);
    expect(a.nonceStr).not.toBe(b.nonceStr);
    expect(Math.abs(Number(a.timeStamp) - Date.now() / 1000)).toBeLessThan(5);
  });

  test('refuses a prepay_id that already carries the "prepay_id=" prefix', async () => {
    await expect(buildRequestPaymentParams({ ...input, prepayId: 'prepay_id=wx1' })).rejects.toThrow(
      'bare prepay_id',
    );
  });
});
