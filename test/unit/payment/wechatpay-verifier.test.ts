import { generateKeyPairSync, sign } from 'node:crypto';

import { createWechatpayVerifier, type VerifyInput } from '../../../server/src/payment/index.js';
import { fixture, supportFile, vector, vectors, type RsaVerifyVector } from './support/vectors.js';

/** VER-3's serial is "any PUB_KEY_ID_… you configure"; this is ours. */
const VER3_KEY_ID = 'PUB_KEY_ID_0114232020180608000000000000000001';

const ver1 = vector(vectors.rsa_verify, 'VER-1');
const ver2 = vector(vectors.rsa_verify, 'VER-2');
const ver3 = vector(vectors.rsa_verify, 'VER-3');
const ver4 = vector(vectors.rsa_verify, 'VER-4');

/** One verifier configured in both modes at once, as during WeChat's migration. */
const verifier = createWechatpayVerifier({
  publicKeys: [
    { id: ver1.serial ?? '', pem: fixture(ver1.pubkey_file ?? '') },
    { id: VER3_KEY_ID, pem: fixture(ver3.pubkey_file ?? '') },
  ],
  platformCertificates: [fixture(ver2.cert_file ?? ''), supportFile('platform-cert-test.pem')],
});

/** VER-3 and VER-4 name no real serial ("(any PUB_KEY_ID_… you configure)" / none): use ours. */
const serialOf = (v: RsaVerifyVector) => (v.serial?.startsWith('(') || !v.serial ? VER3_KEY_ID : v.serial);

const inputOf = (v: RsaVerifyVector, serial = serialOf(v)): VerifyInput => ({
  serial,
  signature: v.signature,
  timestamp: v.timestamp,
  nonce: v.nonce,
  body: Buffer.from(v.body, 'utf8'),
});
const at = (v: RsaVerifyVector, offsetSeconds = 0) => (Number(v.timestamp) + offsetSeconds) * 1000;

