/**
 * Builds WeChat Pay notifications: the JSON envelope with the resource encrypted by AEAD_AES_256_GCM under the
 * APIv3 key, and the signing headers of one delivery attempt (correct, or deliberately wrong for fault injection).
 */
import { randomUUID } from 'node:crypto';

import {
  SIGNATURE_PROBE_PREFIX,
  encryptAeadAes256Gcm,
  formatRfc3339Beijing,
  generateNonce,
} from '../../payment/index.js';
import { randomAlnum } from '../sandbox-ids.js';
import type { SignatureMode } from './notification-faults.js';
import { signWechatpayMessage, type PlatformSigningKey } from './signed-reply.js';

/** What a notification says, before encryption. */
export interface NotificationContent {
  eventType: 'TRANSACTION.SUCCESS' | 'REFUND.SUCCESS';
  /** `支付成功` / `退款成功`. */
  summary: string;
  /** Also the AEAD associated data, as WeChat uses it. */
  originalType: 'transaction' | 'refund';
  /** The plaintext resource (a Transaction, or a refund notification resource). */
  resource: object;
}

/** A notification ready to send: the same bytes go out on every attempt. */
export interface BuiltNotification {
  /** The event id (`id` in the body). */
  id: string;
  body: string;
}

/** A stale timestamp is this far in the past: well beyond the ±5 minutes every SDK accepts. */
const STALE_OFFSET_SECONDS = 600;

/** Encrypts `content.resource` and wraps it in WeChat's envelope (field order as in the official example). */
export function buildNotification(
  content: NotificationContent,
  apiV3Key: string,
  nowMs: number,
): BuiltNotification {
  const nonce = randomAlnum(12);
  const id = randomUUID();
  const envelope = {
    id,
    create_time: formatRfc3339Beijing(new Date(nowMs)),
    resource_type: 'encrypt-resource',
    event_type: content.eventType,
    summary: content.summary,
    resource: {
      original_type: content.originalType,
      algorithm: 'AEAD_AES_256_GCM',
      ciphertext: encryptAeadAes256Gcm({
        key: apiV3Key,
        nonce,
        associatedData: content.originalType,
        plaintext: JSON.stringify(content.resource),
      }),
      associated_data: content.originalType,
      nonce,
    },
  };
  return { id, body: JSON.stringify(envelope) };
}

/**
 * The headers of one attempt: `Wechatpay-Serial/-Signature/-Timestamp/-Nonce/-Signature-Type`, a fresh timestamp
 * and nonce each time, signed as `mode` says.
 */
export async function notificationHeaders(
  key: PlatformSigningKey,
  body: string,
  nowMs: number,
  mode: SignatureMode,
): Promise<Record<string, string>> {
  const nowSeconds = Math.floor(nowMs / 1000);
  const timestamp = String(mode === 'stale_timestamp' ? nowSeconds - STALE_OFFSET_SECONDS : nowSeconds);
  const nonce = generateNonce();
  const headers = await signWechatpayMessage(key, timestamp, nonce, body);
  if (mode === 'bad_signature' || mode === 'signature_probe') {
    // A real signature over other bytes: canonical Base64 of the right length that still fails verification,
    // so only an actual RSA check catches it.
    const forged = await signWechatpayMessage(key, timestamp, nonce, `${body} `);
    const signature = forged['Wechatpay-Signature'] ?? '';
    headers['Wechatpay-Signature'] =
      mode === 'signature_probe' ? `${SIGNATURE_PROBE_PREFIX}${signature}` : signature;
  }
  return { ...headers, 'Wechatpay-Signature-Type': 'WECHATPAY2-SHA256-RSA2048' };
}
