import {
  decryptPushMessage,
  iosRefundQueryContent,
  openPush,
  parsePushXml,
  pushAck,
  pushRefusal,
  pushSignature,
  replyWithContent,
} from '../../../server/src/xpay/index.js';
import { APPID, NOW, TOKEN, configFor, requestOf, sealed } from './support/push-fixtures.js';

describe('push replies', () => {
  test('acknowledge in the format of the push, unencrypted even in safe mode', () => {
    expect(pushAck('json')).toEqual({
      contentType: 'application/json',
      body: '{"ErrCode":0,"ErrMsg":"success"}',
    });
    expect(pushAck('xml')).toEqual({
      contentType: 'application/xml',
      body: '<xml><ErrCode>0</ErrCode><ErrMsg><![CDATA[success]]></ErrMsg></xml>',
    });
  });

  test('a refusal carries a non-zero ErrCode and the reason only', () => {
    expect(JSON.parse(pushRefusal('json', 'bad_signature').body)).toEqual({
      ErrCode: -1,
      ErrMsg: 'refused: bad_signature',
    });
    expect(pushRefusal(undefined, 'malformed_body').contentType).toBe('application/json');
  });

  test.each(['json', 'xml'] as const)(
    'content for a safe-mode %s push is encrypted, signed and echoes the nonce',
    (format) => {
      const config = configFor('safe');
      const push = openPush(requestOf(sealed(undefined, { format })), config, NOW);
      const content = iosRefundQueryContent({
        result_code: 1,
        result_info: 'delivered',
        evidence: 'answer read in full',
      });
      const reply = replyWithContent(push, content, config, { timestamp: 1784437800 });

      const fields =
        format === 'json'
          ? (JSON.parse(reply.body) as Record<string, unknown>)
          : (parsePushXml(reply.body) as Record<string, unknown>);
      const encrypt = String(fields['Encrypt']);
      expect(String(fields['Nonce'])).toBe(push.nonce);
      expect(String(fields['TimeStamp'])).toBe('1784437800');
      expect(fields['MsgSignature']).toBe(pushSignature(TOKEN, '1784437800', push.nonce, encrypt));
      const opened = decryptPushMessage(config.aesKey!, encrypt);
      expect(opened.appid).toBe(APPID);
      const inner = format === 'json' ? JSON.parse(opened.message) : parsePushXml(opened.message);
      expect(inner).toMatchObject({ IosRefundQueryResponse: { result_info: 'delivered' } });
    },
  );

  test('content for a plaintext push is sent as is', () => {
    const config = configFor('plaintext');
    const push = openPush(requestOf(sealed(undefined, { encrypted: false, mode: 'plaintext' })), config, NOW);
    const reply = replyWithContent(
      push,
      iosRefundQueryContent({ result_code: 0, result_info: 'ok' }, 'bare'),
      config,
    );
    expect(JSON.parse(reply.body)).toEqual({ result_code: 0, result_info: 'ok' });
  });

  test('the iOS inquiry answer, wrapped in the acknowledgement or bare', () => {
    const answer = { result_code: 0 as const, result_info: 'not delivered' };
    expect(iosRefundQueryContent(answer)).toEqual({
      ErrCode: 0,
      ErrMsg: 'success',
      IosRefundQueryResponse: answer,
    });
    expect(iosRefundQueryContent(answer, 'bare')).toEqual(answer);
  });
});
