import type { AnswerEntry } from './answer-stream-store.js';

export type EntryListener = (entry: AnswerEntry) => void;

/**
 * Follows every answer stream this instance's sockets watch and fans new entries out to the listeners, with a
 * fixed number of Redis connections whatever the number of sockets. Listeners may see an entry twice around their
 * own catch-up read: they dedupe by seq.
 *
 * How it follows the streams depends on the deployment:
 * - **One Redis node**: one blocking reader. It XREADs all watched streams from their cursors in a single call and
 *   interrupts its own blocking read (CLIENT UNBLOCK) when the watched set changes, so a new stream is read at
 *   once. Idle streams cost nothing, and new entries of any number of streams arrive in one reply (stream-hub.ts).
 * - **Redis Cluster**: one XREAD cannot span slots (CROSSSLOT), and orders are spread over every slot. The scripts
 *   that append to a stream also SPUBLISH its seq on a shard channel in the order's own slot; the hub
 *   SSUBSCRIBEs per watched order (ioredis keeps one subscriber connection per master) and XRANGEs a stream when
 *   its notice arrives. Why notices rather than polling, and what they cost: notice-stream-hub.ts.
 *
 * `createStreamHub` (stream-hub.ts) picks the one that fits its reader connection.
 */
export interface StreamHub {
  /** Starts delivering entries of `orderId` after `afterSeq` (or after the hub's cursor, if further) to `listener`. */
  watch(orderId: string, afterSeq: number, listener: EntryListener): () => void;
  readonly watchedCount: number;
  /** Listeners across every watched stream (each subscription holds one until it closes). */
  readonly listenerCount: number;
  close(): Promise<void>;
}
