import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { WS_PATH, WsClientMessageSchema, type WsServerMessage } from '@tokentill/shared-types';
import type { Logger } from '../observability/logger.js';
import type { AnswerStreamStore } from './answer-stream-store.js';
import { subscribeOrder, type OrderSubscription } from './order-subscription.js';
import type { StreamHub } from './stream-hub.js';

/** Who a socket belongs to, established once at upgrade. */
export interface SocketPrincipal {
  userKey: string;
}

export interface WsGatewayOptions {
  logger: Logger;
  /** Resolves the session token of an upgrade request (query `token` or `Authorization: Bearer`). */
  authenticate(token: string): Promise<SocketPrincipal | undefined>;
  /** Whether the user owns the order (anything else is answered as NOT_FOUND, like the HTTP API). */
  ownsOrder(principal: SocketPrincipal, orderId: string): Promise<boolean>;
  usageOf(orderId: string): Promise<{ promptTokens: number; completionTokens: number }>;
  hub: StreamHub;
  answers: AnswerStreamStore;
  /** Called when a socket saw an order through to its final state (subscribe messages are then not needed). */
  onWatchedToEnd?(orderId: string, state: string): void;
  /** Interval of the ping/terminate heartbeat that drops dead sockets. */
  heartbeatMs?: number;
  /** Largest accepted client frame; prompts never travel over the socket, so this stays small. */
  maxPayloadBytes?: number;
  /** Messages a client may send per 10 s before it is disconnected (1008). */
  maxMessagesPer10s?: number;
  /** Orders one socket may follow at once. */
  maxSubscriptions?: number;
  /** Stop sending to a socket whose unsent buffer exceeds this; resume from Redis once it drains. */
  highWaterBytes?: number;
}

export interface WsGateway {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  readonly clientCount: number;
  /** Closes every socket with 1001 (going away) and stops the heartbeat. Idempotent. */
  close(): Promise<void>;
}

interface Client {
  ws: WebSocket;
  principal: SocketPrincipal;
  alive: boolean;
  subscriptions: Map<string, OrderSubscription>;
  windowStart: number;
  messagesInWindow: number;
}

const CLOSE_HANDSHAKE_GRACE_MS = 2_000;

function tokenOf(req: IncomingMessage): string | undefined {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const fromQuery = url.searchParams.get('token');
  if (fromQuery) return fromQuery;
  return /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
}

