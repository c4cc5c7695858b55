/**
 * RSA keys and SHA256withRSA (RSASSA-PKCS1-v1_5) signatures, the only asymmetric primitive WeChat Pay APIv3 uses:
 * merchants sign requests and `paySign` with their API private key; WeChat Pay signs responses and notifications
 * with its platform key (public-key mode or a platform certificate).
 */
import {
  X509Certificate,
  createPrivateKey,
  createPublicKey,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';

import { decodeBase64Strict } from './strict-base64.js';

/** WeChat Pay keys are RSA-2048; anything smaller is a misconfiguration, not a key we should sign with. */
const MIN_MODULUS_BITS = 2048;

function assertRsaKey(key: KeyObject, what: string): KeyObject {
  if (key.asymmetricKeyType !== 'rsa') {
    throw new TypeError(`${what} must be an RSA key, got ${key.asymmetricKeyType ?? 'a non-asymmetric key'}`);
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_MODULUS_BITS) {
    throw new TypeError(`${what} must be at least ${MIN_MODULUS_BITS} bits, got ${bits}`);
  }
  return key;
}

/**
 * Loads the merchant API private key (`apiclient_key.pem`, PKCS#8 `PRIVATE KEY` or PKCS#1 `RSA PRIVATE KEY`).
 *
 * @throws TypeError when the PEM is not an RSA private key of at least 2048 bits.
 */
export function loadPrivateKey(pem: string | Buffer): KeyObject {
  return assertRsaKey(createPrivateKey(pem), 'The merchant private key');
}

/**
 * Loads a WeChat Pay public key (`pub_key.pem`, SPKI `PUBLIC KEY` or PKCS#1 `RSA PUBLIC KEY`).
 *
 * @throws TypeError when the PEM is not an RSA public key of at least 2048 bits.
 */
export function loadPublicKey(pem: string | Buffer): KeyObject {
  return assertRsaKey(createPublicKey(pem), 'The WeChat Pay public key');
}

/** A platform (or merchant) certificate reduced to what verification needs. */
export interface LoadedCertificate {
  /** The serial number as uppercase hex without leading zeros, the form WeChat Pay puts in `Wechatpay-Serial`. */
  serial: string;
  publicKey: KeyObject;
  validFrom: Date;
  validTo: Date;
}

/**
 * Normalises a certificate serial to the form WeChat Pay sends: uppercase hex, no leading zeros.
 *
 * Node (OpenSSL's BN_bn2hex) pads the serial to whole bytes (`0ABC`), while the official Java and Go SDKs print
 * it as a big integer (`ABC`), which is what appears in `Wechatpay-Serial`.
 */
export function normalizeSerial(serial: string): string {
  const upper = serial.trim().toUpperCase();
  const stripped = upper.replace(/^0+/, '');
  return stripped === '' ? '0' : stripped;
}

/**
 * Loads an X.509 certificate (a WeChat Pay platform certificate, or the merchant API certificate to read its
 * serial).
 *
 * @throws TypeError when the certificate's key is not RSA-2048 or larger.
 */
export function loadCertificate(pem: string | Buffer): LoadedCertificate {
  const cert = new X509Certificate(pem);
  return {
    serial: normalizeSerial(cert.serialNumber),
    publicKey: assertRsaKey(cert.publicKey, `The key of certificate ${cert.serialNumber}`),
    validFrom: new Date(cert.validFrom),
    validTo: new Date(cert.validTo),
  };
}

/**
 * Signs `message` (a string is taken as UTF-8) with SHA256withRSA, PKCS#1 v1.5 padding.
 *
 * Synchronous: about 1 ms of CPU for RSA-2048. On a request path prefer {@link signSha256RsaAsync}.
 *
 * @returns the signature in standard Base64.
 */
export function signSha256Rsa(message: string | Buffer, privateKey: KeyObject): string {
  return sign('sha256', toBytes(message), privateKey).toString('base64');
}

/**
 * Like {@link signSha256Rsa}, but computed on libuv's thread pool so a burst of orders does not stall the event
 * loop (an RSA-2048 signature costs ~1 ms, about 20x a verification).
 */
export function signSha256RsaAsync(message: string | Buffer, privateKey: KeyObject): Promise<string> {
  return new Promise((resolve, reject) => {
    sign('sha256', toBytes(message), privateKey, (err, signature) => {
      if (err) reject(err);
      else resolve(signature.toString('base64'));
    });
  });
}

/**
 * Verifies a SHA256withRSA signature given in Base64.
 *
 * The signature must be canonical Base64 and decode to exactly the key's modulus size (256 bytes for RSA-2048);
 * anything else, such as a `WECHATPAY/SIGNTEST/…` probe, is a bad signature. Never throws for bad input.
 */
export function verifySha256Rsa(
  message: string | Buffer,
  signatureB64: string,
  publicKey: KeyObject,
): boolean {
  const signature = decodeBase64Strict(signatureB64);
  const modulusBytes = (publicKey.asymmetricKeyDetails?.modulusLength ?? 0) / 8;
  if (signature === undefined || signature.length !== modulusBytes) return false;
  try {
    return verify('sha256', toBytes(message), publicKey, signature);
  } catch {
    // OpenSSL errors (e.g. a key of the wrong type) mean "not verified", never "verified".
    return false;
  }
}

function toBytes(message: string | Buffer): Buffer {
  return typeof message === 'string' ? Buffer.from(message, 'utf8') : message;
}
