/**
 * Answers a WeChat Pay API request the way WeChat does: `Wechatpay-Serial/-Timestamp/-Nonce/-Signature` over
 * `TIMESTAMP\nNONCE\nBODY\n` with the platform key (public-key mode), plus a `Request-ID`. Errors are signed too.
 */
import type { KeyObject } from 'node:crypto';

import type Koa from 'koa';

import { generateNonce, signSha256RsaAsync } from '../../payment/index.js';
import { newRequestId } from '../sandbox-ids.js';

/** The key WeChat Pay signs with and the id merchants know it by. */
export interface PlatformSigningKey {
  /** `PUB_KEY_ID_…`, sent as `Wechatpay-Serial`. */
  publicKeyId: string;
  privateKey: KeyObject;
}

/** Signs `TIMESTAMP\nNONCE\nBODY\n`; returns the four `Wechatpay-*` signing headers. */
export async function signWechatpayMessage(
  key: PlatformSigningKey,
  timestamp: string,
  nonce: string,
  body: string,
): Promise<Record<string, string>> {
  // Off the event loop: an RSA-2048 signature is ~1 ms of CPU, and the emulator shares a process with the server.
  const signature = await signSha256RsaAsync(`${timestamp}\n${nonce}\n${body}\n`, key.privateKey);
  return {
    'Wechatpay-Serial': key.publicKeyId,
    'Wechatpay-Timestamp': timestamp,
    'Wechatpay-Nonce': nonce,
    'Wechatpay-Signature': signature,
  };
}

/**
 * Sends `body` (JSON) or nothing (`undefined`, e.g. 204 for close), signed.
 *
 * @param nowMs the emulator's clock in milliseconds.
 */
export async function replySigned(
  ctx: Koa.Context,
  key: PlatformSigningKey,
  nowMs: number,
  status: number,
  body?: unknown,
): Promise<void> {
  // Serialised once: the bytes signed are the bytes sent.
  const text = body === undefined ? '' : JSON.stringify(body);
  const headers = await signWechatpayMessage(key, String(Math.floor(nowMs / 1000)), generateNonce(), text);
  ctx.set(headers);
  ctx.set('Request-ID', newRequestId());
  ctx.status = status;
  if (body === undefined) {
    ctx.body = null;
    ctx.status = status; // assigning null resets the status to 204; keep the one asked for
  } else {
    ctx.body = Buffer.from(text, 'utf8');
    ctx.type = 'application/json; charset=utf-8';
  }
}
