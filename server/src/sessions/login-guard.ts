import { createHash } from 'node:crypto';
import { AppError } from '../errors.js';
import { createRateLimiter, createSingleFlight } from '../limits/index.js';
import type { Redis, RedisKeys } from '../redis/index.js';

/**
 * How long a presented code is remembered: the 5 minutes WeChat accepts a wx.login code for (a code is single
 * use; https://developers.weixin.qq.com/miniprogram/dev/framework/open-ability/login.html). A code presented again
 * after that is long expired: at worst WeChat is asked once more and refuses it.
 */
const CODE_LIFETIME_MS = 5 * 60_000;

export interface LoginGuard {
  /**
   * Runs `call` (the code2Session exchange) for one login attempt, or refuses it: 429 RATE_LIMITED with
   * Retry-After past the per-address limit, and 401 WECHAT_CODE_INVALID for a code already presented, on any
   * instance (what WeChat answers for a used code), so each code reaches WeChat at most once.
   */
  exchangeOnce<T>(code: string, clientIp: string, call: () => Promise<T>): Promise<T>;
}

export interface LoginGuardDeps {
  redis: Redis;
  keys: RedisKeys;
  loginsPerIpPerMinute: number;
}

/** SHA-256, base64url: Redis keys name codes and addresses only by this, never in the clear. */
const digest = (text: string) => createHash('sha256').update(text).digest('base64url');

/** One address whichever socket family it came in on: `::ffff:203.0.113.7` is `203.0.113.7`. */
function normalizeIp(ip: string): string {
  return ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice('::ffff:'.length) : ip;
}

/**
 * A loopback peer is this host, not a client: a local tool, or a reverse proxy whose X-Forwarded-For is not
 * trusted (TRUST_PROXY=0). Counting it would put every user behind that proxy under one shared limit.
 */
function isLoopback(ip: string): boolean {
  return ip === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(ip);
}

export function createLoginGuard(deps: LoginGuardDeps): LoginGuard {
  const { keys } = deps;
  const limiter = createRateLimiter(deps.redis);
  const singleFlight = createSingleFlight(deps.redis);
  const perIp = { limit: deps.loginsPerIpPerMinute, windowSeconds: 60, what: 'logins from one address' };

  return {
    async exchangeOnce(code, clientIp, call) {
      const ip = normalizeIp(clientIp);
      if (!isLoopback(ip)) {
        const ipHash = digest(ip);
        await limiter.consume(perIp, (window) => keys.loginIpRate(ipHash, window));
      }
      // Held for the code's whole lifetime, and kept that long after the exchange: a code presented twice,
      // at once or later, reaches WeChat once.
      const outcome = await singleFlight.run(
        keys.loginCode(digest(code)),
        { holdMs: CODE_LIFETIME_MS, spacingMs: CODE_LIFETIME_MS },
        call,
      );
      if (!outcome.ran) {
        throw new AppError(
          'WECHAT_CODE_INVALID',
          'This wx.login code was already presented (a code logs in once): call wx.login again for a new one.',
        );
      }
      return outcome.value;
    },
  };
}
