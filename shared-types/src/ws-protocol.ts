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

/**
 * How a client authenticates the upgrade. The session token never goes in the URL (proxies and access logs keep
 * URLs): the Mini Program sends `Authorization: Bearer <token>` (`wx.connectSocket` takes headers); a browser,
 * which cannot set headers on a WebSocket, offers two subprotocols, {@link WS_SUBPROTOCOL} and
 * `tokentill.bearer.<token>`. The server selects (echoes) {@link WS_SUBPROTOCOL} only, never the token. A
 * `?token=` query parameter is refused with 401.
 */
export const WS_SUBPROTOCOL = 'tokentill.v1';
/** Prefix of the subprotocol that carries the session token (base64url, so a valid protocol token). */
export const WS_BEARER_PROTOCOL_PREFIX = 'tokentill.bearer.';

/**
 * Close codes of the `/ws` endpoint beyond the standard ones (1001 server going away, 1008 too many messages).
 * RFC 6455 §7.4.2 leaves 4000–4999 to applications.
 */
export const WS_CLOSE_CODES = {
  /**
   * The session behind the socket was revoked (`DELETE /api/session`, on any instance) or expired. Reconnecting
   * with the same token is refused: log in again, then reconnect with the new token.
   */
  SESSION_ENDED: 4401,
  /**
   * The user opened more sockets than the server allows (`WS_MAX_SOCKETS_PER_USER`); the oldest is closed so the
   * newest works. Do not reconnect at once (that would close another of the user's sockets): poll instead.
   */
  REPLACED: 4409,
} as const;
export type WsCloseCode = (typeof WS_CLOSE_CODES)[keyof typeof WS_CLOSE_CODES];
