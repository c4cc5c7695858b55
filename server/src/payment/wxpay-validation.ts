/**
 * Local checks of order and refund fields against WeChat Pay's documented limits, so a bad value fails here
 * with the field named instead of as a `PARAM_ERROR` round trip.
 */
import { WxPayRequestValidationError } from './wxpay-errors.js';

/** "6-32个字符内，只能是数字、大小写字母_-|*" (the Mini Program order page). */
const OUT_TRADE_NO = /^[0-9A-Za-z_\-|*]{6,32}$/;
/** out_refund_no: string(64) of `[0-9A-Za-z_-|*@]`. */
const OUT_REFUND_NO = /^[0-9A-Za-z_\-|*@]{1,64}$/;

function fail(field: string, message: string): never {
  throw new WxPayRequestValidationError(field, `${field}: ${message}`);
}

/** Checks `out_trade_no`: 6–32 of `[0-9A-Za-z_-|*]`. */
export function checkOutTradeNo(value: string): string {
  if (!OUT_TRADE_NO.test(value)) fail('out_trade_no', 'must be 6–32 characters of [0-9A-Za-z_-|*]');
  return value;
}

/** Checks `out_refund_no`: 1–64 of `[0-9A-Za-z_-|*@]`. */
export function checkOutRefundNo(value: string): string {
  if (!OUT_REFUND_NO.test(value)) fail('out_refund_no', 'must be 1–64 characters of [0-9A-Za-z_-|*@]');
  return value;
}

/** Checks a positive amount in fen (an integer: WeChat Pay has no fractional fen). */
export function checkFen(field: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1)
    fail(field, `must be a positive integer number of fen, got ${value}`);
  return value;
}

/** Checks a length in Unicode characters (WeChat counts a CJK character as one). */
export function checkChars(field: string, value: string, max: number, min = 1): string {
  const length = [...value].length;
  if (length < min || length > max) fail(field, `must be ${min}–${max} characters, got ${length}`);
  return value;
}

/** Checks a length in UTF-8 bytes (where WeChat's limit is in bytes, as for `attach` and `reason`). */
export function checkBytes(field: string, value: string, max: number): string {
  const length = Buffer.byteLength(value, 'utf8');
  if (length > max) fail(field, `must be at most ${max} bytes of UTF-8, got ${length}`);
  return value;
}

/** Light per-call check of a notify URL (the full rules run at boot, see notify-url.ts). */
export function checkNotifyUrlField(field: string, value: string): string {
  checkChars(field, value, 255);
  if (value.includes('?')) fail(field, 'must not carry a query string');
  return value;
}
