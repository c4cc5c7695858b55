/**
 * Checks request bodies the way WeChat Pay does, answering `PARAM_ERROR` (400) with the field at fault, so a
 * merchant bug shows up in the sandbox with the error production would give.
 */
import {
  canonicalJson,
  checkCurrency,
  checkLength,
  checkNotify,
  requireFen,
  requireObject,
  requireString,
  optionalString,
  type Json,
} from './param-checks.js';
import { WxPayReplyError, paramError } from './wxpay-reply-error.js';

/** "6-32个字符内，只能是数字、大小写字母_-|*" (the Mini Program order page). */
const OUT_TRADE_NO = /^[0-9A-Za-z_\-|*]{6,32}$/;
/** string(64) of `[0-9A-Za-z_-|*@]`. */
const OUT_REFUND_NO = /^[0-9A-Za-z_\-|*@]{1,64}$/;
/** RFC 3339 with seconds and an explicit offset, the only form WeChat documents (`2018-06-08T10:34:56+08:00`). */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;

/** A JSAPI / Mini Program order that passed every check. Amounts in fen. */
export interface JsapiOrderRequest {
  appid: string;
  mchid: string;
  description: string;
  outTradeNo: string;
  notifyUrl: string;
  total: number;
  currency: string;
  payerOpenid: string;
  attach?: string;
  /** As sent (RFC 3339). */
  timeExpire?: string;
  /** Canonical form of the whole body: a repeated order must match it exactly. */
  fingerprint: string;
}

/** A refund request that passed every check. */
export interface RefundRequest {
  outTradeNo?: string;
  transactionId?: string;
  outRefundNo: string;
  reason?: string;
  notifyUrl?: string;
  refund: number;
  total: number;
}

/**
 * Validates a `POST /v3/pay/transactions/jsapi` body for the merchant that signed the request.
 *
 * @param merchant the sandbox appid and the mchid from the request's Authorization.
 * @throws WxPayReplyError `PARAM_ERROR` naming the field, or `APPID_MCHID_NOT_MATCH` when the appid is not the
 *   sandbox Mini Program bound to the merchant.
 */
export function parseJsapiOrder(body: Json, merchant: { appid: string; mchid: string }): JsapiOrderRequest {
  const appid = requireString(body, 'appid', '应用ID');
  checkLength('appid', '应用ID', appid, 1, 32, 'chars');
  const mchid = requireString(body, 'mchid', '直连商户号');
  checkLength('mchid', '直连商户号', mchid, 1, 32, 'chars');
  const description = requireString(body, 'description', '商品描述');
  checkLength('description', '商品描述', description, 1, 127, 'chars');
  const outTradeNo = requireString(body, 'out_trade_no', '商户订单号');
  if (!OUT_TRADE_NO.test(outTradeNo)) {
    throw paramError(
      'out_trade_no',
      '商户订单号',
      '格式错误，要求6-32个字符内，只能是数字、大小写字母_-|*',
      'out_trade_no must be 6–32 characters of [0-9A-Za-z_-|*]',
    );
  }
  const timeExpire = optionalString(body, 'time_expire', '支付结束时间');
  if (timeExpire !== undefined && (!RFC3339.test(timeExpire) || !Number.isFinite(Date.parse(timeExpire)))) {
    throw paramError(
      'time_expire',
      '支付结束时间',
      '格式错误，应为rfc3339格式',
      `time_expire must be RFC 3339 like 2018-06-08T10:34:56+08:00, got "${timeExpire}"`,
    );
  }
  const attach = optionalString(body, 'attach', '商户数据包');
  if (attach !== undefined) checkLength('attach', '商户数据包', attach, 0, 128, 'bytes');
  const notifyUrl = requireString(body, 'notify_url', '通知地址');
  checkLength('notify_url', '通知地址', notifyUrl, 1, 255, 'chars');
  checkNotify('notify_url', notifyUrl);
  const amount = requireObject(body, 'amount', '订单金额');
  const total = requireFen(amount, 'amount/total', 'total', '总金额');
  const currency = checkCurrency(amount, 'amount/currency');
  const payer = requireObject(body, 'payer', '支付者');
  const payerOpenid = requireString(payer, 'openid', '用户标识', 'payer/openid');
  checkLength('payer/openid', '用户标识', payerOpenid, 1, 128, 'chars');

  if (mchid !== merchant.mchid) {
    throw new WxPayReplyError(400, 'PARAM_ERROR', 'mchid与请求头Authorization中的商户号不一致', {
      field: '/mchid',
      location: 'body',
      issue: `body mchid ${mchid} differs from the Authorization mchid ${merchant.mchid}`,
    });
  }
  if (appid !== merchant.appid) {
    throw new WxPayReplyError(400, 'APPID_MCHID_NOT_MATCH', 'appid和mch_id不匹配，请检查后再试', {
      field: '/appid',
      location: 'body',
      issue: `appid ${appid} is not bound to merchant ${mchid}; the sandbox Mini Program is ${merchant.appid}`,
    });
  }
  return {
    appid,
    mchid,
    description,
    outTradeNo,
    notifyUrl,
    total,
    currency,
    payerOpenid,
    ...(attach !== undefined ? { attach } : {}),
    ...(timeExpire !== undefined ? { timeExpire } : {}),
    fingerprint: canonicalJson(body),
  };
}

