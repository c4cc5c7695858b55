import {
  computePaySig,
  computeUserSignature,
  decodeEncodingAesKey,
  decryptPushMessage,
  encryptPushMessage,
  encryptedPushReply,
  openPush,
  pushSignature,
  resolvePushConfig,
  verifyPushUrl,
} from '../../../server/src/xpay/index.js';
import { momentOf, pushConfigOf, xpayVectors } from './support/xpay-vectors.js';

/**
 * Every vector in test/fixtures/xpay-vectors/vectors.json, checked by what the vector itself says: a vector added
 * to the file is tested the moment it is added, and none can be dropped from the tests without deleting it from
 * the file. The focused tests beside this file add the stories (exact bytes, hostile pushes, the sandbox).
 */

const ids = <T extends { id: string }>(group: readonly T[]) => group.map((v) => [v.id, v] as const);

describe.each(ids(xpayVectors.hmac))('HMAC vector %s', (_id, v) => {
  test(`${v.kind} ${v.expect === 'match' ? 'equals' : 'differs from'} the published value`, () => {
    const computed =
      v.kind === 'pay_sig' ? computePaySig(v.key, v.uri ?? '', v.body) : computeUserSignature(v.key, v.body);
    expect(computed).toMatch(/^[0-9a-f]{64}$/);
    if (v.expect === 'match') {
      expect(computed).toBe(v.expected);
    } else {
      expect(computed).not.toBe(v.expected);
      expect(computed.startsWith(v.computed_prefix ?? '')).toBe(true);
      expect(computed.endsWith(v.computed_suffix ?? '')).toBe(true);
    }
  });
});

describe.each(ids(xpayVectors.push_signature))('push signature vector %s', (_id, v) => {
  test('is sha1 of the sorted parts', () => {
    const parts = [v.token, v.timestamp, v.nonce, ...(v.encrypt !== undefined ? [v.encrypt] : [])];
    expect(pushSignature(...parts)).toBe(v.expected);
  });
});

describe.each(ids(xpayVectors.push_decrypt))('push decryption vector %s', (_id, v) => {
  test('opens to the published message and appid', () => {
    const key = decodeEncodingAesKey(v.encoding_aes_key);
    expect(key).toHaveLength(32);
    const opened = decryptPushMessage(key, v.encrypt);
    expect(opened.message).toBe(v.message);
    expect(opened.appid).toBe(v.appid);
    if (v.random !== undefined) expect(opened.random.toString('latin1')).toBe(v.random);
    if (v.message_length !== undefined) expect(Buffer.byteLength(opened.message)).toBe(v.message_length);
    if (v.full_length !== undefined) {
      expect(16 + 4 + Buffer.byteLength(opened.message) + Buffer.byteLength(opened.appid)).toBe(
        v.full_length,
      );
    }
    if (v.padded_length !== undefined) expect(Buffer.from(v.encrypt, 'base64')).toHaveLength(v.padded_length);
  });
});

describe.each(ids(xpayVectors.push_encrypt))('push encryption vector %s', (_id, v) => {
  test('encrypts to the published ciphertext, which decrypts back', () => {
    const key = decodeEncodingAesKey(v.encoding_aes_key);
    const encrypt = encryptPushMessage(key, v.appid, v.message, Buffer.from(v.random, 'latin1'));
    expect(encrypt).toBe(v.encrypt);
    if (v.padded_length !== undefined) expect(Buffer.from(encrypt, 'base64')).toHaveLength(v.padded_length);
    if (v.full_length !== undefined) {
      expect(16 + 4 + Buffer.byteLength(v.message) + Buffer.byteLength(v.appid)).toBe(v.full_length);
    }
    expect(decryptPushMessage(key, encrypt)).toMatchObject({ message: v.message, appid: v.appid });
  });
});

describe.each(ids(xpayVectors.push_requests))('push request vector %s', (_id, v) => {
  test(`is accepted as WeChat's ${v.method}`, () => {
    const config = resolvePushConfig(pushConfigOf(v.config));
    const now = momentOf(v.query);
    if (v.method === 'GET') {
      expect(verifyPushUrl(v.query, config, now)).toBe(v.expect.reply);
    } else {
      const opened = openPush({ query: v.query, rawBody: Buffer.from(v.body ?? '', 'utf8') }, config, now);
      expect(opened).toMatchObject({
        format: v.expect.format,
        encrypted: v.expect.encrypted,
        nonce: v.query['nonce'],
        timestamp: v.query['timestamp'],
      });
      expect(opened.message).toEqual(v.expect.message);
    }
  });
});

describe.each(ids(xpayVectors.push_reply))('push reply vector %s', (_id, v) => {
  test('is the published encrypted reply, byte for byte', () => {
    const config = resolvePushConfig(pushConfigOf(v.config));
    const reply = encryptedPushReply(v.payload, 'json', v.request_nonce, config, {
      timestamp: v.timestamp,
      random: Buffer.from(v.random, 'latin1'),
    });
    expect(reply.contentType).toBe('application/json');
    expect(JSON.parse(reply.body)).toEqual(v.reply);
    expect(reply.body).toBe(JSON.stringify(v.reply));
  });
});
