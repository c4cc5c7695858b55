/**
 * The merchant side of APIv3 request authentication: the `WECHATPAY2-SHA256-RSA2048` Authorization header, and
 * its parser/checker for the sandbox emulator, which plays WeChat Pay checking merchants' signatures.
 */
import type { KeyObject } from 'node:crypto';

import { generateNonce, unixSeconds } from './nonce.js';
import { signSha256RsaAsync, verifySha256Rsa } from './rsa.js';

/** The only signature schema APIv3 defines. */
export const AUTHORIZATION_SCHEMA = 'WECHATPAY2-SHA256-RSA2048';

/**
 * The string a request signature covers: five lines, each ending in `\n`, including the last.
 *
 * @param canonicalUrl path plus `?query` exactly as sent (no scheme or host), e.g. `/v3/refund/domestic/refunds/1`.
 * @param body the exact body bytes sent; `''` for GET (so the message ends in `\n\n`).
 */
export function buildRequestMessage(
  method: string,
  canonicalUrl: string,
  timestamp: string,
  nonce: string,
  body: string,
): string {
  return `${method}\n${canonicalUrl}\n${timestamp}\n${nonce}\n${body}\n`;
}

/** Options for {@link createRequestSigner}. */
export interface RequestSignerOptions {
  mchid: string;
  /** Serial of the merchant API certificate (`serial_no`), not WeChat Pay's key id. */
  merchantSerial: string;
  merchantPrivateKey: KeyObject;
  /** Clock in milliseconds since the epoch; injectable for test vectors. Default `Date.now`. */
  now?: () => number;
  /** Nonce source; injectable for test vectors. Default 32 random uppercase hex characters. */
  nonce?: () => string;
}

/** One signed request. */
export interface SignedRequest {
  /** The full `Authorization` header value. */
  authorization: string;
  timestamp: string;
  nonce: string;
  signature: string;
  /** The exact string that was signed (useful when WeChat answers `SIGN_ERROR` with its own view of it). */
  message: string;
}

/** Signs requests for one merchant. */
export interface RequestSigner {
  /**
   * Signs one request. Call again for every retry: each attempt needs a fresh timestamp and nonce.
   *
   * @param canonicalUrl path plus `?query` exactly as sent.
   * @param body the exact serialised body that will be sent (`''` for GET).
   */
  sign(method: string, canonicalUrl: string, body: string): Promise<SignedRequest>;
}

/**
 * Creates a signer producing
 * `WECHATPAY2-SHA256-RSA2048 mchid="…",nonce_str="…",signature="…",timestamp="…",serial_no="…"`
 * (the field order of the official Java sample; WeChat accepts any order).
 */
export function createRequestSigner(options: RequestSignerOptions): RequestSigner {
  const { mchid, merchantSerial, merchantPrivateKey } = options;
  const now = options.now ?? Date.now;
  const nextNonce = options.nonce ?? generateNonce;
  return {
    async sign(method, canonicalUrl, body) {
      const timestamp = unixSeconds(now());
      const nonce = nextNonce();
      const message = buildRequestMessage(method.toUpperCase(), canonicalUrl, timestamp, nonce, body);
      const signature = await signSha256RsaAsync(message, merchantPrivateKey);
      const authorization =
        `${AUTHORIZATION_SCHEMA} mchid="${mchid}",nonce_str="${nonce}",signature="${signature}",` +
        `timestamp="${timestamp}",serial_no="${merchantSerial}"`;
      return { authorization, timestamp, nonce, signature, message };
    },
  };
}

/** The five fields of a parsed `Authorization` header. */
export interface ParsedAuthorization {
  mchid: string;
  nonce_str: string;
  signature: string;
  timestamp: string;
  serial_no: string;
}

const AUTH_FIELDS = ['mchid', 'nonce_str', 'signature', 'timestamp', 'serial_no'] as const;
const AUTH_PAIR = /^([a-z_]+)="([^"]*)"$/;

/**
 * Parses a `WECHATPAY2-SHA256-RSA2048 k="v",…` header in any field order.
 *
 * @returns the fields, or `undefined` when the schema is wrong, a field is missing, empty, duplicated or unknown,
 *   or the syntax is off (spaces between pairs are tolerated; WeChat's own examples have none).
 */
export function parseAuthorization(header: string | undefined): ParsedAuthorization | undefined {
  if (header === undefined) return undefined;
  const prefix = `${AUTHORIZATION_SCHEMA} `;
  if (!header.startsWith(prefix)) return undefined;
  const fields = new Map<string, string>();
  // Values cannot contain `"` or `,` (Base64, digits, ids), so splitting on commas is safe.
  for (const part of header.slice(prefix.length).split(',')) {
    const match = AUTH_PAIR.exec(part.trim());
    if (!match) return undefined;
    const [, key = '', value = ''] = match;
    if (!(AUTH_FIELDS as readonly string[]).includes(key) || fields.has(key) || value === '')
      return undefined;
    fields.set(key, value);
  }
  if (fields.size !== AUTH_FIELDS.length) return undefined;
  return {
    mchid: fields.get('mchid') ?? '',
    nonce_str: fields.get('nonce_str') ?? '',
    signature: fields.get('signature') ?? '',
    timestamp: fields.get('timestamp') ?? '',
    serial_no: fields.get('serial_no') ?? '',
  };
}

/**
 * Checks a parsed Authorization against the request actually received (what the WeChat Pay side does).
 * Timestamp freshness is the caller's policy; this only checks the signature.
 *
 * @param body the raw body as received (`''` for none).
 */
export function verifyAuthorization(
  auth: ParsedAuthorization,
  request: { method: string; canonicalUrl: string; body: string | Buffer },
  merchantPublicKey: KeyObject,
): boolean {
  const head = Buffer.from(
    `${request.method}\n${request.canonicalUrl}\n${auth.timestamp}\n${auth.nonce_str}\n`,
  );
  const body = typeof request.body === 'string' ? Buffer.from(request.body) : request.body;
  return verifySha256Rsa(Buffer.concat([head, body, Buffer.from('\n')]), auth.signature, merchantPublicKey);
}
