import { z } from 'zod';

/** Order ids are opaque, URL-safe strings (also WeChat Pay's out_trade_no). */
export const OrderIdSchema = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'expected an order id');

/**
 * The order state machine (docs/architecture.md, "Order states"). `CLOSED → REFUNDING` exists for a payment that arrives after the order
 * was closed: the money is real, so it is refunded, never silently kept and never turned into an answer.
 */
export const ORDER_STATES = [
  'CREATED',
  'PAID',
  'GENERATING',
  'COMPLETED',
  'CLOSED',
  'FAILED',
  'REFUNDING',
  'REFUNDED',
  'REFUND_FAILED',
] as const;
export const OrderStateSchema = z.enum(ORDER_STATES);
export type OrderState = z.infer<typeof OrderStateSchema>;

/** States after which nothing more happens to an order without an operator. */
export const FINAL_ORDER_STATES: readonly OrderState[] = ['COMPLETED', 'CLOSED', 'REFUNDED', 'REFUND_FAILED'];
