import type { Redis, RedisKeys } from '../redis/index.js';
import type { WeChatApiClient } from './wechat-api-client.js';

/**
 * The stable access token, shared by every instance through Redis (WeChat limits how often tokens may be
 * fetched, and a forced refresh invalidates the others' copies). Refreshed 5 minutes before it expires.
 */
export interface AccessTokenCache {
  get(): Promise<string>;
  /** After WeChat rejected the cached token (40001/42001): fetch a new one. */
  refresh(): Promise<string>;
}

const EARLY_REFRESH_MS = 5 * 60_000;

export function createAccessTokenCache(
  redis: Redis,
  keys: RedisKeys,
  wechat: WeChatApiClient,
): AccessTokenCache {
  const key = keys.accessToken();
  async function fetchAndStore(force: boolean): Promise<string> {
    const token = await wechat.stableToken(force);
    const ttlMs = token.expiresAt - Date.now() - EARLY_REFRESH_MS;
    if (ttlMs > 0) await redis.set(key, token.accessToken, 'PX', ttlMs);
    return token.accessToken;
  }
  return {
    async get() {
      return (await redis.get(key)) ?? fetchAndStore(false);
    },
    async refresh() {
      await redis.del(key);
      return fetchAndStore(true);
    },
  };
}
