import type { Logger } from '../observability/logger.js';
import type { Pool } from './ledger-pool.js';
import { runPeriodically } from '../jobs/index.js';

/**
 * The ledger's retention: prompt and answer text are erased once older than `textRetentionDays` (the money facts
 * stay), and whole orders with their payment, refund, spend and journal are deleted once older than
 * `retentionYears`. The journal is append-only: its rows go only inside the purge's own transaction, which says
 * so to the journal's trigger (`tokentill.retention_purge`). Idempotent; any process may run it.
 */
export interface LedgerRetention {
  /** One pass: what it erased and deleted. */
  runOnce(now?: number): Promise<{ textErased: number; ordersDeleted: number }>;
  start(): void;
  /** Stops the timer and waits for the pass in progress. */
  stop(): Promise<void>;
}

export interface LedgerRetentionDeps {
  pool: Pool;
  logger: Logger;
  retentionYears: number;
  textRetentionDays: number;
  /** Time between passes. */
  intervalMs: number;
}

/** Rows touched per statement, so a first pass over years of data never holds long locks. */
const BATCH = 1_000;

export function createLedgerRetention(deps: LedgerRetentionDeps): LedgerRetention {
  const { pool, logger } = deps;

  async function eraseText(before: Date): Promise<number> {
    const result = await pool.query(
      `UPDATE orders SET prompt_text = NULL, answer_text = NULL, text_erased_at = now()
        WHERE id IN (SELECT id FROM orders WHERE text_erased_at IS NULL AND created_at < $1 LIMIT $2)`,
      [before, BATCH],
    );
    return result.rowCount ?? 0;
  }

  async function purge(before: Date): Promise<number> {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query("SET LOCAL tokentill.retention_purge = 'on'");
      const result = await client.query(
        'DELETE FROM orders WHERE id IN (SELECT id FROM orders WHERE created_at < $1 LIMIT $2)',
        [before, BATCH],
      );
      await client.query('COMMIT');
      return result.rowCount ?? 0;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async function runOnce(now = Date.now()) {
    const textBefore = new Date(now - deps.textRetentionDays * 86_400_000);
    const moneyBefore = new Date(now);
    moneyBefore.setUTCFullYear(moneyBefore.getUTCFullYear() - deps.retentionYears);
    let textErased = 0;
    let ordersDeleted = 0;
    for (let n = BATCH; n === BATCH;) textErased += n = await eraseText(textBefore);
    for (let n = BATCH; n === BATCH;) ordersDeleted += n = await purge(moneyBefore);
    if (textErased + ordersDeleted > 0) {
      logger.info(
        { textErased, ordersDeleted },
        'ledger retention: old text erased, expired records deleted',
      );
    }
    return { textErased, ordersDeleted };
  }

  const loop = runPeriodically(runOnce, {
    intervalMs: deps.intervalMs,
    onError: (err: unknown) =>
      logger.warn({ err: { message: (err as Error).message } }, 'ledger retention pass failed; will retry'),
  });
  return {
    runOnce,
    start: loop.start,
    stop: loop.stop,
  };
}
