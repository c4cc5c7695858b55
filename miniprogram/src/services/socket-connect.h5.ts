import { WS_BEARER_PROTOCOL_PREFIX, WS_SUBPROTOCOL } from '@tokentill/shared-types';
import type { SocketConnector, SocketTaskLike } from './socket-types';

/**
 * The browser's own WebSocket, as a `SocketTaskLike`. A browser cannot set headers on a WebSocket, so the token
 * travels as an offered subprotocol (`tokentill.bearer.<token>`, beside `tokentill.v1`, which the server echoes);
 * see the server's delivery/upgrade-credentials.ts for why not a ticket in the URL.
 *
 * Not `Taro.connectSocket`: its H5 task reports every server close as 1006, and the client must see the server's
 * close code (4401: log in again; 4409: stop reconnecting).
 */
export const connectSocket: SocketConnector = async ({ url, token }) =>
  new BrowserSocketTask(new WebSocket(url, [WS_SUBPROTOCOL, `${WS_BEARER_PROTOCOL_PREFIX}${token}`]));

class BrowserSocketTask implements SocketTaskLike {
  constructor(private readonly ws: WebSocket) {}

  send({ data }: { data: string }): void {
    this.ws.send(data);
  }
  close({ code, reason }: { code?: number; reason?: string }): void {
    this.ws.close(code, reason);
  }
  onOpen(callback: () => void): void {
    this.ws.addEventListener('open', () => callback());
  }
  onClose(callback: (result: { code?: number; reason?: string }) => void): void {
    this.ws.addEventListener('close', (event) => callback({ code: event.code, reason: event.reason }));
  }
  onError(callback: (error: unknown) => void): void {
    this.ws.addEventListener('error', (event) => callback(event));
  }
  onMessage(callback: (result: { data: unknown }) => void): void {
    this.ws.addEventListener('message', (event) => callback({ data: event.data }));
  }
}
