/**
 * WeChat Pay APIv3, merchant side: request signing, response/notification verification, AES-GCM resources,
 * `wx.requestPayment` parameters, and an API client over an injected `fetch`. No Koa, no Redis.
 */
export { AeadError, assertApiV3Key, decryptAeadAes256Gcm, encryptAeadAes256Gcm } from './aead.js';
export type { AeadDecryptInput, AeadEncryptInput, AeadErrorReason } from './aead.js';
export { formatRfc3339Beijing } from './beijing-time.js';
export { WxPayBillHashError, openBillFile, readBillTicket, tradeBillPath } from './bill-download.js';
export type { BillDownloadTicket, TradeBillRequest, TradeBillType } from './bill-download.js';
export {
  TRADE_BILL_COLUMNS,
  TRADE_BILL_SUMMARY_COLUMNS,
  TradeBillFormatError,
  beijingDateOf,
  fenToYuan,
  formatBeijingTime,
  parseBeijingTime,
  parseTradeBill,
  yuanToFen,
} from './trade-bill.js';
export type { TradeBill, TradeBillRow, TradeBillSummary } from './trade-bill.js';
export { generateNonce } from './nonce.js';
export { NOTIFICATION_FAILURE_BODY, NotificationError, openNotification } from './notification.js';
export type { NotificationErrorReason, OpenNotificationOptions, WxPayNotification } from './notification.js';
export { assertNotifyUrl, checkNotifyUrl } from './notify-url.js';
export type { NotifyUrlCheck, NotifyUrlOptions, NotifyUrlRule } from './notify-url.js';
export { buildPaySignMessage, buildRequestPaymentParams } from './pay-sign.js';
export type { RequestPaymentInput, RequestPaymentParams } from './pay-sign.js';
export {
  AUTHORIZATION_SCHEMA,
  buildRequestMessage,
  createRequestSigner,
  parseAuthorization,
  verifyAuthorization,
} from './request-signer.js';
export type {
  ParsedAuthorization,
  RequestSigner,
  RequestSignerOptions,
  SignedRequest,
} from './request-signer.js';
export {
  loadCertificate,
  loadPrivateKey,
  loadPublicKey,
  normalizeSerial,
  signSha256Rsa,
  signSha256RsaAsync,
  verifySha256Rsa,
} from './rsa.js';
export type { LoadedCertificate } from './rsa.js';
export { decodeBase64Strict } from './strict-base64.js';
export { readWechatpayHeaders } from './wechatpay-headers.js';
export type { HeaderSource, WechatpaySignatureHeaders } from './wechatpay-headers.js';
export { SIGNATURE_PROBE_PREFIX, createWechatpayVerifier } from './wechatpay-verifier.js';
export type {
  VerifyFailureReason,
  VerifyInput,
  VerifyResult,
  WechatpayPublicKeyConfig,
  WechatpayVerifier,
  WechatpayVerifierOptions,
} from './wechatpay-verifier.js';
export { WXPAY_API_BASE, createWxPayClient } from './wxpay-client.js';
export type { JsapiOrderInput, RefundInput, WxPayClient, WxPayClientOptions } from './wxpay-client.js';
export {
  WxPayApiError,
  WxPayConnectionError,
  WxPayError,
  WxPayRequestValidationError,
  WxPayResponseSignatureError,
  WxPayTimeoutError,
  isRetryable,
} from './wxpay-errors.js';
export type {
  NotificationEvent,
  Refund,
  RefundNotificationResource,
  RefundStatus,
  TradeState,
  Transaction,
} from './wxpay-types.js';
