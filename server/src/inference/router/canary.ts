import { createHash } from 'node:crypto';

/** Buckets of the split: 10 000, so a percentage has two decimals of resolution (0.01 % of orders). */
const BUCKETS = 10_000;

/**
 * Whether an order belongs to its tier's canary share. Pure and deterministic: the bucket is the first 4 bytes of
 * SHA-256(orderId, tierId) modulo 10 000, so a retried order (worker crash, redelivery) takes the same chain and a
 * user never sees two models answer one order. The tier id is hashed too so that each tier's canary picks an
 * independent set of orders. The modulo bias of 2^32 mod 10 000 is below 10^-5 and ignored.
 *
 * @param percent share of orders (0–100) sent to the canary; 0 never, 100 always.
 */
export function isCanary(orderId: string, tierId: string, percent: number): boolean {
  if (!(percent > 0)) return false;
  // A separator byte that cannot occur in a tier id, so ("ab", "c") and ("a", "bc") hash differently.
  const digest = createHash('sha256').update(`${orderId}\u0000${tierId}`, 'utf8').digest();
  return digest.readUInt32BE(0) % BUCKETS < percent * (BUCKETS / 100);
}
