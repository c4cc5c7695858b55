import { AppError } from '../errors.js';
import type { OpenidVault } from '../identity/openid-vault.js';
import { WECHAT_ERRCODES, WeChatApiError, type WeChatApiClient } from '../wechat/index.js';
import type { LoginGuard } from './login-guard.js';
import type { SessionStore } from './session-store.js';

export interface SessionService {
  /**
   * Exchanges a `wx.login` code for a session token. `clientIp` is the caller's address, for the per-address
   * limit; each code reaches WeChat at most once (see login-guard.ts).
   */
  login(code: string, clientIp: string): Promise<{ token: string; expiresIn: number }>;
}

/** Maps code2Session failures to answers a client can act on. */
function toAppError(err: unknown): AppError {
  if (err instanceof WeChatApiError) {
    switch (err.errcode) {
      case WECHAT_ERRCODES.INVALID_CODE:
      case WECHAT_ERRCODES.CODE_USED:
        return new AppError(
          'WECHAT_CODE_INVALID',
          'The wx.login code is invalid or already used: call wx.login again.',
          { cause: err },
        );
      case WECHAT_ERRCODES.HIGH_RISK_USER:
        return new AppError('FORBIDDEN', 'WeChat refused to log this user in (high-risk account).', {
          cause: err,
        });
      case WECHAT_ERRCODES.API_FREQ_OUT_OF_LIMIT:
        return new AppError('RATE_LIMITED', 'Too many logins for this user; wait a minute and try again.', {
          cause: err,
          headers: { 'Retry-After': '60' },
        });
      case WECHAT_ERRCODES.SYSTEM_BUSY:
        return new AppError('UPSTREAM_UNAVAILABLE', 'WeChat is busy; try again shortly.', { cause: err });
      default:
        // A wrong appid/secret is our misconfiguration, not the client's: a 502 with the details in the logs.
        return new AppError('UPSTREAM_ERROR', 'WeChat login failed.', { cause: err });
    }
  }
  return new AppError('UPSTREAM_UNAVAILABLE', 'WeChat login is unreachable; try again shortly.', {
    cause: err,
  });
}

export function createSessionService(deps: {
  wechat: WeChatApiClient;
  vault: OpenidVault;
  store: SessionStore;
  guard: LoginGuard;
  ttlSeconds: number;
}): SessionService {
  return {
    async login(code, clientIp) {
      const { openid } = await deps.guard.exchangeOnce(code, clientIp, async () => {
        try {
          return await deps.wechat.code2Session(code);
        } catch (err) {
          throw toAppError(err);
        }
      });
      const token = await deps.store.create(
        { userKey: deps.vault.userKey(openid), sealedOpenid: deps.vault.seal(openid) },
        deps.ttlSeconds,
      );
      return { token, expiresIn: deps.ttlSeconds };
    },
  };
}
