import type { ErrorCode } from '@tokentill/shared-types';

/** HTTP status for every error code. Exhaustive: adding a code to shared-types without a status fails to compile. */
export const CODE_TO_STATUS: Readonly<Record<ErrorCode, number>> = {
  VALIDATION_FAILED: 400,
  BAD_JSON: 400,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNAUTHENTICATED: 401,
  SESSION_EXPIRED: 401,
  WECHAT_CODE_INVALID: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  RATE_LIMITED: 429,
  TOO_MANY_UNPAID_ORDERS: 429,
  ORDER_NOT_PAYABLE: 409,
  ORDER_NOT_CANCELLABLE: 409,
  TIER_UNAVAILABLE: 503,
  PAYMENT_UNAVAILABLE: 503,
  ORDER_INVALID_TRANSITION: 409,
  PAYMENT_SIGNATURE_INVALID: 401,
  UPSTREAM_TIMEOUT: 504,
  UPSTREAM_UNAVAILABLE: 503,
  UPSTREAM_ERROR: 502,
  NOT_READY: 503,
  INTERNAL: 500,
};

export interface AppErrorOptions {
  cause?: unknown;
  /** Machine-readable extras for the client (e.g. validation issues). Never secrets. */
  details?: Record<string, unknown>;
  /** Extra response headers, e.g. `Retry-After` on RATE_LIMITED. */
  headers?: Record<string, string>;
  /**
   * The message may reach the client although the status is 5xx: a deliberate refusal written for the client
   * (TIER_UNAVAILABLE), not a fault whose message could carry internals. Such errors are not logged as faults.
   */
  expose?: boolean;
}

/** An error the API answers with a stable code. Messages of 4xx errors reach the client, so write them for developers. */
export class AppError extends Error {
  override readonly name = 'AppError';
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;
  readonly headers: Record<string, string> | undefined;
  private readonly exposeMessage: boolean;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = CODE_TO_STATUS[code];
    this.details = options.details;
    this.headers = options.headers;
    this.exposeMessage = options.expose ?? false;
  }

  /** True for errors whose message may be shown to the client (below 500, or a deliberate 5xx refusal). */
  get expose(): boolean {
    return this.status < 500 || this.exposeMessage;
  }
}
