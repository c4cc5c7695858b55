/**
 * Verifying and opening a message push (what a later task mounts at `GET|POST /api/wechat/push`):
 *
 * - GET, URL verification when the push URL is saved in the console: `signature` = sha1(sort(Token, timestamp,
 *   nonce)); answer `echostr` verbatim (as text/plain).
 * - POST, plaintext mode: the same `signature` in the query. It does not cover the body, so a captured URL could
 *   carry another body until its timestamp goes stale: prefer safe mode.
 * - POST, safe mode (`encrypt_type=aes`): `msg_signature` = sha1(sort(Token, timestamp, nonce, Encrypt)) — never
 *   `signature` — then AES-256-CBC decryption and a check that the appid inside is ours.
 *
 * The order follows `payment/notification.ts`: nothing of an unverified push is trusted beyond what verification
 * needs (in safe mode, the Encrypt field of the envelope).
 * https://developers.weixin.qq.com/miniprogram/dev/framework/server-ability/message-push.html
 */
import { PushDecryptError, decryptPushMessage } from './push-crypto.js';
import type { ResolvedPushConfig } from './push-config.js';
import { PushError } from './push-errors.js';
import { pushSignature, pushSignatureMatches } from './push-signature.js';
import { PushXmlError, parsePushXml } from './push-xml.js';

/** The query of a push request (Koa's `ctx.query`, or `Object.fromEntries(url.searchParams)`). */
export type PushQuery = Record<string, string | string[] | undefined>;

/** JSON or XML, as chosen in the console; replies must use the push's format. */
export type PushFormat = 'json' | 'xml';

/** A verified (and decrypted) push. */
export interface OpenedPush {
  format: PushFormat;
  /** True when it came in safe (or compatible) mode encryption: an encrypted reply is then possible. */
  encrypted: boolean;
  /** The query's timestamp and nonce (an encrypted reply echoes the nonce). */
  timestamp: string;
  nonce: string;
  /** The message: JSON as parsed, XML as strings and nested objects. */
  message: Record<string, unknown>;
}

/** The raw parts of a push request. */
export interface PushRequest {
  query: PushQuery;
  /** The body bytes exactly as received. */
  rawBody: Buffer;
}

const ECHOSTR = /^[A-Za-z0-9_-]{1,128}$/;
const TIMESTAMP = /^\d{1,12}$/;