describe('WeChat Pay signature verification', () => {
  test('VER-1 (official public-key-mode response) verifies with its PUB_KEY_ID near its timestamp', () => {
    expect(verifier.verify(inputOf(ver1), at(ver1, 30))).toEqual({ ok: true, serial: ver1.serial });
  });

  test('VER-2 (wechatpay-go notification) verifies in platform-certificate mode with serial D7CE59D1F522D701', () => {
    expect(ver2.serial).toBe('D7CE59D1F522D701');
    expect(verifier.verify(inputOf(ver2), at(ver2))).toEqual({ ok: true, serial: 'D7CE59D1F522D701' });
  });

  test('VER-3 (derived TRANSACTION.SUCCESS notification) verifies with the key id we configured for it', () => {
    expect(verifier.verify(inputOf(ver3), at(ver3))).toEqual({ ok: true, serial: VER3_KEY_ID });
  });

  test('VER-4 (WECHATPAY/SIGNTEST/ probe) fails verification and is labelled signature_probe', () => {
    expect(ver4.expect).toBe(false);
    const result = verifier.verify(inputOf(ver4, VER3_KEY_ID), at(ver4));
    expect(result).toMatchObject({ ok: false, reason: 'signature_probe' });
  });

  test('a signature of one mode does not verify under the other mode’s key', () => {
    expect(verifier.verify(inputOf(ver2, VER3_KEY_ID), at(ver2))).toMatchObject({
      ok: false,
      reason: 'bad_signature',
    });
  });

  test('a tampered body fails as bad_signature', () => {
    const tampered = { ...inputOf(ver3), body: ver3.body.replace('支付成功', '支付失败') };
    expect(tampered.body).not.toBe(ver3.body);
    expect(verifier.verify(tampered, at(ver3))).toMatchObject({ ok: false, reason: 'bad_signature' });
  });

  test('timestamps 299 s away either way pass and 300 s away are stale', () => {
    expect(verifier.verify(inputOf(ver3), at(ver3, 299)).ok).toBe(true);
    expect(verifier.verify(inputOf(ver3), at(ver3, -299)).ok).toBe(true);
    expect(verifier.verify(inputOf(ver3), at(ver3, 300))).toMatchObject({
      ok: false,
      reason: 'stale_timestamp',
    });
    expect(verifier.verify(inputOf(ver3), at(ver3, -300))).toMatchObject({
      ok: false,
      reason: 'stale_timestamp',
    });
  });

  test('a non-numeric timestamp is stale, as is a millisecond timestamp', () => {
    for (const timestamp of ['abc', '1528425299.5', '-1528425299', `${ver3.timestamp}000`]) {
      expect(verifier.verify({ ...inputOf(ver3), timestamp }, at(ver3))).toMatchObject({
        ok: false,
        reason: 'stale_timestamp',
      });
    }
  });

  test('an unknown serial fails as unknown_serial and names the trusted ones', () => {
    const result = verifier.verify(inputOf(ver3, 'PUB_KEY_ID_0000000000000000000000000000000999'), at(ver3));
    expect(result).toMatchObject({ ok: false, reason: 'unknown_serial' });
    expect(!result.ok && result.message).toContain('D7CE59D1F522D701');
  });

  test('non-canonical Base64 of the right signature fails as bad_signature', () => {
    for (const signature of [
      ver3.signature.replace(/=+$/, ''),
      `${ver3.signature}\n`,
      ver3.signature.replace(/\//g, '_'),
    ]) {
      expect(verifier.verify({ ...inputOf(ver3), signature }, at(ver3))).toMatchObject({
        ok: false,
        reason: 'bad_signature',
      });
    }
  });

  test('missing headers and a foreign signature type fail as malformed_headers', () => {
    for (const field of ['serial', 'signature', 'timestamp', 'nonce'] as const) {
      expect(verifier.verify({ ...inputOf(ver3), [field]: undefined }, at(ver3))).toMatchObject({
        ok: false,
        reason: 'malformed_headers',
      });
    }
    expect(
      verifier.verify({ ...inputOf(ver3), signatureType: 'WECHATPAY2-SM2-WITH-SM3' }, at(ver3)),
    ).toMatchObject({
      ok: false,
      reason: 'malformed_headers',
    });
    expect(
      verifier.verify({ ...inputOf(ver3), signatureType: 'WECHATPAY2-SHA256-RSA2048' }, at(ver3)).ok,
    ).toBe(true);
  });

  test('certificate serials match in either case and with or without the leading zero', () => {
    expect(verifier.verify(inputOf(ver2, 'd7ce59d1f522d701'), at(ver2)).ok).toBe(true);
    expect(verifier.serials).toContain('123456789ABCDEF');
  });

  test('verifies over raw body bytes, so non-UTF-8 bytes survive', () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const own = createWechatpayVerifier({
      publicKeys: [{ id: 'PUB_KEY_ID_1', pem: publicKey.export({ type: 'spki', format: 'pem' }) }],
    });
    const body = Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d]);
    const message = Buffer.concat([Buffer.from('1700000000\nabc\n'), body, Buffer.from('\n')]);
    const signature = sign('sha256', message, privateKey).toString('base64');
    const input = { serial: 'PUB_KEY_ID_1', signature, timestamp: '1700000000', nonce: 'abc' };
    expect(own.verify({ ...input, body }, 1700000000_000).ok).toBe(true);
    expect(own.verify({ ...input, body: body.toString('utf8') }, 1700000000_000).ok).toBe(false);
  });

  test('a platform certificate outside its validity period is not trusted', () => {
    // VER-2's certificate is valid 2021-04-27 to 2031-04-25.
    expect(verifier.verify(inputOf(ver2), Date.UTC(2032, 0, 1))).toMatchObject({
      ok: false,
      reason: 'unknown_serial',
    });
  });

  test('refuses configurations that cannot verify anything or are ambiguous', () => {
    expect(() => createWechatpayVerifier({})).toThrow('Configure a WeChat Pay public key');
    expect(() =>
      createWechatpayVerifier({
        publicKeys: [{ id: 'D7CE59D1F522D701', pem: fixture(ver1.pubkey_file ?? '') }],
      }),
    ).toThrow('PUB_KEY_ID_');
    expect(() =>
      createWechatpayVerifier({
        platformCertificates: [fixture('go_test_cert.pem'), fixture('go_test_cert.pem')],
      }),
    ).toThrow('configured twice');
  });
});
