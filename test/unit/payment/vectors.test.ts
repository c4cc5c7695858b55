import {
  createWechatpayVerifier,
  decryptAeadAes256Gcm,
  AeadError,
} from '../../../server/src/payment/index.js';
import { fixture, shortId, vectors, type AesVector, type RsaVerifyVector } from './support/vectors.js';

/**
 * Every official vector in vectors.json, checked by what the vector says rather than by a list kept by hand: a
 * vector added to the file is tested the moment it is added, and none can be dropped from the tests without
 * deleting it from the file. (The RSA signing vectors are checked the same way in rsa.test.ts; the focused tests
 * beside this file add the stories behind individual vectors.)
 */

/** WeChat Pay's AEAD is AES-256-GCM with a 12-byte nonce; vectors of other sizes must be refused, by reason. */
function expectedAesOutcome(v: AesVector): 'decrypts' | 'invalid_key' | 'invalid_nonce' {
  if (Buffer.byteLength(v.key) !== 32) return 'invalid_key';
  if (Buffer.byteLength(v.nonce) !== 12) return 'invalid_nonce';
  return 'decrypts';
}

describe.each(vectors.aes_gcm.map((v) => [shortId(v.id), v] as const))('AES vector %s', (_id, v) => {
  const decrypt = () =>
    decryptAeadAes256Gcm({ key: v.key, nonce: v.nonce, associatedData: v.aad, ciphertext: v.ciphertext_b64 });

  test(`is handled as WeChat Pay requires (${expectedAesOutcome(v)})`, () => {
    const outcome = expectedAesOutcome(v);
    if (outcome === 'decrypts') {
      const expected = v.plaintext ?? fixture(v.plaintext_file ?? '');
      expect(decrypt().toString('utf8')).toBe(expected);
    } else {
      expect(decrypt).toThrow(AeadError);
      try {
        decrypt();
      } catch (err) {
        expect((err as AeadError).reason).toBe(outcome);
      }
    }
  });
});

/** A vector that names no real serial ("(any PUB_KEY_ID_… you configure)", or none) gets this one. */
const CONFIGURED_KEY_ID = 'PUB_KEY_ID_0114232020180608000000000000000001';
const serialOf = (v: RsaVerifyVector) =>
  !v.serial || v.serial.startsWith('(') ? CONFIGURED_KEY_ID : v.serial;

describe.each(vectors.rsa_verify.map((v) => [shortId(v.id), v] as const))(
  'verification vector %s',
  (_id, v) => {
    test(`verifies as ${String(v.expect)}`, () => {
      const verifier = createWechatpayVerifier(
        v.cert_file
          ? { platformCertificates: [fixture(v.cert_file)] }
          : { publicKeys: [{ id: serialOf(v), pem: fixture(v.pubkey_file ?? '') }] },
      );
      const result = verifier.verify(
        {
          serial: serialOf(v),
          signature: v.signature,
          timestamp: v.timestamp,
          nonce: v.nonce,
          body: Buffer.from(v.body, 'utf8'),
        },
        Number(v.timestamp) * 1000,
      );
      expect(result.ok).toBe(String(v.expect) === 'True' || v.expect === true);
    });
  },
);

test.skip.each(vectors.v2.map((v) => shortId(v.id)))(
  '%s is an APIv2 (legacy XML) vector: the wxpay-v2 channel that would use it is not built',
  () => undefined,
);
