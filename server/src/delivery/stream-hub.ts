import type { Logger } from '../observability/logger.js';
import { Cluster, type Redis, type RedisKeys, type RedisNode } from '../redis/index.js';
import { parseAnswerEntry } from './answer-stream-store.js';
import { createNoticeStreamHub } from './notice-stream-hub.js';
import type { EntryListener, StreamHub } from './stream-hub-contract.js';

export type { EntryListener, StreamHub } from './stream-hub-contract.js';

type XReadResult = [streamKey: string, rows: [id: string, fields: string[]][]][];

/** What `createStreamHub` needs; which hub it builds follows from the reader (see stream-hub-contract.ts). */
export interface StreamHubOptions {
  /**
   * A dedicated connection. On one node it spends its life blocked in XREAD; on a cluster it holds the shard
   * channel subscriptions (create it with `shardedSubscribers: true`).
   */
  reader: Redis;
  /** The command connection: interrupts the blocking reader (one node), reads the streams (cluster). */
  control: Redis;
  keys: RedisKeys;
  logger: Logger;
  /** One node: upper bound of one blocking read, ms (a safety net; changes interrupt it anyway). */
  blockMs?: number;
  /** Cluster: how often every watched stream is read without a notice, ms (pub/sub may drop a message). */
  resyncMs?: number;
}

interface Watched {
  cursor: number;
  listeners: Set<EntryListener>;
}

export function createStreamHub(options: StreamHubOptions): StreamHub {
  const { reader, control, keys, logger } = options;
  if (reader instanceof Cluster) {
    return createNoticeStreamHub({
      subscriber: reader,
      reads: control,
      keys,
      logger,
      ...(options.resyncMs === undefined ? {} : { resyncMs: options.resyncMs }),
    });
  }
  return createBlockingStreamHub({ ...options, reader });
}

/** The single-node hub: one blocking XREAD over every watched stream. */
function createBlockingStreamHub(options: StreamHubOptions & { reader: RedisNode }): StreamHub {
  const { reader, control, keys, logger } = options;
  // Short enough that the rare lost interrupt (UNBLOCK racing the XREAD) costs little.
  const blockMs = options.blockMs ?? 1_000;
  const watched = new Map<string, Watched>();
  let readerId: number | undefined;
  let running = true;
  let blocked = false;
  let wake: (() => void) | undefined;

  const interrupt = () => {
    if (wake) {
      wake();
      return;
    }
    if (blocked && readerId !== undefined) void control.client('UNBLOCK', readerId).catch(() => undefined);
  };

  async function loop(): Promise<void> {
    readerId = Number(await reader.client('ID'));
    while (running) {
      if (watched.size === 0) {
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        continue;
      }
      const ids = [...watched.keys()];
      const args = [
        ...ids.map((id) => keys.orderStream(id)),
        ...ids.map((id) => `0-${watched.get(id)!.cursor}`),
      ];
      let result = null as XReadResult | null;
      try {
        blocked = true;
        result = (await reader.xread(
          'COUNT',
          500,
          'BLOCK',
          blockMs,
          'STREAMS',
          ...args,
        )) as XReadResult | null;
      } catch (err) {
        if (!running) return;
        logger.warn({ err: { message: (err as Error).message } }, 'stream reader error; retrying');
        await new Promise((r) => setTimeout(r, 200));
      } finally {
        blocked = false;
      }
      for (const [streamKey, rows] of result ?? []) {
        const orderId = ids[args.indexOf(streamKey)];
        const entry = orderId === undefined ? undefined : watched.get(orderId);
        if (!entry) continue;
        for (const [id, fields] of rows) {
          const parsed = parseAnswerEntry(id, fields);
          if (!parsed) continue;
          entry.cursor = Math.max(entry.cursor, parsed.seq);
          for (const listener of entry.listeners) listener(parsed);
        }
      }
    }
  }
  const looping = loop().catch((err: unknown) => logger.error({ err }, 'stream hub stopped'));

  let closing: Promise<void> | undefined;
  return {
    watch(orderId, afterSeq, listener) {
      let entry = watched.get(orderId);
      if (!entry) {
        entry = { cursor: afterSeq, listeners: new Set() };
        watched.set(orderId, entry);
        interrupt();
      }
      // An already-watched stream keeps its cursor: a new listener behind it catches up on its own (XRANGE).
      entry.listeners.add(listener);
      const current = entry;
      return () => {
        current.listeners.delete(listener);
        if (current.listeners.size === 0 && watched.get(orderId) === current) {
          watched.delete(orderId);
          interrupt();
        }
      };
    },
    get watchedCount() {
      return watched.size;
    },
    get listenerCount() {
      let count = 0;
      for (const entry of watched.values()) count += entry.listeners.size;
      return count;
    },
    close() {
      closing ??= (async () => {
        running = false;
        interrupt();
        await looping;
      })();
      return closing;
    },
  };
}
