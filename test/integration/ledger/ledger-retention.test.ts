import { createLedgerRetention } from '../../../server/src/ledger';
import { createLogger } from '../../../server/src/observability/logger';
import { useTestLedger } from '../../support/test-postgres';

const fixture = useTestLedger();
const DAY = 86_400_000;
const now = Date.UTC(2030, 5, 1);

/** A paid, refunded order created `ageMs` before `now`, with spend and journal rows. */
async function oldOrder(id: string, ageMs: number): Promise<void> {
  const createdAt = now - ageMs;
  const { ledger } = fixture;
  await ledger.recordPayment(
    {
      id,
      ownerKey: 'owner-key',
      tier: 'basic',
      tierTitle: '基础',
      priceFen: 100,
      createdAt,
      payBy: createdAt + 900_000,
      state: 'CREATED',
      prompt: `问题 ${id}`,
    },
    {
      orderId: id,
      transactionId: `tx-${id}`,
      amountFen: 100,
      currency: 'CNY',
      paidAt: createdAt,
      via: 'notify',
    },
  );
  await ledger.recordAnswer(id, `回答 ${id}`);
  await ledger.recordSpend([
    {
      orderId: id,
      generationAttempt: 1,
      callIndex: 0,
      model: 'mock-fast',
      provider: 'sandbox',
      outcome: 'ok',
      promptTokens: 10,
      completionTokens: 20,
      estimated: false,
      costFen: 0.0123,
    },
  ]);
  const refund = { orderId: id, outRefundNo: `${id}-R1`, amountFen: 100, reason: 'generation_failed' };
  await ledger.recordRefundRequest(refund);
  await ledger.recordRefundStatus(refund, 'SUCCESS');
  await ledger.journal([
    { orderId: id, seq: 1, from: 'CREATED', to: 'PAID', source: 'notify', at: createdAt },
  ]);
}

it('erases text after its retention, deletes whole records after theirs, and keeps the journal append-only', async () => {
  await oldOrder('TTretainRecent01', 10 * DAY);
  await oldOrder('TTretainOldText01', 100 * DAY);
  await oldOrder('TTretainExpired01', 6 * 365 * DAY);
  const retention = createLedgerRetention({
    pool: fixture.pool,
    logger: createLogger({ level: 'silent' }),
    retentionYears: 5,
    textRetentionDays: 90,
    intervalMs: 3_600_000,
  });

  expect(await retention.runOnce(now)).toEqual({ textErased: 2, ordersDeleted: 1 });

  const recent = await fixture.ledger.findOrder('TTretainRecent01');
  expect(recent).toMatchObject({ prompt: '问题 TTretainRecent01', answer: '回答 TTretainRecent01' });
  const oldText = await fixture.ledger.findOrder('TTretainOldText01');
  // The text is gone; the money facts stay.
  expect(oldText).toMatchObject({
    prompt: undefined,
    answer: undefined,
    payment: { transactionId: 'tx-TTretainOldText01', amountFen: 100 },
    refund: { status: 'SUCCESS' },
  });
  expect(await fixture.ledger.findOrder('TTretainExpired01')).toBeUndefined();
  for (const table of ['payments', 'refunds', 'model_spend', 'order_journal']) {
    const left = await fixture.pool.query(`SELECT 1 FROM ${table} WHERE order_id = 'TTretainExpired01'`);
    expect({ table, rows: left.rowCount }).toEqual({ table, rows: 0 });
  }
  // An erased order takes no new text, and outside a retention purge the journal still refuses deletes.
  await fixture.ledger.recordAnswer('TTretainOldText01', '又写回来');
  expect((await fixture.ledger.findOrder('TTretainOldText01'))?.answer).toBeUndefined();
  await expect(fixture.pool.query('DELETE FROM order_journal')).rejects.toThrow(/append-only/);
  // A second pass finds nothing more to do.
  expect(await retention.runOnce(now)).toEqual({ textErased: 0, ordersDeleted: 0 });
});
