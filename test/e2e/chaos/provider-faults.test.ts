import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OrderView } from '@tokentill/shared-types';
import { apiClient, createOrder, login, sandboxPay, waitForOrder } from '../../support/api-client';
import { deletePrefix } from '../../support/test-redis';
import { startTestServer, type TestServer } from '../../support/test-server';
import { closeRedis, createRedis } from '../../../server/src/redis';
import { chaosScale } from './chaos-scale';

/**
 * Provider faults through the whole paid flow: the tier's primary model fails in each way real providers fail,
 * and every paid order still ends with one answer (from the fallback) — or, with every provider down, with one
 * refund the user is told about. Each model sits behind its own provider here, so one provider's open circuit
 * does not cut the others.
 */
const ORDERS_PER_FAULT = chaosScale({ ci: 3, full: 25 });

function catalogWithOwnProviders(): string {
  const shipped = JSON.parse(
    readFileSync(join(__dirname, '../../../config/tokentill.sandbox.json'), 'utf8'),
  ) as {
    providers: Record<string, unknown>[];
    models: { id: string; provider: string }[];
  };
  const base = shipped.providers[0]!;
  shipped.providers = shipped.models.map((m) => ({
    ...base,
    id: `sandbox-${m.id}`,
    // The faulty primary gives up fast, so a hanging provider costs the test little; the fallback keeps the
    // shipped, generous timeout, so a loaded test machine is not mistaken for a provider outage.
    ...(m.id === 'mock-fast' ? { firstTokenTimeoutMs: 600 } : {}),
    timeoutMs: 10_000,
  }));
  for (const m of shipped.models) m.provider = `sandbox-${m.id}`;
  const path = join(mkdtempSync(join(tmpdir(), 'tt-catalog-')), 'catalog.json');
  writeFileSync(path, JSON.stringify(shipped));
  return path;
}

const catalogPath = catalogWithOwnProviders();
let server: TestServer;

// A server per test: each starts with closed circuits and no faults.
beforeEach(async () => {
  server = await startTestServer({
    TOKENTILL_CONFIG: catalogPath,
    ORDERS_PER_MINUTE: '1000',
    MAX_UNPAID_ORDERS: '1000',
    RECONCILE_INTERVAL_MS: '100',
  });
  await server.services.startBackgroundWork();
});
afterEach(async () => {
  await server.close();
  const redis = createRedis(server.config.REDIS_URL);
  await deletePrefix(redis, server.prefix);
  await closeRedis(redis);
});

const control = () => apiClient(server.url);

async function payOrders(count: number, until: (o: OrderView) => boolean): Promise<OrderView[]> {
  const token = await login(server.url);
  const ids = [];
  for (let i = 0; i < count; i++)
    ids.push((await createOrder(server.url, token, { prompt: `故障测试 ${i}` })).orderId);
  await Promise.all(ids.map((id) => sandboxPay(server.url, id)));
  return Promise.all(ids.map((id) => waitForOrder(server.url, token, id, until, 30_000)));
}

const final = (o: OrderView) => ['COMPLETED', 'REFUNDED', 'REFUND_FAILED'].includes(o.state);

describe('provider faults on the primary model', () => {
  it.each([
    ['answers 500', { kind: 'http_500' }],
    ['answers 429', { kind: 'http_429', retryAfterSeconds: 1 }],
    ['hangs without a status line', { kind: 'hang' }],
    ['hangs after the stream headers', { kind: 'hang_after_headers' }],
    ['cuts the stream before the first token', { kind: 'cut_before_first_token' }],
    ['cuts the stream mid-answer', { kind: 'cut_mid_stream', afterTokens: 20 }],
    ['streams slowly', { kind: 'slow', ttftMs: 100, tokensPerSecond: 400 }],
  ])(
    'every paid order is answered once when the primary %s',
    async (_name, fault) => {
      expect(
        (await control().post('/sandbox/model/faults', { ...fault, model: 'mock-fast' })).status,
      ).toBeLessThan(300);
      const orders = await payOrders(ORDERS_PER_FAULT, final);
      expect(orders.map((o) => o.state)).toEqual(Array(ORDERS_PER_FAULT).fill('COMPLETED'));
      for (const order of orders) {
        const record = await server.services.orderStore.get(order.orderId);
        // A slow primary may still answer, or be given up on at its first-token timeout on a loaded machine.
        if (fault.kind !== 'slow') expect(record?.model).toBe('mock-backup');
        const states = (await server.services.answers.read(order.orderId, 0)).flatMap((e) =>
          e.kind === 'state' ? [e.state] : [],
        );
        expect(states.filter((s) => s === 'COMPLETED')).toHaveLength(1);
      }
    },
    120_000,
  );
});

it('refunds every paid order, and says so, when every provider is down', async () => {
  for (const model of ['mock-fast', 'mock-backup']) {
    await control().post('/sandbox/model/faults', { kind: 'http_500', model });
  }
  const orders = await payOrders(ORDERS_PER_FAULT, final);
  expect(orders.map((o) => o.state)).toEqual(Array(ORDERS_PER_FAULT).fill('REFUNDED'));
  for (const order of orders) {
    // The user's view says what happened to the money.
    expect(order.refundedAt).toEqual(expect.any(String));
    const refund = await server.services.wxpay.queryRefund(`${order.orderId}-R1`);
    expect(refund.status).toBe('SUCCESS');
  }
}, 120_000);

it('keeps acknowledging payments promptly and skips the dead provider while its circuit is open', async () => {
  await control().post('/sandbox/model/faults', { kind: 'hang', model: 'mock-fast' });
  // Enough failures to open mock-fast's circuit.
  await payOrders(6, final);
  const before = (
    (await control().get('/sandbox/model/stats')).body as { models: Record<string, { requests: number }> }
  ).models['mock-fast']?.requests;
  const orders = await payOrders(ORDERS_PER_FAULT, final);
  expect(orders.every((o) => o.state === 'COMPLETED')).toBe(true);
  const after = (
    (await control().get('/sandbox/model/stats')).body as { models: Record<string, { requests: number }> }
  ).models['mock-fast']?.requests;
  // Open: the dead provider is not even asked, so no order waits out its first-token timeout.
  expect(after).toBe(before);
  // Callbacks were acknowledged well inside WeChat's 5 s throughout.
  const latencies = server.sandbox!.deliveries().flatMap((d) => d.attempts.map((a) => a.latencyMs ?? 0));
  expect(Math.max(...latencies)).toBeLessThan(1_000);
}, 120_000);