/**
 * Validates a `POST /v3/refund/domestic/refunds` body.
 *
 * @throws WxPayReplyError `PARAM_ERROR` naming the field.
 */
export function parseRefundRequest(body: Json): RefundRequest {
  const outTradeNo = optionalString(body, 'out_trade_no', '商户订单号');
  const transactionId = optionalString(body, 'transaction_id', '微信支付订单号');
  if (outTradeNo === undefined && transactionId === undefined) {
    throw paramError(
      'out_trade_no',
      '商户订单号',
      '与transaction_id必须二选一',
      'one of out_trade_no or transaction_id is required',
    );
  }
  if (outTradeNo !== undefined && !OUT_TRADE_NO.test(outTradeNo)) {
    throw paramError(
      'out_trade_no',
      '商户订单号',
      '格式错误',
      'out_trade_no must be 6–32 characters of [0-9A-Za-z_-|*]',
    );
  }
  const outRefundNo = requireString(body, 'out_refund_no', '商户退款单号');
  if (!OUT_REFUND_NO.test(outRefundNo)) {
    throw paramError(
      'out_refund_no',
      '商户退款单号',
      '格式错误，只能是数字、大小写字母_-|*@',
      'out_refund_no must be 1–64 characters of [0-9A-Za-z_-|*@]',
    );
  }
  const reason = optionalString(body, 'reason', '退款原因');
  if (reason !== undefined) checkLength('reason', '退款原因', reason, 0, 80, 'bytes');
  const notifyUrl = optionalString(body, 'notify_url', '退款结果回调url');
  if (notifyUrl !== undefined) {
    checkLength('notify_url', '退款结果回调url', notifyUrl, 1, 256, 'chars');
    checkNotify('notify_url', notifyUrl);
  }
  const amount = requireObject(body, 'amount', '金额信息');
  const refund = requireFen(amount, 'amount/refund', 'refund', '退款金额');
  const total = requireFen(amount, 'amount/total', 'total', '原订单金额');
  checkCurrency(amount, 'amount/currency');
  if (refund > total) {
    throw paramError(
      'amount/refund',
      '退款金额',
      '不能大于原订单金额',
      `amount.refund (${refund}) must not exceed amount.total (${total})`,
    );
  }
  return {
    ...(outTradeNo !== undefined ? { outTradeNo } : {}),
    ...(transactionId !== undefined ? { transactionId } : {}),
    outRefundNo,
    ...(reason !== undefined ? { reason } : {}),
    ...(notifyUrl !== undefined ? { notifyUrl } : {}),
    refund,
    total,
  };
}

/**
 * Validates a close body `{"mchid"}`.
 *
 * @throws WxPayReplyError `PARAM_ERROR` when mchid is missing or not the signing merchant's.
 */
export function checkCloseRequest(body: Json, mchid: string): void {
  const bodyMchid = requireString(body, 'mchid', '直连商户号');
  if (bodyMchid !== mchid) {
    throw paramError(
      'mchid',
      '直连商户号',
      '与请求头Authorization中的商户号不一致',
      `mchid ${bodyMchid} differs from the Authorization mchid ${mchid}`,
    );
  }
}

/**
 * Checks the `mchid` query parameter of the query APIs.
 *
 * @throws WxPayReplyError `PARAM_ERROR` when missing or not the signing merchant's.
 */
export function checkQueryMchid(value: string | string[] | undefined, mchid: string): void {
  if (typeof value !== 'string' || value === '') {
    throw new WxPayReplyError(
      400,
      'PARAM_ERROR',
      '输入源“/query/mchid”映射到值字段“直连商户号”为必填参数，请求中缺失',
      {
        field: '/mchid',
        location: 'query',
        issue: 'the mchid query parameter is required',
      },
    );
  }
  if (value !== mchid) {
    throw new WxPayReplyError(400, 'PARAM_ERROR', 'mchid与请求头Authorization中的商户号不一致', {
      field: '/mchid',
      location: 'query',
      issue: `query mchid ${value} differs from the Authorization mchid ${mchid}`,
    });
  }
}
