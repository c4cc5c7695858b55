import type { TradeBillRow } from '../../../server/src/payment/index';
import { compareBill } from '../../../server/src/reconciliation/index';

const row = (fields: Partial<TradeBillRow>): TradeBillRow => ({
  tradeTime: Date.parse('2026-12-07T10:00:00+08:00'),
  appid: 'wx1',
  mchid: '1900000109',
  transactionId: '',
  outTradeNo: '',
  tradeType: 'JSAPI',
  tradeState: 'SUCCESS',
  currency: 'CNY',
  settlementTotalFen: 0,
  couponFen: 0,
  refundId: '',
  outRefundNo: '',
  refundFen: 0,
  refundType: '',
  refundStatus: '',
  description: '',
  attach: '',
  fee: '0.00',
  rate: '0.60%',
  totalFen: 0,
  requestedRefundFen: 0,
  ...fields,
});
const payment = (outTradeNo: string, transactionId: string, fen: number) =>
  row({ outTradeNo, transactionId, totalFen: fen, settlementTotalFen: fen });
const refund = (outTradeNo: string, outRefundNo: string, fen: number, status: string) =>
  row({ outTradeNo, outRefundNo, refundId: 'R', refundFen: fen, refundStatus: status, tradeState: 'REFUND' });
const empty = {
  billPayments: [],
  billRefunds: [],
  ledgerPayments: [],
  ledgerRefunds: [],
  knownPayments: [],
  knownRefunds: [],
};
const kinds = (input: Partial<Parameters<typeof compareBill>[0]>) =>
  compareBill({ ...empty, ...input }).map((d) => [d.kind, d.reference]);

describe('compareBill', () => {
  it('finds nothing when both sides agree', () => {
    const p = { orderId: 'A', transactionId: 'T1', amountFen: 990 };
    const r = { orderId: 'A', outRefundNo: 'A-R1', amountFen: 990, status: 'SUCCESS' };
    expect(
      kinds({
        billPayments: [payment('A', 'T1', 990)],
        billRefunds: [refund('A', 'A-R1', 990, 'SUCCESS')],
        ledgerPayments: [p],
        ledgerRefunds: [r],
        knownPayments: [p],
        knownRefunds: [r],
      }),
    ).toEqual([]);
  });

  it('matches a billed payment recorded on another day (midnight) without reporting it', () => {
    const p = { orderId: 'A', transactionId: 'T1', amountFen: 990 };
    expect(kinds({ billPayments: [payment('A', 'T1', 990)], knownPayments: [p] })).toEqual([]);
  });

  it('reports a transaction credited to another order', () => {
    const p = { orderId: 'B', transactionId: 'T1', amountFen: 990 };
    expect(
      kinds({ billPayments: [payment('A', 'T1', 990)], knownPayments: [p], ledgerPayments: [p] }),
    ).toEqual([
      ['payment_transaction_differs', 'A'],
      ['payment_missing_in_bill', 'B'],
    ]);
  });

  it('does not report a refund still in flight on one side, but does two different final statuses', () => {
    const processing = { orderId: 'A', outRefundNo: 'A-R1', amountFen: 990, status: 'PROCESSING' };
    expect(kinds({ billRefunds: [refund('A', 'A-R1', 990, 'SUCCESS')], knownRefunds: [processing] })).toEqual(
      [],
    );
    const closed = { ...processing, status: 'CLOSED' };
    expect(kinds({ billRefunds: [refund('A', 'A-R1', 990, 'SUCCESS')], knownRefunds: [closed] })).toEqual([
      ['refund_status_differs', 'A-R1'],
    ]);
  });
});
