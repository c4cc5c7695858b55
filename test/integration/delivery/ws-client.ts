import WebSocket from 'ws';
import {
  WS_BEARER_PROTOCOL_PREFIX,
  WS_PATH,
  WS_SUBPROTOCOL,
  WsServerMessageSchema,
  type WsServerMessage,
} from '@tokentill/shared-types';

/** A test WebSocket client that validates every message against the shared protocol and records it. */
export interface TestSocket {
  ws: WebSocket;
  messages: WsServerMessage[];
  send(message: unknown): void;
  waitFor(predicate: (m: WsServerMessage) => boolean, timeoutMs?: number): Promise<WsServerMessage>;
  close(): Promise<void>;
}

/** How the session token travels: the Mini Program's `Authorization` header, or a browser's subprotocols. */
export type TokenCarrier = 'header' | 'subprotocol';

/** Opens `/ws` with the session token in a header (as the Mini Program does) or as a subprotocol (as browsers do). */
export function connectSocket(
  baseUrl: string,
  token: string | undefined,
  carrier: TokenCarrier = 'header',
): WebSocket {
  const url = `${baseUrl.replace(/^http/, 'ws')}${WS_PATH}`;
  if (token === undefined) return new WebSocket(url);
  if (carrier === 'subprotocol') {
    return new WebSocket(url, [WS_SUBPROTOCOL, `${WS_BEARER_PROTOCOL_PREFIX}${token}`]);
  }
  return new WebSocket(url, { headers: { authorization: `Bearer ${token}` } });
}

export async function openSocket(
  baseUrl: string,
  token: string | undefined,
  carrier: TokenCarrier = 'header',
): Promise<TestSocket> {
  const ws = connectSocket(baseUrl, token, carrier);
  const messages: WsServerMessage[] = [];
  const waiters = new Set<() => void>();
  ws.on('message', (data) => {
    messages.push(WsServerMessageSchema.parse(JSON.parse(data.toString())));
    for (const wake of waiters) wake();
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return {
    ws,
    messages,
    send: (message) => ws.send(JSON.stringify(message)),
    waitFor: (predicate, timeoutMs = 10_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const hit = messages.find(predicate);
          if (!hit) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(hit);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching message; got ${JSON.stringify(messages.slice(-5))}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
    close: () =>
      new Promise<void>((resolve) => {
        if (ws.readyState === ws.CLOSED) return resolve();
        ws.once('close', () => resolve());
        ws.close();
      }),
  };
}

/** The answer assembled from chunk/reset messages of one order, in arrival order. */
export function assembled(messages: WsServerMessage[], orderId: string): string {
  let text = '';
  for (const m of messages) {
    if (m.type === 'chunk' && m.orderId === orderId) text += m.text;
    if (m.type === 'reset' && m.orderId === orderId) text = '';
  }
  return text;
}

/** The HTTP status of a refused upgrade (101 if the socket opened instead; it is then closed). */
export function upgradeStatus(ws: WebSocket): Promise<number> {
  return new Promise((resolve) => {
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('open', () => {
      resolve(101);
      ws.terminate();
    });
    ws.on('error', () => undefined);
  });
}
