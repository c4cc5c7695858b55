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
  /** Tokens used and what they cost, once COMPLETED. */
  usage: z
    .object({ promptTokens: z.number().int(), completionTokens: z.number().int(), costFen: z.number() })
    .optional(),
});
export type OrderView = z.infer<typeof OrderViewSchema>;

export const OrderListResponseSchema = z.object({
  orders: z.array(OrderViewSchema.omit({ chunks: true })),
});
export type OrderListResponse = z.infer<typeof OrderListResponseSchema>;

export const OrderQuerySchema = z.object({ after: z.coerce.number().int().min(0).default(0) });

export const ConfirmOrderResponseSchema = z.object({ orderId: OrderIdSchema, state: OrderStateSchema });
export type ConfirmOrderResponse = z.infer<typeof ConfirmOrderResponseSchema>;
