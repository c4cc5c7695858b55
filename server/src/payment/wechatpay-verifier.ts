/**
 * Verification of WeChat Pay's signatures on API responses and notifications, in public-key mode
 * (`PUB_KEY_ID_…` + `pub_key.pem`) and platform-certificate mode at once: during WeChat's migration both kinds
 * arrive, so the key is chosen by `Wechatpay-Serial` alone.
 */
import type { KeyObject } from 'node:crypto';

import { loadCertificate, loadPublicKey, normalizeSerial, verifySha256Rsa } from './rsa.js';

/** Why a signature was not accepted. */
export type VerifyFailureReason =
  'malformed_headers' | 'unknown_serial' | 'stale_timestamp' | 'bad_signature' | 'signature_probe';

/** What a response or notification is verified over. */
export interface VerifyInput {
  /** `Wechatpay-Serial`: a `PUB_KEY_ID_…` or a platform certificate serial. */
  serial: string | undefined;
  /** `Wechatpay-Signature`, Base64. */
  signature: string | undefined;
  /** `Wechatpay-Timestamp`, Unix seconds. */
  timestamp: string | undefined;
  /** `Wechatpay-Nonce`. */
  nonce: string | undefined;
  /** `Wechatpay-Signature-Type`; when present it must be `WECHATPAY2-SHA256-RSA2048`. */
  signatureType?: string | undefined;
  /** The raw body bytes exactly as received (`''` / empty buffer for a 204). Strings are taken as UTF-8. */
  body: Buffer | string;
}

/** Outcome of {@link WechatpayVerifier.verify}. */
export type VerifyResult =
  { ok: true; serial: string } | { ok: false; reason: VerifyFailureReason; message: string };

/** A WeChat Pay public key, as downloaded from 商户平台 → API安全. */
export interface WechatpayPublicKeyConfig {
  /** `PUB_KEY_ID_` followed by digits. */
  id: string;
  pem: string | Buffer;
}

/** Options for {@link createWechatpayVerifier}; at least one key is required. */
export interface WechatpayVerifierOptions {
  /** Public-key mode keys. */
  publicKeys?: readonly WechatpayPublicKeyConfig[];
  /** Platform-certificate mode: PEM certificates; each serial is read from its certificate. */
  platformCertificates?: readonly (string | Buffer)[];
  /** Largest accepted |now − Wechatpay-Timestamp|, exclusive, in seconds. Default 300 (what all SDKs use). */
  maxClockSkewSeconds?: number;
}

/** Verifies WeChat Pay signatures with the configured keys. */
export interface WechatpayVerifier {
  /**
   * Verifies `${timestamp}\n${nonce}\n${body}\n` over the raw body bytes.
   *
   * @param nowMs the current time in milliseconds since the epoch (default `Date.now()`).
   */
  verify(input: VerifyInput, nowMs?: number): VerifyResult;
  /** The serials / key ids this verifier trusts (for logs and health output). */
  readonly serials: readonly string[];
}

/** The prefix of WeChat Pay's deliberate wrong signatures, sent to check that merchants verify. */
export const SIGNATURE_PROBE_PREFIX = 'WECHATPAY/SIGNTEST/';
const SIGNATURE_TYPE = 'WECHATPAY2-SHA256-RSA2048';
const PUBLIC_KEY_ID = /^PUB_KEY_ID_[0-9A-Za-z]+$/;
const TIMESTAMP = /^\d{1,12}$/;

interface TrustedKey {
  key: KeyObject;
  /** Platform certificates are trusted only within their validity period; public keys have none. */
  validFromMs?: number;
  validToMs?: number;
}

/**
 * Builds a verifier trusting the given public keys and platform certificates together.
 *
 * @throws Error when no key is configured, a public key id does not look like `PUB_KEY_ID_…`, a PEM is not an
 *   RSA-2048 key/certificate, or two keys claim the same serial.
 */
