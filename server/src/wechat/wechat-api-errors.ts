/** An `{errcode, errmsg}` answer from the WeChat server API (HTTP 200 with a non-zero errcode). */
export class WeChatApiError extends Error {
  override readonly name = 'WeChatApiError';
  constructor(
    readonly errcode: number,
    readonly errmsg: string,
    readonly api: string,
  ) {
    super(`WeChat ${api} failed: ${errcode} ${errmsg}`);
  }
}

/** The WeChat server API could not be reached, timed out, or answered something that is not its protocol. */
export class WeChatTransportError extends Error {
  override readonly name = 'WeChatTransportError';
  constructor(
    message: string,
    readonly api: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Error codes documented for code2Session and friends (see docs/wechat-protocols.md). */
export const WECHAT_ERRCODES = {
  SYSTEM_BUSY: -1,
  INVALID_CREDENTIAL: 40001,
  INVALID_APPID: 40013,
  INVALID_CODE: 40029,
  INVALID_APPSECRET: 40125,
  CODE_USED: 40163,
  HIGH_RISK_USER: 40226,
  API_FREQ_OUT_OF_LIMIT: 45011,
  ACCESS_TOKEN_EXPIRED: 42001,
  NO_SUBSCRIPTION_GRANT: 43101,
  ARGUMENT_INVALID: 47003,
} as const;
