import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket, type RawData } from 'ws';
import { WS_PATH, WsClientMessageSchema, type WsServerMessage } from '@tokentill/shared-types';
import type { Logger } from '../observability/logger.js';

export interface WsGatewayOptions {
  logger: Logger;
  /** Interval of the ping/terminate heartbeat that drops dead sockets. */
  heartbeatMs?: number;
  /** Largest accepted client frame; prompts never travel over the socket, so this stays small. */
  maxPayloadBytes?: number;
}

export interface WsGateway {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  readonly clientCount: number;
  /** Closes every socket with 1001 (going away) and stops the heartbeat. Idempotent. */
  close(): Promise<void>;
}

const CLOSE_HANDSHAKE_GRACE_MS = 2_000;

interface Tracked extends WebSocket {
  isAlive?: boolean;
}

/**
 * The `/ws` endpoint. Accepts upgrades on `WS_PATH`, keeps sockets honest with a heartbeat, and validates every
 * client message against the shared protocol. Order subscriptions are served by the delivery service; until an
 * order store exists every subscription answers NOT_FOUND.
 */
export function createWsGateway(options: WsGatewayOptions): WsGateway {
  const { logger } = options;
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayloadBytes ?? 4096 });

  const heartbeat = setInterval(() => {
    for (const ws of wss.clients as Set<Tracked>) {
      if (ws.isAlive === false) {
        ws.terminate();
        continue;
      }
      ws.isAlive = false;
      ws.ping();
    }
  }, options.heartbeatMs ?? 30_000);
  heartbeat.unref();

  wss.on('connection', (ws: Tracked) => {
    ws.isAlive = true;
    ws.on('pong', () => {
      ws.isAlive = true;
    });
    ws.on('message', (data: RawData, isBinary: boolean) => onMessage(ws, data, isBinary));
    ws.on('error', (err) => logger.warn({ err }, 'websocket error'));
  });

  function send(ws: WebSocket, message: WsServerMessage): void {
    ws.send(JSON.stringify(message));
  }

  function onMessage(ws: WebSocket, data: RawData, isBinary: boolean): void {
    let json: unknown;
    try {
      json = isBinary ? undefined : JSON.parse(data.toString());
    } catch {
      json = undefined;
    }
    const parsed = WsClientMessageSchema.safeParse(json);
    if (!parsed.success) {
      send(ws, {
        type: 'error',
        code: 'VALIDATION_FAILED',
        message: 'Expected a JSON subscribe/unsubscribe message.',
      });
      return;
    }
    if (parsed.data.type === 'subscribe') {
      send(ws, { type: 'error', orderId: parsed.data.orderId, code: 'NOT_FOUND', message: 'No such order.' });
    }
  }

  let closing: Promise<void> | undefined;
  return {
    handleUpgrade(req, socket, head) {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      if (path !== WS_PATH || closing) {
        socket.end(
          `HTTP/1.1 ${closing ? '503 Service Unavailable' : '404 Not Found'}\r\nConnection: close\r\n\r\n`,
        );
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    },
    get clientCount() {
      return wss.clients.size;
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        clearInterval(heartbeat);
        for (const ws of wss.clients) ws.close(1001, 'server shutting down');
        // A peer that never answers the close handshake is cut off rather than holding shutdown hostage.
        const force = setTimeout(() => {
          for (const ws of wss.clients) ws.terminate();
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
