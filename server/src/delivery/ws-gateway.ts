import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import {
  WS_CLOSE_CODES,
  WS_PATH,
  WsClientMessageSchema,
  type WsServerMessage,
} from '@tokentill/shared-types';
import type { Logger } from '../observability/logger.js';
import type { AnswerStreamStore } from './answer-stream-store.js';
import { subscribeOrder } from './order-subscription.js';
import { createSocketRegistry } from './socket-registry.js';
import { createSocketSubscriptions, type SocketSubscriptions } from './socket-subscriptions.js';
import type { StreamHub } from './stream-hub.js';
import { selectProtocol, upgradeCredentials } from './upgrade-credentials.js';

/** Who a socket belongs to, established once at upgrade. */
export interface SocketPrincipal {
  userKey: string;
  /** The session the socket authenticated with: its token hash, never the token (see sessions/). */
  sessionId: string;
}

export interface WsGatewayOptions {
  logger: Logger;
  /** Resolves the session token of an upgrade request (see upgrade-credentials.ts for where it is read). */
  authenticate(token: string): Promise<SocketPrincipal | undefined>;
  /** Whether the user owns the order (anything else is answered as NOT_FOUND, like the HTTP API). */
  ownsOrder(principal: SocketPrincipal, orderId: string): Promise<boolean>;
  /**
   * Whether a session still exists, asked on every heartbeat for each session with an open socket: the backstop
   * behind {@link WsGateway.endSession} for revocations this instance did not hear, and for sessions that expired.
   */
  isSessionLive?(sessionId: string): Promise<boolean>;
  usageOf(orderId: string): Promise<{ promptTokens: number; completionTokens: number }>;
  hub: StreamHub;
  answers: AnswerStreamStore;
  /** Called when a socket saw an order through to its final state (subscribe messages are then not needed). */
  onWatchedToEnd?(orderId: string, state: string): void;
  /** Interval of the ping/terminate heartbeat that drops dead sockets (and re-checks sessions). */
  heartbeatMs?: number;
  /** Largest accepted client frame; prompts never travel over the socket, so this stays small. */
  maxPayloadBytes?: number;
  /** Messages a client may send per 10 s before it is disconnected (1008). */
  maxMessagesPer10s?: number;
  /** Orders one socket may follow at once. */
  maxSubscriptions?: number;
  /** Sockets one user may hold on this instance; beyond it the oldest is closed with `REPLACED`. */
  maxSocketsPerUser?: number;
  /** Stop sending to a socket whose unsent buffer exceeds this; resume from Redis once it drains. */
  highWaterBytes?: number;
}

export interface WsGateway {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Closes every socket of a revoked session with `SESSION_ENDED`; returns how many were open. */
  endSession(sessionId: string): number;
  readonly clientCount: number;
  /** Closes every socket with 1001 (going away) and stops the heartbeat. Idempotent. */
  close(): Promise<void>;
}

interface Client {
  ws: WebSocket;
  principal: SocketPrincipal;
  alive: boolean;
  subscriptions: SocketSubscriptions;
  windowStart: number;
  messagesInWindow: number;
}

const CLOSE_HANDSHAKE_GRACE_MS = 2_000;

