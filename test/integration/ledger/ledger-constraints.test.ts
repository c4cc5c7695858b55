import { randomUUID } from 'node:crypto';
import {
  LedgerSchemaBehindError,
  assertLedgerSchemaCurrent,
  createLedgerPool,
  migrateLedger,
  pendingLedgerMigrations,
  type LedgerOrderInput,
  type LedgerPaymentInput,
} from '../../../server/src/ledger';
import { dropLedgerSchema, freshSchema, testDatabaseUrl, useTestLedger } from '../../support/test-postgres';

const fixture = useTestLedger();

let n = 0;
function order(overrides: Partial<LedgerOrderInput> = {}): LedgerOrderInput {
  n += 1;
  return {
    id: `TT${Date.now()}${String(n).padStart(4, '0')}`,
    ownerKey: 'owner-key-hmac',
    tier: 'basic',
    tierTitle: '基础',
    priceFen: 100,
    createdAt: Date.now(),
    payBy: Date.now() + 900_000,
    state: 'CREATED',
    prompt: '问题',
    ...overrides,
  };
}

function payment(orderId: string, overrides: Partial<LedgerPaymentInput> = {}): LedgerPaymentInput {
  return {
    orderId,
    transactionId: `4200${randomUUID().replace(/-/g, '').slice(0, 24)}`,
    amountFen: 100,
    payerTotalFen: 100,
    currency: 'CNY',
    paidAt: Date.now(),
    via: 'notify',
    ...overrides,
  };
}

/** The SQLSTATE a statement fails with (undefined if it succeeds). */
async function sqlState(text: string, values: unknown[] = []): Promise<string | undefined> {
  try {
    await fixture.pool.query(text, values);
    return undefined;
  } catch (err) {
    return (err as { code?: string }).code;
  }
}

async function count(table: string, orderId: string): Promise<number> {
  const r = await fixture.pool.query(`SELECT count(*)::int AS n FROM ${table} WHERE order_id = $1`, [
    orderId,
  ]);
  return r.rows[0].n as number;
}

describe('migrations', () => {
  it('apply once, and a schema without them is refused with the command to run', async () => {
    const schema = freshSchema();
    const pool = createLedgerPool({ url: testDatabaseUrl(), schema, size: 1, applicationName: 'test' });
    try {
      await expect(assertLedgerSchemaCurrent(pool, schema)).rejects.toThrow(LedgerSchemaBehindError);
      await expect(assertLedgerSchemaCurrent(pool, schema)).rejects.toThrow(/npm run migrate/);
      expect(await migrateLedger(pool, schema)).toEqual(['0001_ledger', '0002_bill_differences']);
      expect(await migrateLedger(pool, schema)).toEqual([]);
      expect(await pendingLedgerMigrations(pool)).toEqual([]);
      await expect(assertLedgerSchemaCurrent(pool, schema)).resolves.toBeUndefined();
    } finally {
      await pool.end();
      await dropLedgerSchema(schema);
    }
  });
});

describe('payments', () => {
  it('a retried payment writes nothing new; a second payment for the order is refused', async () => {
    const o = order();
    const p = payment(o.id);
    expect(await fixture.ledger.recordPayment(o, p)).toBe('recorded');
    expect(await fixture.ledger.recordPayment(o, p)).toBe('duplicate');
    expect(await fixture.ledger.recordPayment(o, payment(o.id))).toBe('conflict');
    expect(await count('payments', o.id)).toBe(1);
    // The same refusal from the database itself, whatever the code does.
    expect(
      await sqlState(
        `INSERT INTO payments (order_id, transaction_id, amount_fen, currency, paid_at, learned_via)
         VALUES ($1, 'another-transaction', 100, 'CNY', now(), 'query')`,
        [o.id],
      ),
    ).toBe('23505');
  });

  it('one transaction credits one order only', async () => {
    const first = order();
    const second = order();
    const p = payment(first.id);
    expect(await fixture.ledger.recordPayment(first, p)).toBe('recorded');
    expect(await fixture.ledger.recordPayment(second, { ...p, orderId: second.id })).toBe('conflict');
    expect(await count('payments', second.id)).toBe(0);
  });

  it('amounts are positive fen in CNY', async () => {
    const o = order();
    await fixture.ledger.recordOrder(o);
    const insert = `INSERT INTO payments (order_id, transaction_id, amount_fen, currency, paid_at, learned_via)
                    VALUES ($1, $2, $3, $4, now(), 'notify')`;
    expect(await sqlState(insert, [o.id, 'tx-zero', 0, 'CNY'])).toBe('23514');
    expect(await sqlState(insert, [o.id, 'tx-usd', 100, 'USD'])).toBe('23514');
  });
});

