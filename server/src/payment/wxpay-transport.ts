/**
 * One signed, verified, retried HTTP exchange with WeChat Pay APIv3. Knows nothing about specific endpoints.
 */
import { setTimeout as sleep } from 'node:timers/promises';

import type { RequestSigner } from './request-signer.js';
import { readHeader, readWechatpayHeaders } from './wechatpay-headers.js';
import type { WechatpayVerifier } from './wechatpay-verifier.js';
import {
  WxPayApiError,
  WxPayConnectionError,
  WxPayRequestValidationError,
  WxPayResponseSignatureError,
  WxPayTimeoutError,
  isRetryable,
} from './wxpay-errors.js';

/** Options for {@link createWxPayTransport}. */
export interface WxPayTransportOptions {
  signer: RequestSigner;
  verifier: WechatpayVerifier;
  /** Scheme, host and optional path prefix, e.g. `https://api.mch.weixin.qq.com`. */
  apiBase: string;
  /** Sent as `Wechatpay-Serial` so WeChat signs its answers with that key (omitted when undefined). */
  wechatpaySerial: string | undefined;
  fetch: typeof globalThis.fetch;
  now: () => number;
  timeoutMs: number;
  maxRetries: number;
  retryDelayMs: number;
  userAgent: string;
}

/** A verified 2xx answer. */
export interface WxPayResponse {
  status: number;
  /** Raw body bytes (empty for 204). */
  body: Buffer;
  requestId: string | undefined;
}

/** Sends requests to WeChat Pay. */
export interface WxPayTransport {
  /**
   * Sends one request (retrying retryable failures) and returns the verified 2xx answer.
   *
   * @param pathAndQuery path with already URL-encoded parameters, plus any query string.
   * @param body a JSON value, serialised exactly once: the signed bytes are the sent bytes on every attempt.
   * @throws WxPayApiError | WxPayResponseSignatureError | WxPayConnectionError | WxPayTimeoutError
   */
  request(method: 'GET' | 'POST', pathAndQuery: string, body?: unknown): Promise<WxPayResponse>;
  /**
   * A signed GET of an absolute URL on the API's origin whose answer WeChat Pay does NOT sign: a bill file
   * (`download_url`). The caller must check the body otherwise (the bill's SHA1 `hash_value`).
   *
   * @throws WxPayRequestValidationError when the URL is not on the API's origin (the Authorization header is
   *   never sent elsewhere) | WxPayApiError | WxPayConnectionError | WxPayTimeoutError
   */
  downloadUnsigned(absoluteUrl: string): Promise<WxPayResponse>;
}

/** Creates the transport the API client is built on. */
export function createWxPayTransport(options: WxPayTransportOptions): WxPayTransport {
  const base = options.apiBase.replace(/\/+$/, '');

  async function attempt(
    method: string,
    url: URL,
    canonicalUrl: string,
    body: string,
    signedAnswer = true,
  ): Promise<WxPayResponse> {
    // A fresh timestamp and nonce for every attempt: WeChat rejects replays of the same signature.
    const signed = await options.signer.sign(method, canonicalUrl, body);
    const headers: Record<string, string> = {
      Accept: 'application/json',
      'Content-Type': 'application/json',
      'User-Agent': options.userAgent,
      Authorization: signed.authorization,
    };
    if (options.wechatpaySerial !== undefined) headers['Wechatpay-Serial'] = options.wechatpaySerial;

    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), options.timeoutMs);
    let response: Response;
    let raw: Buffer;
    try {
      response = await options.fetch(url, {
        method,
        headers,
        body: method === 'GET' ? undefined : body,
        signal: controller.signal,
        // A redirect is never part of the protocol and would be unsigned: surface it as an API error.
        redirect: 'manual',
      });
      // Read as bytes, not text: the signature covers the bytes, and must survive any non-UTF-8 content.
      raw = Buffer.from(await response.arrayBuffer());
    } catch (err) {
      if (controller.signal.aborted) {
        throw new WxPayTimeoutError(`${method} ${canonicalUrl} timed out after ${options.timeoutMs} ms`, {
          cause: err,
        });
      }
      throw new WxPayConnectionError(`${method} ${canonicalUrl} failed: ${(err as Error).message}`, {
        cause: err,
      });
    } finally {
      clearTimeout(timer);
    }

    const requestId = readHeader(response.headers, 'Request-ID');
    if (response.status < 200 || response.status > 299) {
      throw apiError(response.status, raw, requestId);
    }
    if (!signedAnswer) return { status: response.status, body: raw, requestId };
    const verified = options.verifier.verify(
      { ...readWechatpayHeaders(response.headers), body: raw },
      options.now(),
    );
    if (!verified.ok) {
      throw new WxPayResponseSignatureError(
        verified.reason,
        `${method} ${canonicalUrl}: response signature rejected (${verified.reason}): ${verified.message}`,
        response.status,
        requestId,
      );
    }
    return { status: response.status, body: raw, requestId };
  }

  async function withRetries(
    method: string,
    url: URL,
    bodyText: string,
    signedAnswer: boolean,
  ): Promise<WxPayResponse> {
    // Sign what will actually go on the wire, after URL normalisation (and including any apiBase prefix).
    const canonicalUrl = url.pathname + url.search;
    for (let retry = 0; ; retry++) {
      try {
        return await attempt(method, url, canonicalUrl, bodyText, signedAnswer);
      } catch (err) {
        if (retry >= options.maxRetries || !isRetryable(err)) throw err;
        // Exponential backoff with jitter in [0.5, 1) of the step, so concurrent retries spread out.
        await sleep(options.retryDelayMs * 2 ** retry * (0.5 + Math.random() / 2));
      }
    }
  }

  return {
    async request(method, pathAndQuery, body) {
      const bodyText = body === undefined ? '' : JSON.stringify(body);
      return withRetries(method, new URL(base + pathAndQuery), bodyText, true);
    },
    async downloadUnsigned(absoluteUrl) {
      let url: URL;
      try {
        url = new URL(absoluteUrl);
      } catch {
        throw new WxPayRequestValidationError('download_url', `download_url is not a URL: ${absoluteUrl}`);
      }
      if (url.origin !== new URL(base).origin) {
        throw new WxPayRequestValidationError(
          'download_url',
          `download_url ${url.origin} is not on the API's origin ${new URL(base).origin}: not sent a signature`,
        );
      }
      return withRetries('GET', url, '', false);
    },
  };
}

function apiError(status: number, raw: Buffer, requestId: string | undefined): WxPayApiError {
  let parsed: { code?: unknown; message?: unknown; detail?: unknown } = {};
  try {
    parsed = JSON.parse(raw.toString('utf8')) as typeof parsed;
  } catch {
    // Gateways in front of WeChat can answer HTML; keep the status and a short excerpt.
  }
  const code = typeof parsed?.code === 'string' ? parsed.code : `HTTP_${status}`;
  const message =
    typeof parsed?.message === 'string'
      ? parsed.message
      : raw.toString('utf8').slice(0, 200) || `HTTP ${status}`;
  return new WxPayApiError(status, code, message, parsed?.detail, requestId);
}
