import Taro from '@tarojs/taro';
import type { ErrorCode } from '@tokentill/shared-types';
import { ApiError } from './api-error';
// session.ts calls back into request() (auth: false) to log in; the cycle is only entered at call time.
import { isSessionError, renewSession, sessionToken } from './session';

/** Milliseconds before a request is abandoned with a TIMEOUT ApiError (WeChat's own ceiling is 60 s). */
export const REQUEST_TIMEOUT_MS = 15_000;

type Method = 'GET' | 'POST';

export interface RequestOptions {
  method?: Method;
  /** JSON body for POST. */
  data?: unknown;
  /**
   * Send the session token as `Authorization: Bearer` (default `true`; logs in first when there is none).
   * `false` for public endpoints, the login itself and the sandbox's controls.
   */
  auth?: boolean;
}

/**
 * Calls the TokenTill API: the only caller of `Taro.request` in the client. Resolves with the parsed JSON body
 * of a 2xx answer; rejects with an ApiError otherwise (the server's `{error:{code,message,requestId}}`
 * envelope when there is one). An authenticated call the server refuses with SESSION_EXPIRED or
 * UNAUTHENTICATED logs in again and is retried once; a second refusal is thrown.
 */
export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  if (options.auth === false) return send<T>(path, options, undefined);
  const token = await sessionToken();
  try {
    return await send<T>(path, options, token);
  } catch (error) {
    if (!isSessionError(error)) throw error;
    const fresh = await renewSession(token);
    return send<T>(path, options, fresh);
  }
}

/** `GET path`, see {@link request}. */
export function get<T>(path: string, options: Omit<RequestOptions, 'method' | 'data'> = {}): Promise<T> {
  return request<T>(path, options);
}

/** `POST path` with a JSON body, see {@link request}. */
export function post<T>(path: string, data: unknown, options: Omit<RequestOptions, 'method' | 'data'> = {}) {
  return request<T>(path, { ...options, method: 'POST', data });
}

async function send<T>(path: string, options: RequestOptions, token: string | undefined): Promise<T> {
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
