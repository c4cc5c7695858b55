import { createHash, randomBytes } from 'node:crypto';
import type { Redis, RedisKeys } from '../redis/index.js';

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
  /** Deletes the session and announces its id on the revocation channel, so every instance closes its sockets. */
  revoke(token: string): Promise<void>;
  /** Whether the session with this id (see {@link sessionIdOf}) still exists: not revoked, not expired. */
  isLive(sessionId: string): Promise<boolean>;
}

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/**
 * The id of a session: the SHA-256 of its token, base64url. It names the Redis record and travels on the
 * revocation channel; it cannot be used to authenticate, so it may be logged and published.
 */
export function sessionIdOf(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

export function createSessionStore(redis: Redis, keys: RedisKeys): SessionStore {
  const keyOf = (token: string) => keys.session(sessionIdOf(token));
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
      if (!TOKEN_SHAPE.test(token)) return;
      const sessionId = sessionIdOf(token);
      // Published even when the record was already gone (expired): sockets opened with it must close all the same.
      await redis.multi().del(keys.session(sessionId)).publish(keys.sessionRevocations(), sessionId).exec();
    },
    async isLive(sessionId) {
      return (await redis.exists(keys.session(sessionId))) === 1;
    },
  };
}
