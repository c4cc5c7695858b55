/**
 * The sandbox: emulators of WeChat Pay APIv3 and the WeChat server API that speak the real wire protocols, used by
 * `npm start` and every test in place of the real services. Mount {@link createSandbox}'s middleware before the
 * body parser; configure the server with the keys from {@link loadOrCreateSandboxKeys}.
 */
export { SANDBOX_PREFIX, createSandbox } from './create-sandbox.js';
export type { Sandbox, SandboxOptions, SandboxState } from './create-sandbox.js';
export {
  DEFAULT_SANDBOX_KEYS_DIR,
  SANDBOX_KEY_FILES,
  generateSandboxKeys,
  loadOrCreateSandboxKeys,
} from './sandbox-keys.js';
export type { SandboxKeyFiles, SandboxKeys } from './sandbox-keys.js';
export { WECHAT_SANDBOX_PREFIX } from './wechat/wechat-routes.js';
export { WechatApiError } from './wechat/wechat-service.js';
export type { SubscribeGrant, SubscribeMessageRecord, WechatService } from './wechat/wechat-service.js';
export { identityOfCode, openidForIdentity } from './wechat/wechat-identity.js';
export type { DeliveryAttempt, DeliveryRecord, DeliveryState } from './wxpay/notification-deliverer.js';
export type { FaultList, FaultStore, NotificationFault, SignatureMode } from './wxpay/notification-faults.js';
export { NOTIFY_MAX_ATTEMPTS, NOTIFY_RETRY_SCHEDULE_MS } from './wxpay/retry-schedule.js';
export type { SandboxOrder, SandboxRefund, SandboxTradeState, WxPayLedger } from './wxpay/wxpay-ledger.js';
export { WxPayReplyError } from './wxpay/wxpay-reply-error.js';
export type { WxPayErrorCode } from './wxpay/wxpay-reply-error.js';
export { WXPAY_SANDBOX_PREFIX } from './wxpay/wxpay-routes.js';
export type { PayTarget, WxPayService } from './wxpay/wxpay-service.js';
export { XPAY_SANDBOX_API_PREFIX, XPAY_SANDBOX_CONTROL_PREFIX } from './xpay/xpay-routes.js';
export type { XPaySandbox, XPaySandboxOptions, XPaySandboxState } from './xpay/xpay-sandbox.js';
export type { XPaySandboxCredentials } from './xpay/xpay-credentials.js';
export type { XPaySandboxOrder, XPaySandboxRefund, XPayPlatform } from './xpay/xpay-ledger.js';
export {
  IOS_INQUIRY_TIMEOUT_MS,
  XPAY_PUSH_MAX_ATTEMPTS,
  XPAY_PUSH_RETRY_GAPS_MS,
} from './xpay/xpay-push-deliverer.js';
export type { XPayPushAttempt, XPayPushRecord, XPayPushSettings } from './xpay/xpay-push-deliverer.js';
export type { XPayFault } from './xpay/xpay-push-faults.js';
