/**
 * Why a message push was refused, in the style of `payment/notification.ts`: one error class, a `reason` per
 * way it fails, and the HTTP status to answer with. Nothing of a refused push is acted on.
 */

/** Why a push (or a URL verification) was refused. */
export type PushErrorReason =
  /** No signature (or no msg_signature in safe mode), timestamp or nonce in the query. */
  | 'missing_signature'
  /** The signature does not verify with our Token: not WeChat, or a wrong Token. */
  | 'bad_signature'
  /** The timestamp is further from our clock than the allowed skew: a replay, or a badly wrong clock. */
  | 'stale_timestamp'
  /** A plaintext push where the console is set to safe mode (or the reverse): someone is not WeChat. */
  | 'mode_mismatch'
  /** Verified, but the body is not JSON or XML of the push's shape. */
  | 'malformed_body'
  /** Verified, but the ciphertext does not open: almost always a wrong or reset EncodingAESKey. */
  | 'decrypt_failed'
  /** Decrypted, but encrypted for another appid: a push meant for another Mini Program. */
  | 'wrong_appid'
  /** Verified and decrypted, but an event this module does not handle. */
  | 'unsupported_event'
  /** A known xpay event lacking a field we rely on (or with one of the wrong type). */
  | 'malformed_event';

/** A push that must not be acted on. Answer with {@link PushError.httpStatus}; never acknowledge it. */
export class PushError extends Error {
  override readonly name = 'PushError';
  constructor(
    readonly reason: PushErrorReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /**
   * 401 when the push is not proven to come from WeChat (signature, timestamp, mode, appid), 500 when our AES key
   * does not open a genuine push (fix the key: WeChat retries), 400 for verified content we cannot use.
   */
  get httpStatus(): 400 | 401 | 500 {
    switch (this.reason) {
      case 'decrypt_failed':
        return 500;
      case 'malformed_body':
      case 'unsupported_event':
      case 'malformed_event':
        return 400;
      default:
        return 401;
    }
  }

  /**
   * True when the push passed signature (and, in safe mode, decryption and appid) checks, so it certainly came
   * from WeChat; the mount may still choose to acknowledge a verified event it does not handle, to stop retries.
   */
  get authenticated(): boolean {
    return this.reason === 'unsupported_event' || this.reason === 'malformed_event';
  }
}
