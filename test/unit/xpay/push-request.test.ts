import {
  PushError,
  encryptPushMessage,
  decodeEncodingAesKey,
  openPush,
  openXPayPush,
  pushSignature,
  resolvePushConfig,
  verifyPushUrl,
  type PushErrorReason,
} from '../../../server/src/xpay/index.js';
import {
  AES_KEY,
  APPID,
  NOW,
  NOW_S,
  TOKEN,
  configFor,
  deliverMessage,
  requestOf,
  sealed,
} from './support/push-fixtures.js';
import { momentOf, pushConfigOf, xpayVector, xpayVectors } from './support/xpay-vectors.js';

/** A fixed random prefix, so every ciphertext a test makes is the same on every run. */
const FIXED_RANDOM = Buffer.from('0123456789abcdef', 'latin1');

function refusal(fn: () => unknown): PushError {
  try {
    fn();
  } catch (err) {
    if (err instanceof PushError) return err;
    throw err;
  }
  throw new Error('expected a PushError');
}

function expectRefused(fn: () => unknown, reason: PushErrorReason, status: number): PushError {
  const err = refusal(fn);
  expect({ reason: err.reason, status: err.httpStatus }).toEqual({ reason, status });
  return err;
}

/** Re-signs a safe-mode push over a new Encrypt with our token: an attacker who knows the Token, not the key. */
function resignedWith(encrypt: string) {
  const push = sealed();
  const body = JSON.stringify({ ToUserName: 'gh_0123456789ab', Encrypt: encrypt });
  const { timestamp, nonce } = push.query as { timestamp: string; nonce: string };
  return {
    query: { ...push.query, msg_signature: pushSignature(TOKEN, timestamp, nonce, encrypt) },
    rawBody: Buffer.from(body),
  };
}

describe('opening a push', () => {
  test.each([
    ['json', true],
    ['xml', true],
    ['json', false],
    ['xml', false],
  ] as const)('accepts a %s push (encrypted: %s) and types its event', (format, encrypted) => {
    const mode = encrypted ? 'safe' : 'plaintext';
    const { push, event } = openXPayPush(
      requestOf(sealed(deliverMessage(), { format, encrypted, mode })),
      configFor(mode),
      NOW,
    );
    expect(push).toMatchObject({ format, encrypted, nonce: '1320562132' });
    expect(event).toMatchObject({
      Event: 'xpay_goods_deliver_notify',
      Env: 1,
      GoodsInfo: { ActualPrice: 100 },
    });
  });

  test('compatible mode takes both encrypted and plaintext pushes', () => {
    const config = configFor('compatible');
    expect(openPush(requestOf(sealed()), config, NOW).encrypted).toBe(true);
    expect(openPush(requestOf(sealed(deliverMessage(), { encrypted: false })), config, NOW).encrypted).toBe(
      false,
    );
  });
});

