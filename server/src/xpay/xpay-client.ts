/**
 * The `/xpay/*` server API calls TokenTill makes, over an injected `fetch`: query an order (payments and
 * refunds), confirm delivery when the push was lost, refund, and read a user's coin balance. Each call is signed
 * with `pay_sig` under the AppKey of the call's env (and `signature` under the user's session_key where WeChat
 * requires it). Pure protocol: no Koa, no Redis.
 * https://developers.weixin.qq.com/miniprogram/dev/platform-capabilities/business-capabilities/virtual-payment.html
 */
import { appKeyForEnv, isXPayEnv, type XPayAppKeys, type XPayEnv } from './xpay-env.js';
import { XPAY_ERRCODES } from './xpay-errcodes.js';
import { XPayApiError } from './xpay-errors.js';
import { createXPayTransport, type XPayAccessTokenSource, type XPayAnswer } from './xpay-transport.js';
import { isXPayOrder, type RefundOrderResult, type XPayOrder, type XPayUserBalance } from './xpay-types.js';
import {
  checkBytes,
  checkFen,
  checkOutTradeNo,
  checkRefundOrderId,
  checkText,
  invalidField,
  isRefundOrderId,
  isRefundReason,
  isRequestSource,
  type RefundReason,
  type RefundRequestSource,
} from './xpay-validation.js';

/** The WeChat server API. */
export const XPAY_API_BASE = 'https://api.weixin.qq.com';

/** Options for {@link createXPayClient}. */
export interface XPayClientOptions {
  /** Production and sandbox AppKeys; each call is signed with the one of its env. */
  appKeys: XPayAppKeys;
  /** The access token (the shared cache); refreshed once when WeChat refuses it. */
  accessToken: XPayAccessTokenSource;
  /** Default {@link XPAY_API_BASE}; point it at the sandbox emulator (`…/sandbox/wechat`). */
  apiBase?: string;
  /** Default `globalThis.fetch`. */
  fetch?: typeof globalThis.fetch;
  /** Per-attempt timeout in milliseconds. Default 10000. */
  timeoutMs?: number;
  /** Retries after the first attempt, for retryable failures only (-1, 5xx, network). Default 2. */
  maxRetries?: number;
  /** Base backoff in milliseconds, doubled per retry, with jitter. Default 500. */
  retryDelayMs?: number;
}

/** An order named by our id (outTradeNo / refund_order_id) or by WeChat's. */
export type OrderRef = { orderId: string } | { wxOrderId: string };

export interface QueryOrderInput {
  openid: string;
  env: XPayEnv;
  order: OrderRef;
}

export interface NotifyProvideGoodsInput {
  env: XPayEnv;
  order: OrderRef;
}

export interface RefundOrderInput {
  openid: string;
  env: XPayEnv;
  /** The payment to refund. */
  order: OrderRef;
  /** 8–32 of [A-Za-z0-9_-], stable for this refund so a retry can never refund twice. */
  refundOrderId: string;
  /** What is still refundable, in fen, as query_order reports it (268490016 otherwise). */
  leftFee: number;
  /** In (0, leftFee]. */
  refundFee: number;
  /** ≤1024 bytes, returned by query_order. */
  bizMeta?: string;
  /** "0".."5". */
  refundReason: RefundReason;
  /** "1" customer service, "2" the user, "3" other. */
  reqFrom: RefundRequestSource;
}

export interface QueryRefundInput {
  openid: string;
  env: XPayEnv;
  refundOrderId: string;
}

export interface QueryUserBalanceInput {
  openid: string;
  env: XPayEnv;
  userIp: string;
  /** The user's current session_key (268490009 when a later login replaced it). */
  sessionKey: string;
}

/** The xpay calls TokenTill makes. */
export interface XPayClient {
  /** `query_order`: a payment's state (and `left_fee` for refunds). Unknown orders fail with an XPayApiError. */
  queryOrder(input: QueryOrderInput): Promise<XPayOrder>;
  /**
   * `notify_provide_goods`: tells WeChat the item was delivered, for a paid order whose push never got our
   * acknowledgement. Resolves `{alreadyProvided: true}` when WeChat says it already was (268490004).
   */
  notifyProvideGoods(input: NotifyProvideGoodsInput): Promise<{ alreadyProvided: boolean }>;
  /** `refund_order`: starts a refund (asynchronous: follow it by push or {@link queryRefund}). */
  refundOrder(input: RefundOrderInput): Promise<RefundOrderResult>;
  /** `query_order` on a refund_order_id: the refund order (`order_type` 1). */
  queryRefund(input: QueryRefundInput): Promise<XPayOrder>;
  /** `query_user_balance` (pay_sig + signature). */
  queryUserBalance(input: QueryUserBalanceInput): Promise<XPayUserBalance>;
}

function checkEnv(env: XPayEnv): XPayEnv {
  if (!isXPayEnv(env)) throw invalidField('env', 'must be 0 (production) or 1 (sandbox)');
  return env;
}

/** `{order_id}` (an outTradeNo or a refund_order_id) or `{wx_order_id}` for a body. */
function orderField(order: OrderRef): { order_id: string } | { wx_order_id: string } {
  if ('orderId' in order) {
    return {
      order_id: isRefundOrderId(order.orderId) ? order.orderId : checkOutTradeNo('order_id', order.orderId),
    };
  }
  return { wx_order_id: checkText('wx_order_id', order.wxOrderId, 64) };
}

