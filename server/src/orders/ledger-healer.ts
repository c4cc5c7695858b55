import type { Catalog } from '../catalog/index.js';
import type { InferenceQueue } from '../jobs/index.js';
import type { Logger } from '../observability/logger.js';
import type { LiveOrders } from './live-orders.js';
import type { OrderStore } from './order-store.js';
import type { RefundReason, RefundService } from './refund-service.js';
import type { Redis, RedisKeys } from '../redis/index.js';
import { resumeStreamSeq, type Ledger, type LedgerJournal, type LedgerOrder } from '../ledger/index.js';

/**
 * Heals Redis from the ledger: every paid order the ledger knows ends answered or refunded, even if Redis lost it
 * (a restart without persistence, a failover that dropped the last writes, a flush). Each pass claims a batch of
 * paid orders that have not settled in the ledger and have been quiet for a while, and for each:
 *
 * | in Redis? | what the pass does                                                                         |
 * | --------- | ------------------------------------------------------------------------------------------ |
 * | yes       | brings the ledger's journal up to date from the order's stream (a journal write that failed) |
 * | no        | re-creates the order from the ledger and drives it on: a refund under way is followed;     |
 * |           | otherwise a recent payment is answered (PAID, job queued), an older one refunded           |
 *
 * The re-created order's stream continues after the journal's last seq, its owner is the ledger's owner key (so
 * the user sees it again), its openid is gone (it is only needed to pay). Nothing is charged twice: the refund's
 * out_refund_no is fixed per order, and creating an order in Redis succeeds once. Several processes may run it
 * (a claim hides an order from the others for `quietMs`).
 */
export interface LedgerHealer {
  /** One pass. Returns how many orders it looked at. */
  runOnce(): Promise<number>;
}

export interface LedgerHealerDeps {
  ledger: Ledger;
  journal: LedgerJournal;
  redis: Redis;
  keys: RedisKeys;
  store: OrderStore;
  live: LiveOrders;
  queue: InferenceQueue;
  refunds: RefundService;
  catalog: Catalog;
  logger: Logger;
  /** An order is looked at once it has been quiet (no payment recorded, no heal pass) for this long. */
  quietMs: number;
  /** A re-created order is answered when it was paid this recently; else refunded. */
  answerWithinMs: number;
  /** When the recovery sweep first looks at a re-created order. */
  recoveryAfterMs: number;
}

const BATCH = 50;

export function createLedgerHealer(deps: LedgerHealerDeps): LedgerHealer {
  const { ledger, store, logger } = deps;

  async function claim(): Promise<string[]> {
    const result = await ledger.pool.query<{ id: string }>({
      name: 'ledger-heal-claim',
      text: `UPDATE orders SET heal_checked_at = now()
              WHERE id IN (
                SELECT o.id FROM orders o JOIN payments p ON p.order_id = o.id
                 WHERE o.current_state NOT IN ('COMPLETED', 'REFUNDED', 'REFUND_FAILED')
                   AND (o.heal_checked_at IS NULL OR o.heal_checked_at < now() - make_interval(secs => $1))
                   AND p.recorded_at < now() - make_interval(secs => $1)
                 ORDER BY o.heal_checked_at NULLS FIRST
                 LIMIT $2
                 FOR UPDATE OF o SKIP LOCKED)
              RETURNING id`,
      values: [deps.quietMs / 1000, BATCH],
    });
    return result.rows.map((r) => r.id);
  }

  /** Re-creates a paid order Redis lost, in the state that drives it to an end. */
  async function recreate(order: LedgerOrder & { payment: NonNullable<LedgerOrder['payment']> }) {
    const base = {
      id: order.id,
      userKey: order.ownerKey,
      tier: order.tier,
      tierTitle: order.tierTitle,
      priceFen: order.priceFen,
      prompt: order.prompt ?? '',
      createdAt: order.createdAt,
      payBy: order.payBy,
      transactionId: order.payment.transactionId,
      paidVia: order.payment.via,
    };
    const recent = Date.now() - order.payment.paidAt <= deps.answerWithinMs;
    const answerable = recent && deps.catalog.tiers.has(order.tier) && order.prompt !== undefined;
    let action: 'follow_refund' | 'answer' | 'refund';
    if (order.refund) {
      action = 'follow_refund';
      const created = await store.create({
        ...base,
        state: 'REFUNDING',
        outRefundNo: order.refund.outRefundNo,
        refundReason: order.refund.reason,
        checkAttempts: 0,
      });
      if (!created) return;
      await resumeStreamSeq(deps.redis, deps.keys, ledger, order.id);
      await deps.live.watch(order.id, Date.now() + deps.recoveryAfterMs);
      // Submitting again with the same out_refund_no is idempotent at WeChat Pay: it answers with that refund.
      await deps.redis.zadd(deps.keys.refundChecks(), Date.now(), order.id);
    } else if (answerable) {
      action = 'answer';
      if (!(await store.create({ ...base, state: 'PAID' }))) return;
      await resumeStreamSeq(deps.redis, deps.keys, ledger, order.id);
      await deps.live.watch(order.id, Date.now() + deps.recoveryAfterMs);
      await deps.queue.enqueue(order.id);
    } else {
      action = 'refund';
      if (!(await store.create({ ...base, state: 'FAILED' }))) return;
      await resumeStreamSeq(deps.redis, deps.keys, ledger, order.id);
      await deps.refunds.request(order.id, 'generation_failed' satisfies RefundReason);
    }
    logger.warn(
      { orderId: order.id, ledgerState: order.state, action },
      'paid order missing in Redis: re-created from the ledger',
    );
  }

  async function heal(orderId: string): Promise<void> {
    const live = await store.get(orderId);
    if (live) {
      await deps.journal.syncFromStream(live);
      return;
    }
    const order = await ledger.findOrder(orderId);
    if (order?.payment) await recreate({ ...order, payment: order.payment });
  }

  return {
    async runOnce() {
      const ids = await claim();
      await Promise.all(
        ids.map((orderId) =>
          heal(orderId).catch((err: unknown) =>
            // Claimed again after quietMs: nothing is lost, only delayed.
            logger.warn(
              { orderId, err: { message: (err as Error).message } },
              'ledger heal step failed; will retry',
            ),
          ),
        ),
      );
      return ids.length;
    },
  };
}
