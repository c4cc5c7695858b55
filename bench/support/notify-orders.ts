/**
 * Orders for bench/notify-ack.ts: created CREATED directly in the order store (no HTTP), and afterwards the check
 * that each was paid exactly once, through a callback, with exactly one queued job.
 */
import { newOrderId } from '../../server/src/orders/order-id';
import type { BenchServer } from './bench-server';
import type { Checks } from './checks';
import type { PaidOrder } from './wxpay-notify';

const USER_KEY = 'bench-notify-user';

export async function createOrders(
  server: BenchServer,
  count: number,
  priceFen: number,
): Promise<PaidOrder[]> {
  const orders: PaidOrder[] = [];
  const tier = server.config.catalog.tiers.get('basic');
  for (let i = 0; i < count; i += 500) {
    const now = Date.now();
    const batch = Array.from({ length: Math.min(500, count - i) }, () => ({ id: newOrderId(now), priceFen }));
    await Promise.all(
      batch.map((o) =>
        server.services.orderStore.create({
          id: o.id,
          state: 'CREATED',
          userKey: USER_KEY,
          tier: 'basic',
          tierTitle: tier?.title ?? 'basic',
          priceFen,
          prompt: '用一句话解释什么是量子纠缠',
          createdAt: now,
          payBy: now + 900_000,
        }),
      ),
    );
    orders.push(...batch);
  }
  return orders;
}

/**
 * Every order in `paidOrders` PAID via notify with its transaction id and exactly one waiting job, and the
 * tampered one untouched. Returns the number of jobs queued.
 */
export async function checkPaidOnce(
  server: BenchServer,
  paidOrders: readonly PaidOrder[],
  transactionOf: ReadonlyMap<string, string>,
  forgedOrder: PaidOrder,
  checks: Checks,
): Promise<number> {
  let wrongState = 0;
  let missingJobs = 0;
  const sample: string[] = [];
  for (let i = 0; i < paidOrders.length; i += 500) {
    const batch = paidOrders.slice(i, i + 500);
    const [records, jobs] = await Promise.all([
      Promise.all(batch.map((o) => server.services.orderStore.get(o.id))),
      Promise.all(batch.map((o) => server.services.queue.queue.getJob(o.id))),
    ]);
    batch.forEach((o, j) => {
      const r = records[j];
      const ok = r?.state === 'PAID' && r.paidVia === 'notify' && r.transactionId === transactionOf.get(o.id);
      if (!ok) {
        wrongState++;
        if (sample.length < 3) sample.push(`${o.id}: ${r?.state}/${r?.paidVia}`);
      }
      if (jobs[j]?.data.orderId !== o.id) missingJobs++;
    });
  }
  checks.check(
    wrongState === 0,
    `${wrongState} orders not PAID via notify with their transaction id (${sample.join(', ')})`,
  );
  checks.check(missingJobs === 0, `${missingJobs} paid orders have no queued job`);
  const counts = await server.services.queue.queue.getJobCounts(
    'waiting',
    'active',
    'delayed',
    'prioritized',
    'completed',
    'failed',
  );
  const totalJobs = Object.values(counts).reduce((a, b) => a + b, 0);
  checks.check(
    totalJobs === paidOrders.length && counts['waiting'] === paidOrders.length,
    `expected exactly ${paidOrders.length} waiting jobs (one per paid order), got ${JSON.stringify(counts)}`,
  );
  const forgedRecord = await server.services.orderStore.get(forgedOrder.id);
  checks.check(
    forgedRecord?.state === 'CREATED',
    `tampered callback changed its order to ${forgedRecord?.state}`,
  );
  checks.check(
    (await server.services.queue.queue.getJob(forgedOrder.id)) === undefined,
    'tampered callback queued a job',
  );
  return totalJobs;
}