/** Creates a client for one Mini Program's virtual payment. */
export function createXPayClient(options: XPayClientOptions): XPayClient {
  const transport = createXPayTransport({
    apiBase: options.apiBase ?? XPAY_API_BASE,
    accessToken: options.accessToken,
    fetch: options.fetch ?? globalThis.fetch,
    timeoutMs: options.timeoutMs ?? 10_000,
    maxRetries: options.maxRetries ?? 2,
    retryDelayMs: options.retryDelayMs ?? 500,
  });
  const keyFor = (env: XPayEnv) => appKeyForEnv(options.appKeys, checkEnv(env));

  const expectOrder = (api: string, answer: XPayAnswer): XPayOrder => {
    const order = answer['order'];
    if (!isXPayOrder(order)) throw new XPayApiError(api, Number.NaN, 'answer lacks a well-formed order', 200);
    return order;
  };

  const queryOrder = async (openid: string, env: XPayEnv, order: OrderRef) => {
    const body = { openid: checkText('openid', openid, 128), env: checkEnv(env), ...orderField(order) };
    return expectOrder(
      'query_order',
      await transport.call({ api: 'query_order', body, appKey: keyFor(env) }),
    );
  };

  return {
    queryOrder: ({ openid, env, order }) => queryOrder(openid, env, order),

    async notifyProvideGoods({ env, order }) {
      // The newer reference page shows only the access token; the older one and the public SDKs add pay_sig.
      // Sending it is harmless if ignored and required if not (see docs/xpay.md).
      const body = { ...orderField(order), env: checkEnv(env) };
      try {
        await transport.call({ api: 'notify_provide_goods', body, appKey: keyFor(env) });
        return { alreadyProvided: false };
      } catch (err) {
        if (err instanceof XPayApiError && err.errcode === XPAY_ERRCODES.DUPLICATE_OPERATION) {
          return { alreadyProvided: true };
        }
        throw err;
      }
    },

    async refundOrder(input) {
      const refundOrderId = checkRefundOrderId(input.refundOrderId);
      checkFen('left_fee', input.leftFee);
      if (checkFen('refund_fee', input.refundFee) > input.leftFee) {
        throw invalidField('refund_fee', `must not exceed left_fee (${input.leftFee})`);
      }
      if (!isRefundReason(input.refundReason)) throw invalidField('refund_reason', 'must be "0" to "5"');
      if (!isRequestSource(input.reqFrom)) throw invalidField('req_from', 'must be "1", "2" or "3"');
      // Field order as the reference lists them; WeChat does not care, but captured bodies stay comparable.
      const body = {
        openid: checkText('openid', input.openid, 128),
        ...orderField(input.order),
        refund_order_id: refundOrderId,
        left_fee: input.leftFee,
        refund_fee: input.refundFee,
        ...(input.bizMeta !== undefined ? { biz_meta: checkBytes('biz_meta', input.bizMeta, 1024) } : {}),
        refund_reason: input.refundReason,
        req_from: input.reqFrom,
        env: checkEnv(input.env),
      };
      let answer: XPayAnswer;
      try {
        answer = await transport.call({ api: 'refund_order', body, appKey: keyFor(input.env) });
      } catch (err) {
        if (err instanceof XPayApiError && err.errcode === XPAY_ERRCODES.DUPLICATE_OPERATION) {
          return { refund_order_id: refundOrderId, duplicate: true };
        }
        throw err;
      }
      const text = (key: string) => (typeof answer[key] === 'string' ? (answer[key] as string) : undefined);
      if (text('refund_order_id') !== undefined && text('refund_order_id') !== refundOrderId) {
        throw new XPayApiError('refund_order', Number.NaN, 'answer names another refund_order_id', 200);
      }
      const result: RefundOrderResult = { refund_order_id: refundOrderId, duplicate: false };
      for (const key of ['refund_wx_order_id', 'pay_order_id', 'pay_wx_order_id'] as const) {
        const value = text(key);
        if (value !== undefined) result[key] = value;
      }
      return result;
    },

    async queryRefund({ openid, env, refundOrderId }) {
      const order = await queryOrder(openid, env, { orderId: checkRefundOrderId(refundOrderId) });
      if (order.order_type !== undefined && order.order_type !== 1) {
        throw new XPayApiError('query_order', Number.NaN, `${refundOrderId} is not a refund order`, 200);
      }
      return order;
    },

    async queryUserBalance({ openid, env, userIp, sessionKey }) {
      const body = {
        openid: checkText('openid', openid, 128),
        env: checkEnv(env),
        user_ip: checkText('user_ip', userIp, 64),
      };
      const answer = await transport.call({
        api: 'query_user_balance',
        body,
        appKey: keyFor(env),
        sessionKey,
      });
      const int = (key: string) => (Number.isSafeInteger(answer[key]) ? (answer[key] as number) : 0);
      return {
        balance: int('balance'),
        present_balance: int('present_balance'),
        sum_save: int('sum_save'),
        sum_present: int('sum_present'),
        sum_balance: int('sum_balance'),
        sum_cost: int('sum_cost'),
        first_save_flag: answer['first_save_flag'] === true,
      };
    },
  };
}
