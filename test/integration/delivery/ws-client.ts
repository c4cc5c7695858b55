import WebSocket from 'ws';
import { WsServerMessageSchema, type WsServerMessage } from '@tokentill/shared-types';

/** A test WebSocket client that validates every message against the shared protocol and records it. */
export interface TestSocket {
  ws: WebSocket;
  messages: WsServerMessage[];
  send(message: unknown): void;
  waitFor(predicate: (m: WsServerMessage) => boolean, timeoutMs?: number): Promise<WsServerMessage>;
  close(): Promise<void>;
}

export async function openSocket(baseUrl: string, token: string | undefined): Promise<TestSocket> {
  const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/ws${token ? `?token=${token}` : ''}`);
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
