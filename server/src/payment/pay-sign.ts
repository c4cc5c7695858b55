/**
 * The parameters the Mini Program passes to `wx.requestPayment` for an APIv3 order.
 */
import type { KeyObject } from 'node:crypto';

import { generateNonce, unixSeconds } from './nonce.js';
import { signSha256RsaAsync } from './rsa.js';

/** Exactly what `wx.requestPayment` takes (appId is signed but not passed). */
export interface RequestPaymentParams {
  /** Unix seconds as a string. */
  timeStamp: string;
  nonceStr: string;
  /** `prepay_id=…`. */
  package: string;
  signType: 'RSA';
  paySign: string;
}

/** Inputs of {@link buildRequestPaymentParams}. */
export interface RequestPaymentInput {
  /** The Mini Program appid the order was created with; WeChat checks they match. */
  appid: string;
  /** The bare `prepay_id` from the order response (without `prepay_id=`). */
  prepayId: string;
  /** The merchant API private key, the same one that signs requests. */
  merchantPrivateKey: KeyObject;
  /** Clock in milliseconds since the epoch (default `Date.now`). */
  now?: () => number;
  /** Nonce source (default 32 random uppercase hex characters; WeChat allows at most 32). */
  nonce?: () => string;
}

/** The string `paySign` covers: `appId\ntimeStamp\nnonceStr\npackage\n` (4 lines, each ending in `\n`). */
export function buildPaySignMessage(appid: string, timeStamp: string, nonceStr: string, pkg: string): string {
  return `${appid}\n${timeStamp}\n${nonceStr}\n${pkg}\n`;
}

/**
 * Builds and signs `wx.requestPayment` parameters (SHA256withRSA with the merchant key, `signType: 'RSA'`).
 *
 * @throws TypeError when `prepayId` already carries the `prepay_id=` prefix (it would be signed twice over) or
 *   the nonce is longer than the 32 characters WeChat accepts.
 */
export async function buildRequestPaymentParams(input: RequestPaymentInput): Promise<RequestPaymentParams> {
  if (input.prepayId === '' || input.prepayId.startsWith('prepay_id=')) {
    throw new TypeError('prepayId must be the bare prepay_id, without the "prepay_id=" prefix');
  }
  const timeStamp = unixSeconds((input.now ?? Date.now)());
  const nonceStr = (input.nonce ?? generateNonce)();
  if (nonceStr.length === 0 || nonceStr.length > 32) throw new TypeError('nonceStr must be 1–32 characters');
  // The package, not the bare prepay_id, is signed: the bare id is the APP variant (vector RSA-4).
  const pkg = `prepay_id=${input.prepayId}`;
  const paySign = await signSha256RsaAsync(
    buildPaySignMessage(input.appid, timeStamp, nonceStr, pkg),
    input.merchantPrivateKey,
  );
  return { timeStamp, nonceStr, package: pkg, signType: 'RSA', paySign };
}
