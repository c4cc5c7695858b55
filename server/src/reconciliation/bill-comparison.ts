/**
 * The comparison at the heart of bill reconciliation, pure: a day's payment and refund rows from WeChat Pay's
 * bills against what the ledger holds, giving one difference per disagreement. No I/O.
 */
import type { TradeBillRow } from '../payment/index.js';

export type DifferenceKind =
  | 'payment_missing_in_ledger'
  | 'payment_missing_in_bill'
  | 'payment_amount_differs'
  | 'payment_transaction_differs'
  | 'refund_missing_in_ledger'
  | 'refund_missing_in_bill'
  | 'refund_amount_differs'
  | 'refund_status_differs';

export interface BillDifference {
  kind: DifferenceKind;
  /** out_trade_no (payments) or out_refund_no (refunds). */
  reference: string;
  orderId: string | undefined;
  transactionId: string | undefined;
  /** Both sides' values, amounts in fen. */
  detail: Record<string, unknown>;
}

/** A payment as the ledger holds it. */
export interface LedgerPaymentFact {
  orderId: string;
  transactionId: string;
  amountFen: number;
}

/** A refund as the ledger holds it (status: REQUESTED, PROCESSING, SUCCESS, CLOSED or ABNORMAL). */
export interface LedgerRefundFact {
  orderId: string;
  outRefundNo: string;
  amountFen: number;
  status: string;
}

export interface ComparisonInput {
  /** The bill's payment rows (交易状态 SUCCESS). */
  billPayments: TradeBillRow[];
  /** The refund bill's rows. */
  billRefunds: TradeBillRow[];
  /** Ledger payments made on the bill's date. */
  ledgerPayments: LedgerPaymentFact[];
  /** Ledger refunds asked for on the bill's date. */
  ledgerRefunds: LedgerRefundFact[];
  /** Ledger payments and refunds of the bill's orders, whatever their date (a bill row may straddle midnight). */
  knownPayments: LedgerPaymentFact[];
  knownRefunds: LedgerRefundFact[];
}

/** Refund statuses that will not change any more; a refund in flight is not yet a difference. */
const FINAL_REFUND = ['SUCCESS', 'CLOSED', 'ABNORMAL'];

export function compareBill(input: ComparisonInput): BillDifference[] {
  const differences: BillDifference[] = [];
  const paymentByOrder = new Map(input.knownPayments.map((p) => [p.orderId, p]));
  const paymentByTransaction = new Map(input.knownPayments.map((p) => [p.transactionId, p]));
  const billedOrders = new Set<string>();

  for (const row of input.billPayments) {
    billedOrders.add(row.outTradeNo);
    const ours = paymentByOrder.get(row.outTradeNo) ?? paymentByTransaction.get(row.transactionId);
    const base = { reference: row.outTradeNo, orderId: row.outTradeNo, transactionId: row.transactionId };
    if (!ours) {
      differences.push({
        ...base,
        kind: 'payment_missing_in_ledger',
        detail: { bill: { amountFen: row.totalFen, paidAt: new Date(row.tradeTime).toISOString() } },
      });
      continue;
    }
    if (ours.orderId !== row.outTradeNo || ours.transactionId !== row.transactionId) {
      differences.push({
        ...base,
        kind: 'payment_transaction_differs',
        detail: {
          bill: { orderId: row.outTradeNo, transactionId: row.transactionId },
          ledger: { orderId: ours.orderId, transactionId: ours.transactionId },
        },
      });
    }
    if (ours.amountFen !== row.totalFen) {
      differences.push({
        ...base,
        kind: 'payment_amount_differs',
        detail: { bill: { amountFen: row.totalFen }, ledger: { amountFen: ours.amountFen } },
      });
    }
  }
  for (const ours of input.ledgerPayments) {
    if (billedOrders.has(ours.orderId)) continue;
    differences.push({
      kind: 'payment_missing_in_bill',
      reference: ours.orderId,
      orderId: ours.orderId,
      transactionId: ours.transactionId,
      detail: { ledger: { amountFen: ours.amountFen } },
    });
  }

  const refundByNo = new Map(input.knownRefunds.map((r) => [r.outRefundNo, r]));
  const billedRefunds = new Set<string>();
  for (const row of input.billRefunds) {
    billedRefunds.add(row.outRefundNo);
    const ours = refundByNo.get(row.outRefundNo);
    const base = { reference: row.outRefundNo, orderId: row.outTradeNo, transactionId: row.transactionId };
    const bill = { amountFen: row.refundFen, status: row.refundStatus, refundId: row.refundId };
    if (!ours) {
      differences.push({ ...base, kind: 'refund_missing_in_ledger', detail: { bill } });
      continue;
    }
    const ledger = { amountFen: ours.amountFen, status: ours.status };
    if (ours.amountFen !== row.refundFen) {
      differences.push({ ...base, kind: 'refund_amount_differs', detail: { bill, ledger } });
    }
    if (
      FINAL_REFUND.includes(ours.status) &&
      FINAL_REFUND.includes(row.refundStatus) &&
      ours.status !== row.refundStatus
    ) {
      differences.push({ ...base, kind: 'refund_status_differs', detail: { bill, ledger } });
    }
  }
  for (const ours of input.ledgerRefunds) {
    if (billedRefunds.has(ours.outRefundNo)) continue;
    differences.push({
      kind: 'refund_missing_in_bill',
      reference: ours.outRefundNo,
      orderId: ours.orderId,
      transactionId: undefined,
      detail: { ledger: { amountFen: ours.amountFen, status: ours.status } },
    });
  }
  return differences;
}
