import { createPublicKey, generateKeyPairSync } from 'node:crypto';

import {
  decodeBase64Strict,
  loadCertificate,
  loadPrivateKey,
  loadPublicKey,
  normalizeSerial,
  signSha256Rsa,
  signSha256RsaAsync,
  verifySha256Rsa,
} from '../../../server/src/payment/index.js';
import { fixture, shortId, supportFile, vector, vectors } from './support/vectors.js';

describe('SHA256withRSA signatures', () => {
  test.each(vectors.rsa_sign.map((v) => [shortId(v.id), v] as const))(
    '%s is reproduced exactly and verifies with the matching public key',
    async (_id, v) => {
      const key = loadPrivateKey(fixture(v.key_file));
      expect(signSha256Rsa(v.message, key)).toBe(v.signature);
      expect(await signSha256RsaAsync(v.message, key)).toBe(v.signature);
      expect(verifySha256Rsa(v.message, v.signature, createPublicKey(key))).toBe(true);
    },
  );

  test('all ten RSA vectors are present in vectors.json', () => {
    expect(vectors.rsa_sign.map((v) => shortId(v.id))).toEqual(
      Array.from({ length: 10 }, (_, i) => `RSA-${i + 1}`),
    );
  });

  test('verification rejects non-canonical Base64 of a valid signature', () => {
    const v = vector(vectors.rsa_sign, 'RSA-2');
    const publicKey = createPublicKey(loadPrivateKey(fixture(v.key_file)));
    const variants = [
      v.signature.replace(/=+$/, ''), // padding stripped
      `${v.signature.slice(0, 100)}\n${v.signature.slice(100)}`, // line break
      ` ${v.signature}`,
      v.signature.replace(/\+/g, '-').replace(/\//g, '_'), // URL-safe alphabet
      `${v.signature}AAAA`, // extra bytes: wrong length for the modulus
      `WECHATPAY/SIGNTEST/${v.signature}`,
      '',
    ];
    for (const signature of variants) expect(verifySha256Rsa(v.message, signature, publicKey)).toBe(false);
  });

  test('verification over raw bytes keeps non-UTF-8 content intact', () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const bytes = Buffer.from([0x7b, 0xff, 0xfe, 0x22, 0x7d]);
    const signature = signSha256Rsa(bytes, privateKey);
    expect(verifySha256Rsa(bytes, signature, publicKey)).toBe(true);
    // Decoding to a string replaces the invalid bytes (U+FFFD), which breaks the signature.
    expect(verifySha256Rsa(bytes.toString('utf8'), signature, publicKey)).toBe(false);
  });
});

describe('strict Base64', () => {
  test('accepts canonical padded Base64 and rejects everything else', () => {
    expect(decodeBase64Strict('QQ==')?.toString()).toBe('A');
    expect(decodeBase64Strict('QUJD')?.toString()).toBe('ABC');
    for (const bad of ['QR==', 'QQ=', 'QQ', 'Q===', 'QQ==QQ==', 'Q Q==', 'QQ-_', '']) {
      expect(decodeBase64Strict(bad)).toBeUndefined();
    }
  });
});

describe('key and certificate loading', () => {
  test('reads the platform certificate serial as uppercase hex (VER-2 cert is D7CE59D1F522D701)', () => {
    const cert = loadCertificate(fixture('go_test_cert.pem'));
    expect(cert.serial).toBe(vector(vectors.rsa_verify, 'VER-2').serial);
    expect(cert.publicKey.asymmetricKeyType).toBe('rsa');
  });

  test('drops the leading zero Node prints for a serial whose top byte is below 0x10, as WeChat does', () => {
    const cert = loadCertificate(supportFile('platform-cert-test.pem'));
    expect(cert.serial).toBe('123456789ABCDEF');
    expect(normalizeSerial('0abc')).toBe('ABC');
    expect(normalizeSerial('00')).toBe('0');
  });

  test('loads public keys and refuses keys that are not RSA-2048 or larger', () => {
    expect(
      loadPublicKey(fixture('doc_pubkey_PUB_KEY_ID_sample.pem')).asymmetricKeyDetails?.modulusLength,
    ).toBe(2048);
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 });
    expect(() => loadPrivateKey(small.privateKey.export({ type: 'pkcs8', format: 'pem' }))).toThrow(
      'at least 2048 bits',
    );
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(() => loadPublicKey(ec.publicKey.export({ type: 'spki', format: 'pem' }))).toThrow(
      'must be an RSA key',
    );
  });
});
