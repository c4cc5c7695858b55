import { createLogger } from '../../../server/src/observability/logger';
import { beijingDateOf } from '../../../server/src/payment/index';
import { createBillSchedule } from '../../../server/src/reconciliation/index';
import { createRedisKeys } from '../../../server/src/redis/index';
import { useTestServer } from '../../support/test-server';

/** The daily run: the previous Beijing day, only after 10:00 Beijing time, by one instance, once. */
const fixture = useTestServer();

function instance(nowMs: number) {
  const { server } = fixture;
  const keys = createRedisKeys(server.prefix);
  let runs = 0;
  const schedule = createBillSchedule({
    reconciler: {
      reconcile: async (billDate) => {
        runs += 1;
        return server.services.billReconciler.reconcile(billDate);
      },
    },
    pool: server.services.ledger.pool,
    redis: fixture.redis,
    leaseKey: (billDate) => keys.billReconcileLease(billDate),
    logger: createLogger({ level: 'silent' }),
    intervalMs: 60_000,
    now: () => nowMs,
  });
  return { schedule, runs: () => runs };
}

/** Today (Beijing) at hh:mm Beijing time, as epoch ms. */
const todayAt = (hhmm: string) => Date.parse(`${beijingDateOf(Date.now())}T${hhmm}:00+08:00`);

it('waits for 10:00 Beijing time, then one of several instances reconciles yesterday, once', async () => {
  const early = instance(todayAt('09:59'));
  expect(await early.schedule.runOnce()).toBeUndefined();
  expect(early.runs()).toBe(0);

  const yesterday = beijingDateOf(todayAt('10:00') - 86_400_000);
  const [a, b] = [instance(todayAt('10:05')), instance(todayAt('10:05'))];
  const results = await Promise.all([a.schedule.runOnce(), b.schedule.runOnce()]);
  expect(results.filter((r) => r !== undefined)).toEqual([yesterday]);
  expect(a.runs() + b.runs()).toBe(1);

  // Done is remembered in the ledger: a later check (the lease long gone) does not run it again.
  await fixture.redis.del(createRedisKeys(fixture.server.prefix).billReconcileLease(yesterday));
  const later = instance(todayAt('18:00'));
  expect(await later.schedule.runOnce()).toBeUndefined();
  expect(later.runs()).toBe(0);
});
