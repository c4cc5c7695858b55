import { redisScripts, type Redis, type RedisKeys } from '../redis/index.js';

/**
 * The index the recovery sweep walks: every order that is not yet final, scored by when the sweep should next
 * look at it. The invariant that makes the sweep complete without a cross-slot transaction (order keys and this
 * index live in different Redis Cluster slots): an order is added BEFORE any step that can leave it needing a
 * follow-up (creation, each non-final transition) and removed only AFTER it reached a final state. A crash at
 * any point leaves the order in the index, where the sweep finds it.
 */
export interface LiveOrders {
  /** The sweep should look at the order at `atMs` (replaces an earlier time). */
  watch(orderId: string, atMs: number): Promise<void>;
  /** The order is final: nothing more to look at. */
  forget(orderId: string): Promise<void>;
  /**
   * Forgets the order only if nobody re-watched it since it was claimed (its score is still the lease's): a
   * final order found by the sweep may be leaving that state right now (a late payment's refund).
   */
  forgetClaimed(claim: LiveOrderClaim): Promise<void>;
  /** Claims up to `limit` orders due now; each is hidden from other sweepers for `leaseMs`. */
  claimDue(limit: number, leaseMs: number): Promise<LiveOrderClaim[]>;
  /** How many orders are not final (a gauge for operators). */
  count(): Promise<number>;
}

export interface LiveOrderClaim {
  orderId: string;
  /** The order's score while claimed (the end of the lease). */
  leaseUntil: number;
}

export function createLiveOrders(redis: Redis, keys: RedisKeys): LiveOrders {
  const scripts = redisScripts(redis);
  const key = keys.liveOrders();
  return {
    async watch(orderId, atMs) {
      await redis.zadd(key, atMs, orderId);
    },
    async forget(orderId) {
      await redis.zrem(key, orderId);
    },
    async forgetClaimed({ orderId, leaseUntil }) {
      await scripts.run('forgetLiveOrder', [key], [orderId, leaseUntil]);
    },
    async claimDue(limit, leaseMs) {
      const now = Date.now();
      const ids = (await scripts.run('claimDue', [key], [now, leaseMs, limit])) as string[];
      return ids.map((orderId) => ({ orderId, leaseUntil: now + leaseMs }));
    },
    count: () => redis.zcard(key),
  };
}