export function createWechatpayVerifier(options: WechatpayVerifierOptions): WechatpayVerifier {
  const maxSkew = options.maxClockSkewSeconds ?? 300;
  const keys = new Map<string, TrustedKey>();
  const add = (serial: string, trusted: TrustedKey) => {
    if (keys.has(serial)) throw new Error(`WeChat Pay key ${serial} is configured twice`);
    keys.set(serial, trusted);
  };
  for (const { id, pem } of options.publicKeys ?? []) {
    if (!PUBLIC_KEY_ID.test(id)) {
      throw new Error(`WeChat Pay public key id must look like PUB_KEY_ID_<digits>, got "${id}"`);
    }
    add(id.toUpperCase(), { key: loadPublicKey(pem) });
  }
  for (const pem of options.platformCertificates ?? []) {
    const cert = loadCertificate(pem);
    add(cert.serial, {
      key: cert.publicKey,
      validFromMs: cert.validFrom.getTime(),
      validToMs: cert.validTo.getTime(),
    });
  }
  if (keys.size === 0) {
    throw new Error('Configure a WeChat Pay public key (PUB_KEY_ID_…) and/or platform certificates');
  }
  const serials = Object.freeze([...keys.keys()]);

  return {
    serials,
    verify(input, nowMs = Date.now()) {
      const fail = (reason: VerifyFailureReason, message: string): VerifyResult => ({
        ok: false,
        reason,
        message,
      });
      const { serial, signature, timestamp, nonce } = input;
      if (!serial || !signature || !timestamp || !nonce) {
        return fail('malformed_headers', 'Missing Wechatpay-Serial, -Signature, -Timestamp or -Nonce header');
      }
      if (input.signatureType !== undefined && input.signatureType !== SIGNATURE_TYPE) {
        return fail('malformed_headers', `Unsupported Wechatpay-Signature-Type "${input.signatureType}"`);
      }
      // Serials are hex (either case) or PUB_KEY_ID_…; compare in one canonical form.
      const canonicalSerial = serial.startsWith('PUB_KEY_ID_')
        ? serial.toUpperCase()
        : normalizeSerial(serial);
      const trusted = keys.get(canonicalSerial);
      if (trusted === undefined) {
        return fail('unknown_serial', `Unknown Wechatpay-Serial ${serial}; trusted: ${serials.join(', ')}`);
      }
      if (
        (trusted.validFromMs !== undefined && nowMs < trusted.validFromMs) ||
        (trusted.validToMs !== undefined && nowMs > trusted.validToMs)
      ) {
        return fail('unknown_serial', `Platform certificate ${canonicalSerial} is not valid at this time`);
      }
      // Checked before the signature: cheaper, and a replayed old message is rejected whatever it carries.
      if (!TIMESTAMP.test(timestamp)) {
        return fail('stale_timestamp', `Wechatpay-Timestamp "${timestamp}" is not Unix seconds`);
      }
      const skew = Math.abs(Math.floor(nowMs / 1000) - Number(timestamp));
      if (skew >= maxSkew) {
        return fail('stale_timestamp', `Wechatpay-Timestamp is ${skew} s away from now (limit ${maxSkew} s)`);
      }
      const body = typeof input.body === 'string' ? Buffer.from(input.body, 'utf8') : input.body;
      const message = Buffer.concat([
        Buffer.from(`${timestamp}\n${nonce}\n`, 'utf8'),
        body,
        Buffer.from('\n'),
      ]);
      // A probe goes through real verification like any other signature; the prefix only labels the failure.
      if (verifySha256Rsa(message, signature, trusted.key)) return { ok: true, serial: canonicalSerial };
      return signature.startsWith(SIGNATURE_PROBE_PREFIX)
        ? fail('signature_probe', 'Signature probe (WECHATPAY/SIGNTEST/): verification failed as it must')
        : fail('bad_signature', `Signature does not verify with key ${canonicalSerial}`);
    },
  };
}
