/**
 * Fault injection for the emulated trade bill: each kind of difference between WeChat Pay's bill and the
 * merchant's ledger that reconciliation must find. Bill faults change only what the bill says (WeChat Pay's
 * query API still tells the truth); a payment the merchant never heard of is made for real instead, see
 * bill-fault-routes.ts.
 */

/**
 * - `omit_payment`: the bill leaves out the payment of `out_trade_no`.
 * - `payment_amount`: the payment row of `out_trade_no` says `delta_fen` more (or less) than was paid.
 * - `extra_refund`: the bill lists a refund of `out_trade_no` (of `amount_fen`, default the whole order) that the
 *   merchant never asked for.
 * - `omit_refund`: the bill leaves out the refund of `out_trade_no`.
 * - `refund_amount`: the refund row of `out_trade_no` says `delta_fen` more (or less).
 * - `corrupt_download`: the next download's bytes do not match the hash_value announced for them (once).
 */
export type BillFault =
  | { kind: 'omit_payment'; outTradeNo: string }
  | { kind: 'omit_refund'; outTradeNo: string }
  | { kind: 'payment_amount'; outTradeNo: string; deltaFen: number }
  | { kind: 'refund_amount'; outTradeNo: string; deltaFen: number }
  | { kind: 'extra_refund'; outTradeNo: string; amountFen?: number }
  | { kind: 'corrupt_download' };

/** Where bill faults are kept: they last until cleared, except `corrupt_download` (one download). */
export interface BillFaultStore {
  add(fault: BillFault): void;
  list(): BillFault[];
  clear(): void;
  /** Whether the next download is to be corrupted (consumes the fault). */
  takeCorruption(): boolean;
}

export function createBillFaultStore(): BillFaultStore {
  let faults: BillFault[] = [];
  return {
    add: (fault) => void faults.push({ ...fault }),
    list: () => faults.map((fault) => ({ ...fault })),
    clear: () => void (faults = []),
    takeCorruption() {
      const i = faults.findIndex((f) => f.kind === 'corrupt_download');
      if (i < 0) return false;
      faults.splice(i, 1);
      return true;
    },
  };
}

const ORDER_FAULTS = ['omit_payment', 'omit_refund', 'payment_amount', 'refund_amount', 'extra_refund'];

/**
 * Parses the body of `POST /sandbox/bill-faults` (besides `extra_payment`, which the route handles).
 *
 * @throws TypeError naming the bad field.
 */
export function parseBillFault(body: Record<string, unknown>): BillFault {
  const { kind, out_trade_no: outTradeNo, delta_fen: deltaFen, amount_fen: amountFen, ...rest } = body;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) {
    throw new TypeError(
      `Unknown bill fault field "${unknown[0]}"; expected kind, out_trade_no, delta_fen, amount_fen`,
    );
  }
  if (kind === 'corrupt_download') return { kind };
  if (typeof kind !== 'string' || !ORDER_FAULTS.includes(kind)) {
    throw new TypeError(
      `kind must be one of extra_payment, ${ORDER_FAULTS.join(', ')}, corrupt_download; got ${String(kind)}`,
    );
  }
  if (typeof outTradeNo !== 'string' || outTradeNo === '') {
    throw new TypeError(`${kind} needs out_trade_no (the order whose bill row to change)`);
  }
  if (kind === 'payment_amount' || kind === 'refund_amount') {
    if (!Number.isSafeInteger(deltaFen) || deltaFen === 0) {
      throw new TypeError(`${kind} needs delta_fen, a non-zero integer number of fen`);
    }
    return { kind, outTradeNo, deltaFen: deltaFen as number };
  }
  if (kind === 'extra_refund') {
    if (amountFen !== undefined && (!Number.isSafeInteger(amountFen) || (amountFen as number) < 1)) {
      throw new TypeError('amount_fen must be a positive integer number of fen');
    }
    return { kind, outTradeNo, ...(amountFen !== undefined ? { amountFen: amountFen as number } : {}) };
  }
  return kind === 'omit_payment' ? { kind, outTradeNo } : { kind: 'omit_refund', outTradeNo };
}