function refuse(socket: Duplex, status: string): void {
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/**
 * The `/ws` endpoint: authenticates at upgrade (401 and the socket destroyed otherwise), then serves
 * subscribe/unsubscribe for the user's own orders — replay after `after`, live entries, state, done, errors —
 * with heartbeats, per-connection size and rate limits, backpressure, a per-user socket cap, and sockets
 * closed when their session ends.
 */
export function createWsGateway(options: WsGatewayOptions): WsGateway {
  const { logger } = options;
  const maxMessages = options.maxMessagesPer10s ?? 60;
  const maxSubscriptions = options.maxSubscriptions ?? 10;
  const highWater = options.highWaterBytes ?? 256 * 1024;
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxPayloadBytes ?? 4096,
    // Without this, ws would echo the first offered subprotocol, which may be the one carrying the token.
    handleProtocols: (offered) => selectProtocol(offered),
  });
  const clients = new Set<Client>();
  const registry = createSocketRegistry<Client>(options.maxSocketsPerUser ?? 5);
  const lagging = new Set<Client>();

  let checkingSessions = false;
  /** Closes the sockets of sessions that no longer exist. A failed check keeps them: Redis trouble is no logout. */
  async function recheckSessions(isSessionLive: (sessionId: string) => Promise<boolean>): Promise<void> {
    if (checkingSessions) return;
    checkingSessions = true;
    try {
      const ids = registry.sessionIds();
      const live = await Promise.all(ids.map((id) => isSessionLive(id).catch(() => true)));
      ids.forEach((id, i) => {
        if (!live[i]) endSession(id);
      });
    } finally {
      checkingSessions = false;
    }
  }

  const heartbeat = setInterval(() => {
    for (const client of clients) {
      if (!client.alive) {
        client.ws.terminate();
        continue;
      }
      client.alive = false;
      client.ws.ping();
    }
    if (options.isSessionLive) void recheckSessions(options.isSessionLive);
  }, options.heartbeatMs ?? 30_000);
  heartbeat.unref();

  // Lagging sockets are polled until their buffers drain, then caught up from Redis.
  const drainCheck = setInterval(() => {
    for (const client of lagging) {
      if (client.ws.bufferedAmount > highWater / 4) continue;
      lagging.delete(client);
      client.subscriptions.resume();
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

  /** Forgets a socket: its subscriptions (pending ones too) close and their hub listeners go. Idempotent. */
  function release(client: Client): void {
    clients.delete(client);
    registry.remove(client);
    lagging.delete(client);
    client.subscriptions.close();
  }

  /** Closes a socket on the server's initiative; it stops receiving at once, before the close handshake ends. */
  function disconnect(client: Client, code: number, reason: string): void {
    release(client);
    client.ws.close(code, reason);
  }

  function endSession(sessionId: string): number {
    const sockets = registry.ofSession(sessionId);
    for (const client of sockets)
      disconnect(client, WS_CLOSE_CODES.SESSION_ENDED, 'session ended: log in again');
    if (sockets.length > 0)
      logger.info({ sockets: sockets.length }, 'closed the sockets of an ended session');
    return sockets.length;
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
      client.subscriptions.subscribe(message.orderId, message.after).catch((err: unknown) => {
        logger.warn({ err: { message: (err as Error).message } }, 'subscribe failed');
        send(client, { type: 'error', orderId: message.orderId, code: 'INTERNAL', message: 'Try again.' });
      });
    } else {
      client.subscriptions.unsubscribe(message.orderId);
    }
  }

  function onConnection(ws: WebSocket, principal: SocketPrincipal): void {
    const client: Client = {
      ws,
      principal,
      alive: true,
      subscriptions: createSocketSubscriptions({
        maxSubscriptions,
        ownsOrder: (orderId) => options.ownsOrder(principal, orderId),
        send: (message) => void send(client, message),
        open: (orderId, after, onFinished) =>
          subscribeOrder(orderId, after, {
            hub: options.hub,
            answers: options.answers,
            send: (message) => send(client, message),
            usageOf: options.usageOf,
            onFinished: (id, state) => {
              onFinished(state);
              options.onWatchedToEnd?.(id, state);
            },
          }),
      }),
      windowStart: Date.now(),
      messagesInWindow: 0,
    };
    clients.add(client);
    for (const old of registry.add(client)) {
      disconnect(old, WS_CLOSE_CODES.REPLACED, 'too many sockets for this user: the oldest was closed');
    }
    ws.on('pong', () => (client.alive = true));
    ws.on('message', (data: RawData, isBinary: boolean) => onMessage(client, data, isBinary));
    ws.on('error', (err) => logger.debug({ err: { message: err.message } }, 'websocket error'));
    ws.on('close', () => release(client));
  }

  let closing: Promise<void> | undefined;
  return {
    handleUpgrade(req, socket, head) {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      if (path !== WS_PATH || closing) {
        refuse(socket, closing ? '503 Service Unavailable' : '404 Not Found');
        return;
      }
      socket.on('error', () => undefined);
      const credentials = upgradeCredentials(req);
      if (credentials.kind === 'token-in-url') {
        // The URL is not logged: it holds the token.
        logger.warn('refused a /ws upgrade with a token in its URL: send it in a header or subprotocol');
      }
      if (credentials.kind !== 'token') {
        refuse(socket, '401 Unauthorized');
        socket.destroy();
        return;
      }
      options.authenticate(credentials.token).then(
        (principal) => {
          if (!principal) {
            refuse(socket, '401 Unauthorized');
            socket.destroy();
            return;
          }
          if (closing) {
            refuse(socket, '503 Service Unavailable');
            return;
          }
          wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, principal));
        },
        () => refuse(socket, '503 Service Unavailable'),
      );
    },
    endSession,
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
          for (const client of wss.clients) client.terminate();
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
