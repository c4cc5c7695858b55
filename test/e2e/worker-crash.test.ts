import type { ChildProcess } from 'node:child_process';
import type { OrderView } from '@tokentill/shared-types';
import { apiClient, createOrder, eventually, login, sandboxPay, waitForOrder } from '../support/api-client';
import { deletePrefix } from '../support/test-redis';
import { spawnWorker } from '../support/server-process';
import { startTestServer, type TestServer } from '../support/test-server';
import { closeRedis, createRedis, type Redis } from '../../server/src/redis';
import { expectedMockAnswer } from '../../server/src/mock-model';

/**
 * A worker process is killed (SIGKILL) in the middle of an answer. Another worker must pick the order up, say
 * visibly that the answer restarts, and complete it exactly once; and an order whose workers keep dying is
 * refunded once its attempt budget is spent, never left GENERATING.
 */
let server: TestServer;
let redis: Redis;
let child: ChildProcess | undefined;

beforeAll(async () => {
  // A slow model, so the kill lands mid-answer.
  server = await startTestServer({ SANDBOX_MODEL_TOKENS_PER_SECOND: '40', SANDBOX_MODEL_TTFT_MS: '50' });
  redis = createRedis(process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379');
});
afterAll(async () => {
  child?.kill('SIGKILL');
  await server.close();
  await deletePrefix(redis, server.prefix);
  await closeRedis(redis);
});

function startWorkerProcess(): ChildProcess {
  return spawnWorker(server.url, {
    SANDBOX_KEYS_DIR: server.config.SANDBOX_KEYS_DIR,
    REDIS_URL: server.config.REDIS_URL,
    REDIS_PREFIX: server.prefix,
    WORKER_LOCK_MS: '1000',
  });
}

/** Kills `worker` (SIGKILL) once its generation attempt has streamed text into the order. */
async function killWhenStreaming(worker: ChildProcess, orderKey: string, attempt: number): Promise<void> {
  await eventually(
    async () => {
      const [current, hasText] = await redis.hmget(orderKey, 'attempt', 'hasText');
      return current === String(attempt) && hasText === '1';
    },
    30_000,
    `attempt ${attempt} to stream text`,
  );
  worker.kill('SIGKILL');
  await new Promise((resolve) => worker.once('exit', resolve));
}

it('completes an order exactly once after its worker is killed mid-answer', async () => {
  child = startWorkerProcess();
  const token = await login(server.url);
  const prompt = '详细介绍一下太阳系的八大行星';
  const { orderId } = await createOrder(server.url, token, { prompt });
  await sandboxPay(server.url, orderId);

  // Wait until the first worker has published part of the answer, then kill it without warning.
  await eventually(
    async () =>
      ((await apiClient(server.url, token).get<OrderView>(`/api/orders/${orderId}`)).body.chunks ?? [])
        .length >= 2,
    20_000,
    'the first worker to stream text',
  );
  child.kill('SIGKILL');
  await new Promise((resolve) => child!.once('exit', resolve));
  const partial = (await server.services.answers.read(orderId, 0)).filter((e) => e.kind === 'text');
  expect(partial.length).toBeGreaterThan(0);

  // A second worker takes over once the dead one's lock expires.
  await server.services.startBackgroundWork({ lockDurationMs: 1_000 });
  const order = await waitForOrder(server.url, token, orderId, (o) => o.state === 'COMPLETED', 30_000);

  const entries = await server.services.answers.read(orderId, 0);
  const completions = entries.filter((e) => e.kind === 'state' && e.state === 'COMPLETED');
  expect(completions).toHaveLength(1);
  const resets = entries.filter((e) => e.kind === 'reset');
  expect(resets).toEqual([expect.objectContaining({ reason: 'worker_restart' })]);
  // The answer a client assembles is the second attempt's, whole, with nothing of the first glued on.
  let text = '';
  for (const chunk of order.chunks ?? []) text = chunk.reset ? '' : text + chunk.text;
  expect(text).toBe(
    expectedMockAnswer(
      [
        { role: 'system', content: '你是一个简洁、可靠的助手。' },
        { role: 'user', content: prompt },
      ],
      'mock-fast',
      1024,
    ),
  );
  expect((await server.services.orderStore.get(orderId))?.at.COMPLETED).toEqual(expect.any(Number));
}, 60_000);

it('refunds an order whose worker is killed mid-answer on every attempt, once the budget is spent', async () => {
  // A server of its own: the first test left an in-process worker running on the shared one.
  const own = await startTestServer({ SANDBOX_MODEL_TOKENS_PER_SECOND: '40', SANDBOX_MODEL_TTFT_MS: '50' });
  const spawnFor = () =>
    spawnWorker(own.url, {
      SANDBOX_KEYS_DIR: own.config.SANDBOX_KEYS_DIR,
      REDIS_URL: own.config.REDIS_URL,
      REDIS_PREFIX: own.prefix,
      WORKER_LOCK_MS: '1000',
      GENERATION_ATTEMPTS: '3',
    });
  try {
    const token = await login(own.url);
    const { orderId } = await createOrder(own.url, token, { prompt: '请详细讲讲中国古代四大发明的历史' });
    await sandboxPay(own.url, orderId);
    for (let attempt = 1; attempt <= 3; attempt++) {
      child = spawnFor();
      await killWhenStreaming(child, `${own.prefix}order:{o:${orderId}}`, attempt);
    }
    // A healthy worker finds the order's three attempts spent: it fails the order, and the refund follows.
    await own.services.startBackgroundWork({ lockDurationMs: 1_000 });
    const order = await waitForOrder(own.url, token, orderId, (o) => o.state === 'REFUNDED', 40_000);
    expect(order.refundedAt).toEqual(expect.any(String));
    const entries = await own.services.answers.read(orderId, 0);
    expect(entries.filter((e) => e.kind === 'state' && e.state === 'COMPLETED')).toHaveLength(0);
    expect((await own.services.wxpay.queryRefund(`${orderId}-R1`)).status).toBe('SUCCESS');
  } finally {
    await own.close();
    await deletePrefix(redis, own.prefix);
  }
}, 120_000);
