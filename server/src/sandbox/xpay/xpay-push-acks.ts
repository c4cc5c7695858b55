/**
 * How the emulator judges a merchant's answer to a push, as WeChat does: an acknowledgement is a 2xx whose body
 * is empty, `success`, or ErrCode 0 in the push's format; the answer to an iOS refund inquiry must carry
 * result_code 0 or 1, encrypted (and correctly signed, with our nonce) when the push was.
 */
import {
  PushDecryptError,
  PushXmlError,
  decryptPushMessage,
  parsePushXml,
  pushSignature,
  pushSignatureMatches,
  type IosRefundQueryAnswer,
  type PushFormat,
  type ResolvedPushConfig,
} from '../../xpay/index.js';

function parseIn(format: PushFormat, text: string): Record<string, unknown> | undefined {
  try {
    if (format === 'xml') return parsePushXml(text);
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch (err) {
    if (err instanceof PushXmlError || err instanceof SyntaxError) return undefined;
    throw err;
  }
}

const isZero = (value: unknown) => value === 0 || value === '0';

/** True when `body` acknowledges a push sent in `format`. */
export function isPushAck(body: string, format: PushFormat): boolean {
  const text = body.trim();
  if (text === '' || text === 'success') return true;
  const fields = parseIn(format, text);
  return fields !== undefined && isZero(fields['ErrCode']);
}

/** The merchant's answer to an iOS refund inquiry, or why it is not one. */
export type IosAnswerReading =
  { ok: true; answer: IosRefundQueryAnswer; envelope: 'wrapped' | 'bare' } | { ok: false; problem: string };

/** Reads the answer to an inquiry pushed with `nonce` (decrypting it when the push was encrypted). */
export function readIosRefundAnswer(
  body: string,
  push: { format: PushFormat; encrypted: boolean; nonce: string },
  config: ResolvedPushConfig,
): IosAnswerReading {
  let fields = parseIn(push.format, body.trim());
  if (!fields) return { ok: false, problem: `not ${push.format.toUpperCase()}` };
  if (push.encrypted) {
    const { Encrypt: encrypt, MsgSignature: signature, TimeStamp: timestamp, Nonce: nonce } = fields;
    if (typeof encrypt !== 'string' || encrypt === '') {
      return {
        ok: false,
        problem: 'a safe-mode push needs an encrypted answer ({Encrypt, MsgSignature, …})',
      };
    }
    if (String(nonce) !== push.nonce) return { ok: false, problem: 'Nonce is not the push nonce' };
    if (
      !pushSignatureMatches(pushSignature(config.token, String(timestamp), String(nonce), encrypt), signature)
    ) {
      return { ok: false, problem: 'MsgSignature does not verify' };
    }
    try {
      const opened = decryptPushMessage(config.aesKey!, encrypt);
      if (opened.appid !== config.appid) return { ok: false, problem: 'encrypted for another appid' };
      fields = parseIn(push.format, opened.message);
    } catch (err) {
      if (!(err instanceof PushDecryptError)) throw err;
      return { ok: false, problem: `does not decrypt (${err.reason})` };
    }
    if (!fields) return { ok: false, problem: `decrypted answer is not ${push.format.toUpperCase()}` };
  }
  const wrapped = fields['IosRefundQueryResponse'];
  const inner =
    typeof wrapped === 'object' && wrapped !== null && !Array.isArray(wrapped)
      ? (wrapped as Record<string, unknown>)
      : fields;
  const code = Number(inner['result_code']);
  if (!(inner['result_code'] !== undefined && (code === 0 || code === 1))) {
    return { ok: false, problem: 'result_code is neither 0 nor 1' };
  }
  return {
    ok: true,
    envelope: inner === fields ? 'bare' : 'wrapped',
    answer: {
      result_code: code as 0 | 1,
      result_info: String(inner['result_info'] ?? ''),
      ...(inner['evidence'] !== undefined ? { evidence: String(inner['evidence']) } : {}),
    },
  };
}
