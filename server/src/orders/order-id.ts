import { randomBytes } from 'node:crypto';

/**
 * A new order id, also used as WeChat Pay's `out_trade_no` (6–32 of [0-9A-Za-z_-|*], unique per merchant):
 * "TT" + base-36 milliseconds (time-sortable) + 64 random bits in hex = 26 characters.
 */
export function newOrderId(now = Date.now()): string {
  return `TT${now.toString(36).toUpperCase()}${randomBytes(8).toString('hex').toUpperCase()}`;
}
