/**
 * WeChat Mini Program virtual payment (xpay), protocol only: the `pay_sig`/`signature` HMACs over exact bytes,
 * the `wx.requestVirtualPayment` parameters, the message push (URL verification, safe-mode AES, typed xpay
 * events, replies) and the `/xpay/*` server API client over an injected `fetch`. No Koa, no Redis.
 */
export {
  VIRTUAL_PAYMENT_ERRCODES,
  XPAY_ERRCODES,
  virtualPaymentErrcodeName,
  xpayErrcodeName,
} from './xpay-errcodes.js';
export type { VirtualPaymentErrcodeName, XPayErrcodeName } from './xpay-errcodes.js';
export {
  XPayApiError,
  XPayConnectionError,
  XPayError,
  XPayRequestValidationError,
  XPayTimeoutError,
  isRetryable,
} from './xpay-errors.js';
export { appKeyForEnv, envOfEnvType, isXPayEnv } from './xpay-env.js';
export type { XPayAppKeys, XPayEnv } from './xpay-env.js';
export {
  VIRTUAL_PAYMENT_SIGN_URI,
  computePaySig,
  computeUserSignature,
  hmacSha256Hex,
  signaturesMatch,
} from './xpay-signature.js';
export {
  isOutTradeNo,
  isPositiveFen,
  isRefundOrderId,
  isRefundReason,
  isRequestSource,
} from './xpay-validation.js';
export type { RefundReason, RefundRequestSource } from './xpay-validation.js';
export { buildGoodsPaymentParams, serializeSignData, signVirtualPayment } from './virtual-payment-params.js';
export type {
  GoodsPaymentInput,
  SignDataFields,
  VirtualPaymentMode,
  VirtualPaymentParams,
  VirtualPaymentSigningKeys,
} from './virtual-payment-params.js';
export { XPAY_API_BASE, createXPayClient } from './xpay-client.js';
export type {
  NotifyProvideGoodsInput,
  OrderRef,
  QueryOrderInput,
  QueryRefundInput,
  QueryUserBalanceInput,
  RefundOrderInput,
  XPayClient,
  XPayClientOptions,
} from './xpay-client.js';
export type { XPayAccessTokenSource } from './xpay-transport.js';
export { XPAY_ORDER_STATUS, isXPayOrder } from './xpay-types.js';
export type { RefundOrderResult, XPayOrder, XPayOrderStatus, XPayUserBalance } from './xpay-types.js';
export { pushSignature, pushSignatureMatches } from './push-signature.js';
export {
  PushDecryptError,
  decodeEncodingAesKey,
  decryptPushMessage,
  encryptPushMessage,
  randomPrefix,
} from './push-crypto.js';
export type { DecryptedPush, PushDecryptFailure } from './push-crypto.js';
export { PushXmlError, parsePushXml, toPushXml } from './push-xml.js';
export type { XmlObject, XmlValue } from './push-xml.js';
export { resolvePushConfig } from './push-config.js';
export type { PushConfig, PushMode, ResolvedPushConfig } from './push-config.js';
export { PushError } from './push-errors.js';
export type { PushErrorReason } from './push-errors.js';
export { openPush, verifyPushUrl } from './push-request.js';
export type { OpenedPush, PushFormat, PushQuery, PushRequest } from './push-request.js';
export { XPAY_EVENT_NAMES, parseXPayEvent } from './push-events.js';
export { openXPayPush } from './xpay-push.js';
export { renderPushMessage, sealPush } from './push-seal.js';
export type { SealPushOptions, SealedPush } from './push-seal.js';
export type { XPayPush } from './xpay-push.js';
export type {
  ComplaintNotify,
  GoodsDeliverNotify,
  GoodsInfo,
  IosRefundQueryNotify,
  PushHeader,
  RefundNotify,
  TeamInfo,
  WeChatPayInfo,
  XPayEvent,
  XPayEventName,
} from './push-events.js';
export {
  encryptedPushReply,
  iosRefundQueryContent,
  pushAck,
  pushRefusal,
  replyWithContent,
} from './push-reply.js';
export type {
  EncryptedReplyOptions,
  IosRefundQueryAnswer,
  IosRefundQueryEnvelope,
  PushReply,
} from './push-reply.js';