function refuse(socket: Duplex, status: string): void {
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/**
 * The `/ws` endpoint: authenticates at upgrade (401 and the socket destroyed otherwise), then serves
 * subscribe/unsubscribe for the user's own orders — replay after `after`, live entries, state, done, errors —
 * with heartbeats, per-connection size and rate limits, and backpressure.
 */
export function createWsGateway(options: WsGatewayOptions): WsGateway {
  const { logger } = options;
  const maxMessages = options.maxMessagesPer10s ?? 60;
  const maxSubscriptions = options.maxSubscriptions ?? 10;
  const highWater = options.highWaterBytes ?? 256 * 1024;
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayloadBytes ?? 4096 });
  const clients = new Set<Client>();
  const lagging = new Set<Client>();

  const heartbeat = setInterval(() => {
    for (const client of clients) {
      if (!client.alive) {
        client.ws.terminate();
        continue;
      }
      client.alive = false;
      client.ws.ping();
    }
  }, options.heartbeatMs ?? 30_000);
  heartbeat.unref();

  // Lagging sockets are polled until their buffers drain, then caught up from Redis.
  const drainCheck = setInterval(() => {
    for (const client of lagging) {
      if (client.ws.bufferedAmount > highWater / 4) continue;
      lagging.delete(client);
      for (const subscription of client.subscriptions.values()) subscription.resume();
    }
  }, 50);
  drainCheck.unref();

  function send(client: Client, message: WsServerMessage): boolean {
    if (client.ws.readyState !== client.ws.OPEN) return false;
    client.ws.send(JSON.stringify(message));
    if (client.ws.bufferedAmount > highWater) {
      lagging.add(client);
      return false;
    }
    return true;
  }

  async function subscribe(client: Client, orderId: string, after: number): Promise<void> {
    client.subscriptions.get(orderId)?.close();
    client.subscriptions.delete(orderId);
    if (client.subscriptions.size >= maxSubscriptions) {
      send(client, {
        type: 'error',
        orderId,
        code: 'RATE_LIMITED',
        message: `At most ${maxSubscriptions} orders per socket.`,
      });
      return;
    }
    if (!(await options.ownsOrder(client.principal, orderId))) {
      send(client, { type: 'error', orderId, code: 'NOT_FOUND', message: 'No such order.' });
      return;
    }
    const subscription = subscribeOrder(orderId, after, {
      hub: options.hub,
      answers: options.answers,
      send: (message) => send(client, message),
      usageOf: options.usageOf,
      onFinished: (id, state) => {
        if (client.subscriptions.get(id) === subscription) client.subscriptions.delete(id);
        options.onWatchedToEnd?.(id, state);
      },
    });
    client.subscriptions.set(orderId, subscription);
  }

  function onMessage(client: Client, data: RawData, isBinary: boolean): void {
    const now = Date.now();
    if (now - client.windowStart > 10_000) {
      client.windowStart = now;
      client.messagesInWindow = 0;
    }
    if (++client.messagesInWindow > maxMessages) {
      client.ws.close(1008, 'too many messages');
      return;
    }
    let json: unknown;
    try {
      json = isBinary ? undefined : JSON.parse(data.toString());
    } catch {
      json = undefined;
    }
    const parsed = WsClientMessageSchema.safeParse(json);
    if (!parsed.success) {
      send(client, {
        type: 'error',
        code: 'VALIDATION_FAILED',
        message: 'Expected a JSON subscribe/unsubscribe message.',
      });
      return;
    }
    const message = parsed.data;
    if (message.type === 'subscribe') {
      subscribe(client, message.orderId, message.after).catch((err: unknown) => {
        logger.warn({ err: { message: (err as Error).message } }, 'subscribe failed');
        send(client, { type: 'error', orderId: message.orderId, code: 'INTERNAL', message: 'Try again.' });
      });
    } else {
      client.subscriptions.get(message.orderId)?.close();
      client.subscriptions.delete(message.orderId);
    }
  }

  function onConnection(ws: WebSocket, principal: SocketPrincipal): void {
    const client: Client = {
      ws,
      principal,
      alive: true,
      subscriptions: new Map(),
      windowStart: Date.now(),
      messagesInWindow: 0,
    };
    clients.add(client);
    ws.on('pong', () => (client.alive = true));
    ws.on('message', (data: RawData, isBinary: boolean) => onMessage(client, data, isBinary));
    ws.on('error', (err) => logger.debug({ err: { message: err.message } }, 'websocket error'));
    ws.on('close', () => {
      clients.delete(client);
      lagging.delete(client);
      for (const subscription of client.subscriptions.values()) subscription.close();
      client.subscriptions.clear();
    });
  }

  let closing: Promise<void> | undefined;
  return {
    handleUpgrade(req, socket, head) {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      if (path !== WS_PATH || closing) {
        refuse(socket, closing ? '503 Service Unavailable' : '404 Not Found');
        return;
      }
      const token = tokenOf(req);
      socket.on('error', () => undefined);
      (token ? options.authenticate(token) : Promise.resolve(undefined)).then(
        (principal) => {
          if (!principal) {
            refuse(socket, '401 Unauthorized');
            socket.destroy();
            return;
          }
          wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, principal));
        },
        () => refuse(socket, '503 Service Unavailable'),
      );
    },
    get clientCount() {
      return clients.size;
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        clearInterval(heartbeat);
        clearInterval(drainCheck);
        for (const client of clients) client.ws.close(1001, 'server shutting down');
        // A peer that never answers the close handshake is cut off rather than holding shutdown hostage.
        const force = setTimeout(() => {
          for (const client of clients) client.ws.terminate();
        }, CLOSE_HANDSHAKE_GRACE_MS);
        force.unref();
        wss.close(() => {
          clearTimeout(force);
          resolve();
        });
      });
      return closing;
    },
  };
}
