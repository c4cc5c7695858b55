/**
 * Reconciles one Beijing day of the ledger with WeChat Pay's own bills: downloads the day's trade bill (ALL) and
 * refund bill (REFUND), checked against their SHA1, compares them with the ledger (bill-comparison.ts), records
 * each new difference in `bill_differences` with a log line and a metric, and heals the safe ones: a payment
 * WeChat Pay has and the ledger does not is handed to the usual payment path, which credits it (order known) or
 * re-creates and refunds it (order unknown). Idempotent: a second run for the same day adds nothing.
 */
import type { Registry } from 'prom-client';

import type { Pool } from '../ledger/index.js';
import type { Logger } from '../observability/logger.js';
import {
  WxPayBillHashError,
  parseTradeBill,
  type TradeBillRow,
  type TradeBillType,
  type WxPayClient,
} from '../payment/index.js';
import {
  compareBill,
  type BillDifference,
  type LedgerPaymentFact,
  type LedgerRefundFact,
} from './bill-comparison.js';
import { billDifferencesCounter } from './bill-metrics.js';

export interface BillReconcilerDeps {
  wxpay: Pick<WxPayClient, 'applyTradeBill' | 'downloadBill'>;
  pool: Pool;
  logger: Logger;
  registry: Registry;
  /**
   * Hands a payment WeChat Pay has and the ledger does not to the usual payment path (query WeChat Pay, then
   * credit or refund it). Resolves true when the payment is now in the ledger.
   */
  healPayment(outTradeNo: string): Promise<boolean>;
}

export interface BillReconciliation {
  billDate: string;
  /** Payment and refund rows in WeChat Pay's bills. */
  payments: number;
  refunds: number;
  /** Differences found by this run that no earlier run had recorded. */
  newDifferences: BillDifference[];
  /** Every difference of the day found by this run (new or already recorded). */
  differences: number;
  /** Payments handed to the payment path by this run. */
  healed: number;
}

export interface BillReconciler {
  /**
   * Reconciles one day. @throws WxPayBillHashError (nothing compared, `bill_unverified` counted),
   * TradeBillFormatError, WeChat Pay or PostgreSQL errors: the run can simply be repeated.
   */
  reconcile(billDate: string): Promise<BillReconciliation>;
}

/** Kinds where money may be with the wrong party: logged as errors, the others as warnings. */
const MONEY_AT_RISK = new Set([
  'payment_missing_in_ledger',
  'refund_missing_in_ledger',
  'payment_amount_differs',
]);
const DAY_MS = 86_400_000;

