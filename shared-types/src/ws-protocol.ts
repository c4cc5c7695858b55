import { z } from 'zod';
import { ErrorCodeSchema } from './error-codes.js';

/** Order ids are opaque, URL-safe strings. */
export const OrderIdSchema = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'expected an order id');

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

export const WsStateSchema = z.object({
  type: z.literal('state'),
  orderId: OrderIdSchema,
  state: z.string(),
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
  WsStateSchema,
  WsDoneSchema,
  WsErrorSchema,
]);
export type WsServerMessage = z.infer<typeof WsServerMessageSchema>;

/** The WebSocket endpoint path, on the same host and port as the HTTP API. */
export const WS_PATH = '/ws';
