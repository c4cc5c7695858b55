import { Queue } from 'bullmq';
import type { Redis } from '../redis/index.js';

export const INFERENCE_QUEUE = 'inference';

export interface InferenceJobData {
  orderId: string;
}

/** Job states in which no worker will run the job again by itself. */
const FINISHED_JOB_STATES = new Set(['completed', 'failed', 'unknown']);

/** Whether BullMQ will still run (or is running) a job in this state. */
export function isJobPending(state: string): boolean {
  return !FINISHED_JOB_STATES.has(state);
}

/**
 * The queue of paid orders waiting for an answer (BullMQ). The job id is the order id, so adding the same order
 * twice is a no-op while the job exists; the order state machine (PAID → GENERATING is one compare-and-set) is
 * what makes a second answer impossible even after the job record is gone.
 */
export interface InferenceQueue {
  /** Adds the order's job unless it is already queued, running or recently finished. */
  enqueue(orderId: string): Promise<void>;
  /**
   * Adds the order's job again after its previous job finished (completed or failed) or was lost: BullMQ keeps a
   * finished job's id, so a plain `enqueue` would be a no-op. A queued or running job is left alone.
   */
  reenqueue(orderId: string): Promise<void>;
  /** BullMQ's state of the order's job ('waiting', 'active', 'completed', 'failed', … or 'unknown'). */
  jobState(orderId: string): Promise<string>;
  readonly queue: Queue<InferenceJobData>;
  close(): Promise<void>;
}

export function createInferenceQueue(connection: Redis, prefix: string): InferenceQueue {
  const queue = new Queue<InferenceJobData>(INFERENCE_QUEUE, {
    connection,
    prefix,
    defaultJobOptions: {
      // Retries cover a worker that crashed or lost its lock; the state machine decides what a retry may do.
      attempts: 3,
      backoff: { type: 'exponential', delay: 1_000 },
      // Kept long enough that a duplicate callback within a day hits the same job id.
      removeOnComplete: { age: 24 * 3600, count: 10_000 },
      removeOnFail: { age: 7 * 24 * 3600 },
    },
  });
  let closing: Promise<void> | undefined;
  return {
    queue,
    async enqueue(orderId) {
      await queue.add('generate', { orderId }, { jobId: orderId });
    },
    async reenqueue(orderId) {
      const job = await queue.getJob(orderId);
      if (job) {
        if (!FINISHED_JOB_STATES.has(await job.getState())) return;
        await job.remove();
      }
      await queue.add('generate', { orderId }, { jobId: orderId });
    },
    async jobState(orderId) {
      return queue.getJobState(orderId);
    },
    close: () => (closing ??= queue.close()),
  };
}