describe('refunds', () => {
  it('one refund per order, never more than was paid, never without a payment', async () => {
    const o = order();
    await fixture.ledger.recordPayment(o, payment(o.id));
    const refund = { orderId: o.id, outRefundNo: `${o.id}-R1`, amountFen: 100, reason: 'generation_failed' };
    await fixture.ledger.recordRefundRequest(refund);
    await fixture.ledger.recordRefundRequest(refund); // retried: nothing new
    await fixture.ledger.recordRefundStatus(refund, 'SUCCESS');
    await fixture.ledger.recordRefundStatus(refund, 'SUCCESS');
    expect(await count('refunds', o.id)).toBe(1);
    const events = await fixture.pool.query('SELECT status FROM refund_events WHERE out_refund_no = $1', [
      refund.outRefundNo,
    ]);
    expect(events.rows.map((r) => r.status).sort()).toEqual(['REQUESTED', 'SUCCESS']);

    const insert = `INSERT INTO refunds (order_id, out_refund_no, amount_fen, reason, status)
                    VALUES ($1, $2, $3, 'x', 'REQUESTED')`;
    expect(await sqlState(insert, [o.id, `${o.id}-R2`, 100])).toBe('23505');

    const overpaid = order();
    await fixture.ledger.recordPayment(overpaid, payment(overpaid.id));
    expect(await sqlState(insert, [overpaid.id, `${overpaid.id}-R1`, 101])).toBe('23514');

    const unpaid = order();
    await fixture.ledger.recordOrder(unpaid);
    expect(await sqlState(insert, [unpaid.id, `${unpaid.id}-R1`, 100])).toBe('23503');
  });
});

describe('journal', () => {
  it('is append-only: rows can be neither changed nor deleted nor truncated', async () => {
    const o = order();
    await fixture.ledger.recordOrder(o);
    await fixture.ledger.journal([
      { orderId: o.id, seq: 1, from: 'CREATED', to: 'PAID', source: 'notify', at: 1 },
    ]);
    expect(await sqlState(`UPDATE order_journal SET to_state = 'REFUNDED' WHERE order_id = $1`, [o.id])).toBe(
      '42501',
    );
    expect(await sqlState('DELETE FROM order_journal WHERE order_id = $1', [o.id])).toBe('42501');
    expect(await sqlState('TRUNCATE order_journal CASCADE')).toBe('42501');
    expect(await count('order_journal', o.id)).toBe(1);
  });

  it('keeps one row per (order, seq) and only moves the order forward', async () => {
    const o = order();
    await fixture.ledger.recordOrder(o);
    const paid = { orderId: o.id, seq: 1, from: 'CREATED', to: 'PAID', source: 'notify', at: 1 } as const;
    const done = {
      orderId: o.id,
      seq: 3,
      from: 'GENERATING',
      to: 'COMPLETED',
      source: 'worker',
      at: 3,
    } as const;
    await fixture.ledger.journal([paid, done]);
    // A late or retried write of an earlier change (a backfill) is kept once and does not move the state back.
    await fixture.ledger.journal([
      paid,
      { orderId: o.id, seq: 2, from: 'PAID', to: 'GENERATING', source: 'worker', at: 2, backfilled: true },
    ]);
    expect(await count('order_journal', o.id)).toBe(3);
    expect(
      await sqlState(
        `INSERT INTO order_journal (order_id, seq, to_state, source, at) VALUES ($1, 1, 'PAID', 'query', now())`,
        [o.id],
      ),
    ).toBe('23505');
    const found = await fixture.ledger.findOrder(o.id);
    expect(found).toMatchObject({ state: 'COMPLETED', finalState: 'COMPLETED', stateSeq: 3 });
  });

  it('names who made each change from a fixed list', async () => {
    const o = order();
    await fixture.ledger.recordOrder(o);
    expect(
      await sqlState(
        `INSERT INTO order_journal (order_id, seq, to_state, source, at) VALUES ($1, 1, 'PAID', 'someone', now())`,
        [o.id],
      ),
    ).toBe('23514');
  });
});
