import Taro from '@tarojs/taro';
import type { ErrorCode } from '@tokentill/shared-types';
import { ApiError } from './api-error';

/** Milliseconds before a request is abandoned with a TIMEOUT ApiError. */
export const REQUEST_TIMEOUT_MS = 15_000;

type Method = 'GET' | 'POST';

interface RequestOptions {
  method?: Method;
  /** JSON body for POST. */
  data?: unknown;
}

/**
 * Calls the TokenTill API: the only caller of `Taro.request` in the client. Resolves with the parsed JSON body
 * of a 2xx answer; rejects with an ApiError otherwise (the server's `{error:{code,message,requestId}}`
 * envelope when there is one).
 */
export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const method = options.method ?? 'GET';
  let response: { statusCode: number; data: unknown };
  try {
    response = await Taro.request({
      url: apiUrl(path),
      method,
      data: options.data,
      header: { 'content-type': 'application/json' },
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

/** `GET path`, see {@link request}. */
export function get<T>(path: string): Promise<T> {
  return request<T>(path);
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
