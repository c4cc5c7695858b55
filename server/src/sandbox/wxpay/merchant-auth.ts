/**
 * The WeChat Pay side of request authentication: checks a merchant's `Authorization` header against the request
 * exactly as received, and answers like WeChat (401 `SIGN_ERROR` with `detail.sign_information`, whose
 * `truncated_sign_message` shows the string WeChat expected: the quickest way to debug a signing bug).
 */
import type { KeyObject } from 'node:crypto';

import { buildRequestMessage, parseAuthorization, verifyAuthorization } from '../../payment/index.js';
import { WxPayReplyError } from './wxpay-reply-error.js';

/** The merchant the emulator knows. */
export interface MerchantIdentity {
  mchid: string;
  /** Merchant API certificate serial, compared case-insensitively. */
  merchantSerial: string;
  merchantPublicKey: KeyObject;
}

/** A request as received. */
export interface ReceivedRequest {
  method: string;
  /** Path plus `?query` exactly as on the request line (Koa's `ctx.originalUrl`). */
  canonicalUrl: string;
  authorization: string | undefined;
  body: Buffer;
}

/** Requests signed further than this from the emulator's clock are refused (WeChat's 5 minutes). */
const MAX_SKEW_SECONDS = 300;
const TRUNCATE_BODY_CHARS = 256;

function signError(message: string, request: ReceivedRequest, timestamp = '', nonce = ''): WxPayReplyError {
  const body = request.body.toString('utf8');
  const expected = buildRequestMessage(
    request.method,
    request.canonicalUrl,
    timestamp,
    nonce,
    body.length > TRUNCATE_BODY_CHARS ? `${body.slice(0, TRUNCATE_BODY_CHARS)}…` : body,
  );
  return new WxPayReplyError(401, 'SIGN_ERROR', message, {
    detail: { issue: 'sign not match' },
    field: 'signature',
    location: 'authorization',
    sign_information: {
      method: request.method,
      url: request.canonicalUrl,
      sign_message_length: Buffer.byteLength(expected),
      truncated_sign_message: expected,
    },
  });
}

/**
 * Verifies the `WECHATPAY2-SHA256-RSA2048` signature of a request.
 *
 * @returns the mchid that signed.
 * @throws WxPayReplyError 401 `SIGN_ERROR` when the header is missing or malformed, names another merchant or
 *   certificate serial, carries a timestamp 5 minutes or more away from `nowMs`, or the signature does not verify
 *   over `METHOD\nURL\nTIMESTAMP\nNONCE\nBODY\n`.
 */
export function verifyMerchantRequest(
  request: ReceivedRequest,
  merchant: MerchantIdentity,
  nowMs: number,
): string {
  const auth = parseAuthorization(request.authorization);
  if (!auth) {
    throw signError(
      request.authorization === undefined
        ? 'Authorization不能为空'
        : 'Authorization格式错误，应为 WECHATPAY2-SHA256-RSA2048 mchid="…",nonce_str="…",signature="…",timestamp="…",serial_no="…"',
      request,
    );
  }
  if (auth.mchid !== merchant.mchid) {
    throw signError(`商户号 ${auth.mchid} 与沙箱商户号不一致`, request, auth.timestamp, auth.nonce_str);
  }
  if (auth.serial_no.toUpperCase() !== merchant.merchantSerial.toUpperCase()) {
    throw signError(`商户证书序列号 ${auth.serial_no} 不正确`, request, auth.timestamp, auth.nonce_str);
  }
  if (!/^\d{1,12}$/.test(auth.timestamp)) {
    throw signError('timestamp应为Unix时间戳（秒）', request, auth.timestamp, auth.nonce_str);
  }
  const skew = Math.abs(Math.floor(nowMs / 1000) - Number(auth.timestamp));
  if (skew >= MAX_SKEW_SECONDS) {
    throw signError(
      `请求时间戳与当前时间相差 ${skew} 秒，超过5分钟`,
      request,
      auth.timestamp,
      auth.nonce_str,
    );
  }
  if (!verifyAuthorization(auth, request, merchant.merchantPublicKey)) {
    throw signError('签名错误，请检查后再试', request, auth.timestamp, auth.nonce_str);
  }
  return auth.mchid;
}
