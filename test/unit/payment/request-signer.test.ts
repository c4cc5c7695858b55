import { createPublicKey, generateKeyPairSync } from 'node:crypto';

import {
  buildRequestMessage,
  createRequestSigner,
  loadPrivateKey,
  parseAuthorization,
  verifyAuthorization,
} from '../../../server/src/payment/index.js';
import { fixture, vector, vectors } from './support/vectors.js';

/** The fixed clock and nonce every RSA request vector uses. */
const TIMESTAMP = 1554208460;
const NONCE = '593BEC0C930BF1AFEB40B4A08C8FB242';

/** Splits a vector message back into the signer's inputs. */
function requestParts(message: string) {
  const [method = '', url = '', , , ...rest] = message.split('\n');
  // The body is everything between the nonce line and the final "\n".
  return { method, url, body: rest.slice(0, -1).join('\n') };
}

function signerFor(keyFile: string, mchid = '1900007291') {
  return createRequestSigner({
    mchid,
    merchantSerial: '1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C',
    merchantPrivateKey: loadPrivateKey(fixture(keyFile)),
    now: () => TIMESTAMP * 1000 + 999, // sub-second part must be dropped, not rounded
    nonce: () => NONCE,
  });
}

describe('the Authorization header builder', () => {
  test('RSA-5 (official POST /v3/pay/transactions/jsapi example) is reproduced through the real builder', async () => {
    const v = vector(vectors.rsa_sign, 'RSA-5');
    const { method, url, body } = requestParts(v.message);
    const signed = await signerFor(v.key_file).sign(method, url, body);
    expect(signed.message).toBe(v.message);
    expect(signed.signature).toBe(v.signature);
    expect(signed.authorization).toBe(
      `WECHATPAY2-SHA256-RSA2048 mchid="1900007291",nonce_str="${NONCE}",signature="${v.signature}",` +
        `timestamp="${TIMESTAMP}",serial_no="1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C"`,
    );
  });

  test.each(['RSA-6', 'RSA-7', 'RSA-8', 'RSA-9', 'RSA-10'])(
    '%s (GET with empty body, encoded query, close order) is reproduced through the real builder',
    async (id) => {
      const v = vector(vectors.rsa_sign, id);
      const { method, url, body } = requestParts(v.message);
      const signed = await signerFor(v.key_file).sign(method, url, body);
      expect(signed.message).toBe(v.message);
      expect(signed.signature).toBe(v.signature);
    },
  );

  test('a GET message ends with an empty body line, so it ends in "\\n\\n"', () => {
    expect(buildRequestMessage('GET', '/v3/x?a=1', '1', 'n', '')).toBe('GET\n/v3/x?a=1\n1\nn\n\n');
  });

  test('every signature gets a fresh nonce and the current timestamp by default', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const signer = createRequestSigner({ mchid: '1', merchantSerial: 'AB', merchantPrivateKey: privateKey });
    const [a, b] = await Promise.all([signer.sign('GET', '/v3/x', ''), signer.sign('GET', '/v3/x', '')]);
    expect(a.nonce).toMatch(/^[0-9A-F]{32}$/);
    expect(a.nonce).not.toBe(b.nonce);
    expect(Math.abs(Number(a.timestamp) - Date.now() / 1000)).toBeLessThan(5);
  });
});

describe('parseAuthorization (used by the sandbox emulator)', () => {
  test('parses the builder output and verifies it against the received request', async () => {
    const v = vector(vectors.rsa_sign, 'RSA-5');
    const { method, url, body } = requestParts(v.message);
    const signed = await signerFor(v.key_file).sign(method, url, body);
    const parsed = parseAuthorization(signed.authorization);
    expect(parsed).toEqual({
      mchid: '1900007291',
      nonce_str: NONCE,
      signature: v.signature,
      timestamp: String(TIMESTAMP),
      serial_no: '1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C',
    });
    const publicKey = createPublicKey(loadPrivateKey(fixture(v.key_file)));
    expect(verifyAuthorization(parsed!, { method, canonicalUrl: url, body }, publicKey)).toBe(true);
    expect(verifyAuthorization(parsed!, { method, canonicalUrl: url, body: `${body} ` }, publicKey)).toBe(
      false,
    );
    expect(verifyAuthorization(parsed!, { method, canonicalUrl: `${url}?x=1`, body }, publicKey)).toBe(false);
  });

  test('accepts the fields in any order (the Go SDK puts signature last)', () => {
    const header =
      'WECHATPAY2-SHA256-RSA2048 mchid="1",nonce_str="n",timestamp="2",serial_no="S",signature="c2ln"';
    expect(parseAuthorization(header)).toMatchObject({ mchid: '1', signature: 'c2ln', serial_no: 'S' });
  });

  test.each([
    ['a missing header', undefined],
    ['another schema', 'Bearer abc'],
    ['a missing field', 'WECHATPAY2-SHA256-RSA2048 mchid="1",nonce_str="n",timestamp="2",serial_no="S"'],
    [
      'a duplicated field',
      'WECHATPAY2-SHA256-RSA2048 mchid="1",mchid="2",nonce_str="n",timestamp="2",serial_no="S",signature="x"',
    ],
    [
      'an unknown field',
      'WECHATPAY2-SHA256-RSA2048 mchid="1",nonce_str="n",timestamp="2",serial_no="S",signature="x",x="y"',
    ],
    [
      'an empty value',
      'WECHATPAY2-SHA256-RSA2048 mchid="",nonce_str="n",timestamp="2",serial_no="S",signature="x"',
    ],
    ['unquoted values', 'WECHATPAY2-SHA256-RSA2048 mchid=1,nonce_str=n,timestamp=2,serial_no=S,signature=x'],
  ])('rejects %s', (_label, header) => {
    expect(parseAuthorization(header)).toBeUndefined();
  });
});
