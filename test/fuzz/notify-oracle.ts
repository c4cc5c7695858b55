import { verify } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { OrderState } from '@tokentill/shared-types';
import { AeadError, decryptAeadAes256Gcm } from '../../server/src/payment';
import { NODE_HEAD_LIMIT, NODE_HEAD_MARGIN } from './api-oracle';
import { deliveredSigningHeaders, type BuiltNotification, type WechatPayIdentity } from './notify-request';
import { jsonOf, type RawResponse } from './raw-http';

/** The notify route refuses bodies over 64 KiB before reading further (a notification is a few KB). */
const NOTIFY_BODY_LIMIT = 64 * 1024;

/** How far the server's documented steps get with a verified body: verify → parse → decrypt → shape. */
type Opened =
  | { stage: 'malformed' }
  | { stage: 'decrypt-failed' }
  | { stage: 'unsupported' }
  | { stage: 'decrypted'; originalType: 'transaction' | 'refund'; resource: unknown };

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isString = (value: unknown): value is string => typeof value === 'string';

/**
 * Opens a verified body as WeChat Pay documents the envelope (the steps the server's README lists): a JSON object
 * with id, event_type, create_time and summary strings, resource_type `encrypt-resource`, an AEAD_AES_256_GCM
 * resource with string ciphertext, nonce and associated data, decrypting under the APIv3 key.
 */
function openLocally(body: Buffer, apiV3Key: string): Opened {
  const envelope = jsonOf(body);
  if (!isRecord(envelope) || !isRecord(envelope['resource'])) return { stage: 'malformed' };
  const resource = envelope['resource'];
  if (!['id', 'event_type', 'create_time', 'summary'].every((k) => isString(envelope[k])))
    return { stage: 'malformed' };
  if (envelope['resource_type'] !== 'encrypt-resource' || resource['algorithm'] !== 'AEAD_AES_256_GCM') {
    return { stage: 'malformed' };
  }
  const { ciphertext, nonce, associated_data: aad = '', original_type: originalType } = resource;
  if (!isString(ciphertext) || !isString(nonce) || !isString(aad)) return { stage: 'malformed' };
  let plaintext: string;
  try {
    plaintext = decryptAeadAes256Gcm({ key: apiV3Key, nonce, associatedData: aad, ciphertext }).toString(
      'utf8',
    );
  } catch (err) {
    // Any other exception is not a documented outcome: the oracle then expects a 400 and flags what the server does.
    if (err instanceof AeadError) return { stage: 'decrypt-failed' };
    return { stage: 'malformed' };
  }
  if (originalType !== 'transaction' && originalType !== 'refund') return { stage: 'unsupported' };
  return { stage: 'decrypted', originalType, resource: jsonOf(Buffer.from(plaintext)) };
}

const SIGNATURE_TYPE = 'WECHATPAY2-SHA256-RSA2048';
const CANONICAL_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Whether the request, as HTTP delivers it, carries a valid WeChat Pay signature (APIv3 signature verification):
 * the serial names our key (serials compare case-insensitively), the type is absent or the only one there is, the
 * timestamp is within 5 minutes of now (generated shifts stay clear of that edge), and the Base64 signature
 * verifies with WeChat Pay's public key over "timestamp\nnonce\nbody\n", the body being the bytes sent.
 * https://pay.weixin.qq.com/docs/merchant/development/interface-rules/signature-verification.html
 */
