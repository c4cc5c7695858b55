/**
 * Random identifiers shaped like WeChat's own, so code and logs that look at their form (lengths, prefixes,
 * alphabets) behave in the sandbox as they will in production.
 */
import { randomBytes, randomInt } from 'node:crypto';

import { formatRfc3339Beijing } from '../payment/index.js';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** `length` random characters of `[A-Za-z0-9]` (uniform: randomInt has no modulo bias). */
export function randomAlnum(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALNUM[randomInt(ALNUM.length)];
  return out;
}

/** `length` random decimal digits. */
export function randomDigits(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += String(randomInt(10));
  return out;
}

/** `yyyyMMdd` in Beijing time, the date part WeChat embeds in its ids. */
function beijingDate(nowMs: number): string {
  return formatRfc3339Beijing(new Date(nowMs)).slice(0, 10).replaceAll('-', '');
}

/** `yyyyMMddHHmmss` in Beijing time. */
function beijingDateTime(nowMs: number): string {
  return formatRfc3339Beijing(new Date(nowMs)).slice(0, 19).replace(/[-T:]/g, '');
}

/** A WeChat Pay `transaction_id`: 28 digits starting with `4200`, e.g. `4200001234202611270123456789`. */
export function newTransactionId(nowMs: number): string {
  return `4200${randomDigits(6)}${beijingDate(nowMs)}${randomDigits(10)}`;
}

/** A `prepay_id`: `wx` + Beijing date-time + 20 hex characters (36 in all), like `wx2014102720093955…`. */
export function newPrepayId(nowMs: number): string {
  return `wx${beijingDateTime(nowMs)}${randomBytes(10).toString('hex')}`;
}

/** A `refund_id`: 29 digits starting with `50`. */
export function newRefundId(nowMs: number): string {
  return `50${randomDigits(9)}${beijingDate(nowMs)}${randomDigits(10)}`;
}

/** A `Request-ID` header value (WeChat's are opaque uppercase hex strings). */
export function newRequestId(): string {
  return randomBytes(20).toString('hex').toUpperCase();
}

/** The `rid` WeChat appends to error messages (`invalid code, rid: 6593b2c1-4a1e0f7d-2b9c3e11`). */
export function newRid(): string {
  const part = () => randomBytes(4).toString('hex');
  return `${part()}-${part()}-${part()}`;
}
