/**
 * Fault injection for the virtual-payment emulator: the misbehaviours a push endpoint and an order flow must
 * survive. A fault applies to the next push about an order (or to every order when global), like the WeChat Pay
 * emulator's notification faults.
 *
 * - `drop`: the push is never sent (logged as `dropped`): the merchant must find the payment with query_order
 *   and confirm delivery with notify_provide_goods.
 * - `duplicates`: the first attempt is sent as N identical copies at once.
 * - `badSignature`: the first attempt carries a signature (and msg_signature) that does not verify.
 * - `staleTimestamp`: the first attempt is correctly signed over a timestamp 10 minutes old.
 * - `wrongAppid`: the first attempt (safe mode) is correctly signed but encrypted for another appid.
 * - `refundFlipBack`: after the order's refund succeeds, query_order reports it refunded, then once more as
 *   under way (status 1), then refunded again: a merchant must never step back from a final state.
 * - `once`: the fault is consumed by the next push it applies to.
 *
 * A correct merchant refuses the forged first attempt; the retry (WeChat's, a few seconds × notifyScale later) is
 * genuine, so the order is still delivered.
 */

export interface XPayFault {
  drop?: boolean;
  duplicates?: number;
  badSignature?: boolean;
  staleTimestamp?: boolean;
  wrongAppid?: boolean;
  refundFlipBack?: boolean;
  once?: boolean;
}

/** How the first attempt of a push is forged, if at all. */
export type XPayPushForgery = 'none' | 'bad_signature' | 'stale_timestamp' | 'wrong_appid';

export function forgeryOf(fault: XPayFault | undefined): XPayPushForgery {
  if (fault?.badSignature) return 'bad_signature';
  if (fault?.staleTimestamp) return 'stale_timestamp';
  if (fault?.wrongAppid) return 'wrong_appid';
  return 'none';
}

export interface XPayFaultList {
  global?: XPayFault;
  orders: Record<string, XPayFault>;
}

export interface XPayFaultStore {
  set(fault: XPayFault, outTradeNo?: string): void;
  clear(outTradeNo?: string): void;
  list(): XPayFaultList;
  /** The fault for the next push about `outTradeNo`: the order's own, else the global one; `once` ones are removed. */
  take(outTradeNo: string): XPayFault | undefined;
}

export function createXPayFaultStore(): XPayFaultStore {
  let global: XPayFault | undefined;
  const scoped = new Map<string, XPayFault>();
  return {
    set(fault, outTradeNo) {
      if (outTradeNo === undefined) global = { ...fault };
      else scoped.set(outTradeNo, { ...fault });
    },
    clear(outTradeNo) {
      if (outTradeNo === undefined) {
        global = undefined;
        scoped.clear();
      } else {
        scoped.delete(outTradeNo);
      }
    },
    list() {
      return {
        ...(global ? { global: { ...global } } : {}),
        orders: Object.fromEntries([...scoped].map(([no, fault]) => [no, { ...fault }])),
      };
    },
    take(outTradeNo) {
      const own = scoped.get(outTradeNo);
      if (own) {
        if (own.once) scoped.delete(outTradeNo);
        return own;
      }
      const shared = global;
      if (shared?.once) global = undefined;
      return shared;
    },
  };
}

const BOOLEAN_FIELDS = [
  'drop',
  'badSignature',
  'staleTimestamp',
  'wrongAppid',
  'refundFlipBack',
  'once',
] as const;
const MAX_DUPLICATES = 20;

/**
 * Parses the body of `POST /sandbox/xpay/faults`: the fault fields plus an optional `out_trade_no` scope.
 *
 * @throws TypeError naming the bad field (unknown fields are refused, to catch typos).
 */
export function parseXPayFaultRequest(body: Record<string, unknown>): {
  fault: XPayFault;
  outTradeNo?: string;
} {
  const fault: XPayFault = {};
  let outTradeNo: string | undefined;
  for (const [key, value] of Object.entries(body)) {
    if (key === 'out_trade_no') {
      if (typeof value !== 'string' || value === '')
        throw new TypeError('out_trade_no must be a non-empty string');
      outTradeNo = value;
    } else if (key === 'duplicates') {
      if (!Number.isSafeInteger(value) || (value as number) < 1 || (value as number) > MAX_DUPLICATES) {
        throw new TypeError(`duplicates must be an integer from 1 to ${MAX_DUPLICATES}`);
      }
      fault.duplicates = value as number;
    } else if ((BOOLEAN_FIELDS as readonly string[]).includes(key)) {
      if (typeof value !== 'boolean') throw new TypeError(`${key} must be a boolean`);
      fault[key as (typeof BOOLEAN_FIELDS)[number]] = value;
    } else {
      throw new TypeError(
        `Unknown fault field "${key}"; expected out_trade_no, duplicates, ${BOOLEAN_FIELDS.join(', ')}`,
      );
    }
  }
  if ([fault.badSignature, fault.staleTimestamp, fault.wrongAppid].filter(Boolean).length > 1) {
    throw new TypeError('Set at most one of badSignature, staleTimestamp and wrongAppid');
  }
  return { fault, ...(outTradeNo !== undefined ? { outTradeNo } : {}) };
}
