import type { Redis } from 'ioredis';
import type { Logger } from '../observability/logger.js';
import type { RedisKeys } from '../redis/index.js';
import { parseAnswerEntry, type AnswerEntry } from './answer-stream-store.js';

export type EntryListener = (entry: AnswerEntry) => void;

type XReadResult = [streamKey: string, rows: [id: string, fields: string[]][]][];

/**
 * One blocking Redis reader per instance for every answer stream its sockets watch (never one blocking
 * connection per socket). It XREADs all watched streams from their cursors and fans new entries out to the
 * listeners; when the watched set changes it interrupts its own blocking read (CLIENT UNBLOCK) so a new stream
 * is read at once. Listeners may see an entry twice around their own catch-up read: they dedupe by seq.
 */
export interface StreamHub {
  /** Starts delivering entries of `orderId` after `afterSeq` (or after the hub's cursor, if further) to `listener`. */
  watch(orderId: string, afterSeq: number, listener: EntryListener): () => void;
  readonly watchedCount: number;
  /** Listeners across every watched stream (each subscription holds one until it closes). */
  readonly listenerCount: number;
  close(): Promise<void>;
}

export interface StreamHubOptions {
  /** A dedicated connection: it spends its life blocked in XREAD. */
  reader: Redis;
  /** The command connection, used to interrupt the reader. */
  control: Redis;
  keys: RedisKeys;
  logger: Logger;
  /** Upper bound of one blocking read, ms (a safety net; changes interrupt it anyway). */
  blockMs?: number;
}

interface Watched {
  cursor: number;
  listeners: Set<EntryListener>;
}

export function createStreamHub(options: StreamHubOptions): StreamHub {
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
