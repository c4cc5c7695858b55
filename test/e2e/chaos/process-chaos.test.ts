import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type WebSocket from 'ws';
import { WsServerMessageSchema, type OrderView, type WsServerMessage } from '@tokentill/shared-types';
import { apiClient, createOrder, login, sandboxPay } from '../../support/api-client';
import { startPrivateRedis, type PrivateRedis } from '../../support/private-redis';
import { spawnServer, spawnWorker, type ServerProcess } from '../../support/server-process';
import { connectSocket } from '../../integration/delivery/ws-client';
import { closeRedis, createRedis, createRedisKeys, type Redis } from '../../../server/src/redis';
import { createAnswerStreamStore, type AnswerEntry } from '../../../server/src/delivery';
import { chaosScale } from './chaos-scale';

/**
 * Process chaos, with every part a real process: a hub API (it hosts the WeChat Pay emulator and the mock model),
 * two edge APIs that clients stream from, two workers, and a Redis of the test's own with an fsynced append-only
 * file. While paid orders are being answered the test SIGKILLs workers (and starts new ones), SIGKILLs the edge
 * the clients stream from (they reconnect to the other edge and resume by seq), and SIGKILLs Redis and starts it
 * again. Then: every paid order ended COMPLETED or REFUNDED, none was both or twice, every client saw each chunk
 * exactly once, and no unpaid order was ever run.
 */
const PAID = chaosScale({ ci: 10, full: 60 });
const UNPAID = chaosScale({ ci: 2, full: 10 });
const WORKER_KILLS = chaosScale({ ci: 3, full: 12 });
// A socket may follow at most 10 orders at once (the gateway's limit): a client per 8 orders.
const USERS = Math.ceil(PAID / 8);

let redis: PrivateRedis;
let hub: ServerProcess;
const edges: (ServerProcess | undefined)[] = [];
const workers = new Set<ChildProcess>();
let shared: NodeJS.ProcessEnv;

beforeAll(async () => {
  redis = await startPrivateRedis();
  shared = {
    REDIS_URL: redis.url,
    REDIS_PREFIX: 'chaos:',
    SANDBOX: '1',
    SANDBOX_KEYS_DIR: mkdtempSync(join(tmpdir(), 'tt-chaos-keys-')),
    SANDBOX_NOTIFY_SCALE: '0.001',
    SANDBOX_MODEL_TTFT_MS: '50',
    SANDBOX_MODEL_TOKENS_PER_SECOND: '60',
    IN_PROCESS_WORKER: '0',
    WORKER_LOCK_MS: '1500',
    RECOVERY_AFTER_MS: '2000',
    RECONCILE_INTERVAL_MS: '200',
    ORDERS_PER_MINUTE: '1000',
    MAX_UNPAID_ORDERS: '1000',
    LOG_LEVEL: 'info',
  };
  [hub, edges[0], edges[1]] = await Promise.all([
    spawnServer(shared),
    spawnServer(shared),
    spawnServer(shared),
  ]);
  for (let i = 0; i < 2; i++) startWorker();
}, 60_000);

afterAll(async () => {
  const processes = [hub?.child, ...edges.map((e) => e?.child), ...workers];
  for (const proc of processes) proc?.kill('SIGKILL');
  await redis?.stop();
});

function startWorker(): void {
  const worker = spawnWorker(hub.url, { ...shared, LOG_LEVEL: 'error' });
  workers.add(worker);
  worker.once('exit', () => workers.delete(worker));
}

async function killOneWorker(): Promise<void> {
  const [victim] = workers;
  if (!victim) return;
  const exited = new Promise((r) => victim.once('exit', r));
  victim.kill('SIGKILL');
  await exited;
  startWorker();
}

/**
 * A client as the Mini Program behaves: one socket, subscribed to its orders with the last seq it has; when the
 * socket drops it reconnects (to whichever edge is up) and resubscribes after what it already has.
 */
function resilientClient(token: string, orderIds: string[]) {
  const received = new Map<string, { seq: number; kind: 'chunk' | 'reset'; text: string }[]>();
  const errors: WsServerMessage[] = [];
  for (const id of orderIds) received.set(id, []);
  const lastSeq = (id: string) => received.get(id)!.at(-1)?.seq ?? 0;
  let closed = false;
  let edgeIndex = 0;
  let socket: WebSocket | undefined;

  const connect = () => {
    if (closed) return;
    const edge = edges[edgeIndex % edges.length];
    edgeIndex++;
    if (!edge || edge.child.exitCode !== null || edge.child.signalCode !== null)
      return void setTimeout(connect, 50);
    const ws = connectSocket(edge.url, token);
    socket = ws;
    ws.on('open', () => {
      for (const id of orderIds)
        ws.send(JSON.stringify({ type: 'subscribe', orderId: id, after: lastSeq(id) }));
    });
    ws.on('message', (data) => {
      const message: WsServerMessage = WsServerMessageSchema.parse(JSON.parse(data.toString()));
      if (message.type === 'chunk') {
        received.get(message.orderId)?.push({ seq: message.seq, kind: 'chunk', text: message.text });
      } else if (message.type === 'reset') {
        received.get(message.orderId)?.push({ seq: message.seq, kind: 'reset', text: '' });
      } else if (message.type === 'error') {
        errors.push(message);
      }
    });
    ws.on('error', () => undefined);
    ws.on('close', () => setTimeout(connect, 100));
  };
  connect();
  return {
    received,
    errors,
    close() {
      closed = true;
      socket?.terminate();
    },
  };
}

