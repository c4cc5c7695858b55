/**
 * Runs bill reconciliation daily for the previous Beijing day, once WeChat Pay's bill is ready (it is generated
 * from 09:00 the next day; WeChat advises fetching after 10:00). Every process running the background work checks
 * periodically; a Redis lease lets one of them run a day, and `bill_reconciliations` remembers the days done. A
 * failed run (bill not ready, hash mismatch, an outage) is retried at a later check.
 */
import type { Pool } from '../ledger/index.js';
import type { Logger } from '../observability/logger.js';
import { beijingDateOf } from '../payment/index.js';
import type { Redis } from '../redis/index.js';
import type { BillReconciler } from './bill-reconciler.js';
import { runPeriodically } from '../jobs/index.js';

export interface BillScheduleDeps {
  reconciler: BillReconciler;
  pool: Pool;
  redis: Redis;
  /** The lease key of one bill date. */
  leaseKey(billDate: string): string;
  logger: Logger;
  /** Time between checks. */
  intervalMs: number;
  now?: () => number;
}

export interface BillSchedule {
  /** One check: reconciles yesterday (Beijing) if due and not done. Returns the date run, if any. */
  runOnce(): Promise<string | undefined>;
  start(): void;
  stop(): Promise<void>;
}

/** Beijing hour from which the previous day's bill is fetched. */
export const BILL_READY_HOUR_BEIJING = 10;
const LEASE_MS = 15 * 60_000;

export function createBillSchedule(deps: BillScheduleDeps): BillSchedule {
  const { pool, redis, logger } = deps;
  const now = deps.now ?? Date.now;

  async function runOnce(): Promise<string | undefined> {
    const at = now();
    const beijingHour = new Date(at + 8 * 3_600_000).getUTCHours();
    if (beijingHour < BILL_READY_HOUR_BEIJING) return undefined;
    const billDate = beijingDateOf(at - 86_400_000);
    const done = await pool.query('SELECT 1 FROM bill_reconciliations WHERE bill_date = $1', [billDate]);
    if (done.rowCount) return undefined;
    const claimed = await redis.set(deps.leaseKey(billDate), String(at), 'PX', LEASE_MS, 'NX');
    if (claimed !== 'OK') return undefined;
    try {
      await deps.reconciler.reconcile(billDate);
      return billDate;
    } catch (err) {
      await redis.del(deps.leaseKey(billDate));
      throw err;
    }
  }

  const loop = runPeriodically(runOnce, {
    intervalMs: deps.intervalMs,
    onError: (err: unknown) =>
      logger.warn(
        { err: { message: (err as Error).message } },
        'daily bill reconciliation failed; retried at the next check',
      ),
  });
  return {
    runOnce,
    start: loop.start,
    stop: loop.stop,
  };
}
