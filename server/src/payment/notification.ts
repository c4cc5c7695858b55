/**
 * Opening a WeChat Pay APIv3 notification (payment or refund result): verify the signature over the raw body,
 * then parse, then decrypt the resource. The order matters: nothing from an unverified body is trusted, not even
 * its JSON shape.
 */
import { AeadError, decryptAeadAes256Gcm } from './aead.js';
import {
  isCompleteSuccessTransaction,
  isObject,
  isRefundNotificationResource,
  isString,
  isTransaction,
  parseJson,
} from './resource-guards.js';
import { readWechatpayHeaders, type HeaderSource } from './wechatpay-headers.js';
import type { VerifyFailureReason, WechatpayVerifier } from './wechatpay-verifier.js';
import type { NotificationEvent, RefundNotificationResource, Transaction } from './wxpay-types.js';

/** Why a notification was refused. */
export type NotificationErrorReason =
  | VerifyFailureReason
  /** Verified, but not the JSON envelope / resource shape WeChat documents. */
  | 'malformed_body'
  /** Verified, but the resource does not decrypt: almost always a wrong or reset APIv3 key. */
  | 'decrypt_failed'
  /** Verified and decrypted, but neither a transaction nor a refund (TokenTill subscribes to nothing else). */
  | 'unsupported_event';

/** Body WeChat Pay expects with a failure status ("the notification failed, send it again"). */
export const NOTIFICATION_FAILURE_BODY = Object.freeze({ code: 'FAIL', message: '失败' });

/** A notification that must not be acted on. Answer with {@link NotificationError.httpStatus} (never 2xx). */
export class NotificationError extends Error {
  override readonly name = 'NotificationError';
  constructor(
    readonly reason: NotificationErrorReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /**
   * The status to answer WeChat Pay with: 401 for signature failures (the Java SDK's recommendation), 500 when
   * decryption fails (our key is wrong: WeChat should retry once it is fixed), 400 for bodies we cannot use.
   */
  get httpStatus(): 400 | 401 | 500 {
    switch (this.reason) {
      case 'decrypt_failed':
        return 500;
      case 'malformed_body':
      case 'unsupported_event':
        return 400;
      default:
        return 401;
    }
  }
}

/** A verified, decrypted notification. */
export type WxPayNotification =
  | { kind: 'transaction'; event: NotificationEvent; resource: Transaction }
  | { kind: 'refund'; event: NotificationEvent; resource: RefundNotificationResource };

/** Options for {@link openNotification}. */
export interface OpenNotificationOptions {
  verifier: WechatpayVerifier;
  /** The 32-character APIv3 key. */
  apiV3Key: string | Buffer;
  /** Current time in milliseconds since the epoch (default `Date.now()`). */
  now?: number;
}

/**
 * Verifies, parses and decrypts a notification.
 *
 * @param headers the request headers (Koa's `ctx.headers` or a fetch `Headers`).
 * @param rawBody the request body bytes exactly as received; never re-serialised JSON.
 * @throws NotificationError with a distinct `reason` for every way it can fail.
 */
export function openNotification(
  headers: HeaderSource,
  rawBody: Buffer,
  options: OpenNotificationOptions,
): WxPayNotification {
  // Re-serialised JSON is the most common cause of failed verifications; refuse it loudly instead.
  if (!Buffer.isBuffer(rawBody)) throw new TypeError('openNotification needs the raw body as a Buffer');

  const verified = options.verifier.verify({ ...readWechatpayHeaders(headers), body: rawBody }, options.now);
  if (!verified.ok) throw new NotificationError(verified.reason, verified.message);

  const envelope = parseJson(rawBody.toString('utf8'));
  if (!isObject(envelope) || !isObject(envelope.resource)) {
    throw new NotificationError('malformed_body', 'Notification body is not a JSON object with a resource');
  }
  const { resource } = envelope;
  if (!['id', 'event_type', 'create_time', 'summary'].every((k) => isString(envelope[k]))) {
    throw new NotificationError(
      'malformed_body',
      'Notification lacks id, event_type, create_time or summary',
    );
  }
  if (envelope.resource_type !== 'encrypt-resource') {
    throw new NotificationError(
      'malformed_body',
      `Unexpected resource_type ${String(envelope.resource_type)}`,
    );
  }
  if (resource.algorithm !== 'AEAD_AES_256_GCM') {
    throw new NotificationError(
      'malformed_body',
      `Unsupported resource algorithm ${String(resource.algorithm)}`,
    );
  }
  const { ciphertext, nonce, associated_data: aad = '', original_type: originalType } = resource;
  if (!isString(ciphertext) || !isString(nonce) || !isString(aad)) {
    throw new NotificationError('malformed_body', 'Resource lacks ciphertext, nonce or associated_data');
  }

  let plaintext: string;
  try {
    plaintext = decryptAeadAes256Gcm({
      key: options.apiV3Key,
      nonce,
      associatedData: aad,
      ciphertext,
    }).toString('utf8');
  } catch (err) {
    if (!(err instanceof AeadError)) throw err;
    throw new NotificationError('decrypt_failed', `Notification resource did not decrypt: ${err.message}`, {
      cause: err,
    });
  }

  const event: NotificationEvent = {
    id: envelope.id as string,
    event_type: envelope.event_type as string,
    create_time: envelope.create_time as string,
    summary: envelope.summary as string,
  };
  const decrypted = parseJson(plaintext);
  if (originalType === 'transaction') {
    if (!isTransaction(decrypted) || !isCompleteSuccessTransaction(decrypted)) {
      throw new NotificationError('malformed_body', 'Decrypted transaction lacks required fields');
    }
    return { kind: 'transaction', event, resource: decrypted };
  }
  if (originalType === 'refund') {
    if (!isRefundNotificationResource(decrypted)) {
      throw new NotificationError('malformed_body', 'Decrypted refund lacks required fields');
    }
    return { kind: 'refund', event, resource: decrypted };
  }
  throw new NotificationError('unsupported_event', `Unsupported notification type ${String(originalType)}`);
}
