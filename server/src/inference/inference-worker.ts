import { Worker, type Job } from 'bullmq';
import type { Redis } from '../redis/index.js';
import type { Catalog } from '../catalog/index.js';
import type { AnswerStreamStore } from '../delivery/index.js';
import type { OpenidVault } from '../identity/openid-vault.js';
import { INFERENCE_QUEUE, type InferenceJobData } from '../jobs/index.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { ApplyEvent, OrderStore, RefundService } from '../orders/index.js';
import { createAnswerBatcher } from './answer-batcher.js';
import { redactPii } from './redaction/index.js';
import type { AttemptRecord, ChatMessage, ModelRouter } from './router/index.js';

export interface InferenceWorkerDeps {
  connection: Redis;
  queuePrefix: string;
  store: OrderStore;
  answers: AnswerStreamStore;
  applyEvent: ApplyEvent;
  refunds: RefundService;
  router: ModelRouter;
  catalog: Catalog;
  vault: OpenidVault;
  metrics: Metrics;
  logger: Logger;
  concurrency: number;
  /** Generation attempts one order may use (workers that died mid-answer included); then it is refunded. */
  attemptBudget: number;
  /** How long a job's lock lives without renewal; a worker silent for longer is presumed dead and its job retried. */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  /** On close, how long running generations may finish before they are aborted (and retried elsewhere). */
  closeGraceMs?: number;
  /** Called once an order reached COMPLETED (delivery hooks: subscribe messages). */
  onCompleted?: (orderId: string) => Promise<void>;
  /** Records each model call of a generation attempt as it ends (the ledger's model spend). Never throws. */
  recordCall?: (orderId: string, attempt: number, callIndex: number, call: AttemptRecord) => Promise<void>;
}

export interface InferenceWorker {
  /** Resolves once the worker is connected and taking jobs. */
  ready(): Promise<void>;
  /** Stops taking jobs and waits for running ones (they finish or are retried elsewhere). Idempotent. */
  close(): Promise<void>;
}

/** Thrown inside a job when another attempt has taken the order over: this worker must stop writing. */
class FencedOut extends Error {}

/**
 * Turns paid orders into answers: PAID → GENERATING, prompt redacted, the tier's model chain streamed through
 * the router into the order's answer stream, then COMPLETED with usage and cost — or FAILED and refunded when the
 * whole chain fails. A job retried after a worker died resumes the order as a new, fenced attempt: the old
 * attempt's partial text is reset, never glued to the new one, and only one attempt can complete. Every model
 * call's cost is added to the order's spend as it ends, across fallbacks and attempts (see `OrderRecord.costFen`).
 */
