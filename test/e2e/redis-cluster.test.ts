import type { ChildProcess } from 'node:child_process';
import WebSocket from 'ws';
import { WS_CLOSE_CODES, type OrderListResponse, type OrderView } from '@tokentill/shared-types';
import { expectedMockAnswer } from '../../server/src/mock-model';
import {
  Cluster,
  closeRedis,
  createRedis,
  createRedisKeys,
  type Redis,
  type RedisKeys,
} from '../../server/src/redis';
import { apiClient, createOrder, eventually, login, sandboxPay, waitForOrder } from '../support/api-client';
import { redisClusterUnsupported, startRedisCluster, type RedisCluster } from '../support/redis-cluster';
import { spawnWorker } from '../support/server-process';
import { startTestServer, type TestServer } from '../support/test-server';
import { assembled, openSocket, type TestSocket } from '../integration/delivery/ws-client';

/**
 * The order flow on a real Redis Cluster of three masters (started here on free loopback ports, deleted after):
 * the API server in-process with REDIS_URL=redis+cluster://…, and a separate worker process (`npm run worker`)
 * against the same cluster. Orders are spread over the cluster's slots, so every multi-key step must stay in one
 * order's slot and the socket's stream hub must follow streams that no single XREAD can read together.
 */
const unsupported = redisClusterUnsupported();
const suite = unsupported ? describe.skip : describe;

const basicSystem = { role: 'system' as const, content: '你是一个简洁、可靠的助手。' };
const answerTo = (prompt: string) =>
  expectedMockAnswer([basicSystem, { role: 'user', content: prompt }], 'mock-fast', 1024);

/** The answer polling shows: the text after the last reset. */
function polledAnswer(order: OrderView): string {
  let text = '';
  for (const chunk of order.chunks ?? []) text = chunk.reset ? '' : text + chunk.text;
  return text;
}

