import type { Logger } from '../observability/logger.js';
import type { Redis, RedisKeys } from '../redis/index.js';
import { parseAnswerEntry } from './answer-stream-store.js';
import type { EntryListener, StreamHub } from './stream-hub-contract.js';

export interface NoticeStreamHubOptions {
  /**
   * Holds the shard channel subscriptions: on a cluster, a connection created with `shardedSubscribers: true`
   * (a single Redis 7 node serves SSUBSCRIBE too, which the tests use).
   */
  subscriber: Redis;
  /** Reads the streams (XRANGE). The command connection: its auto-pipelining batches one tick's reads per node. */
  reads: Redis;
  keys: RedisKeys;
  logger: Logger;
  /** How often every watched stream is read even without a notice, ms. */
  resyncMs?: number;
}

/** Entries read per XRANGE; a full page is followed by the next one at once. */
const PAGE = 500;

interface Watched {
  cursor: number;
  listeners: Set<EntryListener>;
  /** A read of this stream is in flight: a notice meanwhile asks for one more read after it, not a second one. */
  reading: boolean;
  again: boolean;
}

/**
 * The stream hub on a Redis Cluster, where one XREAD cannot span the slots of different orders (CROSSSLOT).
 *
 * Every script that appends to an answer stream (append-answer, transition, start-generation) also SPUBLISHes the
 * entry's seq on a shard channel named like the stream key, so in the order's own slot and published by the
 * script itself, atomically with the append. This hub SSUBSCRIBEs to the channel of each watched order (ioredis
 * routes each to the master owning its slot, one subscriber connection per master) and, on a notice past its
 * cursor, XRANGEs the stream from the cursor. Reads of one stream never overlap, so listeners get entries in order.
 *
 * Why this and not polling: per-slot polling (a non-blocking XREAD per watched stream, pipelined per node, every
 * N ms) costs watched/N reads per second even when nothing happens, and adds up to N ms of latency to every
 * chunk. Notices cost one SPUBLISH per entry, delivered inside the shard to this instance only when it watches
 * the order (no cluster-bus broadcast, unlike PUBLISH), and one XRANGE per notice, usually returning the one new
 * entry; idle orders cost nothing. Watching costs one SSUBSCRIBE and one SUNSUBSCRIBE per order and socket
 * lifetime. On a single node Redis 7 the extra SPUBLISH finds no subscriber and costs a dictionary lookup.
 *
 * Pub/sub is at-most-once, so two reads do not wait for a notice: one right after the subscription is confirmed
 * (an entry appended between the subscriber's catch-up read and the SSUBSCRIBE has no notice this hub heard), and
 * a resync of every watched stream every `resyncMs` and whenever ioredis re-establishes its shard subscribers
 * after a topology change. That resync is the only cost that grows with idle watchers: watched/resyncMs XRANGEs of
 * an empty range per second (1,000 watched orders at 2 s: 500 small reads/s over the whole cluster).
 */
export function createNoticeStreamHub(options: NoticeStreamHubOptions): StreamHub {
  const { subscriber, reads, keys, logger } = options;
  const resyncMs = options.resyncMs ?? 2_000;
  const watched = new Map<string, Watched>();
  const orderOfChannel = new Map<string, string>();
  const inFlight = new Set<Promise<void>>();
  let running = true;

  async function readNew(orderId: string, entry: Watched): Promise<void> {
    const stream = keys.orderStream(orderId);
    do {
      entry.again = false;
      const rows = await reads.xrange(stream, `(0-${entry.cursor}`, '+', 'COUNT', PAGE);
      if (watched.get(orderId) !== entry) return;
      for (const [id, fields] of rows) {
        const parsed = parseAnswerEntry(id, fields);
        if (!parsed || parsed.seq <= entry.cursor) continue;
        entry.cursor = parsed.seq;
        for (const listener of entry.listeners) listener(parsed);
      }
      if (rows.length === PAGE) entry.again = true;
    } while (entry.again && running);
  }

  /** Reads what the stream gained past the cursor, or marks the read in flight to go round once more. */
  function pull(orderId: string): void {
    const entry = watched.get(orderId);
    if (!entry || !running) return;
    if (entry.reading) {
      entry.again = true;
      return;
    }
    entry.reading = true;
    const reading = readNew(orderId, entry)
      .catch((err: unknown) => {
        // The next notice or resync reads it again: the cursor only moves past delivered entries.
        entry.again = false;
        if (running) logger.warn({ orderId, err: { message: (err as Error).message } }, 'stream read failed');
      })
      .finally(() => {
        entry.reading = false;
        inFlight.delete(reading);
        if (entry.again) pull(orderId);
      });
    inFlight.add(reading);
  }

  const resyncAll = () => {
    for (const orderId of watched.keys()) pull(orderId);
  };

  const onNotice = (channel: string, message: string) => {
    const orderId = orderOfChannel.get(channel);
    const entry = orderId === undefined ? undefined : watched.get(orderId);
    if (orderId !== undefined && entry && Number(message) > entry.cursor) pull(orderId);
  };
  subscriber.on('smessage', onNotice);
  // ioredis re-subscribes every channel after a topology change (failover, resharding); notices sent meanwhile
  // were lost.
  subscriber.on('subscribersReady', resyncAll);
  const resync = setInterval(resyncAll, resyncMs);
  resync.unref();

  let closing: Promise<void> | undefined;
  return {
    watch(orderId, afterSeq, listener) {
      let entry = watched.get(orderId);
      if (!entry) {
        const created: Watched = { cursor: afterSeq, listeners: new Set(), reading: false, again: false };
        entry = created;
        watched.set(orderId, created);
        const channel = keys.orderStream(orderId);
        orderOfChannel.set(channel, orderId);
        subscriber.ssubscribe(channel).then(
          () => {
            if (watched.get(orderId) === created) pull(orderId);
          },
          (err: unknown) => {
            // The resync still reads the stream, only later.
            if (running)
              logger.warn({ orderId, err: { message: (err as Error).message } }, 'SSUBSCRIBE failed');
          },
        );
      }
      // An already-watched stream keeps its cursor: a new listener behind it catches up on its own (XRANGE).
      entry.listeners.add(listener);
      const current = entry;
      return () => {
        current.listeners.delete(listener);
        if (current.listeners.size === 0 && watched.get(orderId) === current) {
          watched.delete(orderId);
          const channel = keys.orderStream(orderId);
          orderOfChannel.delete(channel);
          // Commands to one slot's subscriber run in order: a watch of the same order right after this one
          // subscribes again after this unsubscribe.
          if (running) subscriber.sunsubscribe(channel).catch(() => undefined);
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
        clearInterval(resync);
        subscriber.off('smessage', onNotice);
        subscriber.off('subscribersReady', resyncAll);
        // The subscriptions end with the connection (its owner closes it); the reads in flight end here.
        await Promise.allSettled([...inFlight]);
      })();
      return closing;
    },
  };
}
