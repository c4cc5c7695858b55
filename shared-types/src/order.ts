import { z } from 'zod';
import { OrderIdSchema } from './ws-protocol.js';

/**
 * The order state machine (DESIGN.md §2). `CLOSED → REFUNDING` exists for a payment that arrives after the order
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

export const PaymentChannelSchema = z.enum(['wxpay']);
export type PaymentChannel = z.infer<typeof PaymentChannelSchema>;

export const TierSchema = z.object({
  id: z.string(),
  title: z.string(),
  /** Price in fen (1/100 CNY). */
  priceFen: z.number().int().positive(),
  description: z.string(),
});
export type Tier = z.infer<typeof TierSchema>;

export const TiersResponseSchema = z.object({ tiers: z.array(TierSchema) });
export type TiersResponse = z.infer<typeof TiersResponseSchema>;

/** Limits of a prompt, in characters (UTF-16 code units are close enough for CJK-heavy text). */
export const PROMPT_MAX_CHARS = 2000;

export const CreateOrderRequestSchema = z.object({
  prompt: z
    .string()
    .trim()
    .min(1, 'the prompt is empty')
    .max(PROMPT_MAX_CHARS, `the prompt is longer than ${PROMPT_MAX_CHARS} characters`),
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

export const OrderChunkSchema = z.object({ seq: z.number().int().positive(), text: z.string() });
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
  /** Present once delivery exists: the answer's chunks after `?after=N`. */
  chunks: z.array(OrderChunkSchema).optional(),
});
export type OrderView = z.infer<typeof OrderViewSchema>;

export const OrderListResponseSchema = z.object({
  orders: z.array(OrderViewSchema.omit({ chunks: true })),
});
export type OrderListResponse = z.infer<typeof OrderListResponseSchema>;

export const OrderQuerySchema = z.object({ after: z.coerce.number().int().min(0).default(0) });

export const ConfirmOrderResponseSchema = z.object({ orderId: OrderIdSchema, state: OrderStateSchema });
export type ConfirmOrderResponse = z.infer<typeof ConfirmOrderResponseSchema>;
