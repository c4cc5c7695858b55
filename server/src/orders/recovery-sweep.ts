import { FINAL_ORDER_STATES } from '@tokentill/shared-types';
import { isJobPending, type InferenceQueue } from '../jobs/index.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { Redis, RedisKeys } from '../redis/index.js';
import type { LiveOrderClaim, LiveOrders } from './live-orders.js';
import type { OrderRecord, OrderStore } from './order-store.js';
import type { ApplyEvent } from './order-transitions.js';
import type { RefundReason, RefundService } from './refund-service.js';

/**
 * The last line of defence of "every paid order ends answered or refunded": looks at each order that has not
 * moved on for a while and gives it its next step by its STATE, whatever crashed on the way (a worker killed
 * mid-answer, a process that died between a transition and its follow-up, a job BullMQ gave up on):
 *
 * | state      | next step                                                                            |
 * | ---------- | ------------------------------------------------------------------------------------ |
 * | CREATED    | a payment check is scheduled (it credits, or closes the order after its deadline)     |
 * | PAID       | a job is queued; if its job failed for good, the order is failed and refunded          |
 * | GENERATING | a running or queued job is left alone; otherwise resumed, or failed and refunded when |
 * |            | the attempt budget is spent                                                          |
 * | FAILED     | the refund is requested                                                              |
 * | REFUNDING  | the refund is followed (scheduled if nothing follows it)                             |
 *
 * Orders come from the live-order index (live-orders.ts), claimed with a lease so any number of instances can
 * sweep. Every step here is idempotent: sweeping an order that is fine changes nothing.
 */
export interface RecoverySweep {
  /** One pass over the orders due now. Returns how many it looked at. */
  runOnce(): Promise<number>;
  /** Looks at one order and gives it its next step (`claim`: it came from the index with this lease). */
  recover(orderId: string, claim?: LiveOrderClaim): Promise<void>;
}

export interface RecoverySweepDeps {
  redis: Redis;
  keys: RedisKeys;
  store: OrderStore;
  live: LiveOrders;
  applyEvent: ApplyEvent;
  queue: InferenceQueue;
  refunds: RefundService;
  metrics: Metrics;
  logger: Logger;
  /** Generation attempts an order may use (the workers' budget). */
  attemptBudget: number;
  /** How long until the sweep looks again at an order that is still on its way. */
  recheckMs: number;
  /** An order in one non-final state for longer than this is logged as stuck (and counted). */
  stuckAfterMs: number;
  /** The last payment check runs this long after the payment deadline (the order service's grace). */
  closeGraceMs: number;
}

const BATCH = 50;
const LEASE_MS = 30_000;

type Action = 'none' | 'payment_check' | 'enqueue' | 'resume' | 'fail_refund' | 'refund' | 'follow_refund';

export function createRecoverySweep(deps: RecoverySweepDeps): RecoverySweep {
  const { redis, keys, store, live, queue, logger, metrics } = deps;

  /** Fails a paid order that cannot be answered, and starts its refund. */
  async function failAndRefund(order: OrderRecord): Promise<void> {
    // Fenced on the attempt we saw: a worker that is in fact still answering keeps its order.
    const failed = await deps.applyEvent(order.id, 'fail', {
      ...(order.state === 'GENERATING' ? { attempt: order.attempt ?? 0 } : {}),
    });
    if (failed.ok) await deps.refunds.request(order.id, 'generation_failed');
  }

  async function nextStep(order: OrderRecord): Promise<Action> {
    switch (order.state) {
      case 'CREATED': {
        // NX: an earlier check (after the client said it paid) stays as it is.
        const added = await redis.zadd(
          keys.paymentChecks(),
          'NX',
          Math.max(Date.now(), order.payBy + deps.closeGraceMs),
          order.id,
        );
        return Number(added) > 0 ? 'payment_check' : 'none';
      }
      case 'PAID': {
        const job = await queue.jobState(order.id);
        if (isJobPending(job)) return 'none';
        if (job === 'failed') {
          await failAndRefund(order);
          return 'fail_refund';
        }
        await queue.reenqueue(order.id);
        return 'enqueue';
      }
      case 'GENERATING': {
        const job = await queue.jobState(order.id);
        if (isJobPending(job)) return 'none'; // BullMQ's stalled-job check hands a dead worker's job on
        if ((order.attempt ?? 0) >= deps.attemptBudget) {
          await failAndRefund(order);
          return 'fail_refund';
        }
        await queue.reenqueue(order.id);
        return 'resume';
      }
      case 'FAILED':
        await deps.refunds.request(
          order.id,
          (order.refundReason as RefundReason | undefined) ?? 'generation_failed',
        );
        return 'refund';
      case 'REFUNDING': {
        const added = await redis.zadd(keys.refundChecks(), 'NX', Date.now(), order.id);
        return Number(added) > 0 ? 'follow_refund' : 'none';
      }
      default:
        return 'none';
    }
  }

  async function recover(orderId: string, claim?: LiveOrderClaim): Promise<void> {
    const order = await store.get(orderId);
    if (!order || FINAL_ORDER_STATES.includes(order.state)) {
      await (claim ? live.forgetClaimed(claim) : live.forget(orderId));
      return;
    }
    const age = Date.now() - (order.at[order.state] ?? order.updatedAt);
    if (age > deps.stuckAfterMs) {
      metrics.stuckOrders.inc({ state: order.state });
      logger.warn(
        { orderId, state: order.state, ageSeconds: Math.round(age / 1000) },
        'order has been in one state for too long',
      );
    }
    const action = await nextStep(order);
    if (action !== 'none') {
      metrics.orderRecoveries.inc({ state: order.state, action });
      logger.warn(
        { orderId, state: order.state, action },
        'recovery sweep gave a stalled order its next step',
      );
    }
    // Looked at again later unless it reached a final state meanwhile (then the next look forgets it).
    await live.watch(orderId, Date.now() + deps.recheckMs);
  }

  async function runOnce(): Promise<number> {
    const due = await live.claimDue(BATCH, LEASE_MS);
    await Promise.all(
      due.map((claim) =>
        recover(claim.orderId, claim).catch((err: unknown) =>
          // The lease brings the order back after LEASE_MS: nothing is lost, only delayed.
          logger.warn(
            { orderId: claim.orderId, err: { message: (err as Error).message } },
            'recovery step failed; will retry',
          ),
        ),
      ),
    );
    metrics.liveOrders.set(await live.count());
    return due.length;
  }

  return { runOnce, recover };
}
