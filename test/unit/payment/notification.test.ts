import { createPrivateKey, sign } from 'node:crypto';

import {
  NOTIFICATION_FAILURE_BODY,
  NotificationError,
  createWechatpayVerifier,
  encryptAeadAes256Gcm,
  openNotification,
  type WxPayNotification,
} from '../../../server/src/payment/index.js';
import { fixture, supportFile, vector, vectors, type RsaVerifyVector } from './support/vectors.js';

const VER3_KEY_ID = 'PUB_KEY_ID_0114232020180608000000000000000001';
const ver2 = vector(vectors.rsa_verify, 'VER-2');
const ver3 = vector(vectors.rsa_verify, 'VER-3');
const ver4 = vector(vectors.rsa_verify, 'VER-4');
const API_V3_KEY = ver3.apiv3_key ?? '';

/** Both modes at once: VER-3's public key and our test platform certificate. */
const verifier = createWechatpayVerifier({
  publicKeys: [{ id: VER3_KEY_ID, pem: fixture(ver3.pubkey_file ?? '') }],
  platformCertificates: [supportFile('platform-cert-test.pem'), fixture(ver2.cert_file ?? '')],
});
const certKey = createPrivateKey(supportFile('platform-cert-test-key.pem'));
const CERT_SERIAL = '123456789ABCDEF';

/** Koa-style lower-cased headers for a vector. */
function headersOf(v: Pick<RsaVerifyVector, 'signature' | 'timestamp' | 'nonce'>, serial: string) {
  return {
    'wechatpay-serial': serial,
    'wechatpay-signature': v.signature,
    'wechatpay-timestamp': v.timestamp,
    'wechatpay-nonce': v.nonce,
    'wechatpay-signature-type': 'WECHATPAY2-SHA256-RSA2048',
  };
}

function failure(fn: () => unknown): NotificationError {
  try {
    fn();
  } catch (err) {
    if (err instanceof NotificationError) return err;
    throw err;
  }
  throw new Error('expected a NotificationError');
}

/** Builds a notification like WeChat Pay does, signed with the test platform certificate's key. */
function certModeNotification(resource: object, originalType: string, eventType: string, now: number) {
  const nonce = 'abcdefghijkl';
  const body = JSON.stringify({
    id: 'EV-1',
    create_time: '2026-11-27T14:30:00+08:00',
    resource_type: 'encrypt-resource',
    event_type: eventType,
    summary: '退款成功',
    resource: {
      original_type: originalType,
      algorithm: 'AEAD_AES_256_GCM',
      ciphertext: encryptAeadAes256Gcm({
        key: API_V3_KEY,
        nonce,
        associatedData: originalType,
        plaintext: JSON.stringify(resource),
      }),
      associated_data: originalType,
      nonce,
    },
  });
  const timestamp = String(Math.floor(now / 1000));
  const headerNonce = 'n0nce';
  const signature = sign('sha256', Buffer.from(`${timestamp}\n${headerNonce}\n${body}\n`), certKey).toString(
    'base64',
  );
  return {
    headers: headersOf({ signature, timestamp, nonce: headerNonce }, CERT_SERIAL),
    body: Buffer.from(body),
  };
}

const refund = {
  mchid: '1230000109',
  out_trade_no: '1217752501201407033233368018',
  transaction_id: '1217752501201407033233368018',
  out_refund_no: 'R1217752501201407033233368018',
  refund_id: '50000000382019052709732678859',
  refund_status: 'SUCCESS',
  success_time: '2026-11-27T14:31:00+08:00',
  user_received_account: '招商银行信用卡0403',
  amount: { total: 100, refund: 100, payer_total: 100, payer_refund: 100 },
};

