import { randomBytes } from 'node:crypto';

/**
 * A new order id, also used as WeChat Pay's `out_trade_no` (6–32 of [0-9A-Za-z_-|*], unique per merchant):
 * "TT" + base-36 milliseconds (time-sortable) + 64 random bits in hex = 26 characters.
 */
export function newOrderId(now = Date.now()): string {
  return `TT${now.toString(36).toUpperCase()}${randomBytes(8).toString('hex').toUpperCase()}`;
}

/**
 * The shape of every id `newOrderId` makes (base-36 time grows a digit every few thousand years; the margin
 * is for that). WeChat Pay accepts out_trade_no values we never make (`|`, `*`, lower case): anything else is
 * not one of our orders, and is never turned into a Redis key.
 */
const ORDER_ID_PATTERN = /^TT[0-9A-Z]{6,12}[0-9A-F]{16}$/;

export function isOrderId(value: string): boolean {
  return ORDER_ID_PATTERN.test(value);
}
