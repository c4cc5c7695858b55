import { z } from 'zod';
import { ErrorCodeSchema } from './error-codes.js';
import { OrderIdSchema, OrderStateSchema } from './order-state.js';

/** Client → server: start (or resume) receiving an order's answer after chunk `after` (0 = from the start). */
export const WsSubscribeSchema = z.object({
  type: z.literal('subscribe'),
  orderId: OrderIdSchema,
  after: z.number().int().min(0).default(0),
});

export const WsUnsubscribeSchema = z.object({ type: z.literal('unsubscribe'), orderId: OrderIdSchema });

export const WsClientMessageSchema = z.discriminatedUnion('type', [WsSubscribeSchema, WsUnsubscribeSchema]);
export type WsClientMessage = z.infer<typeof WsClientMessageSchema>;

export const WsChunkSchema = z.object({
  type: z.literal('chunk'),
  orderId: OrderIdSchema,
  /** 1-based, gap-free sequence number of this chunk within the order's answer. */
  seq: z.number().int().positive(),
  text: z.string(),
});

/**
 * The answer restarts from here: discard every chunk received before `seq`. Sent when a model failed after its
 * first tokens (or a worker died mid-answer) and another attempt starts over, so two partial answers are never
 * silently glued together.
 */
export const WsResetSchema = z.object({
  type: z.literal('reset'),
  orderId: OrderIdSchema,
  seq: z.number().int().positive(),
  reason: z.string(),
});

/** The order moved to a new state (e.g. PAID → GENERATING, or FAILED → REFUNDING). */
export const WsStateSchema = z.object({
  type: z.literal('state'),
  orderId: OrderIdSchema,
  state: OrderStateSchema,
});

export const WsDoneSchema = z.object({
  type: z.literal('done'),
  orderId: OrderIdSchema,
  usage: z.object({ promptTokens: z.number().int().min(0), completionTokens: z.number().int().min(0) }),
});

/** An error about one order (`orderId` set) or about the connection/message itself (`orderId` omitted). */
export const WsErrorSchema = z.object({
  type: z.literal('error'),
  orderId: OrderIdSchema.optional(),
  code: ErrorCodeSchema,
  message: z.string(),
});

export const WsServerMessageSchema = z.discriminatedUnion('type', [
  WsChunkSchema,
  WsResetSchema,
  WsStateSchema,
  WsDoneSchema,
  WsErrorSchema,
]);
export type WsServerMessage = z.infer<typeof WsServerMessageSchema>;

/** The WebSocket endpoint path, on the same host and port as the HTTP API. */
export const WS_PATH = '/ws';
