/**
 * Answers to a message push, in the format the push came in. Acknowledgements are `{"ErrCode":0,"ErrMsg":
 * "success"}` (JSON) or `<xml><ErrCode>0</ErrCode><ErrMsg><![CDATA[success]]></ErrMsg></xml>` (XML) and need no
 * encryption, even in safe mode; anything else WeChat reads as a failure and pushes again (up to 15 times). A
 * reply that carries content (the iOS refund inquiry's answer) must be encrypted when the push was:
 * `{Encrypt, MsgSignature, TimeStamp, Nonce}` with the request's nonce.
 * https://developers.weixin.qq.com/miniprogram/dev/framework/server-ability/message-push.html
 */
import { encryptPushMessage } from './push-crypto.js';
import type { ResolvedPushConfig } from './push-config.js';
import type { PushErrorReason } from './push-errors.js';
import type { OpenedPush, PushFormat } from './push-request.js';
import { pushSignature } from './push-signature.js';
import { toPushXml } from './push-xml.js';

/** A reply body and its content type. */
export interface PushReply {
  contentType: 'application/json' | 'application/xml' | 'text/plain';
  body: string;
}

function render(format: PushFormat, fields: Record<string, unknown>): PushReply {
  return format === 'json'
    ? { contentType: 'application/json', body: JSON.stringify(fields) }
    : { contentType: 'application/xml', body: toPushXml(fields) };
}

/** "Received, do not push again", in the push's format. */
export function pushAck(format: PushFormat): PushReply {
  return render(format, { ErrCode: 0, ErrMsg: 'success' });
}

/**
 * The body sent with a refusal (a non-2xx status): a non-zero ErrCode with the reason only, so nothing about our
 * keys or checks leaks to whoever sent it.
 */
export function pushRefusal(format: PushFormat | undefined, reason: PushErrorReason): PushReply {
  return render(format ?? 'json', { ErrCode: -1, ErrMsg: `refused: ${reason}` });
}

/** Options of {@link encryptedPushReply}. */
export interface EncryptedReplyOptions {
  /** Unix seconds (default now). */
  timestamp?: number;
  /** The 16-byte random prefix (default random; fixed only to reproduce a vector). */
  random?: Buffer;
}

/**
 * Encrypts `plaintext` (JSON or XML text in the push's format) as a safe-mode reply.
 *
 * @param nonce the push request's nonce, echoed back.
 */
export function encryptedPushReply(
  plaintext: string,
  format: PushFormat,
  nonce: string,
  config: ResolvedPushConfig,
  options: EncryptedReplyOptions = {},
): PushReply {
  if (!config.aesKey) throw new TypeError('An encrypted reply needs the EncodingAESKey');
  const encrypt = encryptPushMessage(config.aesKey, config.appid, plaintext, options.random);
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const msgSignature = pushSignature(config.token, String(timestamp), nonce, encrypt);
  return render(format, { Encrypt: encrypt, MsgSignature: msgSignature, TimeStamp: timestamp, Nonce: nonce });
}

/**
 * A reply with content to a verified push: encrypted when the push was, plaintext otherwise.
 */
export function replyWithContent(
  push: Pick<OpenedPush, 'format' | 'encrypted' | 'nonce'>,
  content: Record<string, unknown>,
  config: ResolvedPushConfig,
  options: EncryptedReplyOptions = {},
): PushReply {
  const plain = render(push.format, content);
  return push.encrypted ? encryptedPushReply(plain.body, push.format, push.nonce, config, options) : plain;
}

/** The merchant's answer to Apple's refund inquiry. */
export interface IosRefundQueryAnswer {
  /** 0 = suggest refunding (建议退款), 1 = suggest declining (拒绝退款). */
  result_code: 0 | 1;
  result_info: string;
  /** Why: e.g. "the answer was delivered in full". */
  evidence?: string;
}

/**
 * How the inquiry's answer is wrapped. WeChat's pages seen so far do not settle it: the cloud-function guide
 * returns the three fields bare; public server code wraps them in the ErrCode acknowledgement. Default
 * `wrapped`; see docs/xpay.md before going live with iOS.
 */
export type IosRefundQueryEnvelope = 'wrapped' | 'bare';

/** The content of the answer to `xpay_subscribe_ios_refund_query_notify` (encrypt it with replyWithContent). */
export function iosRefundQueryContent(
  answer: IosRefundQueryAnswer,
  envelope: IosRefundQueryEnvelope = 'wrapped',
): Record<string, unknown> {
  const fields = {
    result_code: answer.result_code,
    result_info: answer.result_info,
    ...(answer.evidence !== undefined ? { evidence: answer.evidence } : {}),
  };
  return envelope === 'bare' ? fields : { ErrCode: 0, ErrMsg: 'success', IosRefundQueryResponse: fields };
}
