/**
 * WeChat's side of a message push: the query and body it sends for a message, in plaintext or safe mode, JSON
 * or XML. Used by the sandbox to push like WeChat, and by tests to forge pushes that must be refused.
 */
import { encryptPushMessage } from './push-crypto.js';
import type { ResolvedPushConfig } from './push-config.js';
import type { PushFormat } from './push-request.js';
import { pushSignature } from './push-signature.js';
import { toPushXml } from './push-xml.js';

/** Options of {@link sealPush}. */
export interface SealPushOptions {
  format: PushFormat;
  /** Safe mode: body `{ToUserName, Encrypt}` and `msg_signature`. */
  encrypted: boolean;
  /** Unix seconds, as a string in the query. */
  timestamp: number;
  nonce: string;
  /** Sent as `openid` in the query when given (WeChat adds the user's openid). */
  openid?: string;
  /** The 16-byte random prefix of the ciphertext (default random). */
  random?: Buffer;
}

/** What WeChat sends: the query parameters and the body text. */
export interface SealedPush {
  query: Record<string, string>;
  body: string;
}

/** Renders a message as WeChat's push body text in `format`. */
export function renderPushMessage(message: Record<string, unknown>, format: PushFormat): string {
  return format === 'json' ? JSON.stringify(message) : toPushXml(message);
}

/** Seals `message` as WeChat pushes it. */
export function sealPush(
  message: Record<string, unknown>,
  config: ResolvedPushConfig,
  options: SealPushOptions,
): SealedPush {
  const timestamp = String(options.timestamp);
  const query: Record<string, string> = {
    signature: pushSignature(config.token, timestamp, options.nonce),
    timestamp,
    nonce: options.nonce,
    ...(options.openid !== undefined ? { openid: options.openid } : {}),
  };
  const plaintext = renderPushMessage(message, options.format);
  if (!options.encrypted) return { query, body: plaintext };

  if (!config.aesKey) throw new TypeError('Safe mode needs the EncodingAESKey');
  const encrypt = encryptPushMessage(config.aesKey, config.appid, plaintext, options.random);
  const envelope = { ToUserName: String(message['ToUserName'] ?? ''), Encrypt: encrypt };
  return {
    query: {
      ...query,
      encrypt_type: 'aes',
      msg_signature: pushSignature(config.token, timestamp, options.nonce, encrypt),
    },
    body: renderPushMessage(envelope, options.format),
  };
}