describe('hostile pushes are refused, by reason', () => {
  const config = configFor('safe');

  test('a msg_signature off by one character', () => {
    const push = sealed();
    const bad = push.query['msg_signature']!.replace(/.$/, (c) => (c === '0' ? '1' : '0'));
    expectRefused(
      () => openPush({ ...requestOf(push), query: { ...push.query, msg_signature: bad } }, config, NOW),
      'bad_signature',
      401,
    );
  });

  test('a push signed with another Token', () => {
    const other = resolvePushConfig({
      token: 'SomeoneElse1',
      encodingAesKey: AES_KEY,
      appid: APPID,
      mode: 'safe',
    });
    expectRefused(() => openPush(requestOf(sealed()), other, NOW), 'bad_signature', 401);
  });

  test('a safe-mode push checked by its URL signature alone (no msg_signature)', () => {
    const { msg_signature: _m, ...query } = sealed().query;
    expectRefused(() => openPush({ ...requestOf(sealed()), query }, config, NOW), 'missing_signature', 401);
  });

  test('a tampered ciphertext under the original msg_signature', () => {
    const push = sealed();
    const envelope = JSON.parse(push.body) as { Encrypt: string };
    const bytes = Buffer.from(envelope.Encrypt, 'base64');
    bytes[bytes.length - 20]! ^= 0x01;
    const body = JSON.stringify({ ...envelope, Encrypt: bytes.toString('base64') });
    expectRefused(
      () => openPush({ query: push.query, rawBody: Buffer.from(body) }, config, NOW),
      'bad_signature',
      401,
    );
  });

  test('a tampered ciphertext re-signed by someone who knows the Token but not the AES key', () => {
    const envelope = JSON.parse(sealed().body) as { Encrypt: string };
    const bytes = Buffer.from(envelope.Encrypt, 'base64');
    // The last byte of the next-to-last block: CBC flips the padding byte under it, to a value above 32.
    bytes[bytes.length - 17]! ^= 0x55;
    const err = expectRefused(
      () => openPush(resignedWith(bytes.toString('base64')), config, NOW),
      'decrypt_failed',
      500,
    );
    expect(err.message).toContain('EncodingAESKey');
  });

  test('a push encrypted with another AES key', () => {
    const otherKey = decodeEncodingAesKey('A'.repeat(43));
    const encrypt = encryptPushMessage(otherKey, APPID, JSON.stringify(deliverMessage()), FIXED_RANDOM);
    expectRefused(() => openPush(resignedWith(encrypt), config, NOW), 'decrypt_failed', 500);
  });

  test('a push encrypted for another appid', () => {
    const encrypt = encryptPushMessage(
      config.aesKey!,
      'wxffffffffffffffff',
      JSON.stringify(deliverMessage()),
    );
    expectRefused(() => openPush(resignedWith(encrypt), config, NOW), 'wrong_appid', 401);
  });

  test.each([
    ['ten minutes old', -600],
    ['ten minutes ahead', 600],
  ])('a correctly signed push whose timestamp is %s', (_label, offset) => {
    const push = sealed(deliverMessage(), { timestamp: NOW_S + offset });
    expectRefused(() => openPush(requestOf(push), config, NOW), 'stale_timestamp', 401);
    // The same push at its own moment is fine: the skew, not the push, is at fault.
    expect(() => openPush(requestOf(push), config, NOW + offset * 1000)).not.toThrow();
  });

  test('a plaintext push where the console is set to safe mode, and the reverse', () => {
    expectRefused(
      () => openPush(requestOf(sealed(deliverMessage(), { encrypted: false })), config, NOW),
      'mode_mismatch',
      401,
    );
    expectRefused(() => openPush(requestOf(sealed()), configFor('plaintext'), NOW), 'mode_mismatch', 401);
    const query = { ...sealed().query, encrypt_type: 'des' };
    expectRefused(() => openPush({ ...requestOf(sealed()), query }, config, NOW), 'mode_mismatch', 401);
  });

  test('a repeated query parameter counts as missing', () => {
    const push = sealed();
    const query = {
      ...push.query,
      msg_signature: [push.query['msg_signature']!, push.query['msg_signature']!],
    };
    expectRefused(() => openPush({ ...requestOf(push), query }, config, NOW), 'missing_signature', 401);
  });

  test('an unknown event, even a genuine one, is not handled (but is known to be authentic)', () => {
    const v = xpayVector(xpayVectors.push_requests, 'V5c-safe-post');
    const official = resolvePushConfig(pushConfigOf(v.config));
    const err = expectRefused(
      () => openXPayPush({ query: v.query, rawBody: Buffer.from(v.body ?? '') }, official, momentOf(v.query)),
      'unsupported_event',
      400,
    );
    expect(err.authenticated).toBe(true);
    expect(err.message).toContain('debug_demo');
  });

  test('bodies that are neither JSON nor XML, or JSON that is not an object', () => {
    const plain = configFor('plaintext');
    const query = sealed(deliverMessage(), { encrypted: false }).query;
    for (const body of ['ToUserName=gh_1', '[1,2]', '', '\xff']) {
      const err = expectRefused(
        () => openPush({ query, rawBody: Buffer.from(body, 'latin1') }, plain, NOW),
        'malformed_body',
        400,
      );
      expect(err.authenticated).toBe(false);
    }
  });

  test('XML with a DOCTYPE or an entity declaration (XXE), plaintext or decrypted', () => {
    const xxe =
      '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]><xml><OpenId>&x;</OpenId></xml>';
    const plain = sealed(deliverMessage(), { encrypted: false, format: 'xml' });
    expectRefused(
      () => openPush({ query: plain.query, rawBody: Buffer.from(xxe) }, configFor('plaintext'), NOW),
      'malformed_body',
      400,
    );

    const encrypt = encryptPushMessage(config.aesKey!, APPID, xxe, FIXED_RANDOM);
    const push = sealed(deliverMessage(), { format: 'xml' });
    const body = `<xml><ToUserName><![CDATA[gh_0123456789ab]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`;
    const { timestamp, nonce } = push.query as { timestamp: string; nonce: string };
    const query = { ...push.query, msg_signature: pushSignature(TOKEN, timestamp, nonce, encrypt) };
    expectRefused(() => openPush({ query, rawBody: Buffer.from(body) }, config, NOW), 'malformed_body', 400);
  });

  test('a JSON envelope whose decrypted message is XML', () => {
    const encrypt = encryptPushMessage(
      config.aesKey!,
      APPID,
      '<xml><MsgType>event</MsgType></xml>',
      FIXED_RANDOM,
    );
    expectRefused(() => openPush(resignedWith(encrypt), config, NOW), 'malformed_body', 400);
  });

  test('the body must be the raw bytes', () => {
    const push = sealed();
    expect(() =>
      openPush({ query: push.query, rawBody: push.body as unknown as Buffer }, config, NOW),
    ).toThrow(TypeError);
  });
});

