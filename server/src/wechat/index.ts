export {
  createWeChatApiClient,
  type Code2SessionResult,
  type SubscribeMessage,
  type WeChatApiClient,
} from './wechat-api-client.js';
export { WECHAT_ERRCODES, WeChatApiError, WeChatTransportError } from './wechat-api-errors.js';
export { createAccessTokenCache, type AccessTokenCache } from './access-token-cache.js';
