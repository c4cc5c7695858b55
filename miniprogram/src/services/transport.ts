import Taro from '@tarojs/taro';
import type { ErrorCode } from '@tokentill/shared-types';
import { ApiError } from './api-error';

/**
 * One HTTP exchange with the TokenTill API, below sessions: the only caller of `Taro.request` in the client.
 * `http.ts` adds the session token (and logs in again when it is refused); `session.ts` logs in through this
 * directly, so neither needs the other at load time.
 */

/** Milliseconds before a request is abandoned with a TIMEOUT ApiError (WeChat's own ceiling is 60 s). */
export const REQUEST_TIMEOUT_MS = 15_000;

export type Method = 'GET' | 'POST';

export interface SendOptions {
  method?: Method;
  /** JSON body for POST. */
  data?: unknown;
}

/**
 * Sends one request, with `Authorization: Bearer <token>` when a token is given. Resolves with the parsed JSON
 * body of a 2xx answer; rejects with an ApiError otherwise (the server's `{error:{code,message,requestId}}`
 * envelope when there is one).
 */
export async function send<T>(path: string, options: SendOptions, token: string | undefined): Promise<T> {
  const method = options.method ?? 'GET';
  const header: Record<string, string> = { 'content-type': 'application/json' };
  if (token !== undefined) header['authorization'] = `Bearer ${token}`;
  let response: { statusCode: number; data: unknown };
  try {
    response = await Taro.request({
      url: apiUrl(path),
      method,
      data: options.data,
      header,
      dataType: 'json',
      timeout: REQUEST_TIMEOUT_MS,
    });
  } catch (cause) {
    throw transportError(cause);
  }
  const { statusCode, data } = response;
  if (statusCode >= 200 && statusCode < 300) {
    return data as T;
  }
  throw envelopeError(statusCode, data);
}

/** Joins the configured base URL (empty on H5 = same origin) and an absolute API path. */
export function apiUrl(path: string): string {
  const base = (process.env.TARO_APP_API_BASE ?? '').replace(/\/+$/, '');
  return `${base}${path}`;
}

function envelopeError(status: number, body: unknown): ApiError {
  const error = isRecord(body) && isRecord(body.error) ? body.error : undefined;
  if (error && typeof error.code === 'string' && typeof error.message === 'string') {
    const requestId = typeof error.requestId === 'string' ? error.requestId : undefined;
    // Codes are a stable contract (shared-types); a newer server may add codes this build does not list,
    // which callers handle through their default branch.
    return new ApiError(error.code as ErrorCode, error.message, { status, requestId });
  }
  return new ApiError('BAD_RESPONSE', `Unexpected HTTP ${status} answer without an error envelope`, {
    status,
  });
}

function transportError(cause: unknown): ApiError {
  const text = isRecord(cause) ? String(cause.errMsg ?? cause.message ?? '') : String(cause);
  // weapp reports "request:fail timeout"; H5 aborts the fetch at the timeout (an AbortError).
  const timedOut = /timeout|abort/i.test(text) || (isRecord(cause) && cause.name === 'AbortError');
  return timedOut
    ? new ApiError('TIMEOUT', `No answer within ${REQUEST_TIMEOUT_MS} ms`)
    : new ApiError('NETWORK_ERROR', text || 'Network request failed');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
