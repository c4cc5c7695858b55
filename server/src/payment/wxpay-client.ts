/**
 * WeChat Pay APIv3 client for a direct merchant: JSAPI / Mini Program orders, query, close and refunds.
 * Pure protocol: no Koa, no Redis; `fetch` and the clock are injected.
 */
import type { KeyObject } from 'node:crypto';

import { formatRfc3339Beijing } from './beijing-time.js';
import {
  openBillFile,
  readBillTicket,
  tradeBillPath,
  type BillDownloadTicket,
  type TradeBillRequest,
} from './bill-download.js';
import { createRequestSigner } from './request-signer.js';
import {
  isCompleteSuccessTransaction,
  isObject,
  isRefund,
  isTransaction,
  parseJson,
} from './resource-guards.js';
import type { WechatpayVerifier } from './wechatpay-verifier.js';
import { WxPayApiError, WxPayRequestValidationError } from './wxpay-errors.js';
import { createWxPayTransport, type WxPayResponse } from './wxpay-transport.js';
import type { Refund, Transaction } from './wxpay-types.js';
import {
  checkBytes,
  checkChars,
  checkFen,
  checkNotifyUrlField,
  checkOutRefundNo,
  checkOutTradeNo,
} from './wxpay-validation.js';

/** Production APIv3 endpoint. */
export const WXPAY_API_BASE = 'https://api.mch.weixin.qq.com';

/** Options for {@link createWxPayClient}. */
export interface WxPayClientOptions {
  mchid: string;
  /** The Mini Program appid bound to `mchid`. */
  appid: string;
  /** Serial of the merchant API certificate (`serial_no` in Authorization). */
  merchantSerial: string;
  merchantPrivateKey: KeyObject;
  /** WeChat Pay public key id (`PUB_KEY_ID_…`) sent as `Wechatpay-Serial`; omit in certificate-only mode. */
  wechatpaySerial?: string;
  /** Verifies every 2xx answer. */
  verifier: WechatpayVerifier;
  /** Default {@link WXPAY_API_BASE}; point it at the sandbox emulator or any server speaking the protocol. */
  apiBase?: string;
  /** Default `globalThis.fetch`. */
  fetch?: typeof globalThis.fetch;
  /** Clock in milliseconds since the epoch (signing timestamps, response freshness). Default `Date.now`. */
  now?: () => number;
  /** Nonce source for request signatures (default 32 random hex characters). */
  nonce?: () => string;
  /** Per-attempt timeout in milliseconds, covering headers and body. Default 10000. */
  timeoutMs?: number;
  /** Retries after the first attempt, for retryable failures only. Default 2. */
  maxRetries?: number;
  /** Base backoff in milliseconds, doubled per retry, with jitter. Default 500. */
  retryDelayMs?: number;
  /** Default `TokenTill-WxPay/1 (Node <version>)`; WeChat rejects requests without a User-Agent. */
  userAgent?: string;
}

/** Inputs of {@link WxPayClient.createJsapiOrder}. */
export interface JsapiOrderInput {
  /** ≤127 characters, shown on the user's bill. */
  description: string;
  /** 6–32 of `[0-9A-Za-z_-|*]`, unique per merchant. */
  outTradeNo: string;
  notifyUrl: string;
  /** Amount in fen. */
  amountFen: number;
  /** The payer's openid under this client's `appid`. */
  payerOpenid: string;
  /** ≤128 bytes, returned as-is in query answers and notifications. */
  attach?: string;
  /** Latest time the user can pay; sent as `yyyy-MM-ddTHH:mm:ss+08:00`. Must not change between calls. */
  timeExpire?: Date;
}

/** Inputs of {@link WxPayClient.createRefund}. */
export interface RefundInput {
  outTradeNo: string;
  /** Keep it stable across retries: WeChat refunds one `out_refund_no` at most once. */
  outRefundNo: string;
  /** ≤80 bytes, shown to the user. */
  reason?: string;
  /** Overrides the refund notify URL configured on the merchant platform. */
  notifyUrl?: string;
  refundFen: number;
  /** The original order amount in fen. */
  totalFen: number;
}

/** The WeChat Pay APIv3 calls TokenTill makes. Every method verifies the answer's signature. */
export interface WxPayClient {
  /** `POST /v3/pay/transactions/jsapi`. The prepay_id is valid for 2 hours. */
  createJsapiOrder(input: JsapiOrderInput): Promise<{ prepayId: string }>;
  /** `GET /v3/pay/transactions/out-trade-no/{no}?mchid=`. Unknown orders fail with code `ORDER_NOT_EXIST`. */
  queryByOutTradeNo(outTradeNo: string): Promise<Transaction>;
  /** `POST /v3/pay/transactions/out-trade-no/{no}/close`; resolves on 204. */
  closeOrder(outTradeNo: string): Promise<void>;
  /** `POST /v3/refund/domestic/refunds`. Acceptance only: follow the result by notification or query. */
  createRefund(input: RefundInput): Promise<Refund>;
  /** `GET /v3/refund/domestic/refunds/{out_refund_no}`. */
  queryRefund(outRefundNo: string): Promise<Refund>;
  /** `GET /v3/bill/tradebill`: where to download a day's trade bill (WeChat has it ready after 10:00 next day). */
  applyTradeBill(request: TradeBillRequest): Promise<BillDownloadTicket>;
  /**
   * Downloads a bill file (signed request, unsigned answer), checks it against the ticket's SHA1 and returns its
   * text. @throws WxPayBillHashError when the file does not match its hash.
   */
  downloadBill(ticket: BillDownloadTicket): Promise<string>;
}

