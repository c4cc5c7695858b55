import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../redis/index.js';

/** What a session token stands for. The openid is only ever held sealed (see identity/openid-vault.ts). */
export interface Session {
  userKey: string;
  sealedOpenid: string;
  createdAt: number;
}

/**
 * Session records in Redis, keyed by a SHA-256 of the token so a leaked key listing reveals no usable token.
 * Tokens are 256 random bits, base64url.
 */
export interface SessionStore {
  create(session: Omit<Session, 'createdAt'>, ttlSeconds: number): Promise<string>;
  get(token: string): Promise<Session | undefined>;
  revoke(token: string): Promise<void>;
}

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export function createSessionStore(redis: Redis, keys: RedisKeys): SessionStore {
  const keyOf = (token: string) => keys.session(createHash('sha256').update(token).digest('base64url'));
  return {
    async create(session, ttlSeconds) {
      const token = randomBytes(32).toString('base64url');
      const key = keyOf(token);
      await redis
        .multi()
        .hset(key, { userKey: session.userKey, sealedOpenid: session.sealedOpenid, createdAt: Date.now() })
        .expire(key, ttlSeconds)
        .exec();
      return token;
    },
    async get(token) {
      if (!TOKEN_SHAPE.test(token)) return undefined;
      const record = await redis.hgetall(keyOf(token));
      if (!record['userKey'] || !record['sealedOpenid']) return undefined;
      return {
        userKey: record['userKey'],
        sealedOpenid: record['sealedOpenid'],
        createdAt: Number(record['createdAt']),
      };
    },
    async revoke(token) {
      if (TOKEN_SHAPE.test(token)) await redis.del(keyOf(token));
    },
  };
}
