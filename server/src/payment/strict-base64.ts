/**
 * Canonical standard Base64 (RFC 4648 §4, padded), decoded strictly.
 *
 * Node's `Buffer.from(s, 'base64')` is lenient: it skips characters outside the alphabet, accepts missing padding
 * and ignores non-zero trailing bits. Every character of WeChat Pay's `WECHATPAY/SIGNTEST/` probe prefix is in the
 * Base64 alphabet, so a lenient decoder turns a probe into junk bytes instead of an error. Decoding strictly makes
 * malformed signatures and ciphertexts fail loudly and early.
 */

const BASE64_SHAPE = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Decodes `text` only if it is canonical padded Base64: the standard alphabet, a length that is a multiple of 4,
 * at most two `=` at the end, and zero trailing bits (so re-encoding gives back exactly `text`).
 *
 * @returns the decoded bytes, or `undefined` when `text` is not canonical Base64 (including the empty string).
 */
export function decodeBase64Strict(text: string): Buffer | undefined {
  if (text.length === 0 || text.length % 4 !== 0 || !BASE64_SHAPE.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  // The round trip rejects non-zero padding bits ("QR==" decodes like "QQ==") and stray padding inside groups.
  return bytes.toString('base64') === text ? bytes : undefined;
}
