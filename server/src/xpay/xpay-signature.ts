/**
 * The two virtual-payment signatures (guide §2.4 "签名详解"):
 *
 *     pay_sig / paySig = hex(HMAC-SHA256(key = AppKey,      message = uri + "&" + body))
 *     signature        = hex(HMAC-SHA256(key = session_key, message = body))
 *
 * with lower-case hex, keys used as their UTF-8 text (the session_key is NOT Base64-decoded), and `body` the exact
 * bytes sent: the `signData` string handed to `wx.requestVirtualPayment`, or the raw HTTP body of a server API
 * call. For the client call `uri` is the literal `requestVirtualPayment`; for the server API it is the path
 * without host or query, e.g. `/xpay/query_order`.
 * https://developers.weixin.qq.com/miniprogram/dev/platform-capabilities/business-capabilities/virtual-payment.html
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The `uri` of the client-side paySig: a fixed literal, no slash. */
export const VIRTUAL_PAYMENT_SIGN_URI = 'requestVirtualPayment';

/** Lower-case hex HMAC-SHA256 of `message` under `key`, both taken as UTF-8 text (Buffers as given). */
export function hmacSha256Hex(key: string | Buffer, message: string | Buffer): string {
  return createHmac('sha256', key).update(message).digest('hex');
}

/**
 * `pay_sig` (server API) or `paySig` (client): HMAC-SHA256 under the AppKey of the order's env over
 * `uri + "&" + body`.
 *
 * @param uri `/xpay/<api>` for the server API, {@link VIRTUAL_PAYMENT_SIGN_URI} for `wx.requestVirtualPayment`.
 * @param body the exact bytes sent; a Buffer is used as is, a string as its UTF-8 bytes.
 * @throws TypeError for an empty AppKey or a uri carrying a query string (WeChat signs the bare path).
 */
export function computePaySig(appKey: string, uri: string, body: string | Buffer): string {
  if (appKey === '') throw new TypeError('The AppKey is empty');
  if (uri.includes('?')) throw new TypeError(`The signed uri must not carry a query string: ${uri}`);
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return hmacSha256Hex(appKey, Buffer.concat([Buffer.from(`${uri}&`, 'utf8'), bytes]));
}

/**
 * `signature` (用户态签名): HMAC-SHA256 under the user's current session_key over the body alone.
 *
 * @throws TypeError for an empty session_key.
 */
export function computeUserSignature(sessionKey: string, body: string | Buffer): string {
  if (sessionKey === '') throw new TypeError('The session_key is empty');
  return hmacSha256Hex(sessionKey, body);
}

const HEX_64 = /^[0-9a-f]{64}$/;

/**
 * Constant-time comparison of a received signature with the expected one. Only the canonical form counts:
 * 64 lower-case hex characters (what WeChat computes), so an upper-case copy does not verify.
 */
export function signaturesMatch(expected: string, received: unknown): boolean {
  if (typeof received !== 'string' || !HEX_64.test(received) || !HEX_64.test(expected)) return false;
  return timingSafeEqual(Buffer.from(expected, 'latin1'), Buffer.from(received, 'latin1'));
}