suite(
  unsupported
    ? `Redis Cluster e2e (SKIPPED: ${unsupported})`
    : 'the order flow on a real 3-master Redis Cluster',
  () => {
    let cluster: RedisCluster | undefined;
    let server: TestServer | undefined;
    let worker: ChildProcess | undefined;
    let admin: Redis | undefined;
    let keys: RedisKeys;
    const url = () => server!.url;
    const services = () => server!.services;

    beforeAll(async () => {
      cluster = await startRedisCluster(3);
      server = await startTestServer({
        REDIS_URL: cluster.url,
        // Several unpaid orders per user at once (each test watches a few before paying them).
        MAX_UNPAID_ORDERS: '10',
        ORDERS_PER_MINUTE: '60',
      });
      keys = createRedisKeys(server.prefix);
      admin = createRedis(cluster.url, { connectionName: 'tokentill-test' });
      // Its own reconciler waits an hour between passes: the tests run the passes (services.reconciler).
      worker = spawnWorker(server.url, {
        SANDBOX_KEYS_DIR: server.config.SANDBOX_KEYS_DIR,
        REDIS_URL: cluster.url,
        REDIS_PREFIX: server.prefix,
        RECONCILE_INTERVAL_MS: '3600000',
      });
    }, 90_000);

    afterAll(async () => {
      if (worker && worker.exitCode === null) {
        const exited = new Promise((r) => worker!.once('exit', r));
        worker.kill('SIGTERM');
        await exited;
      }
      await server?.close();
      if (admin) await closeRedis(admin);
      await cluster?.stop();
    }, 60_000);

    afterEach(async () => {
      await apiClient(url()).call('DELETE', '/sandbox/model/faults');
    });

    /** Subscribers of an order's shard channel, over every master (only the slot's owner has any). */
    async function shardSubscribers(orderId: string): Promise<number> {
      const masters = (admin as Cluster).nodes('master');
      const counts = await Promise.all(
        masters.map(async (node) => {
          const reply = (await node.call('PUBSUB', 'SHARDNUMSUB', keys.orderStream(orderId))) as [
            string,
            number,
          ];
          return Number(reply[1]);
        }),
      );
      return counts.reduce((a, b) => a + b, 0);
    }

    /** Subscribes the socket to each order and waits until this instance's stream hub follows them all. */
    async function watchOnSocket(socket: TestSocket, orderIds: string[]): Promise<void> {
      for (const orderId of orderIds) socket.send({ type: 'subscribe', orderId, after: 0 });
      await eventually(
        async () => (await Promise.all(orderIds.map(shardSubscribers))).every((n) => n === 1),
        10_000,
        'the stream hub to SSUBSCRIBE to every watched order',
      );
    }

    it('connects to the cluster (an ioredis Cluster over three masters)', async () => {
      expect(admin).toBeInstanceOf(Cluster);
      expect((admin as Cluster).nodes('master')).toHaveLength(3);
    });

    it('streams the answers of orders in different slots over one socket, and serves them by polling', async () => {
      const token = await login(url());
      const prompts = [
        '集群里的第一个问题',
        '集群里的第二个问题',
        '集群里的第三个问题',
        '集群里的第四个问题',
      ];
      const orderIds: string[] = [];
      for (const prompt of prompts) orderIds.push((await createOrder(url(), token, { prompt })).orderId);
      // One XREAD over these streams would be refused (CROSSSLOT): they hash to different slots.
      const slots = await Promise.all(
        orderIds.map(async (id) => Number(await admin!.cluster('KEYSLOT', keys.orderStream(id)))),
      );
      expect(new Set(slots).size).toBeGreaterThan(1);

      const socket = await openSocket(url(), token);
      await watchOnSocket(socket, orderIds);
      // Listening beside the hub: the scripts announce every entry of an order on its shard channel.
      const listener = createRedis(cluster!.url, {
        connectionName: 'tokentill-test-notices',
        overrides: { maxRetriesPerRequest: null, enableAutoPipelining: false },
        shardedSubscribers: true,
      });
      const notices: number[] = [];
      listener.on('smessage', (channel: string, seq: string) => {
        if (channel === keys.orderStream(orderIds[0]!)) notices.push(Number(seq));
      });
      await listener.ssubscribe(keys.orderStream(orderIds[0]!));
      for (const orderId of orderIds) expect((await sandboxPay(url(), orderId)).status).toBeLessThan(300);

      for (const [i, orderId] of orderIds.entries()) {
        await socket.waitFor((m) => m.type === 'done' && m.orderId === orderId, 30_000);
        expect(assembled(socket.messages, orderId)).toBe(answerTo(prompts[i]!));
        const states = socket.messages
          .filter((m) => m.type === 'state' && m.orderId === orderId)
          .map((m) => (m.type === 'state' ? m.state : undefined));
        expect(states).toEqual(['PAID', 'GENERATING', 'COMPLETED']);
        // Every chunk once, in order.
        const seqs = socket.messages
          .filter((m) => m.type === 'chunk' && m.orderId === orderId)
          .map((m) => (m.type === 'chunk' ? m.seq : 0));
        expect(seqs).toEqual([...new Set(seqs)].sort((a, b) => a - b));

        const polled = await waitForOrder(url(), token, orderId, (o) => o.state === 'COMPLETED');
        expect(polledAnswer(polled)).toBe(answerTo(prompts[i]!));
      }
      // The listing reads the user's index (its own slot) and then each order (theirs).
      const listed = await apiClient(url(), token).get<OrderListResponse>('/api/orders');
      expect(listed.status).toBe(200);
      expect(listed.body.orders.map((o) => o.orderId).sort()).toEqual([...orderIds].sort());
      await socket.close();

      const entries = await admin!.xlen(keys.orderStream(orderIds[0]!));
      await eventually(() => notices.length === entries, 5_000, 'a notice per entry');
      expect(notices).toEqual(Array.from({ length: entries }, (_, i) => i + 1));
      await closeRedis(listener);
    }, 90_000);

    it('refunds an order whose models all fail, and the socket sees it through', async () => {
      await apiClient(url()).post('/sandbox/model/faults', { kind: 'http_500', model: 'mock-fast' });
      await apiClient(url()).post('/sandbox/model/faults', { kind: 'http_500', model: 'mock-backup' });
      const token = await login(url());
      const { orderId } = await createOrder(url(), token, { prompt: '这个问题所有模型都会失败' });
      const socket = await openSocket(url(), token);
      await watchOnSocket(socket, [orderId]);
      await sandboxPay(url(), orderId);

      await socket.waitFor(
        (m) => m.type === 'state' && m.orderId === orderId && m.state === 'REFUNDING',
        30_000,
      );
      // A reconciler pass submits the refund; WeChat Pay's REFUND.SUCCESS notification completes it.
      await eventually(
        async () => (await admin!.zscore(keys.refundChecks(), orderId)) !== null,
        5_000,
        'the refund to be scheduled',
      );
      expect(await services().reconciler.runOnce()).toBeGreaterThanOrEqual(1);
      await socket.waitFor(
        (m) => m.type === 'state' && m.orderId === orderId && m.state === 'REFUNDED',
        30_000,
      );
      const states = socket.messages
        .filter((m) => m.type === 'state' && m.orderId === orderId)
        .map((m) => (m.type === 'state' ? m.state : undefined));
      expect(states).toEqual(['PAID', 'GENERATING', 'FAILED', 'REFUNDING', 'REFUNDED']);
      const order = await waitForOrder(url(), token, orderId, (o) => o.state === 'REFUNDED');
      expect(order.refundedAt).toEqual(expect.any(String));
      const refund = await services().wxpay.queryRefund(`${orderId}-R1`);
      expect(refund.status).toBe('SUCCESS');
      expect((await services().orderStore.get(orderId))?.refundReason).toBe('generation_failed');
      await socket.close();
    }, 60_000);

    it('runs reconciler passes and the recovery sweep against the cluster', async () => {
      const token = await login(url());

      // A payment whose notification was lost: the reconciler's payment check finds it paid at WeChat Pay.
      const lost = (await createOrder(url(), token, { prompt: '回调丢了的订单' })).orderId;
      await apiClient(url()).post('/sandbox/faults', { out_trade_no: lost, drop: true });
      await sandboxPay(url(), lost);
      expect((await services().orderStore.get(lost))?.state).toBe('CREATED');
      await admin!.zadd(keys.paymentChecks(), Date.now(), lost);

      // A paid order whose job was never queued (a crash right after the payment): the sweep queues it.
      const stalled = (await createOrder(url(), token, { prompt: '任务丢了的订单' })).orderId;
      expect((await services().orderStore.transition(stalled, 'pay')).ok).toBe(true);
      expect(await services().queue.jobState(stalled)).toBe('unknown');
      expect(await admin!.zscore(keys.liveOrders(), stalled)).not.toBeNull();
      await admin!.zadd(keys.liveOrders(), 0, stalled);

      // An unpaid order past its payment window: closed at WeChat Pay and here, its unpaid slot freed.
      const expired = (await createOrder(url(), token, { prompt: '过期未付的订单' })).orderId;
      await admin!.hset(keys.order(expired), 'payBy', Date.now() - 1);
      await admin!.zadd(keys.paymentChecks(), Date.now(), expired);

      expect(await services().reconciler.runOnce()).toBeGreaterThanOrEqual(3);
      expect((await services().orderStore.get(lost))?.paidVia).toBe('query');
      expect(await services().queue.jobState(stalled)).not.toBe('unknown');
      await waitForOrder(url(), token, expired, (o) => o.state === 'CLOSED');
      const userKey = (await services().orderStore.get(expired))!.userKey;
      expect(await admin!.zscore(keys.userOpenOrders(userKey), expired)).toBeNull();

      // The worker process answers both paid orders.
      for (const [orderId, prompt] of [
        [lost, '回调丢了的订单'],
        [stalled, '任务丢了的订单'],
      ] as const) {
        const done = await waitForOrder(url(), token, orderId, (o) => o.state === 'COMPLETED', 30_000);
        expect(polledAnswer(done)).toBe(answerTo(prompt));
      }
      // A final order found in the live index leaves it (a compare-and-set on the index's score).
      await admin!.zadd(keys.liveOrders(), 0, lost);
      await services().reconciler.runOnce();
      expect(await admin!.zscore(keys.liveOrders(), lost)).toBeNull();
    }, 90_000);

    it('closes the socket of a session logged out (DEL and PUBLISH in one MULTI on the cluster)', async () => {
      const token = await login(url());
      const socket = await openSocket(url(), token);
      const closed = new Promise<number>((resolve) => socket.ws.once('close', (code) => resolve(code)));
      expect((await apiClient(url(), token).call('DELETE', '/api/session')).status).toBe(204);
      expect(await closed).toBe(WS_CLOSE_CODES.SESSION_ENDED);
      expect(socket.ws.readyState).toBe(WebSocket.CLOSED);
    }, 30_000);
  },
);
