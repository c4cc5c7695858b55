/**
 * AEAD_AES_256_GCM as WeChat Pay APIv3 uses it for notification `resource`s and downloaded certificates:
 * key = the APIv3 key's 32 UTF-8 bytes, nonce = 12 UTF-8 bytes, AAD = `associated_data` (may be ""),
 * ciphertext = Base64 of encrypted bytes followed by the 16-byte tag.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';

import { decodeBase64Strict } from './strict-base64.js';

const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** Why an AEAD operation was refused. */
export type AeadErrorReason = 'invalid_key' | 'invalid_nonce' | 'invalid_ciphertext' | 'auth_failed';

/** A refused AEAD operation. `auth_failed` almost always means a wrong (or reset) APIv3 key. */
export class AeadError extends Error {
  override readonly name = 'AeadError';
  constructor(
    readonly reason: AeadErrorReason,
    message: string,
  ) {
    super(message);
  }
}

function toBytes(value: string | Buffer): Buffer {
  return typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
}

function checkSizes(key: Buffer, nonce: Buffer): void {
  // Enforced although node:crypto would accept other IV lengths: WeChat always uses 32/12, and a 16-byte key
  // would silently select AES-128 (as some SDK test vectors do).
  if (key.length !== KEY_BYTES) {
    throw new AeadError('invalid_key', `The APIv3 key must be ${KEY_BYTES} bytes, got ${key.length}`);
  }
  if (nonce.length !== NONCE_BYTES) {
    throw new AeadError('invalid_nonce', `The AEAD nonce must be ${NONCE_BYTES} bytes, got ${nonce.length}`);
  }
}

/**
 * Checks an APIv3 key at boot, so a wrong key fails on start rather than on the first notification.
 *
 * @throws AeadError `invalid_key` unless the key is exactly 32 bytes of UTF-8.
 */
export function assertApiV3Key(key: string | Buffer): void {
  const bytes = toBytes(key);
  if (bytes.length !== KEY_BYTES) {
    throw new AeadError('invalid_key', `The APIv3 key must be ${KEY_BYTES} bytes, got ${bytes.length}`);
  }
}

/** Inputs of {@link decryptAeadAes256Gcm}; strings are taken as UTF-8, as WeChat Pay specifies. */
export interface AeadDecryptInput {
  key: string | Buffer;
  nonce: string | Buffer;
  /** `associated_data`; `""` when absent. */
  associatedData: string | Buffer;
  /** Base64 of ciphertext followed by the 16-byte tag. */
  ciphertext: string;
}

/**
 * Decrypts and authenticates an AEAD_AES_256_GCM payload.
 *
 * @throws AeadError `invalid_key` / `invalid_nonce` for wrong sizes, `invalid_ciphertext` for non-canonical Base64
 *   or a payload shorter than the tag, `auth_failed` when the tag does not match (wrong key, nonce, AAD or data).
 */
export function decryptAeadAes256Gcm(input: AeadDecryptInput): Buffer {
  const key = toBytes(input.key);
  const nonce = toBytes(input.nonce);
  checkSizes(key, nonce);
  const data = decodeBase64Strict(input.ciphertext);
  if (data === undefined || data.length < TAG_BYTES) {
    throw new AeadError(
      'invalid_ciphertext',
      'The ciphertext is not canonical Base64 of data plus a 16-byte tag',
    );
  }
  const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  decipher.setAAD(toBytes(input.associatedData));
  decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
  const head = decipher.update(data.subarray(0, data.length - TAG_BYTES));
  try {
    return Buffer.concat([head, decipher.final()]);
  } catch {
    throw new AeadError('auth_failed', 'AEAD authentication failed: wrong APIv3 key, or tampered data');
  }
}

/** Inputs of {@link encryptAeadAes256Gcm}. */
export interface AeadEncryptInput {
  key: string | Buffer;
  /** 12 bytes; WeChat Pay uses 12 random alphanumeric characters. */
  nonce: string | Buffer;
  associatedData: string | Buffer;
  plaintext: string | Buffer;
}

/**
 * Encrypts like WeChat Pay does (used by the sandbox emulator to build notifications).
 *
 * @returns Base64 of ciphertext followed by the 16-byte tag.
 */
export function encryptAeadAes256Gcm(input: AeadEncryptInput): string {
  const key = toBytes(input.key);
  const nonce = toBytes(input.nonce);
  checkSizes(key, nonce);
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(toBytes(input.associatedData));
  const body = Buffer.concat([cipher.update(toBytes(input.plaintext)), cipher.final()]);
  return Buffer.concat([body, cipher.getAuthTag()]).toString('base64');
}