export function createBillReconciler(deps: BillReconcilerDeps): BillReconciler {
  const { pool, logger } = deps;
  const counter = billDifferencesCounter(deps.registry);

  async function billRows(billDate: string, billType: TradeBillType): Promise<TradeBillRow[]> {
    const ticket = await deps.wxpay.applyTradeBill({ billDate, billType });
    try {
      return parseTradeBill(await deps.wxpay.downloadBill(ticket)).rows;
    } catch (err) {
      if (err instanceof WxPayBillHashError) {
        counter.inc({ kind: 'bill_unverified' });
        logger.error(
          { billDate, billType, err: { message: err.message } },
          'WeChat Pay bill failed its hash check: not used; the run must be repeated',
        );
      }
      throw err;
    }
  }

  async function ledgerFacts(
    start: Date,
    end: Date,
    orderIds: string[],
    transactionIds: string[],
    refundNos: string[],
  ) {
    const payments = (
      await pool.query<LedgerPaymentFact & { paidAt: Date }>(
        `SELECT order_id AS "orderId", transaction_id AS "transactionId", amount_fen AS "amountFen",
                paid_at AS "paidAt"
           FROM payments
          WHERE (paid_at >= $1 AND paid_at < $2) OR order_id = ANY($3) OR transaction_id = ANY($4)`,
        [start, end, orderIds, transactionIds],
      )
    ).rows;
    const refunds = (
      await pool.query<LedgerRefundFact & { requestedAt: Date }>(
        `SELECT order_id AS "orderId", out_refund_no AS "outRefundNo", amount_fen AS "amountFen", status,
                requested_at AS "requestedAt"
           FROM refunds
          WHERE (requested_at >= $1 AND requested_at < $2) OR out_refund_no = ANY($3)`,
        [start, end, refundNos],
      )
    ).rows;
    return { payments, refunds };
  }

  /** Inserts a difference; true when it is new. */
  async function record(billDate: string, d: BillDifference): Promise<boolean> {
    const inserted = await pool.query(
      `INSERT INTO bill_differences (bill_date, kind, reference, order_id, transaction_id, detail)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT DO NOTHING`,
      [billDate, d.kind, d.reference, d.orderId ?? null, d.transactionId ?? null, JSON.stringify(d.detail)],
    );
    return inserted.rowCount === 1;
  }

  async function heal(billDate: string, d: BillDifference): Promise<boolean> {
    try {
      if (!(await deps.healPayment(d.reference))) return false;
    } catch (err) {
      logger.warn(
        { billDate, orderId: d.reference, err: { message: (err as Error).message } },
        'could not hand a billed payment to the payment path; the next run tries again',
      );
      return false;
    }
    await pool.query(
      'UPDATE bill_differences SET healed = true WHERE bill_date = $1 AND kind = $2 AND reference = $3',
      [billDate, d.kind, d.reference],
    );
    logger.info(
      { billDate, orderId: d.reference },
      'billed payment the ledger lacked handed to the payment path',
    );
    return true;
  }

  return {
    async reconcile(billDate) {
      const start = new Date(Date.parse(`${billDate}T00:00:00+08:00`));
      if (!/^\d{4}-\d{2}-\d{2}$/.test(billDate) || Number.isNaN(start.getTime())) {
        throw new RangeError(`bill date must be YYYY-MM-DD, got ${billDate}`);
      }
      const end = new Date(start.getTime() + DAY_MS);
      const billPayments = (await billRows(billDate, 'ALL')).filter((r) => r.tradeState === 'SUCCESS');
      const billRefunds = (await billRows(billDate, 'REFUND')).filter((r) => r.outRefundNo !== '');
      const facts = await ledgerFacts(
        start,
        end,
        billPayments.map((r) => r.outTradeNo),
        billPayments.map((r) => r.transactionId),
        billRefunds.map((r) => r.outRefundNo),
      );
      const inWindow = (at: number) => at >= start.getTime() && at < end.getTime();
      const differences = compareBill({
        billPayments,
        billRefunds,
        ledgerPayments: facts.payments.filter((p) => inWindow(p.paidAt.getTime())),
        ledgerRefunds: facts.refunds.filter((r) => inWindow(r.requestedAt.getTime())),
        knownPayments: facts.payments,
        knownRefunds: facts.refunds,
      });

      const newDifferences: BillDifference[] = [];
      for (const d of differences) {
        if (!(await record(billDate, d))) continue;
        newDifferences.push(d);
        counter.inc({ kind: d.kind });
        const line = { billDate, kind: d.kind, orderId: d.orderId, reference: d.reference, detail: d.detail };
        if (MONEY_AT_RISK.has(d.kind)) logger.error(line, 'WeChat Pay bill and ledger differ');
        else logger.warn(line, 'WeChat Pay bill and ledger differ');
      }
      // Heal what is still unhealed, new or left by an earlier run whose heal failed.
      const unhealed = await pool.query<{ reference: string }>(
        `SELECT reference FROM bill_differences
          WHERE bill_date = $1 AND kind = 'payment_missing_in_ledger' AND NOT healed`,
        [billDate],
      );
      const pending = new Set(unhealed.rows.map((r) => r.reference));
      let healed = 0;
      for (const d of differences) {
        if (d.kind === 'payment_missing_in_ledger' && pending.has(d.reference) && (await heal(billDate, d))) {
          healed += 1;
        }
      }
      await pool.query(
        `INSERT INTO bill_reconciliations (bill_date, payments, refunds, differences) VALUES ($1, $2, $3, $4)
         ON CONFLICT (bill_date) DO UPDATE
           SET payments = EXCLUDED.payments, refunds = EXCLUDED.refunds, differences = EXCLUDED.differences,
               finished_at = now()`,
        [billDate, billPayments.length, billRefunds.length, differences.length],
      );
      logger.info(
        {
          billDate,
          payments: billPayments.length,
          refunds: billRefunds.length,
          differences: differences.length,
          new: newDifferences.length,
          healed,
        },
        differences.length === 0
          ? 'WeChat Pay bills reconciled: no differences'
          : 'WeChat Pay bills reconciled with differences',
      );
      return {
        billDate,
        payments: billPayments.length,
        refunds: billRefunds.length,
        newDifferences,
        differences: differences.length,
        healed,
      };
    },
  };
}
