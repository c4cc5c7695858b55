/**
 * Safe-mode (安全模式) message-push encryption, the scheme of WeChat's WXBizMsgCrypt samples:
 *
 * - AESKey = Base64_Decode(EncodingAESKey + "="): 32 bytes from the 43 characters set in the console;
 * - AES-256-CBC with IV = AESKey[0:16];
 * - plaintext = random(16 bytes) + msg_len(4 bytes, big-endian) + msg + appid, padded with PKCS#7 to a multiple
 *   of **32** bytes (not AES's 16: Node's automatic padding refuses WeChat's ciphertexts, so it is done here);
 * - Encrypt = Base64(ciphertext).
 *
 * https://developers.weixin.qq.com/miniprogram/dev/framework/server-ability/message-push.html
 */
import { createCipheriv, createDecipheriv, randomInt } from 'node:crypto';

import { decodeBase64Strict } from '../payment/index.js';

/** WXBizMsgCrypt's PKCS#7 block size. */
const PAD_BLOCK = 32;
const RANDOM_BYTES = 16;
const LENGTH_BYTES = 4;
const ENCODING_AES_KEY = /^[A-Za-z0-9+/]{43}$/;
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Why a ciphertext did not open. */
export type PushDecryptFailure =
  /** Not canonical Base64, or not a whole number of AES blocks. */
  | 'malformed_ciphertext'
  /** The last block does not end in valid 32-byte PKCS#7 padding: wrong key, or a tampered ciphertext. */
  | 'bad_padding'
  /** The length prefix points past the end, or the message is not UTF-8. */
  | 'bad_layout';

/** A ciphertext that does not open. */
export class PushDecryptError extends Error {
  override readonly name = 'PushDecryptError';
  constructor(
    readonly reason: PushDecryptFailure,
    message: string,
  ) {
    super(message);
  }
}

/** The plaintext of a safe-mode `Encrypt`. */
export interface DecryptedPush {
  /** The 16 random bytes that open every plaintext. */
  random: Buffer;
  /** The message (JSON or XML text). */
  message: string;
  /** The appid the message was encrypted for: compare it with yours. */
  appid: string;
}

/**
 * The 32-byte AES key of a 43-character EncodingAESKey. Decoded leniently on purpose: the console's keys (and the
 * official samples' `abcd…ABCDEFG`) need not have zero trailing bits, and WeChat's own decoders ignore them.
 *
 * @throws TypeError when the key is not 43 Base64 characters.
 */
export function decodeEncodingAesKey(encodingAesKey: string): Buffer {
  if (!ENCODING_AES_KEY.test(encodingAesKey)) {
    throw new TypeError(
      'The EncodingAESKey must be 43 characters of [A-Za-z0-9+/] (mp → 开发管理 → 消息推送)',
    );
  }
  return Buffer.from(`${encodingAesKey}=`, 'base64');
}

/** 16 random characters of [A-Za-z0-9], the shape of the random prefix in WeChat's own ciphertexts. */
export function randomPrefix(): Buffer {
  let out = '';
  for (let i = 0; i < RANDOM_BYTES; i++) out += ALNUM[randomInt(ALNUM.length)];
  return Buffer.from(out, 'latin1');
}

/**
 * Encrypts `message` for `appid` (an encrypted reply, or what the sandbox pushes).
 *
 * @param random the 16-byte prefix; random by default (fixed only to reproduce a vector).
 */
export function encryptPushMessage(
  aesKey: Buffer,
  appid: string,
  message: string,
  random: Buffer = randomPrefix(),
): string {
  if (aesKey.length !== 32) throw new TypeError('The AES key must be 32 bytes');
  if (random.length !== RANDOM_BYTES) throw new TypeError('The random prefix must be 16 bytes');
  const body = Buffer.from(message, 'utf8');
  const length = Buffer.alloc(LENGTH_BYTES);
  length.writeUInt32BE(body.length);
  const content = Buffer.concat([random, length, body, Buffer.from(appid, 'utf8')]);
  const pad = PAD_BLOCK - (content.length % PAD_BLOCK);
  const cipher = createCipheriv('aes-256-cbc', aesKey, aesKey.subarray(0, 16));
  cipher.setAutoPadding(false);
  const padded = Buffer.concat([content, Buffer.alloc(pad, pad)]);
  return Buffer.concat([cipher.update(padded), cipher.final()]).toString('base64');
}

/**
 * Decrypts a safe-mode `Encrypt`. The appid is returned, not checked: the caller compares it with its own.
 *
 * @throws PushDecryptError with the reason.
 */
export function decryptPushMessage(aesKey: Buffer, encrypt: string): DecryptedPush {
  if (aesKey.length !== 32) throw new TypeError('The AES key must be 32 bytes');
  const bytes = decodeBase64Strict(encrypt);
  if (!bytes || bytes.length === 0 || bytes.length % PAD_BLOCK !== 0) {
    throw new PushDecryptError('malformed_ciphertext', 'Encrypt is not Base64 of whole 32-byte blocks');
  }
  const decipher = createDecipheriv('aes-256-cbc', aesKey, aesKey.subarray(0, 16));
  decipher.setAutoPadding(false);
  const plain = Buffer.concat([decipher.update(bytes), decipher.final()]);

  const pad = plain[plain.length - 1] ?? 0;
  if (pad < 1 || pad > PAD_BLOCK || !plain.subarray(plain.length - pad).every((b) => b === pad)) {
    throw new PushDecryptError(
      'bad_padding',
      'Encrypt does not end in valid padding (wrong key or tampered)',
    );
  }
  const content = plain.subarray(0, plain.length - pad);
  if (content.length < RANDOM_BYTES + LENGTH_BYTES) {
    throw new PushDecryptError('bad_layout', 'Encrypt is too short for its random prefix and length');
  }
  const length = content.readUInt32BE(RANDOM_BYTES);
  const start = RANDOM_BYTES + LENGTH_BYTES;
  if (start + length > content.length) {
    throw new PushDecryptError('bad_layout', 'The message length points past the end of the plaintext');
  }
  const decoder = new TextDecoder('utf-8', { fatal: true });
  try {
    return {
      random: Buffer.from(content.subarray(0, RANDOM_BYTES)),
      message: decoder.decode(content.subarray(start, start + length)),
      appid: decoder.decode(content.subarray(start + length)),
    };
  } catch {
    throw new PushDecryptError('bad_layout', 'The decrypted message is not UTF-8');
  }
}
