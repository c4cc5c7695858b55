import { z } from 'zod';

/**
 * Every error the HTTP API can answer with. Codes are stable: clients branch on them, so a code is never
 * renamed or reused for another meaning. The HTTP status for each lives in the server's `CODE_TO_STATUS`.
 */
export const ERROR_CODES = [
  'VALIDATION_FAILED',
  'BAD_JSON',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'UNAUTHENTICATED',
  'SESSION_EXPIRED',
  'WECHAT_CODE_INVALID',
  'FORBIDDEN',
  'NOT_FOUND',
  'METHOD_NOT_ALLOWED',
  'RATE_LIMITED',
  'TOO_MANY_UNPAID_ORDERS',
  'ORDER_NOT_PAYABLE',
  'ORDER_NOT_CANCELLABLE',
  'TIER_UNAVAILABLE',
  'PAYMENT_UNAVAILABLE',
  'ORDER_INVALID_TRANSITION',
  'PAYMENT_SIGNATURE_INVALID',
  'UPSTREAM_TIMEOUT',
  'UPSTREAM_UNAVAILABLE',
  'UPSTREAM_ERROR',
  'NOT_READY',
  'INTERNAL',
] as const;

export const ErrorCodeSchema = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof ErrorCodeSchema>;