/** Polls an order's state through the hub, riding out the moments when Redis is down. */
async function stateOf(token: string, orderId: string): Promise<string | undefined> {
  try {
    const res = await apiClient(hub.url, token).get<OrderView>(`/api/orders/${orderId}`);
    return res.status === 200 ? res.body.state : undefined;
  } catch {
    return undefined;
  }
}

it('ends every paid order answered or refunded, exactly once, through worker, edge and Redis crashes', async () => {
  const tokens = await Promise.all(Array.from({ length: USERS }, () => login(hub.url)));
  const paid: { token: string; orderId: string }[] = [];
  const unpaid: { token: string; orderId: string }[] = [];
  for (let i = 0; i < PAID + UNPAID; i++) {
    const token = tokens[i % USERS]!;
    const { orderId } = await createOrder(hub.url, token, { prompt: `混沌测试第 ${i} 题：请详细说明` });
    (i < PAID ? paid : unpaid).push({ token, orderId });
  }
  const clients = tokens.map((token) =>
    resilientClient(
      token,
      paid.filter((o) => o.token === token).map((o) => o.orderId),
    ),
  );
  await Promise.all(paid.map(({ orderId }) => sandboxPay(hub.url, orderId)));

  // The chaos: workers die mid-answer, the edge the clients stream from dies, Redis dies and comes back.
  const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
  await pause(700);
  for (let kill = 0; kill < WORKER_KILLS; kill++) {
    await killOneWorker();
    if (kill === 0) {
      edges[0]!.child.kill('SIGKILL');
      edges[0] = undefined;
    }
    if (kill === 1) {
      await redis.kill();
      await pause(300);
      await redis.start();
    }
    await pause(600);
  }

  // Every paid order reaches an end.
  const deadline = Date.now() + 90_000;
  const finalStates = new Map<string, string | undefined>();
  for (const { token, orderId } of paid) {
    let state: string | undefined;
    while (Date.now() < deadline) {
      state = await stateOf(token, orderId);
      if (state === 'COMPLETED' || state === 'REFUNDED') break;
      await pause(200);
    }
    finalStates.set(orderId, state);
  }
  expect([...finalStates.values()].filter((s) => s !== 'COMPLETED' && s !== 'REFUNDED')).toEqual([]);
  await pause(500); // the clients' last frames
  for (const client of clients) client.close();
  expect(clients.flatMap((c) => c.errors)).toEqual([]);

  const direct: Redis = createRedis(redis.url);
  try {
    const answers = createAnswerStreamStore(direct, createRedisKeys('chaos:'));
    const sandbox = (await apiClient(hub.url).get('/sandbox/state')).body as {
      refunds: { outTradeNo: string }[];
    };
    for (const { orderId } of paid) {
      const entries = await answers.read(orderId, 0);
      const states = entries.flatMap((e) => (e.kind === 'state' ? [e.state] : []));
      const completed = states.filter((s) => s === 'COMPLETED').length;
      const refunds = sandbox.refunds.filter((r) => r.outTradeNo === orderId).length;
      // Exactly one answer or exactly one refund: never both, never two, never neither.
      expect({ orderId, outcome: completed + refunds }).toEqual({ orderId, outcome: 1 });

      // The client saw every text and reset entry of the stream exactly once, in order.
      const client = clients.find((c) => c.received.has(orderId))!;
      const seen = client.received.get(orderId)!;
      const stream = entries.filter((e): e is Exclude<AnswerEntry, { kind: 'state' }> => e.kind !== 'state');
      expect(seen.map((m) => m.seq)).toEqual(stream.map((e) => e.seq));
      if (completed === 1) expect(assemble(seen)).toBe(assembleEntries(stream));
    }
    // What the chaos did, for docs/reliability.md.
    const resets = (
      await Promise.all(
        paid.map(
          async ({ orderId }) => (await answers.read(orderId, 0)).filter((e) => e.kind === 'reset').length,
        ),
      )
    ).reduce((a, b) => a + b, 0);
    console.log(
      `process chaos: ${PAID} paid + ${UNPAID} unpaid orders, ${WORKER_KILLS} worker kills, 1 edge kill, 1 Redis kill; ` +
        `${[...finalStates.values()].filter((s) => s === 'COMPLETED').length} completed, ` +
        `${[...finalStates.values()].filter((s) => s === 'REFUNDED').length} refunded, ${resets} visible restarts`,
    );
    // No unpaid order was ever run.
    for (const { orderId } of unpaid) {
      const states = (await answers.read(orderId, 0)).flatMap((e) => (e.kind === 'state' ? [e.state] : []));
      expect(states.filter((s) => s !== 'CLOSED')).toEqual([]);
    }
  } finally {
    await closeRedis(direct);
  }
}, 240_000);

function assemble(seen: { kind: 'chunk' | 'reset'; text: string }[]): string {
  let text = '';
  for (const m of seen) text = m.kind === 'reset' ? '' : text + m.text;
  return text;
}

function assembleEntries(entries: Exclude<AnswerEntry, { kind: 'state' }>[]): string {
  let text = '';
  for (const e of entries) text = e.kind === 'reset' ? '' : text + e.text;
  return text;
}