describe('opening a payment notification', () => {
  test('VER-3 verifies in public-key mode and its resource decrypts with the vector APIv3 key', () => {
    const result = openNotification(headersOf(ver3, VER3_KEY_ID), Buffer.from(ver3.body), {
      verifier,
      apiV3Key: API_V3_KEY,
      now: Number(ver3.timestamp) * 1000,
    });
    expect(result).toEqual<WxPayNotification>({
      kind: 'transaction',
      event: {
        id: 'EV-2018022511223320873',
        event_type: 'TRANSACTION.SUCCESS',
        create_time: '2018-06-08T10:34:59+08:00',
        summary: '支付成功',
      },
      resource: JSON.parse(vector(vectors.aes_gcm, 'AES-7').plaintext ?? ''),
    });
    if (result.kind !== 'transaction') throw new Error('unreachable');
    expect(result.resource.amount.total).toBe(100);
    expect(result.resource.attach).toBe('uid:42|pack:100');
  });

  test('a platform-certificate-mode refund notification opens with the same verifier', () => {
    const now = Date.now();
    const { headers, body } = certModeNotification(refund, 'refund', 'REFUND.SUCCESS', now);
    const result = openNotification(headers, body, { verifier, apiV3Key: API_V3_KEY, now });
    expect(result).toMatchObject({
      kind: 'refund',
      event: { event_type: 'REFUND.SUCCESS' },
      resource: refund,
    });
  });

  test('accepts fetch Headers as well as Koa header records', () => {
    const result = openNotification(new Headers(headersOf(ver3, VER3_KEY_ID)), Buffer.from(ver3.body), {
      verifier,
      apiV3Key: API_V3_KEY,
      now: Number(ver3.timestamp) * 1000,
    });
    expect(result.kind).toBe('transaction');
  });

  test('VER-4 (signature probe) is refused as signature_probe with a 401, before anything is decrypted', () => {
    const err = failure(() =>
      openNotification(headersOf(ver4, VER3_KEY_ID), Buffer.from(ver4.body), {
        verifier,
        apiV3Key: API_V3_KEY,
        now: Number(ver4.timestamp) * 1000,
      }),
    );
    expect(err.reason).toBe('signature_probe');
    expect(err.httpStatus).toBe(401);
  });

  test('a tampered, stale or unknown-serial notification is refused with its own reason', () => {
    const opts = { verifier, apiV3Key: API_V3_KEY, now: Number(ver3.timestamp) * 1000 };
    const body = Buffer.from(ver3.body);
    const cases: [Record<string, string>, Buffer, number, string][] = [
      [
        headersOf(ver3, VER3_KEY_ID),
        Buffer.from(ver3.body.replace('支付成功', '支付失败')),
        opts.now,
        'bad_signature',
      ],
      [headersOf(ver3, VER3_KEY_ID), body, opts.now + 300_000, 'stale_timestamp'],
      [headersOf(ver3, 'PUB_KEY_ID_0000000000000000000000000000000002'), body, opts.now, 'unknown_serial'],
      [{}, body, opts.now, 'malformed_headers'],
    ];
    for (const [headers, raw, now, reason] of cases) {
      expect(failure(() => openNotification(headers, raw, { ...opts, now })).reason).toBe(reason);
    }
  });

  test('a wrong APIv3 key is refused as decrypt_failed with a 500, so WeChat retries once it is fixed', () => {
    const err = failure(() =>
      openNotification(headersOf(ver3, VER3_KEY_ID), Buffer.from(ver3.body), {
        verifier,
        apiV3Key: 'b7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb',
        now: Number(ver3.timestamp) * 1000,
      }),
    );
    expect(err.reason).toBe('decrypt_failed');
    expect(err.httpStatus).toBe(500);
    expect(NOTIFICATION_FAILURE_BODY).toEqual({ code: 'FAIL', message: '失败' });
  });

  test('VER-2 verifies in certificate mode, but its 16-byte key (AES-128) is refused by the real-size decryptor', () => {
    const err = failure(() =>
      openNotification(headersOf(ver2, ver2.serial ?? ''), Buffer.from(ver2.body), {
        verifier,
        apiV3Key: 'testMchAPIv3Key0',
        now: Number(ver2.timestamp) * 1000,
      }),
    );
    expect(err.reason).toBe('decrypt_failed');
    expect(err.message).toContain('32 bytes, got 16');
  });

  test('verified bodies that are not usable notifications are malformed_body or unsupported_event', () => {
    const now = Date.now();
    const badTransaction = certModeNotification(
      { out_trade_no: 'x' },
      'transaction',
      'TRANSACTION.SUCCESS',
      now,
    );
    const payscore = certModeNotification({ mchid: '1' }, 'payscore', 'PAYSCORE.USER_OPEN_SERVICE', now);
    const opts = { verifier, apiV3Key: API_V3_KEY, now };
    expect(failure(() => openNotification(badTransaction.headers, badTransaction.body, opts)).reason).toBe(
      'malformed_body',
    );
    const unsupported = failure(() => openNotification(payscore.headers, payscore.body, opts));
    expect(unsupported.reason).toBe('unsupported_event');
    expect(unsupported.httpStatus).toBe(400);

    const notJson = Buffer.from('not json');
    const timestamp = String(Math.floor(now / 1000));
    const signature = sign('sha256', Buffer.from(`${timestamp}\nn\nnot json\n`), certKey).toString('base64');
    expect(
      failure(() =>
        openNotification(headersOf({ signature, timestamp, nonce: 'n' }, CERT_SERIAL), notJson, opts),
      ).reason,
    ).toBe('malformed_body');
  });

  test('refuses a parsed body: the signature covers raw bytes only', () => {
    const parsed = JSON.parse(ver3.body) as unknown as Buffer;
    expect(() => openNotification({}, parsed, { verifier, apiV3Key: API_V3_KEY })).toThrow(TypeError);
  });
});
