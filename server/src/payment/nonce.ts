import { randomBytes } from 'node:crypto';

/**
 * A random 32-character nonce (uppercase hex, 128 bits), the length the official SDKs use for `nonce_str` and
 * the `wx.requestPayment` `nonceStr` (which WeChat caps at 32 characters).
 */
export function generateNonce(): string {
  return randomBytes(16).toString('hex').toUpperCase();
}

/** Current Unix time in whole seconds, the unit every WeChat Pay timestamp uses (never milliseconds). */
export function unixSeconds(nowMs: number): string {
  return String(Math.floor(nowMs / 1000));
}
