import type { ErrorCode } from '@tokentill/shared-types';

/** Failures detected on the client, when there is no server error envelope to read a code from. */
export type ClientErrorCode =
  /** No HTTP answer: offline, DNS, TLS, refused, or a domain not allowed by the Mini Program settings. */
  | 'NETWORK_ERROR'
  /** No answer within the request timeout. */
  | 'TIMEOUT'
  /** An answer that is not what the API promises (non-2xx without an envelope, unparseable body). */
  | 'BAD_RESPONSE'
  /** The platform gave no login code (`wx.login` failed). */
  | 'LOGIN_FAILED';

export type ApiErrorCode = ErrorCode | ClientErrorCode;

/** A failed API call. `code` is the server's stable error code (from shared-types) or a client-side one. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly code: ApiErrorCode;
  /** HTTP status; 0 when no answer arrived. */
  readonly status: number;
  /** The server's request id, for support and log correlation. */
  readonly requestId: string | undefined;

  constructor(code: ApiErrorCode, message: string, options: { status?: number; requestId?: string } = {}) {
    super(message);
    this.code = code;
    this.status = options.status ?? 0;
    this.requestId = options.requestId;
  }
}