export function createInferenceWorker(deps: InferenceWorkerDeps): InferenceWorker {
  const { store, answers, logger } = deps;
  const controllers = new Set<AbortController>();

  /** Starts the refund of a FAILED order (a no-op if it is already refunding). */
  async function refundFailed(orderId: string): Promise<void> {
    await deps.refunds.request(orderId, 'generation_failed');
  }

  async function generate(orderId: string): Promise<void> {
    const start = await store.startGeneration(orderId, deps.attemptBudget);
    if (!start.ok) {
      if (start.budgetSpent) {
        deps.metrics.orderTransitions.inc({ from: 'GENERATING', to: 'FAILED' });
        logger.error(
          { orderId, attempts: deps.attemptBudget },
          'every generation attempt of this order was lost (workers died): refunding',
        );
        await refundFailed(orderId);
        return;
      }
      // A FAILED order whose refund request was lost to a crash: start it now (the sweep would, later).
      if (start.state === 'FAILED') await refundFailed(orderId);
      // Already answered, refunded, or never paid: a duplicate or stale job is a no-op.
      logger.info({ orderId, state: start.state }, 'inference job skipped');
      return;
    }
    const { attempt } = start;
    if (start.resumed) logger.warn({ orderId, attempt }, 'resuming an order whose previous worker stopped');
    else deps.metrics.orderTransitions.inc({ from: 'PAID', to: 'GENERATING' });

    const order = await store.get(orderId);
    const tier = order && deps.catalog.tiers.get(order.tier);
    if (!order || !tier) throw new Error(`order ${orderId} or its tier is gone`);
    const openid = order.sealedOpenid ? deps.vault.open(order.sealedOpenid) : undefined;
    const redacted = redactPii(order.prompt, openid ? { openid } : {});
    const messages: ChatMessage[] = [
      ...(tier.systemPrompt ? [{ role: 'system' as const, content: tier.systemPrompt }] : []),
      { role: 'user', content: redacted.text },
    ];

    // Whether subscribers have seen text of the current model: only then does a restart need a visible reset.
    let published = false;
    const write = async (entry: { text: string } | { reset: string }) => {
      if ((await answers.append(orderId, attempt, entry)) === undefined) throw new FencedOut();
      published = 'text' in entry;
    };
    const batcher = createAnswerBatcher((text) => write({ text }));
    const controller = new AbortController();
    // Position of each model call in this attempt's chain (the ledger's model_spend key).
    let calls = 0;
    controllers.add(controller);
    try {
      const result = await deps.router.route(
        { orderId, tierId: tier.id, messages, signal: controller.signal },
        {
          onText: (text) => batcher.push(text),
          onRestart: async ({ reason }) => {
            batcher.cancel();
            if (published) await write({ reset: reason });
          },
          // Spend is added as each model call ends, not at completion: a call cut mid-answer was billed, and a
          // re-run after this worker dies adds to it. Unfenced on purpose: a fenced-out attempt's calls cost too.
          onAttemptEnd: async (call) => {
            if (call.costFen > 0) await store.addSpend(orderId, call.costFen);
            await deps.recordCall?.(orderId, attempt, calls++, call);
          },
        },
      );
      if (controller.signal.aborted) throw new Error('worker shutting down'); // the job is retried elsewhere
      await batcher.flush();
      if (result.ok) {
        await deps.applyEvent(orderId, 'complete', {
          attempt,
          fields: {
            model: result.model,
            promptTokens: result.usage.promptTokens,
            completionTokens: result.usage.completionTokens,
            usageEstimated: String(result.usage.estimated),
            // The total spend (`costFen`) was added call by call above; this is the answering call's own cost.
            answerCostFen: result.costFen,
            route: result.canary ? 'canary' : 'main',
          },
        });
        // The notifier decides about the subscribe message and then erases the sealed openid.
        await deps.onCompleted?.(orderId);
      } else {
        logger.error({ orderId, attempts: result.attempts }, 'every model of the tier failed: refunding');
        const failed = await deps.applyEvent(orderId, 'fail', { attempt });
        if (failed.ok) await refundFailed(orderId);
      }
    } catch (err) {
      batcher.cancel();
      if (err instanceof FencedOut) {
        logger.warn({ orderId, attempt }, 'another attempt took this order over; stopping');
        return;
      }
      throw err;
    } finally {
      controllers.delete(controller);
    }
  }

  /** A job BullMQ will not run again: its order, PAID or GENERATING, is failed and refunded. */
  async function giveUp(orderId: string): Promise<void> {
    try {
      const order = await store.get(orderId);
      if (!order || (order.state !== 'PAID' && order.state !== 'GENERATING')) return;
      // Fenced on the attempt seen: a newer attempt that is in fact still answering keeps the order.
      const failed = await deps.applyEvent(orderId, 'fail', {
        ...(order.state === 'GENERATING' ? { attempt: order.attempt ?? 0 } : {}),
      });
      if (failed.ok) await refundFailed(orderId);
    } catch (err) {
      logger.error(
        { orderId, err: { message: (err as Error).message } },
        'could not fail the order now; the recovery sweep will',
      );
    }
  }

  const worker = new Worker<InferenceJobData>(
    INFERENCE_QUEUE,
    (job: Job<InferenceJobData>) => generate(job.data.orderId),
    {
      connection: deps.connection,
      prefix: deps.queuePrefix,
      concurrency: deps.concurrency,
      lockDuration: deps.lockDurationMs ?? 30_000,
      // Stalled jobs are looked for once per lock period, so a dead worker's order waits at most ~2 locks.
      stalledInterval: deps.stalledIntervalMs ?? deps.lockDurationMs ?? 30_000,
      // A job whose worker died is retried (maxStalledCount) rather than failed: the order is paid.
      maxStalledCount: 3,
    },
  );
  worker.on('failed', (job, err) => {
    if (!job) return;
    void (async () => {
      // Final or not is BullMQ's own decision, read from the job's state: `attemptsMade` does not count a job
      // failed for stalling too often (a worker killed again and again), so comparing it with `attempts` would
      // miss exactly the case that most needs a refund.
      const state = await job.getState().catch(() => 'unknown');
      const final = state === 'failed';
      logger.warn(
        { orderId: job.data.orderId, attempts: job.attemptsMade, state, err: { message: err.message } },
        final
          ? 'inference job failed for good: failing and refunding the order'
          : 'inference job failed; it will be retried',
      );
      // The user paid: a job that will not run again must not leave the order PAID or GENERATING.
      if (final) await giveUp(job.data.orderId);
    })();
  });
  worker.on('error', (err) => logger.warn({ err: { message: err.message } }, 'inference worker error'));

  let closing: Promise<void> | undefined;
  return {
    ready: () => worker.waitUntilReady().then(() => undefined),
    close: () =>
      (closing ??= (async () => {
        const closed = worker.close();
        let timer: NodeJS.Timeout | undefined;
        const grace = new Promise((resolve) => (timer = setTimeout(resolve, deps.closeGraceMs ?? 5_000)));
        await Promise.race([closed, grace]);
        clearTimeout(timer);
        // Whatever still runs is cut short; its job is retried by another worker, which resets the answer.
        for (const controller of controllers) controller.abort();
        await closed;
      })()),
  };
}
