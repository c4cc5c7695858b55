import type { Redis } from '../redis/index.js';
import { AppError } from '../errors.js';

/** A limit on how often something may happen: `limit` times per fixed window of `windowSeconds`. */
export interface RateLimit {
  readonly limit: number;
  readonly windowSeconds: number;
  /** What is counted, in the plural, for the refusal's message: "orders", "logins from one address". */
  readonly what: string;
}

export interface RateLimiter {
  /**
   * Counts one request against the key `keyFor(window)` builds for the current window; past the limit, throws
   * 429 RATE_LIMITED with `Retry-After` (the seconds until the window ends). Shared by every instance.
   */
  consume(rule: RateLimit, keyFor: (window: number) => string): Promise<void>;
}

/**
 * A fixed-window counter in Redis: one INCR per request on a key per window, which expires on its own. A
 * burst across a window boundary can reach twice the limit; in exchange a check is one round trip, one small key.
 */
export function createRateLimiter(redis: Redis, now: () => number = Date.now): RateLimiter {
  return {
    async consume(rule, keyFor) {
      const windowMs = rule.windowSeconds * 1000;
      const at = now();
      const key = keyFor(Math.floor(at / windowMs));
      // The key outlives its window a little, so a clock slightly behind another instance's still finds it.
      const [[, count]] = (await redis
        .multi()
        .incr(key)
        .expire(key, rule.windowSeconds * 2)
        .exec()) as [[unknown, number]];
      if (count <= rule.limit) return;
      const retryAfter = Math.ceil((windowMs - (at % windowMs)) / 1000);
      const per = rule.windowSeconds === 60 ? 'minute' : `${rule.windowSeconds} s`;
      throw new AppError(
        'RATE_LIMITED',
        `At most ${rule.limit} ${rule.what} per ${per}; try again in ${retryAfter} s.`,
        { headers: { 'Retry-After': String(retryAfter) } },
      );
    },
  };
}
