/**
 * Message-push signatures: SHA-1 (lower-case hex) of the strings sorted lexicographically and concatenated.
 * `signature` covers [Token, timestamp, nonce]; in safe mode `msg_signature` covers [Token, timestamp, nonce,
 * Encrypt], and so does the `MsgSignature` of an encrypted reply.
 * https://developers.weixin.qq.com/miniprogram/dev/framework/server-ability/message-push.html
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/** sha1(sort(parts).join('')) in lower-case hex. */
export function pushSignature(...parts: string[]): string {
  // Plain code-unit order, as WeChat's samples sort (every part is ASCII in practice).
  const joined = [...parts].sort().join('');
  return createHash('sha1').update(joined, 'utf8').digest('hex');
}

const HEX_40 = /^[0-9a-f]{40}$/;

/** Constant-time check of a received push signature (40 lower-case hex characters) against the expected one. */
export function pushSignatureMatches(expected: string, received: unknown): boolean {
  if (typeof received !== 'string' || !HEX_40.test(received)) return false;
  return timingSafeEqual(Buffer.from(expected, 'latin1'), Buffer.from(received, 'latin1'));
}
