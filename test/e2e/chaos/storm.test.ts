import type { OrderView } from '@tokentill/shared-types';
import { apiClient, createOrder, login, sandboxPay } from '../../support/api-client';
import { useTestServer } from '../../support/test-server';
import { chaosScale } from './chaos-scale';

/**
 * A storm of paid orders, each paid with five concurrent copies of its notification (WeChat Pay sends genuine
 * duplicates; copies race each other through the verify → CAS → enqueue path): exactly one job and exactly one
 * answer per order. `CHAOS=full` runs 1,000 orders; CI runs a shorter storm with the same shape.
 */
const ORDERS = chaosScale({ ci: 200, full: 1_000 });
const USERS = 20;
const DUPLICATES = 5;

const fixture = useTestServer(
  {
    ORDERS_PER_MINUTE: String(ORDERS),
    MAX_UNPAID_ORDERS: String(ORDERS),
    WORKER_CONCURRENCY: '64',
    RECONCILE_INTERVAL_MS: '200',
  },
  { background: true },
);

/** Runs `task` over `items`, `width` at a time. */
async function inBatches<T, R>(items: T[], width: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += width)
    out.push(...(await Promise.all(items.slice(i, i + width).map(task))));
  return out;
}

it(`answers ${ORDERS} orders paid with ${DUPLICATES} concurrent duplicate notifications each, exactly once`, async () => {
  const { server } = fixture;
  const control = apiClient(server.url);
  expect((await control.post('/sandbox/faults', { duplicates: DUPLICATES })).status).toBeLessThan(300);

  const tokens = await Promise.all(Array.from({ length: USERS }, () => login(server.url)));
  const orders = await inBatches(
    Array.from({ length: ORDERS }, (_, i) => i),
    50,
    async (i) => {
      const token = tokens[i % USERS]!;
      const { orderId } = await createOrder(server.url, token, { prompt: `风暴测试第 ${i} 题` });
      return { token, orderId };
    },
  );
  // Paid in a shuffled order, many at once: the copies of different orders interleave too.
  const shuffled = [...orders].sort(() => Math.random() - 0.5);
  await inBatches(shuffled, 50, ({ orderId }) => sandboxPay(server.url, orderId));

  // Polled twice a second: a tighter loop over every order would itself load the server it measures.
  const deadline = Date.now() + ORDERS * 200;
  let histogram: Record<string, number> = {};
  while (Date.now() < deadline) {
    const states = await Promise.all(orders.map(({ orderId }) => server.services.orderStore.get(orderId)));
    histogram = {};
    for (const o of states) histogram[o?.state ?? 'missing'] = (histogram[o?.state ?? 'missing'] ?? 0) + 1;
    if (histogram['COMPLETED'] === ORDERS) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  expect(histogram).toEqual({ COMPLETED: ORDERS });

  // Every notification went out as DUPLICATES copies and was acknowledged. A copy that timed out on a loaded
  // machine is retried by WeChat's schedule, which is fine; a refusal (4xx) of a genuine copy never is.
  const deliveries = server.sandbox!.deliveries().filter((d) => d.eventType === 'TRANSACTION.SUCCESS');
  expect(deliveries).toHaveLength(ORDERS);
  expect(deliveries.every((d) => d.state === 'delivered')).toBe(true);
  expect(deliveries.every((d) => d.attempts.filter((a) => a.attempt === 1).length === DUPLICATES)).toBe(true);
  const refused = deliveries
    .flatMap((d) => d.attempts)
    .filter((a) => a.status !== undefined && a.status < 500 && a.status !== 204);
  expect(refused).toEqual([]);

  // Exactly one job per order, and one answer per order.
  const jobs = await server.services.queue.queue.getJobs([
    'completed',
    'failed',
    'active',
    'waiting',
    'delayed',
  ]);
  const ids = jobs.map((j) => j.id);
  expect(new Set(ids).size).toBe(ids.length);
  expect(ids.sort()).toEqual(orders.map((o) => o.orderId).sort());
  for (const { orderId } of orders) {
    const entries = await server.services.answers.read(orderId, 0);
    const states = entries.flatMap((e) => (e.kind === 'state' ? [e.state] : []));
    expect(states).toEqual(['PAID', 'GENERATING', 'COMPLETED']);
  }
  // And the owner sees it whole.
  const sample = orders[0]!;
  const view = await apiClient(server.url, sample.token).get<OrderView>(`/api/orders/${sample.orderId}`);
  expect(view.body.state).toBe('COMPLETED');
}, 300_000);