/** One query value; a repeated parameter counts as absent (WeChat never repeats one). */
function single(query: PushQuery, name: string): string | undefined {
  const value = query[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function checkFreshness(timestamp: string, config: ResolvedPushConfig, nowMs: number): void {
  const skew = Math.abs(nowMs / 1000 - Number(timestamp));
  if (skew > config.maxSkewSeconds) {
    throw new PushError(
      'stale_timestamp',
      `The push timestamp is ${Math.round(skew)} s from our clock (allowed ${config.maxSkewSeconds} s)`,
    );
  }
}

function requireSigned(
  query: PushQuery,
  signatureName: string,
): { timestamp: string; nonce: string; signature: string } {
  const timestamp = single(query, 'timestamp');
  const nonce = single(query, 'nonce');
  const signature = single(query, signatureName);
  if (!timestamp || !nonce || !signature) {
    throw new PushError('missing_signature', `The push query lacks ${signatureName}, timestamp or nonce`);
  }
  if (!TIMESTAMP.test(timestamp))
    throw new PushError('missing_signature', 'The push timestamp is not a number');
  return { timestamp, nonce, signature };
}

/**
 * Verifies WeChat's GET when the push URL is saved.
 *
 * @returns the `echostr` to answer with, verbatim, as text/plain.
 * @throws PushError
 */
export function verifyPushUrl(query: PushQuery, config: ResolvedPushConfig, nowMs = Date.now()): string {
  const { timestamp, nonce, signature } = requireSigned(query, 'signature');
  if (!pushSignatureMatches(pushSignature(config.token, timestamp, nonce), signature)) {
    throw new PushError('bad_signature', 'The URL verification signature does not match our Token');
  }
  checkFreshness(timestamp, config, nowMs);
  const echostr = single(query, 'echostr');
  // The signature does not cover echostr: only WeChat's shape is echoed back, never arbitrary text.
  if (!echostr || !ECHOSTR.test(echostr))
    throw new PushError('malformed_body', 'echostr is missing or malformed');
  return echostr;
}

function formatOf(text: string): PushFormat | undefined {
  const first = text.trimStart()[0];
  return first === '{' ? 'json' : first === '<' ? 'xml' : undefined;
}

/** Parses a body or plaintext in its format into an object, or throws malformed_body. */
function parseMessage(text: string, format: PushFormat, what: string): Record<string, unknown> {
  if (format === 'xml') {
    try {
      return parsePushXml(text);
    } catch (err) {
      if (!(err instanceof PushXmlError)) throw err;
      throw new PushError('malformed_body', `The ${what} is not WeChat's push XML: ${err.message}`, {
        cause: err,
      });
    }
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new PushError('malformed_body', `The ${what} is not JSON`, { cause: err });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new PushError('malformed_body', `The ${what} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

/**
 * Verifies a POST push and returns its message, decrypted in safe mode.
 *
 * @param nowMs our clock, for the timestamp check (default `Date.now()`).
 * @throws PushError with a distinct `reason` for every way it can fail.
 */
export function openPush(request: PushRequest, config: ResolvedPushConfig, nowMs = Date.now()): OpenedPush {
  // Re-serialised JSON would still verify in plaintext mode but not be what WeChat sent: insist on the bytes.
  if (!Buffer.isBuffer(request.rawBody)) throw new TypeError('openPush needs the raw body as a Buffer');
  const { query } = request;
  const encryptType = single(query, 'encrypt_type');
  if (encryptType !== undefined && encryptType !== 'aes') {
    throw new PushError('mode_mismatch', `Unknown encrypt_type ${encryptType}`);
  }
  const encrypted = encryptType === 'aes';
  if (config.mode === 'safe' && !encrypted) {
    throw new PushError('mode_mismatch', 'A plaintext push, but the push is configured in safe mode');
  }
  if (config.mode === 'plaintext' && encrypted) {
    throw new PushError('mode_mismatch', 'An encrypted push, but the push is configured in plaintext mode');
  }

  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(request.rawBody);
  } catch {
    throw new PushError('malformed_body', 'The push body is not UTF-8');
  }
  const format = formatOf(text);
  if (!format) throw new PushError('malformed_body', 'The push body is neither JSON nor XML');

  if (!encrypted) {
    const { timestamp, nonce, signature } = requireSigned(query, 'signature');
    if (!pushSignatureMatches(pushSignature(config.token, timestamp, nonce), signature)) {
      throw new PushError('bad_signature', 'The push signature does not match our Token');
    }
    checkFreshness(timestamp, config, nowMs);
    return { format, encrypted, timestamp, nonce, message: parseMessage(text, format, 'push body') };
  }

  // Safe mode: only the envelope's Encrypt is read before the signature over it is checked.
  const { timestamp, nonce, signature } = requireSigned(query, 'msg_signature');
  const envelope = parseMessage(text, format, 'push envelope');
  const encrypt = envelope['Encrypt'];
  if (typeof encrypt !== 'string' || encrypt === '') {
    throw new PushError('malformed_body', 'The encrypted push lacks Encrypt');
  }
  if (!pushSignatureMatches(pushSignature(config.token, timestamp, nonce, encrypt), signature)) {
    throw new PushError('bad_signature', 'The push msg_signature does not match our Token and its Encrypt');
  }
  checkFreshness(timestamp, config, nowMs);
  if (!config.aesKey) throw new TypeError('An encrypted push mode needs the AES key');

  let decrypted;
  try {
    decrypted = decryptPushMessage(config.aesKey, encrypt);
  } catch (err) {
    if (!(err instanceof PushDecryptError)) throw err;
    throw new PushError(
      'decrypt_failed',
      `The push did not decrypt (${err.reason}): check the EncodingAESKey`,
      {
        cause: err,
      },
    );
  }
  if (decrypted.appid !== config.appid) {
    throw new PushError('wrong_appid', 'The push was encrypted for another appid');
  }
  const innerFormat = formatOf(decrypted.message);
  if (innerFormat !== format) {
    throw new PushError('malformed_body', `The decrypted message is not ${format.toUpperCase()}`);
  }
  return {
    format,
    encrypted,
    timestamp,
    nonce,
    message: parseMessage(decrypted.message, format, 'decrypted message'),
  };
}
