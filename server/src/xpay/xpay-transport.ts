/**
 * One signed, retried call of the `/xpay/*` server API: the body serialised once, `pay_sig` (and `signature`
 * when the call acts for a user) computed over those exact bytes, and the same bytes sent on every attempt.
 * Transport: `POST <apiBase>/xpay/<api>?access_token=…&pay_sig=…[&signature=…]`, JSON in and out, errors as
 * `{errcode, errmsg}` with HTTP 200.
 */
import { setTimeout as sleep } from 'node:timers/promises';

import { XPAY_ERRCODES } from './xpay-errcodes.js';
import { XPayApiError, XPayConnectionError, XPayTimeoutError, isRetryable } from './xpay-errors.js';
import { computePaySig, computeUserSignature } from './xpay-signature.js';

/** Where the access token comes from: the shared cache (`wechat/access-token-cache.ts` has this shape). */
export interface XPayAccessTokenSource {
  get(): Promise<string>;
  /** Called once after WeChat refused the token (40001/42001); returns a fresh one. */
  refresh(): Promise<string>;
}

/** Options for {@link createXPayTransport}. */
export interface XPayTransportOptions {
  /** Scheme, host and optional path prefix, e.g. `https://api.weixin.qq.com` or the sandbox's `/sandbox/wechat`. */
  apiBase: string;
  accessToken: XPayAccessTokenSource;
  fetch: typeof globalThis.fetch;
  timeoutMs: number;
  maxRetries: number;
  retryDelayMs: number;
}

/** One call. */
export interface XPayCall {
  /** The API name: `query_order`, `refund_order`, … (the signed uri is `/xpay/<api>`). */
  api: string;
  /** Serialised exactly once, in the key order given. */
  body: Record<string, unknown>;
  /** The AppKey of the body's env: adds `pay_sig`. */
  appKey: string;
  /** The user's current session_key: adds `signature` (APIs that act for a user). */
  sessionKey?: string;
}

/** A successful answer (errcode 0), parsed. */
export type XPayAnswer = Record<string, unknown>;

export interface XPayTransport {
  /**
   * Sends one call, retrying retryable failures and refreshing a refused access token once.
   *
   * @throws XPayApiError | XPayConnectionError | XPayTimeoutError
   */
  call(call: XPayCall): Promise<XPayAnswer>;
}

const TOKEN_REFUSED: readonly number[] = [
  XPAY_ERRCODES.INVALID_ACCESS_TOKEN,
  XPAY_ERRCODES.ACCESS_TOKEN_EXPIRED,
];

/** Creates the transport the client is built on. */
export function createXPayTransport(options: XPayTransportOptions): XPayTransport {
  const base = options.apiBase.replace(/\/+$/, '');

  async function attempt(api: string, url: URL, body: string): Promise<XPayAnswer> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), options.timeoutMs);
    let response: Response;
    let text: string;
    try {
      response = await options.fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body,
        signal: controller.signal,
        redirect: 'manual',
      });
      text = await response.text();
    } catch (err) {
      // The URL carries the access token: error messages name the API, never the URL.
      if (controller.signal.aborted) {
        throw new XPayTimeoutError(`xpay ${api} timed out after ${options.timeoutMs} ms`, undefined, {
          cause: err,
        });
      }
      throw new XPayConnectionError(`xpay ${api} failed: ${(err as Error).message}`, undefined, {
        cause: err,
      });
    } finally {
      clearTimeout(timer);
    }

    if (response.status >= 500) {
      throw new XPayConnectionError(`xpay ${api} answered HTTP ${response.status}`, response.status);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new XPayApiError(api, Number.NaN, `HTTP ${response.status} without JSON`, response.status);
    }
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
      throw new XPayApiError(api, Number.NaN, `HTTP ${response.status}: not a JSON object`, response.status);
    }
    const answer = json as XPayAnswer;
    const errcode = answer['errcode'];
    if (errcode !== undefined && errcode !== 0) {
      const code = Number.isSafeInteger(errcode) ? (errcode as number) : Number.NaN;
      throw new XPayApiError(api, code, String(answer['errmsg'] ?? ''), response.status);
    }
    if (response.status < 200 || response.status > 299) {
      throw new XPayApiError(api, Number.NaN, `HTTP ${response.status}`, response.status);
    }
    return answer;
  }

  return {
    async call({ api, body, appKey, sessionKey }) {
      const bodyText = JSON.stringify(body);
      const uri = `/xpay/${api}`;
      const signatures: Record<string, string> = { pay_sig: computePaySig(appKey, uri, bodyText) };
      if (sessionKey !== undefined) signatures['signature'] = computeUserSignature(sessionKey, bodyText);

      let token = await options.accessToken.get();
      let refreshed = false;
      for (let retry = 0; ;) {
        const query = new URLSearchParams({ access_token: token, ...signatures });
        try {
          return await attempt(api, new URL(`${base}${uri}?${query.toString()}`), bodyText);
        } catch (err) {
          if (!refreshed && err instanceof XPayApiError && TOKEN_REFUSED.includes(err.errcode)) {
            // The token is not signed over: a fresh one needs no new signatures, and does not count as a retry.
            refreshed = true;
            token = await options.accessToken.refresh();
            continue;
          }
          if (retry >= options.maxRetries || !isRetryable(err)) throw err;
          // Exponential backoff with jitter in [0.5, 1) of the step, so concurrent retries spread out.
          await sleep(options.retryDelayMs * 2 ** retry * (0.5 + Math.random() / 2));
          retry += 1;
        }
      }
    },
  };
}
