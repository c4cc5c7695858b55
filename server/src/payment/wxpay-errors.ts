/**
 * Errors of the WeChat Pay APIv3 client, in the openai-node style: one base class, one subclass per way a call
 * fails, and an explicit retry policy in {@link isRetryable}.
 */
import type { VerifyFailureReason } from './wechatpay-verifier.js';

/** Base class of every error the WeChat Pay client throws. */
export class WxPayError extends Error {
  override readonly name: string = 'WxPayError';
}

/** A request refused locally, before anything was sent (e.g. `description` over 127 characters). */
export class WxPayRequestValidationError extends WxPayError {
  override readonly name = 'WxPayRequestValidationError';
  constructor(
    /** The WeChat field name at fault, e.g. `out_trade_no`. */
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A non-2xx answer from WeChat Pay (`{"code","message","detail"}`), or an unusable 2xx body (`code`
 * `INVALID_RESPONSE`).
 */
export class WxPayApiError extends WxPayError {
  override readonly name = 'WxPayApiError';
  constructor(
    readonly status: number,
    /** WeChat's error code, e.g. `PARAM_ERROR`, `SIGN_ERROR`, `SYSTEM_ERROR`, `ORDER_NOT_EXIST`. */
    readonly code: string,
    message: string,
    /** WeChat's `detail` object, if any (e.g. `sign_information` on SIGN_ERROR). */
    readonly detail: unknown,
    /** WeChat's `Request-ID` header: quote it to WeChat support. */
    readonly requestId: string | undefined,
  ) {
    super(message);
  }
}

/** A 2xx answer whose signature did not verify: its content must not be trusted (it may be a probe). */
export class WxPayResponseSignatureError extends WxPayError {
  override readonly name = 'WxPayResponseSignatureError';
  constructor(
    readonly reason: VerifyFailureReason,
    message: string,
    readonly status: number,
    readonly requestId: string | undefined,
  ) {
    super(message);
  }
}

/** The request did not complete: DNS, connection refused/reset, TLS, or a body cut short. */
export class WxPayConnectionError extends WxPayError {
  override readonly name: string = 'WxPayConnectionError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The request took longer than the client's `timeoutMs` and was aborted. */
export class WxPayTimeoutError extends WxPayConnectionError {
  override readonly name = 'WxPayTimeoutError';
}

/**
 * Whether repeating the same request may succeed: 5xx, `SYSTEM_ERROR`, and connection failures or timeouts.
 *
 * Safe because every call the client makes is idempotent on WeChat's side for identical parameters (same
 * `out_trade_no` / `out_refund_no`). Signature failures are not retried: the answer is untrusted, and WeChat's
 * occasional deliberate probes are meant to be treated as failures.
 */
export function isRetryable(err: unknown): boolean {
  if (err instanceof WxPayApiError) return err.status >= 500 || err.code === 'SYSTEM_ERROR';
  return err instanceof WxPayConnectionError;
}
