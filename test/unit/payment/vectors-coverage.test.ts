import { shortId, vectors } from './support/vectors.js';

/** Where each vector in vectors.json is exercised, so a vector added later cannot go silently untested. */
const COVERED: Record<string, string> = {
  'AES-1': 'aead.test.ts (decrypts)',
  'AES-2': 'aead.test.ts (16-byte IV: rejected by the size-enforcing decryptor)',
  'AES-3': 'aead.test.ts (16-byte IV: rejected by the size-enforcing decryptor)',
  'AES-4': 'aead.test.ts (16-byte key, AES-128: rejected by the size-enforcing decryptor)',
  'AES-5': 'aead.test.ts (16-byte key, AES-128: rejected by the size-enforcing decryptor)',
  'AES-6': 'aead.test.ts (decrypts to a platform certificate)',
  'AES-7': 'aead.test.ts (decrypts; encryption reproduces it)',
  ...Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`RSA-${i + 1}`, 'rsa.test.ts (+ builders)'])),
  'VER-1': 'wechatpay-verifier.test.ts (public-key mode)',
  'VER-2': 'wechatpay-verifier.test.ts (certificate mode), notification.test.ts (AES-128 resource refused)',
  'VER-3': 'wechatpay-verifier.test.ts, notification.test.ts (verifies and decrypts)',
  'VER-4': 'wechatpay-verifier.test.ts, notification.test.ts (probe refused)',
};

/** APIv2 (legacy XML, MD5/HMAC-SHA256) belongs to the wxpay-v2 channel, which this APIv3 module does not implement. */
const V2_IDS = vectors.v2.map((v) => shortId(v.id));

describe('test vector coverage', () => {
  test('every APIv3 vector in vectors.json is exercised by a payment test', () => {
    const ids = [...vectors.aes_gcm, ...vectors.rsa_sign, ...vectors.rsa_verify].map((v) => shortId(v.id));
    expect(ids.filter((id) => !(id in COVERED))).toEqual([]);
    expect(Object.keys(COVERED).sort()).toEqual([...ids].sort());
  });

  test.skip.each(V2_IDS)(
    '%s is an APIv2 vector: skipped here, it belongs to the legacy wxpay-v2 channel',
    () => {},
  );
});