describe('URL verification (GET)', () => {
  const v = xpayVector(xpayVectors.push_requests, 'V5a-url-verification');
  const config = resolvePushConfig(pushConfigOf(v.config));
  const at = momentOf(v.query);

  test('refuses a wrong signature, a stale timestamp and a missing part', () => {
    expectRefused(() => verifyPushUrl({ ...v.query, nonce: '1514711493' }, config, at), 'bad_signature', 401);
    expectRefused(() => verifyPushUrl(v.query, config, at + 3_600_000), 'stale_timestamp', 401);
    const { timestamp: _t, ...rest } = v.query;
    expectRefused(() => verifyPushUrl(rest, config, at), 'missing_signature', 401);
  });

  test("echoes only an echostr of WeChat's shape: the signature does not cover it", () => {
    expectRefused(
      () => verifyPushUrl({ ...v.query, echostr: '<script>alert(1)</script>' }, config, at),
      'malformed_body',
      400,
    );
  });
});

describe('push settings', () => {
  test.each([
    ['a 2-character Token', { token: 'ab' }, /Token/],
    ['a Token with a space', { token: 'has space' }, /Token/],
    ['a short EncodingAESKey', { encodingAesKey: 'short' }, /43 characters/],
    ['safe mode without an EncodingAESKey', { encodingAesKey: undefined }, /required in safe mode/],
    ['a zero skew', { maxSkewSeconds: 0 }, /maxSkewSeconds/],
  ])('refuse %s at boot', (_label, change, message) => {
    expect(() =>
      resolvePushConfig({ token: TOKEN, encodingAesKey: AES_KEY, appid: APPID, mode: 'safe', ...change }),
    ).toThrow(message);
  });

  test('plaintext mode needs no AES key', () => {
    expect(resolvePushConfig({ token: TOKEN, appid: APPID, mode: 'plaintext' }).aesKey).toBeUndefined();
  });
});
