import type { Redis, RedisKeys } from '../redis/index.js';
import type { Ledger } from './ledger.js';

/**
 * An order re-created in Redis after Redis lost it starts a new stream: its seqs must continue after the changes
 * the journal already holds, or the new changes would collide with the old rows (one row per (order, seq)) and
 * be dropped. Call right after creating the order, before any transition.
 */
export async function resumeStreamSeq(
  redis: Redis,
  keys: RedisKeys,
  ledger: Pick<Ledger, 'lastSeq'>,
  orderId: string,
): Promise<void> {
  const last = await ledger.lastSeq(orderId);
  if (last > 0) await redis.hset(keys.order(orderId), 'streamSeq', last);
}