/** Creates a client for one merchant and one Mini Program. */
export function createWxPayClient(options: WxPayClientOptions): WxPayClient {
  const { mchid, appid } = options;
  const now = options.now ?? Date.now;
  const transport = createWxPayTransport({
    signer: createRequestSigner({
      mchid,
      merchantSerial: options.merchantSerial,
      merchantPrivateKey: options.merchantPrivateKey,
      now,
      ...(options.nonce ? { nonce: options.nonce } : {}),
    }),
    verifier: options.verifier,
    apiBase: options.apiBase ?? WXPAY_API_BASE,
    wechatpaySerial: options.wechatpaySerial,
    fetch: options.fetch ?? globalThis.fetch,
    now,
    timeoutMs: options.timeoutMs ?? 10_000,
    maxRetries: options.maxRetries ?? 2,
    retryDelayMs: options.retryDelayMs ?? 500,
    userAgent: options.userAgent ?? `TokenTill-WxPay/1 (Node ${process.version})`,
  });
  const tradePath = (no: string) =>
    `/v3/pay/transactions/out-trade-no/${encodeURIComponent(checkOutTradeNo(no))}`;

  return {
    async createJsapiOrder(input) {
      // Key order follows the official example; WeChat does not care, but it keeps captured bodies comparable.
      const body = {
        appid,
        mchid,
        description: checkChars('description', input.description, 127),
        out_trade_no: checkOutTradeNo(input.outTradeNo),
        ...(input.timeExpire ? { time_expire: formatRfc3339Beijing(input.timeExpire) } : {}),
        ...(input.attach !== undefined ? { attach: checkBytes('attach', input.attach, 128) } : {}),
        notify_url: checkNotifyUrlField('notify_url', input.notifyUrl),
        amount: { total: checkFen('amount.total', input.amountFen), currency: 'CNY' },
        payer: { openid: checkChars('payer.openid', input.payerOpenid, 128) },
      };
      const res = await transport.request('POST', '/v3/pay/transactions/jsapi', body);
      const json = expectJson(res);
      if (!isObject(json) || typeof json.prepay_id !== 'string' || json.prepay_id === '') {
        throw invalidResponse('order response lacks prepay_id', res);
      }
      return { prepayId: json.prepay_id };
    },

    async queryByOutTradeNo(outTradeNo) {
      const res = await transport.request(
        'GET',
        `${tradePath(outTradeNo)}?mchid=${encodeURIComponent(mchid)}`,
      );
      const json = expectJson(res);
      if (!isTransaction(json) || !isCompleteSuccessTransaction(json)) {
        throw invalidResponse('query response is not a transaction', res);
      }
      return json;
    },

    async closeOrder(outTradeNo) {
      await transport.request('POST', `${tradePath(outTradeNo)}/close`, { mchid });
    },

    async createRefund(input) {
      checkFen('amount.total', input.totalFen);
      if (checkFen('amount.refund', input.refundFen) > input.totalFen) {
        throw new WxPayRequestValidationError('amount.refund', 'amount.refund: must not exceed amount.total');
      }
      const body = {
        out_trade_no: checkOutTradeNo(input.outTradeNo),
        out_refund_no: checkOutRefundNo(input.outRefundNo),
        ...(input.reason !== undefined ? { reason: checkBytes('reason', input.reason, 80) } : {}),
        ...(input.notifyUrl !== undefined
          ? { notify_url: checkNotifyUrlField('notify_url', input.notifyUrl) }
          : {}),
        amount: { refund: input.refundFen, total: input.totalFen, currency: 'CNY' },
      };
      return expectRefund(await transport.request('POST', '/v3/refund/domestic/refunds', body));
    },

    async queryRefund(outRefundNo) {
      const path = `/v3/refund/domestic/refunds/${encodeURIComponent(checkOutRefundNo(outRefundNo))}`;
      return expectRefund(await transport.request('GET', path));
    },

    async applyTradeBill(request) {
      const res = await transport.request('GET', tradeBillPath(request));
      const ticket = readBillTicket(expectJson(res), request.gzip ?? true);
      if (!ticket)
        throw invalidResponse('bill response lacks hash_type SHA1, hash_value or download_url', res);
      return ticket;
    },

    async downloadBill(ticket) {
      const res = await transport.downloadUnsigned(ticket.downloadUrl);
      return openBillFile(res.body, ticket);
    },
  };
}

function invalidResponse(message: string, res: WxPayResponse): WxPayApiError {
  return new WxPayApiError(res.status, 'INVALID_RESPONSE', message, undefined, res.requestId);
}

function expectJson(res: WxPayResponse): unknown {
  const json = parseJson(res.body.toString('utf8'));
  if (json === undefined) throw invalidResponse('response body is not JSON', res);
  return json;
}

function expectRefund(res: WxPayResponse): Refund {
  const json = expectJson(res);
  if (!isRefund(json)) throw invalidResponse('refund response lacks required fields', res);
  return json;
}
