/**
 * The errcodes of virtual payment, as documented on the virtual-payment guide
 * (https://developers.weixin.qq.com/miniprogram/dev/platform-capabilities/business-capabilities/virtual-payment.html)
 * and the `wx.requestVirtualPayment` page
 * (https://developers.weixin.qq.com/miniprogram/dev/api/payment/wx.requestVirtualPayment.html).
 * Two families: the server API's (`/xpay/*`, 2684900xx) and the Mini Program client's (`fail` callback, -150xx).
 */

/** Errcodes of the `/xpay/*` server API. */
export const XPAY_ERRCODES = Object.freeze({
  /** 系统错误: transient, retry the same request. */
  SYSTEM_ERROR: -1,
  /** The access token is invalid or not the latest: fetch a new one. (WeChat-wide code.) */
  INVALID_ACCESS_TOKEN: 40001,
  /** The access token expired. (WeChat-wide code.) */
  ACCESS_TOKEN_EXPIRED: 42001,
  /** openid错误: the openid does not match the order or the app. */
  INVALID_OPENID: 268490001,
  /** 参数错误: see errmsg. */
  INVALID_PARAMETER: 268490002,
  /** 签名错误: pay_sig (or signature) does not verify. Usually the AppKey of the other env. */
  SIGNATURE_ERROR: 268490003,
  /** 重复操作: the same operation already succeeded (a repeated refund_order_id, a second notify_provide_goods). */
  DUPLICATE_OPERATION: 268490004,
  /** The order was already refunded through cancel_currency_pay. */
  ALREADY_REFUNDED_BY_CANCEL: 268490005,
  /** 代币退款/支付金额不足. */
  INSUFFICIENT_AMOUNT: 268490006,
  /** 敏感内容 in a text field. */
  SENSITIVE_CONTENT: 268490007,
  /** 代币未发布. */
  COIN_NOT_PUBLISHED: 268490008,
  /** session_key 不存在或已过期: the user logged in again (elsewhere); log in afresh and sign again. */
  SESSION_KEY_EXPIRED: 268490009,
  /** 数据生成中 (download_bill): poll again. */
  DATA_GENERATING: 268490011,
  /** 批量任务运行中. */
  BATCH_TASK_RUNNING: 268490012,
  /** 禁止对核销状态的单退款. */
  REFUND_FORBIDDEN_AFTER_WRITE_OFF: 268490013,
  /** 退款进行中: retry later with the same parameters. */
  REFUND_IN_PROGRESS: 268490014,
  /** 频率限制. */
  RATE_LIMITED: 268490015,
  /** left_fee 与实际不符: query the order and send its real left_fee. */
  LEFT_FEE_MISMATCH: 268490016,
} as const);

/** The documented name of a server errcode. */
export type XPayErrcodeName = keyof typeof XPAY_ERRCODES;

const NAMES = new Map<number, XPayErrcodeName>(
  Object.entries(XPAY_ERRCODES).map(([name, code]) => [code, name as XPayErrcodeName]),
);

/** The documented name of a server errcode, or `undefined` for one the documentation does not list. */
export function xpayErrcodeName(errcode: number): XPayErrcodeName | undefined {
  return NAMES.get(errcode);
}

/**
 * `errCode`s of `wx.requestVirtualPayment`'s `fail` callback, for the Mini Program and the sandbox that emulates
 * it. The client never learns of payment success from these: delivery follows the push or `query_order`.
 */
export const VIRTUAL_PAYMENT_ERRCODES = Object.freeze({
  /** 参数错误. */
  PARAMETER_ERROR: 1001,
  /** 支付失败. */
  PAYMENT_FAILED: -1,
  /** 支付取消 (the user closed the sheet). */
  CANCELLED: -2,
  /** 风控拦截. */
  RISK_CONTROL: -4,
  /** 开通签约结果未知. */
  SIGNING_RESULT_UNKNOWN: -5,
  /** 参数错误 (see errMsg). */
  INVALID_PARAMETER: -15001,
  /** outTradeNo 重复使用: every attempt needs a fresh one. */
  OUT_TRADE_NO_REUSED: -15002,
  /** 系统错误. */
  SYSTEM_ERROR: -15003,
  /** currencyType 错误: only CNY. */
  INVALID_CURRENCY: -15004,
  /** 用户态签名 (signature) 错误: usually a stale session_key; log in afresh and sign again. */
  SIGNATURE_ERROR: -15005,
  /** 支付签名 (paySig) 错误: usually the AppKey of the other env. */
  PAY_SIG_ERROR: -15006,
  /** session_key 过期. */
  SESSION_KEY_EXPIRED: -15007,
  /** 二级商户进件未完成. */
  MERCHANT_ONBOARDING_INCOMPLETE: -15008,
  /** 代币未发布. */
  COIN_NOT_PUBLISHED: -15009,
  /** 道具 productId 未发布. */
  PRODUCT_NOT_PUBLISHED: -15010,
  /** A released (现网) version may only use env 0. */
  SANDBOX_ENV_IN_RELEASE: -15011,
  /** 米大师关单: use a new outTradeNo. */
  ORDER_CLOSED: -15012,
  /** goodsPrice does not match the price set in the console. */
  GOODS_PRICE_MISMATCH: -15013,
  /** 道具/代币发布未生效 (about 10 minutes after publishing). */
  PUBLISH_NOT_EFFECTIVE: -15014,
  /** signData 格式有问题. */
  SIGN_DATA_MALFORMED: -15016,
  /** The merchant is restricted (违规). */
  MERCHANT_VIOLATION: -15017,
  /** 道具审核不通过. */
  PRODUCT_REJECTED: -15018,
  /** 商户受限. */
  MERCHANT_RESTRICTED: -15019,
  /** 操作过快. */
  TOO_FAST: -15020,
  /** 小程序被限频交易. */
  APP_RATE_LIMITED: -15021,
} as const);

/** The documented name of a `wx.requestVirtualPayment` errCode. */
export type VirtualPaymentErrcodeName = keyof typeof VIRTUAL_PAYMENT_ERRCODES;

const CLIENT_NAMES = new Map<number, VirtualPaymentErrcodeName>(
  Object.entries(VIRTUAL_PAYMENT_ERRCODES).map(([name, code]) => [code, name as VirtualPaymentErrcodeName]),
);

/** The documented name of a `wx.requestVirtualPayment` errCode, or `undefined`. */
export function virtualPaymentErrcodeName(errCode: number): VirtualPaymentErrcodeName | undefined {
  return CLIENT_NAMES.get(errCode);
}
