import { randomUUID } from 'node:crypto';
import {
  createAnswerStreamStore,
  type AnswerEntry,
  type AnswerStreamStore,
} from '../../../server/src/delivery';
import { createNoticeStreamHub } from '../../../server/src/delivery/notice-stream-hub';
import type { StreamHub } from '../../../server/src/delivery/stream-hub-contract';
import { createLogger } from '../../../server/src/observability/logger';
import { closeRedis, createRedis, type Redis } from '../../../server/src/redis';
import { eventually } from '../../support/api-client';
import { useTestRedis } from '../../support/test-redis';

/**
 * The stream hub a Redis Cluster uses (notices on shard channels, XRANGE on notice), run here on the single test
 * Redis (7+ serves SSUBSCRIBE/SPUBLISH without cluster mode too). Entries are appended by the real script, which
 * announces each one; the e2e test (test/e2e/redis-cluster.test.ts) runs the same hub on a real cluster.
 */
const testRedis = useTestRedis();
const { redis, keys } = testRedis;
const HOUR = 3_600_000;

let subscriber: Redis;
let answers: AnswerStreamStore;
const hubs: StreamHub[] = [];

beforeAll(() => {
  subscriber = createRedis(testRedis.url, {
    connectionName: 'tokentill-test-notices',
    overrides: { maxRetriesPerRequest: null, enableAutoPipelining: false },
  });
  answers = createAnswerStreamStore(redis, keys);
});
afterEach(async () => {
  await Promise.all(hubs.splice(0).map((hub) => hub.close()));
});
afterAll(async () => {
  await closeRedis(subscriber);
});

function startHub(resyncMs = HOUR): StreamHub {
  const hub = createNoticeStreamHub({
    subscriber,
    reads: redis,
    keys,
    logger: createLogger({ level: 'silent' }),
    resyncMs,
  });
  hubs.push(hub);
  return hub;
}

/** An order in GENERATING whose attempt 1 may append to its answer. */
async function generatingOrder(): Promise<string> {
  const orderId = `TT${randomUUID().replace(/-/g, '').slice(0, 24).toUpperCase()}`;
  await redis.hset(keys.order(orderId), { id: orderId, state: 'GENERATING', attempt: '1' });
  return orderId;
}

const subscribers = async (orderId: string) =>
  Number(((await redis.call('PUBSUB', 'SHARDNUMSUB', keys.orderStream(orderId))) as [string, number])[1]);

function collect(hub: StreamHub, orderId: string, afterSeq = 0) {
  const got: AnswerEntry[] = [];
  const unwatch = hub.watch(orderId, afterSeq, (entry) => got.push(entry));
  return { got, unwatch };
}

const texts = (entries: AnswerEntry[]) => entries.map((e) => (e.kind === 'text' ? e.text : `<${e.kind}>`));

describe('notice stream hub', () => {
  it('reads a stream when its notice arrives: every entry once, in order', async () => {
    const hub = startHub(); // no resync within the test: only notices bring entries
    const orderId = await generatingOrder();
    const { got } = collect(hub, orderId);
    await eventually(async () => (await subscribers(orderId)) === 1, 5_000, 'SSUBSCRIBE');

    for (const text of ['一', '二', '三']) await answers.append(orderId, 1, { text });
    await eventually(() => got.length === 3, 5_000, 'three entries');
    expect(texts(got)).toEqual(['一', '二', '三']);
    expect(got.map((e) => e.seq)).toEqual([1, 2, 3]);

    await answers.append(orderId, 1, { reset: 'model_cut' });
    await answers.append(orderId, 1, { text: '四' });
    await eventually(() => got.length === 5, 5_000, 'five entries');
    expect(texts(got)).toEqual(['一', '二', '三', '<reset>', '四']);
  });

  it('delivers what was appended before the subscription was in place, without a notice', async () => {
    const hub = startHub();
    const orderId = await generatingOrder();
    await answers.append(orderId, 1, { text: 'before' });
    await answers.append(orderId, 1, { text: 'also before' });
    const { got } = collect(hub, orderId);
    await eventually(() => got.length === 2, 5_000, 'the entries appended before watch');
    expect(texts(got)).toEqual(['before', 'also before']);
  });

  it('starts after the given seq', async () => {
    const hub = startHub();
    const orderId = await generatingOrder();
    for (const text of ['a', 'b', 'c']) await answers.append(orderId, 1, { text });
    const { got } = collect(hub, orderId, 2);
    await eventually(() => got.length === 1, 5_000, 'the entry after seq 2');
    expect(got[0]).toMatchObject({ seq: 3, text: 'c' });
  });

  it('finds entries whose notice was lost on its periodic resync', async () => {
    const hub = startHub(50);
    const orderId = await generatingOrder();
    const { got } = collect(hub, orderId);
    await eventually(async () => (await subscribers(orderId)) === 1, 5_000, 'SSUBSCRIBE');
    // Appended without a notice (as if the notice was published while the subscriber reconnected).
    await redis.xadd(keys.orderStream(orderId), '0-1', 'k', 't', 'v', 'silent');
    await eventually(() => got.length === 1, 5_000, 'the resync to read the entry');
    expect(got[0]).toMatchObject({ seq: 1, text: 'silent' });
  });

  it('unsubscribes when the last listener leaves, and subscribes again when watched again', async () => {
    const hub = startHub();
    const orderId = await generatingOrder();
    const first = collect(hub, orderId);
    const second = collect(hub, orderId);
    expect(hub.watchedCount).toBe(1);
    expect(hub.listenerCount).toBe(2);
    await eventually(async () => (await subscribers(orderId)) === 1, 5_000, 'SSUBSCRIBE');

    first.unwatch();
    expect(hub.listenerCount).toBe(1);
    await answers.append(orderId, 1, { text: 'only the second' });
    await eventually(() => second.got.length === 1, 5_000, 'the second listener');
    expect(first.got).toEqual([]);

    second.unwatch();
    expect(hub.watchedCount).toBe(0);
    await eventually(async () => (await subscribers(orderId)) === 0, 5_000, 'SUNSUBSCRIBE');

    // Watched again right away: the new subscription follows the unsubscribe on the same connection.
    const third = collect(hub, orderId, 1);
    await eventually(async () => (await subscribers(orderId)) === 1, 5_000, 'SSUBSCRIBE again');
    await answers.append(orderId, 1, { text: 'again' });
    await eventually(() => third.got.length === 1, 5_000, 'the entry after re-watching');
    expect(third.got[0]).toMatchObject({ seq: 2, text: 'again' });
  });

  it('follows many streams at once, each on its own channel', async () => {
    const hub = startHub();
    const orderIds = await Promise.all(Array.from({ length: 20 }, () => generatingOrder()));
    const watchers = orderIds.map((orderId) => ({ orderId, ...collect(hub, orderId) }));
    await eventually(
      async () => (await Promise.all(orderIds.map(subscribers))).every((n) => n === 1),
      5_000,
      'every SSUBSCRIBE',
    );
    await Promise.all(
      orderIds.map(async (orderId, i) => {
        for (let n = 0; n < 5; n++) await answers.append(orderId, 1, { text: `${i}:${n}` });
      }),
    );
    await eventually(() => watchers.every((w) => w.got.length === 5), 5_000, 'five entries per stream');
    for (const [i, w] of watchers.entries()) {
      expect(texts(w.got)).toEqual([0, 1, 2, 3, 4].map((n) => `${i}:${n}`));
    }
  });
});