function verifiesAsWeChatPay(built: BuiltNotification, who: WechatPayIdentity, nowMs: number): boolean {
  const headers = deliveredSigningHeaders(built.headers);
  const serial = headers.get('wechatpay-serial');
  const timestamp = headers.get('wechatpay-timestamp');
  const nonce = headers.get('wechatpay-nonce');
  const signature = headers.get('wechatpay-signature');
  const type = headers.get('wechatpay-signature-type');
  if (serial?.toUpperCase() !== who.publicKeyId.toUpperCase()) return false;
  if (type !== undefined && type !== SIGNATURE_TYPE) return false;
  if (!timestamp || !/^\d+$/.test(timestamp) || Math.abs(Number(timestamp) - nowMs / 1000) >= 300)
    return false;
  if (!nonce || !signature || !CANONICAL_BASE64.test(signature)) return false;
  const message = Buffer.concat([Buffer.from(`${timestamp}\n${nonce}\n`), built.body, Buffer.from('\n')]);
  try {
    return verify('sha256', message, who.publicKey, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

/** Whether a transaction pays order `id` at `priceFen` for our merchant, as a credit needs. */
export function paysOrder(tx: unknown, who: WechatPayIdentity, id: string, priceFen: number): boolean {
  if (!isRecord(tx) || !isRecord(tx['amount'])) return false;
  return (
    tx['out_trade_no'] === id &&
    tx['appid'] === who.appid &&
    tx['mchid'] === who.mchid &&
    tx['trade_state'] === 'SUCCESS' &&
    tx['trade_type'] === 'JSAPI' &&
    isString(tx['transaction_id']) &&
    tx['transaction_id'] !== '' &&
    tx['amount']['total'] === priceFen &&
    tx['amount']['currency'] === 'CNY'
  );
}

export interface NotifyOutcome {
  built: BuiltNotification;
  res: RawResponse;
  target: { id: string; priceFen: number };
  /** Price of any order of ours by id (undefined: not ours). */
  priceOf(id: unknown): number | undefined;
  before: Map<string, OrderState | undefined>;
  after: Map<string, OrderState | undefined>;
}

/**
 * The oracle of one notification: the answer and every watched order's state against what the request deserves.
 * Returns the broken rules (empty when all hold) and whether the target was credited.
 */
export function judgeNotification(
  who: WechatPayIdentity,
  outcome: NotifyOutcome,
): { problems: string[]; credited: boolean } {
  const { built, res, target, before, after } = outcome;
  const problems: string[] = [];
  const head = res.requestHeadBytes;
  const signed = verifiesAsWeChatPay(built, who, Date.now());
  const opened =
    signed && built.body.length <= NOTIFY_BODY_LIMIT ? openLocally(built.body, who.apiV3Key) : undefined;
  const tx =
    opened?.stage === 'decrypted' && opened.originalType === 'transaction' ? opened.resource : undefined;
  const targetPaid = tx !== undefined && paysOrder(tx, who, target.id, target.priceFen);

  // The answer.
  let allowed: number[];
  // Node's parser answers 431 itself for a head over 16 KiB (see api-oracle.ts).
  if (head > NODE_HEAD_LIMIT + NODE_HEAD_MARGIN) allowed = [431];
  else {
    if (built.body.length > NOTIFY_BODY_LIMIT) allowed = [413];
    else if (!signed) allowed = [401];
    else if (opened?.stage === 'decrypt-failed')
      allowed = [500]; // documented: our key is wrong, WeChat retries
    else if (opened?.stage !== 'decrypted') allowed = [400];
    else allowed = [204, 400];
    if (head > NODE_HEAD_LIMIT - NODE_HEAD_MARGIN) allowed.push(431);
  }
  if (!allowed.includes(res.status)) {
    problems.push(`answered ${res.status}; expected ${allowed.join(' or ')} (${describe(signed, opened)})`);
  }
  const failure = jsonOf(res.body);
  if ([400, 401, 500].includes(res.status) && !(isRecord(failure) && failure['code'] === 'FAIL')) {
    problems.push(
      `a ${res.status} without WeChat Pay's {"code":"FAIL"} body: ${res.body.toString('utf8').slice(0, 200)}`,
    );
  }
  if (isRecord(tx) && tx['trade_state'] === 'SUCCESS' && res.status === 204) {
    const price = outcome.priceOf(tx['out_trade_no']);
    if (price === undefined || !paysOrder(tx, who, tx['out_trade_no'] as string, price)) {
      problems.push('acknowledged (204) a SUCCESS payment that does not match any order of ours');
    }
  }
  if (tx !== undefined && isDeepStrictEqual(tx, built.genuine) && res.status !== 204) {
    problems.push(`refused a genuine payment for an unpaid order with ${res.status}`);
  }

  // The money: only the target may change, only CREATED → PAID, only for a payment that matches it, only with 204.
  let credited = false;
  for (const [id, was] of before) {
    const now = after.get(id);
    if (now === was) continue;
    if (id === target.id && was === 'CREATED' && now === 'PAID') {
      credited = true;
      if (!targetPaid) problems.push(`credited order ${id} with a notification that does not pay it`);
      if (res.status !== 204) problems.push(`credited order ${id} but answered ${res.status}`);
    } else {
      problems.push(`order ${id} went ${was} → ${now}`);
    }
  }
  if (tx !== undefined && isDeepStrictEqual(tx, built.genuine) && !credited) {
    problems.push(`a genuine payment did not credit order ${target.id}`);
  }
  return { problems, credited };
}

function describe(signed: boolean, opened: Opened | undefined): string {
  if (!signed) return 'the signature does not cover what was sent';
  return opened ? `verified, ${opened.stage}` : 'verified, over the size limit';
}
