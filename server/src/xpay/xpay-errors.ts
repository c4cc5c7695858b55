/**
 * Errors of the virtual-payment (xpay) server API client, in the style of `payment/wxpay-errors.ts`: one base
 * class, one subclass per way a call fails, and an explicit retry policy in {@link isRetryable}.
 */
import { xpayErrcodeName, XPAY_ERRCODES, type XPayErrcodeName } from './xpay-errcodes.js';

/** Base class of every error the xpay client throws. */
export class XPayError extends Error {
  override readonly name: string = 'XPayError';
}

/** A request refused locally, before anything was sent (e.g. a `refund_order_id` of 40 characters). */
export class XPayRequestValidationError extends XPayError {
  override readonly name = 'XPayRequestValidationError';
  constructor(
    /** The WeChat field name at fault, e.g. `outTradeNo` or `refund_order_id`. */
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * WeChat answered `{errcode, errmsg}` with a non-zero errcode (HTTP 200, as WeChat does), or an unusable answer
 * (`code` `INVALID_RESPONSE`, errcode `NaN`).
 */
export class XPayApiError extends XPayError {
  override readonly name = 'XPayApiError';
  /** The documented name of {@link errcode}, or `UNKNOWN_ERRCODE` / `INVALID_RESPONSE`. */
  readonly code: XPayErrcodeName | 'UNKNOWN_ERRCODE' | 'INVALID_RESPONSE';
  constructor(
    /** The API, e.g. `query_order`. */
    readonly api: string,
    readonly errcode: number,
    /** WeChat's errmsg (it ends with a `rid` to quote to WeChat support). */
    readonly errmsg: string,
    /** The HTTP status the answer came with (200 for every errcode answer). */
    readonly status: number,
  ) {
    super(`xpay ${api} failed: ${Number.isNaN(errcode) ? 'invalid response' : errcode} ${errmsg}`);
    this.code = Number.isNaN(errcode) ? 'INVALID_RESPONSE' : (xpayErrcodeName(errcode) ?? 'UNKNOWN_ERRCODE');
  }
}

/** The request did not complete: DNS, connection refused/reset, TLS, a body cut short, or a 5xx gateway page. */
export class XPayConnectionError extends XPayError {
  override readonly name: string = 'XPayConnectionError';
  constructor(
    message: string,
    /** The HTTP status when a gateway answered 5xx without WeChat's JSON; undefined for network failures. */
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The request took longer than the client's `timeoutMs` and was aborted. */
export class XPayTimeoutError extends XPayConnectionError {
  override readonly name = 'XPayTimeoutError';
}

/**
 * Whether repeating the same request may succeed: errcode -1 (系统错误, "system busy"), 5xx answers, connection
 * failures and timeouts. Nothing else: a signature or parameter error repeats identically, and a retry of
 * `refund_order` is only safe because its `refund_order_id` is stable (WeChat answers 268490004 for a repeat).
 */
export function isRetryable(err: unknown): boolean {
  if (err instanceof XPayApiError) return err.errcode === XPAY_ERRCODES.SYSTEM_ERROR;
  return err instanceof XPayConnectionError;
}
