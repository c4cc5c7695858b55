/**
 * Minimal runtime checks that a decrypted or returned object has the fields TokenTill relies on, so a surprise
 * shape fails as "malformed" at the edge rather than as `undefined` deep in order logic. Not a full schema:
 * WeChat adds fields over time and extra fields must be accepted.
 */
import type { Refund, RefundNotificationResource, Transaction } from './wxpay-types.js';

type Json = Record<string, unknown>;

/** True for a plain JSON object (not null, not an array). */
export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** True for a string. */
export function isString(value: unknown): value is string {
  return typeof value === 'string';
}

const isFen = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;
const optional = (value: unknown, check: (v: unknown) => boolean) => value === undefined || check(value);

/** True when `value` has a Transaction's required fields with the right types. */
export function isTransaction(value: unknown): value is Transaction {
  if (!isObject(value) || !isObject(value.amount)) return false;
  const { amount, payer } = value;
  return (
    ['appid', 'mchid', 'out_trade_no', 'trade_state', 'trade_state_desc'].every((k) => isString(value[k])) &&
    ['transaction_id', 'trade_type', 'bank_type', 'attach', 'success_time'].every((k) =>
      optional(value[k], isString),
    ) &&
    isFen(amount.total) &&
    optional(amount.payer_total, isFen) &&
    optional(payer, (p) => isObject(p) && optional(p.openid, isString))
  );
}

/**
 * False only for a `SUCCESS` transaction missing what a crediting decision needs (transaction_id, success_time,
 * payer.openid); other states legitimately lack them.
 */
export function isCompleteSuccessTransaction(tx: Transaction): boolean {
  return (
    tx.trade_state !== 'SUCCESS' ||
    (isString(tx.transaction_id) && isString(tx.success_time) && isString(tx.payer?.openid))
  );
}

/** True when `value` has a refund notification resource's required fields. */
export function isRefundNotificationResource(value: unknown): value is RefundNotificationResource {
  if (!isObject(value) || !isObject(value.amount)) return false;
  const { amount } = value;
  return (
    ['mchid', 'out_trade_no', 'transaction_id', 'out_refund_no', 'refund_id', 'refund_status'].every((k) =>
      isString(value[k]),
    ) &&
    ['total', 'refund', 'payer_total', 'payer_refund'].every((k) => isFen(amount[k])) &&
    ['success_time', 'user_received_account'].every((k) => optional(value[k], isString))
  );
}

/** True when `value` has a refund API object's required fields. */
export function isRefund(value: unknown): value is Refund {
  if (!isObject(value) || !isObject(value.amount)) return false;
  return (
    ['refund_id', 'out_refund_no', 'transaction_id', 'out_trade_no', 'status'].every((k) =>
      isString(value[k]),
    ) &&
    isFen(value.amount.total) &&
    isFen(value.amount.refund)
  );
}

/** Parses JSON, returning `undefined` instead of throwing. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
