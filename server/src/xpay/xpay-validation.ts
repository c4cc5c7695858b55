/**
 * Local checks of virtual-payment fields against their documented limits, so a bad value fails here with the
 * field named instead of as a -15001 in the user's payment sheet or a 268490002 round trip. The predicates are
 * shared with the sandbox, which refuses the same values the way WeChat does.
 */
import { XPayRequestValidationError } from './xpay-errors.js';

/** outTradeNo: "8–32 characters of [0-9A-Za-z_-|*@], not starting with an underscore" (wx.requestVirtualPayment). */
const OUT_TRADE_NO = /^(?!_)[0-9A-Za-z_\-|*@]{8,32}$/;
/** refund_order_id: "[8,32] characters of [A-Za-z0-9_-]" (refund_order). */
const REFUND_ORDER_ID = /^[A-Za-z0-9_-]{8,32}$/;
/** refund_reason "0".."5" and req_from "1".."3" (refund_order). */
const REFUND_REASONS = ['0', '1', '2', '3', '4', '5'] as const;
const REQUEST_SOURCES = ['1', '2', '3'] as const;

/** `refund_reason`: 0 none given … 5 (see docs/xpay.md for the meanings WeChat lists). */
export type RefundReason = (typeof REFUND_REASONS)[number];
/** `req_from`: 1 customer service (人工客服), 2 the user, 3 other. */
export type RefundRequestSource = (typeof REQUEST_SOURCES)[number];

export const isOutTradeNo = (value: unknown): value is string =>
  typeof value === 'string' && OUT_TRADE_NO.test(value);
export const isRefundOrderId = (value: unknown): value is string =>
  typeof value === 'string' && REFUND_ORDER_ID.test(value);
export const isRefundReason = (value: unknown): value is RefundReason =>
  (REFUND_REASONS as readonly unknown[]).includes(value);
export const isRequestSource = (value: unknown): value is RefundRequestSource =>
  (REQUEST_SOURCES as readonly unknown[]).includes(value);
/** A positive whole number of fen (xpay has no fractional fen). */
export const isPositiveFen = (value: unknown): value is number =>
  Number.isSafeInteger(value) && (value as number) > 0;

/** Builds the error every check throws: the field named in the message and on the error. */
export function invalidField(field: string, message: string): XPayRequestValidationError {
  return new XPayRequestValidationError(field, `${field}: ${message}`);
}

/** Checks an outTradeNo (also the server API's `order_id`). */
export function checkOutTradeNo(field: string, value: string): string {
  if (!isOutTradeNo(value)) {
    throw invalidField(field, 'must be 8–32 characters of [0-9A-Za-z_-|*@], not starting with "_"');
  }
  return value;
}

/** Checks a refund_order_id: stable per refund, so a retry can never refund twice. */
export function checkRefundOrderId(value: string): string {
  if (!isRefundOrderId(value))
    throw invalidField('refund_order_id', 'must be 8–32 characters of [A-Za-z0-9_-]');
  return value;
}

/** Checks a positive integer amount in fen. */
export function checkFen(field: string, value: number): number {
  if (!isPositiveFen(value))
    throw invalidField(field, `must be a positive whole number of fen, got ${value}`);
  return value;
}

/** Checks a non-empty string without control characters, of at most `max` characters. */
export function checkText(field: string, value: string, max: number): string {
  // eslint-disable-next-line no-control-regex
  if (typeof value !== 'string' || value === '' || /[\u0000-\u001f\u007f]/.test(value)) {
    throw invalidField(field, 'must be a non-empty string without control characters');
  }
  if ([...value].length > max) throw invalidField(field, `must be at most ${max} characters`);
  return value;
}

/** Checks a length in UTF-8 bytes (biz_meta's limit is 1024). */
export function checkBytes(field: string, value: string, max: number): string {
  if (typeof value !== 'string') throw invalidField(field, 'must be a string');
  const length = Buffer.byteLength(value, 'utf8');
  if (length > max) throw invalidField(field, `must be at most ${max} bytes of UTF-8, got ${length}`);
  return value;
}
