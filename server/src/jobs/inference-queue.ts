import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

export const INFERENCE_QUEUE = 'inference';

export interface InferenceJobData {
  orderId: string;
}

/**
 * The queue of paid orders waiting for an answer (BullMQ). The job id is the order id, so adding the same order
 * twice is a no-op while the job exists; the order state machine (PAID → GENERATING is one compare-and-set) is
 * what makes a second answer impossible even after the job record is gone.
 */
export interface InferenceQueue {
  /** Adds the order's job unless it is already queued, running or recently finished. */
  enqueue(orderId: string): Promise<void>;
  /** BullMQ's state of the order's job ('waiting', 'active', 'completed', … or 'unknown'): for diagnostics. */
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
    async jobState(orderId) {
      return queue.getJobState(orderId);
    },
    close: () => (closing ??= queue.close()),
  };
}
