/**
 * Genuine WeChat Pay TRANSACTION.SUCCESS notifications, built the way WeChat Pay builds them (see
 * server/src/sandbox/wxpay/notification-envelope.ts and the protocol reference): the Transaction encrypted with
 * AEAD_AES_256_GCM under the APIv3 key (AAD "transaction", 12-byte nonce), wrapped in the JSON envelope, and the
 * raw body signed SHA256withRSA with the platform key over `TIMESTAMP\nNONCE\nBODY\n`.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import {
  encryptAeadAes256Gcm,
  formatRfc3339Beijing,
  generateNonce,
  signSha256RsaAsync,
} from '../../server/src/payment';
import type { SandboxKeys } from '../../server/src/sandbox';
import type { RequestSpec } from './load-types';

export const NOTIFY_PATH = '/api/pay/wxpay/notify';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function alnum(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const b of bytes) out += ALNUM[b % ALNUM.length];
  return out;
}

function digits(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const b of bytes) out += String(b % 10);
  return out;
}

export interface PaidOrder {
  id: string;
  priceFen: number;
}

/** One signed, encrypted notification for `order`, timestamped `nowMs`, as a POST to the notify URL. */
export async function transactionNotification(
  keys: SandboxKeys,
  order: PaidOrder,
  payerOpenid: string,
  nowMs: number,
): Promise<RequestSpec & { transactionId: string }> {
  const transactionId = `4200${digits(24)}`;
  const resource = {
    appid: keys.appid,
    mchid: keys.mchid,
    out_trade_no: order.id,
    transaction_id: transactionId,
    trade_type: 'JSAPI',
    trade_state: 'SUCCESS',
    trade_state_desc: '支付成功',
    bank_type: 'OTHERS',
    attach: JSON.stringify({ tier: 'basic' }),
    success_time: formatRfc3339Beijing(new Date(nowMs)),
    payer: { openid: payerOpenid },
    amount: { total: order.priceFen, payer_total: order.priceFen, currency: 'CNY', payer_currency: 'CNY' },
  };
  const nonce = alnum(12);
  const body = JSON.stringify({
    id: randomUUID(),
    create_time: formatRfc3339Beijing(new Date(nowMs)),
    resource_type: 'encrypt-resource',
    event_type: 'TRANSACTION.SUCCESS',
    summary: '支付成功',
    resource: {
      original_type: 'transaction',
      algorithm: 'AEAD_AES_256_GCM',
      ciphertext: encryptAeadAes256Gcm({
        key: keys.apiV3Key,
        nonce,
        associatedData: 'transaction',
        plaintext: JSON.stringify(resource),
      }),
      associated_data: 'transaction',
      nonce,
    },
  });
  const timestamp = String(Math.floor(nowMs / 1000));
  const headerNonce = generateNonce();
  const signature = await signSha256RsaAsync(
    `${timestamp}\n${headerNonce}\n${body}\n`,
    keys.wechatpayPrivateKey,
  );
  return {
    method: 'POST',
    path: NOTIFY_PATH,
    headers: {
      'content-type': 'application/json',
      'user-agent': 'Mozilla/4.0',
      'wechatpay-serial': keys.publicKeyId,
      'wechatpay-timestamp': timestamp,
      'wechatpay-nonce': headerNonce,
      'wechatpay-signature': signature,
      'wechatpay-signature-type': 'WECHATPAY2-SHA256-RSA2048',
    },
    body,
    transactionId,
  };
}

/** Builds notifications for every order, `parallel` signatures at a time (they run on libuv's pool). */
export async function transactionNotifications(
  keys: SandboxKeys,
  orders: readonly PaidOrder[],
  payerOpenid: string,
  parallel = 64,
): Promise<(RequestSpec & { transactionId: string })[]> {
  const out: (RequestSpec & { transactionId: string })[] = [];
  for (let i = 0; i < orders.length; i += parallel) {
    const now = Date.now();
    out.push(
      ...(await Promise.all(
        orders.slice(i, i + parallel).map((o) => transactionNotification(keys, o, payerOpenid, now)),
      )),
    );
  }
  return out;
}
