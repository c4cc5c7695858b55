import { WeChatApiError, WeChatTransportError } from './wechat-api-errors.js';

export interface WeChatApiClientOptions {
  appid: string;
  appsecret: string;
  /** https://api.weixin.qq.com, or the sandbox emulator's base. */
  apiBase: string;
  fetch?: typeof globalThis.fetch;
  timeoutMs?: number;
}

export interface Code2SessionResult {
  openid: string;
  unionid?: string;
}

export interface AccessToken {
  accessToken: string;
  /** Epoch ms after which the token must not be used. */
  expiresAt: number;
}

export interface WeChatApiClient {
  /** auth.code2Session. The session_key is dropped here: TokenTill never needs it and never sends it anywhere. */
  code2Session(code: string): Promise<Code2SessionResult>;
  /** getStableAccessToken. */
  stableToken(forceRefresh?: boolean): Promise<AccessToken>;
  /** subscribeMessage.send with an access token the caller obtained. */
  sendSubscribeMessage(accessToken: string, message: SubscribeMessage): Promise<void>;
}

export interface SubscribeMessage {
  touser: string;
  template_id: string;
  page?: string;
  data: Record<string, { value: string }>;
  miniprogram_state?: 'developer' | 'trial' | 'formal';
  lang?: 'zh_CN' | 'en_US' | 'zh_HK' | 'zh_TW';
}

interface WeChatAnswer {
  errcode?: number;
  errmsg?: string;
  [key: string]: unknown;
}

/** A client for the WeChat server API over an injected fetch; `apiBase` makes the sandbox a configuration change. */
export function createWeChatApiClient(options: WeChatApiClientOptions): WeChatApiClient {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? 5_000;
  const base = options.apiBase.replace(/\/+$/, '');

  async function call(api: string, path: string, init: RequestInit = {}): Promise<WeChatAnswer> {
    let response: Response;
    try {
      response = await fetchImpl(`${base}${path}`, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      throw new WeChatTransportError(`WeChat ${api} unreachable: ${(err as Error).message}`, api, {
        cause: err,
      });
    }
    const text = await response.text();
    let body: WeChatAnswer;
    try {
      body = JSON.parse(text) as WeChatAnswer;
    } catch {
      throw new WeChatTransportError(`WeChat ${api} answered HTTP ${response.status} without JSON`, api);
    }
    // Success answers may omit errcode entirely (a known quirk of code2Session).
    if (typeof body.errcode === 'number' && body.errcode !== 0) {
      throw new WeChatApiError(body.errcode, String(body.errmsg ?? ''), api);
    }
    if (!response.ok) throw new WeChatTransportError(`WeChat ${api} answered HTTP ${response.status}`, api);
    return body;
  }

  return {
    async code2Session(code) {
      const query = new URLSearchParams({
        appid: options.appid,
        secret: options.appsecret,
        js_code: code,
        grant_type: 'authorization_code',
      });
      const body = await call('code2Session', `/sns/jscode2session?${query.toString()}`);
      if (typeof body['openid'] !== 'string' || body['openid'] === '') {
        throw new WeChatTransportError('WeChat code2Session answered without an openid', 'code2Session');
      }
      return {
        openid: body['openid'],
        ...(typeof body['unionid'] === 'string' ? { unionid: body['unionid'] } : {}),
      };
    },

    async stableToken(forceRefresh = false) {
      const body = await call('stable_token', '/cgi-bin/stable_token', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          grant_type: 'client_credential',
          appid: options.appid,
          secret: options.appsecret,
          force_refresh: forceRefresh,
        }),
      });
      const token = body['access_token'];
      const expiresIn = body['expires_in'];
      if (typeof token !== 'string' || typeof expiresIn !== 'number') {
        throw new WeChatTransportError('WeChat stable_token answered without a token', 'stable_token');
      }
      return { accessToken: token, expiresAt: Date.now() + expiresIn * 1000 };
    },

    async sendSubscribeMessage(accessToken, message) {
      await call(
        'subscribeMessage.send',
        `/cgi-bin/message/subscribe/send?access_token=${encodeURIComponent(accessToken)}`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(message),
        },
      );
    },
  };
}
