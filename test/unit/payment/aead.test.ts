import { createDecipheriv } from 'node:crypto';

import {
  AeadError,
  assertApiV3Key,
  decryptAeadAes256Gcm,
  encryptAeadAes256Gcm,
  loadCertificate,
} from '../../../server/src/payment/index.js';
import { fixture, vector, vectors, type AesVector } from './support/vectors.js';

const decrypt = (v: AesVector) =>
  decryptAeadAes256Gcm({ key: v.key, nonce: v.nonce, associatedData: v.aad, ciphertext: v.ciphertext_b64 });

function refusal(fn: () => unknown): AeadError {
  try {
    fn();
  } catch (err) {
    if (err instanceof AeadError) return err;
    throw err;
  }
  throw new Error('expected an AeadError');
}

describe('AEAD_AES_256_GCM decryption', () => {
  test('AES-1 (wechatpay-java) decrypts to its plaintext', () => {
    const v = vector(vectors.aes_gcm, 'AES-1');
    expect(decrypt(v).toString('utf8')).toBe(v.plaintext);
  });

  test('AES-6 (a downloaded platform certificate, AAD "certificate") decrypts to the PEM with the documented serial', () => {
    const v = vector(vectors.aes_gcm, 'AES-6');
    const pem = decrypt(v).toString('utf8');
    expect(pem).toBe(fixture(v.plaintext_file ?? ''));
    expect(loadCertificate(pem).serial).toBe('5DEA10EF55877E3CF6C33255C2E7DEFFF7E427EC');
  });

  test('AES-7 (derived transaction resource, AAD "transaction") decrypts to the transaction JSON', () => {
    const v = vector(vectors.aes_gcm, 'AES-7');
    expect(decrypt(v).toString('utf8')).toBe(v.plaintext);
    expect(JSON.parse(v.plaintext ?? '')).toMatchObject({ trade_state: 'SUCCESS', amount: { total: 100 } });
  });

  test('AES-2 and AES-3 use a 16-byte IV, so the size-enforcing decryptor rejects them as invalid_nonce', () => {
    for (const id of ['AES-2', 'AES-3']) {
      const v = vector(vectors.aes_gcm, id);
      expect(refusal(() => decrypt(v)).reason).toBe('invalid_nonce');
      // The vectors themselves are sound: plain node:crypto with their 16-byte IV decrypts them. WeChat Pay
      // always uses 12 bytes, so refusing is policy, not a bug.
      const data = Buffer.from(v.ciphertext_b64, 'base64');
      const d = createDecipheriv('aes-256-gcm', Buffer.from(v.key), Buffer.from(v.nonce));
      d.setAAD(Buffer.from(v.aad));
      d.setAuthTag(data.subarray(-16));
      expect(Buffer.concat([d.update(data.subarray(0, -16)), d.final()]).toString()).toBe(v.plaintext);
    }
  });

  test('AES-4 and AES-5 use a 16-byte key (AES-128-GCM), so the size-enforcing decryptor rejects them as invalid_key', () => {
    for (const id of ['AES-4', 'AES-5']) {
      const v = vector(vectors.aes_gcm, id);
      const err = refusal(() => decrypt(v));
      expect(err.reason).toBe('invalid_key');
      expect(err.message).toMatch(/32 bytes, got 16/);
    }
  });

  test('a wrong key, nonce or AAD fails authentication instead of returning garbage', () => {
    const v = vector(vectors.aes_gcm, 'AES-7');
    const wrongKey = { ...v, key: `b${v.key.slice(1)}` };
    const wrongAad = { ...v, aad: 'refund' };
    const wrongNonce = { ...v, nonce: `X${v.nonce.slice(1)}` };
    for (const bad of [wrongKey, wrongAad, wrongNonce])
      expect(refusal(() => decrypt(bad)).reason).toBe('auth_failed');
  });

  test('non-canonical Base64 and payloads shorter than the tag are invalid_ciphertext', () => {
    const v = vector(vectors.aes_gcm, 'AES-1');
    for (const ciphertext of [v.ciphertext_b64.replace(/=+$/, ''), ` ${v.ciphertext_b64}`, 'AAAA', '']) {
      expect(refusal(() => decrypt({ ...v, ciphertext_b64: ciphertext })).reason).toBe('invalid_ciphertext');
    }
  });
});

describe('AEAD_AES_256_GCM encryption (for the sandbox emulator)', () => {
  test('reproduces the AES-7 ciphertext byte for byte from its inputs', () => {
    const v = vector(vectors.aes_gcm, 'AES-7');
    const ciphertext = encryptAeadAes256Gcm({
      key: v.key,
      nonce: v.nonce,
      associatedData: v.aad,
      plaintext: v.plaintext ?? '',
    });
    expect(ciphertext).toBe(v.ciphertext_b64);
  });

  test('round-trips an empty plaintext with empty associated data', () => {
    const key = 'a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb';
    const ciphertext = encryptAeadAes256Gcm({
      key,
      nonce: '0123456789ab',
      associatedData: '',
      plaintext: '',
    });
    expect(Buffer.from(ciphertext, 'base64')).toHaveLength(16);
    expect(decryptAeadAes256Gcm({ key, nonce: '0123456789ab', associatedData: '', ciphertext })).toHaveLength(
      0,
    );
  });

  test('refuses wrong key and nonce sizes with a clear error', () => {
    expect(() =>
      encryptAeadAes256Gcm({ key: 'short', nonce: '0123456789ab', associatedData: '', plaintext: 'x' }),
    ).toThrow('The APIv3 key must be 32 bytes, got 5');
    expect(() =>
      encryptAeadAes256Gcm({ key: 'a'.repeat(32), nonce: 'abc', associatedData: '', plaintext: 'x' }),
    ).toThrow('The AEAD nonce must be 12 bytes, got 3');
  });

  test('assertApiV3Key accepts exactly 32 bytes and counts UTF-8 bytes, not characters', () => {
    expect(() => assertApiV3Key('a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb')).not.toThrow();
    expect(() => assertApiV3Key('testMchAPIv3Key0')).toThrow(AeadError);
    expect(() => assertApiV3Key('密'.repeat(32))).toThrow('got 96');
  });
});
