/**
 * Fault injection for WeChat Pay notifications: the misbehaviours a merchant's notify endpoint must survive
 * (late, repeated, lost, forged, probing, replayed and inconsistent notifications).
 */

/**
 * What to do to a notification. A fault applies to a whole *delivery* (one notification and its retries):
 *
 * - `delayMs`: the first attempt is sent this many (unscaled) milliseconds late.
 * - `duplicates`: the first attempt is sent as N identical copies at once (same body and event id, each signed
 *   separately, as WeChat's own duplicates are). The delivery succeeds if any copy gets a 2xx.
 * - `drop`: no request at all; the delivery is logged as `dropped`. The merchant must find out by querying.
 * - `badSignature`: the first attempt carries a well-formed Base64 signature that does not verify.
 * - `signatureProbe`: the first attempt's signature starts with `WECHATPAY/SIGNTEST/` (WeChat's probe traffic).
 * - `staleTimestamp`: the first attempt is correctly signed over a `Wechatpay-Timestamp` 10 minutes old.
 * - `wrongAmount`: the encrypted resource's `amount.total` (and `payer_total`) is one fen more than the order's,
 *   on every attempt: a correct merchant never accepts it, so the delivery runs out its retries.
 * - `once`: the fault is consumed by the next delivery it applies to; otherwise it stays until cleared.
 *
 * The three signature faults only touch the first attempt (all its copies), and at most one may be set. A correct
 * merchant answers that attempt 4xx/5xx; the retry follows WeChat's schedule (15 s × notifyScale later) with a
 * correct signature, so the merchant still gets paid. A merchant that answers 2xx to a forged attempt ends the
 * delivery there, as with WeChat, and the delivery is flagged `acceptedInvalidSignature`.
 */
export interface NotificationFault {
  delayMs?: number;
  duplicates?: number;
  drop?: boolean;
  badSignature?: boolean;
  signatureProbe?: boolean;
  staleTimestamp?: boolean;
  wrongAmount?: boolean;
  once?: boolean;
}

/** How the first attempt of a delivery is signed. */
export type SignatureMode = 'valid' | 'bad_signature' | 'signature_probe' | 'stale_timestamp';

/** The signature mode a fault asks for. */
export function signatureModeOf(fault: NotificationFault | undefined): SignatureMode {
  if (fault?.signatureProbe) return 'signature_probe';
  if (fault?.badSignature) return 'bad_signature';
  if (fault?.staleTimestamp) return 'stale_timestamp';
  return 'valid';
}

/** Faults in effect: one global, and one per out_trade_no. */
export interface FaultList {
  global?: NotificationFault;
  orders: Record<string, NotificationFault>;
}

/** Where faults are kept. */
export interface FaultStore {
  /** Sets (replaces) the global fault, or the fault of one out_trade_no. */
  set(fault: NotificationFault, outTradeNo?: string): void;
  /** Clears one order's fault, or with no argument every fault. */
  clear(outTradeNo?: string): void;
  list(): FaultList;
  /**
   * The fault for the next delivery about `outTradeNo`: the order's own if set, else the global one (they are not
   * merged). A `once` fault is removed as it is taken.
   */
  take(outTradeNo: string): NotificationFault | undefined;
}

/** Creates an empty fault store. */
export function createFaultStore(): FaultStore {
  let global: NotificationFault | undefined;
  const scoped = new Map<string, NotificationFault>();
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
  'signatureProbe',
  'staleTimestamp',
  'wrongAmount',
  'once',
] as const;
const MAX_DELAY_MS = 10 * 60 * 1000;
const MAX_DUPLICATES = 20;

/**
 * Parses the body of `POST /sandbox/faults`: the fault fields plus an optional `out_trade_no` scope.
 *
 * @throws TypeError with a message naming the bad field (unknown fields are refused, to catch typos).
 */
export function parseFaultRequest(body: unknown): { fault: NotificationFault; outTradeNo?: string } {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new TypeError('Expected a JSON object');
  const input = body as Record<string, unknown>;
  const fault: NotificationFault = {};
  let outTradeNo: string | undefined;
  for (const [key, value] of Object.entries(input)) {
    if (key === 'out_trade_no') {
      if (typeof value !== 'string' || value === '')
        throw new TypeError('out_trade_no must be a non-empty string');
      outTradeNo = value;
    } else if (key === 'delayMs') {
      if (!Number.isSafeInteger(value) || (value as number) < 0 || (value as number) > MAX_DELAY_MS) {
        throw new TypeError(`delayMs must be an integer from 0 to ${MAX_DELAY_MS}`);
      }
      fault.delayMs = value as number;
    } else if (key === 'duplicates') {
      if (!Number.isSafeInteger(value) || (value as number) < 1 || (value as number) > MAX_DUPLICATES) {
        throw new TypeError(
          `duplicates must be an integer from 1 to ${MAX_DUPLICATES} (copies sent at once)`,
        );
      }
      fault.duplicates = value as number;
    } else if ((BOOLEAN_FIELDS as readonly string[]).includes(key)) {
      if (typeof value !== 'boolean') throw new TypeError(`${key} must be a boolean`);
      fault[key as (typeof BOOLEAN_FIELDS)[number]] = value;
    } else {
      throw new TypeError(
        `Unknown fault field "${key}"; expected out_trade_no, delayMs, duplicates, ${BOOLEAN_FIELDS.join(', ')}`,
      );
    }
  }
  if ([fault.badSignature, fault.signatureProbe, fault.staleTimestamp].filter(Boolean).length > 1) {
    throw new TypeError('Set at most one of badSignature, signatureProbe and staleTimestamp');
  }
  return { fault, ...(outTradeNo !== undefined ? { outTradeNo } : {}) };
}
