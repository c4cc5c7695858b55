/**
 * Sandbox login identities. Real `wx.login` codes are opaque and single-use; the sandbox lets a test or the H5
 * build choose who logs in: a code `<identity>.<anything>` belongs to `<identity>`, so fresh codes for the same
 * identity always give the same openid. A code without a dot is its own identity (a new user per code).
 */
import { createHmac } from 'node:crypto';

/** Longest code accepted; real codes are 32 characters. */
const MAX_CODE_LENGTH = 128;

/** The identity a login code belongs to: the part before the first `.`, or the whole code. */
export function identityOfCode(code: string): string {
  const dot = code.indexOf('.');
  return dot > 0 ? code.slice(0, dot) : code;
}

/** Codes WeChat would call invalid (40029): empty, longer than 128 characters, or starting with `invalid`. */
export function isMalformedCode(code: string): boolean {
  return code === '' || code.length > MAX_CODE_LENGTH || code.startsWith('invalid');
}

/**
 * The openid of `identity` under `appid`: `o` + 27 base64url characters (28 in all, like real openids), an HMAC
 * so it is stable across restarts sharing the keys directory, and differs per appid as real openids do.
 */
export function openidForIdentity(secret: string, appid: string, identity: string): string {
  const mac = createHmac('sha256', secret).update(`openid\n${appid}\n${identity}`).digest('base64url');
  return `o${mac.slice(0, 27)}`;
}

/** The shape of a real openid: 28 characters of `[A-Za-z0-9_-]` starting with `o`. */
export const OPENID_SHAPE = /^o[A-Za-z0-9_-]{27}$/;
