import { z } from 'zod';
import { OrderIdSchema, OrderStateSchema } from './order-state.js';

export const PaymentChannelSchema = z.enum(['wxpay']);
export type PaymentChannel = z.infer<typeof PaymentChannelSchema>;

export const TierSchema = z.object({
  id: z.string(),
  title: z.string(),
  /** Price in fen (1/100 CNY). */
  priceFen: z.number().int().positive(),
  description: z.string(),
  /**
   * False while no model of the tier can take an order (every provider of its chain has its circuit breaker
   * open): the Mini Program shows the tier as temporarily unavailable, and `POST /api/orders` refuses it with
   * 503 TIER_UNAVAILABLE before any payment exists.
   */
  available: z.boolean(),
});
export type Tier = z.infer<typeof TierSchema>;

export const TiersResponseSchema = z.object({ tiers: z.array(TierSchema) });
export type TiersResponse = z.infer<typeof TiersResponseSchema>;

/** Longest prompt, in characters as a person counts them (see {@link promptChars}). */
export const PROMPT_MAX_CHARS = 2000;

/**
 * The length of a text in characters as a person counts them: Unicode code points, so an emoji or a rare CJK
 * character outside the BMP counts once, not twice as UTF-16 `length` would. The Mini Program's counter and
 * the server's limit both count this way, so a prompt the counter accepts is never refused.
 */
export function promptChars(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

export const CreateOrderRequestSchema = z.object({
  // Trimmed before it is checked and stored: the model, the order and the answer's bubble all see the same text.
  prompt: z
    .string()
    .trim()
    .min(1, 'the prompt is empty')
    .refine(
      (prompt) => promptChars(prompt) <= PROMPT_MAX_CHARS,
      `the prompt is longer than ${PROMPT_MAX_CHARS} characters`,
    )
    // No person types U+0000, and PostgreSQL text cannot hold it: refused here, as bad input, rather than failing
    // the order's ledger write later (which would answer 503 as if the ledger were down).
    .refine(
      (prompt) => !prompt.includes('\u0000'),
      'the prompt contains a NUL character (U+0000): remove it',
    ),
  tier: z.string().min(1, 'choose a tier').max(64),
});
export type CreateOrderRequest = z.infer<typeof CreateOrderRequestSchema>;

/** Exactly what `wx.requestPayment` takes for an APIv3 JSAPI order. */
export const WxPayRequestParamsSchema = z.object({
  timeStamp: z.string(),
  nonceStr: z.string(),
  package: z.string().startsWith('prepay_id='),
  signType: z.literal('RSA'),
  paySign: z.string(),
});
export type WxPayRequestParams = z.infer<typeof WxPayRequestParamsSchema>;

export const CreateOrderResponseSchema = z.object({
  orderId: OrderIdSchema,
  payment: z.object({ channel: z.literal('wxpay'), params: WxPayRequestParamsSchema }),
});
export type CreateOrderResponse = z.infer<typeof CreateOrderResponseSchema>;

/** One piece of the answer; `reset` entries mean "discard everything before this seq" (see WsResetSchema). */
export const OrderChunkSchema = z.object({
  seq: z.number().int().positive(),
  text: z.string(),
  reset: z.literal(true).optional(),
});
export type OrderChunk = z.infer<typeof OrderChunkSchema>;

/** What the owner sees of an order. Timestamps are ISO 8601 strings. */
export const OrderViewSchema = z.object({
  orderId: OrderIdSchema,
  state: OrderStateSchema,
  tier: z.string(),
  tierTitle: z.string(),
  priceFen: z.number().int(),
  prompt: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  paidAt: z.string().optional(),
  completedAt: z.string().optional(),
  refundedAt: z.string().optional(),
  /** The answer's chunks after `?after=N` (all of them by default), in order. */
  chunks: z.array(OrderChunkSchema).optional(),
  /**
   * Once COMPLETED: the tokens of the model call that answered, and `costFen`, what the answer cost the operator
   * in model calls in all (fen): models cut mid-answer before it and re-runs after a crashed worker included.
   */
  usage: z
    .object({ promptTokens: z.number().int(), completionTokens: z.number().int(), costFen: z.number() })
    .optional(),
});
export type OrderView = z.infer<typeof OrderViewSchema>;

/** Orders per page of `GET /api/orders`: the default, and the most a client may ask for. */
export const ORDER_PAGE_DEFAULT = 20;
export const ORDER_PAGE_MAX = 50;

/**
 * `GET /api/orders?cursor=…&limit=…`: newest first; `cursor` is the previous page's `nextCursor` (opaque to
 * clients), absent for the first page.
 */
export const OrderListQuerySchema = z.object({
  cursor: z
    .string()
    .regex(/^\d{1,15}\.[A-Za-z0-9_-]{8,64}$/, 'expected the nextCursor of a previous page')
    .optional(),
  limit: z.coerce.number().int().min(1).max(ORDER_PAGE_MAX).default(ORDER_PAGE_DEFAULT),
});
export type OrderListQuery = z.infer<typeof OrderListQuerySchema>;

export const OrderListResponseSchema = z.object({
  orders: z.array(OrderViewSchema.omit({ chunks: true })),
  /** Present when older orders remain: pass it as `cursor` for the next page. */
  nextCursor: z.string().optional(),
});
export type OrderListResponse = z.infer<typeof OrderListResponseSchema>;

export const OrderQuerySchema = z.object({ after: z.coerce.number().int().min(0).default(0) });

export const ConfirmOrderResponseSchema = z.object({ orderId: OrderIdSchema, state: OrderStateSchema });
export type ConfirmOrderResponse = z.infer<typeof ConfirmOrderResponseSchema>;

/**
 * `POST /api/orders/:id/cancel`: the unpaid order is closed at WeChat Pay, then here (CLOSED; nothing was charged).
 * Cancelling a CLOSED order answers the same again. An order that turns out to be paid is refused with 409
 * ORDER_NOT_CANCELLABLE: it goes on to its answer (or its refund).
 */
export const CancelOrderResponseSchema = z.object({ orderId: OrderIdSchema, state: z.literal('CLOSED') });
export type CancelOrderResponse = z.infer<typeof CancelOrderResponseSchema>;

/**
 * `GET /api/orders/:id/payment`: fresh `wx.requestPayment` parameters for one of the user's unpaid orders (paying
 * it from the orders page, or again after a cancelled pay sheet). 409 ORDER_NOT_PAYABLE once it is paid, closed
 * or past its payment deadline.
 */
export const OrderPaymentResponseSchema = CreateOrderResponseSchema;
export type OrderPaymentResponse = CreateOrderResponse;
