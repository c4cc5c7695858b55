/** The part of a Taro/WeChat `SocketTask` the socket client uses. */
export interface SocketTaskLike {
  send(option: { data: string }): unknown;
  close(option: { code?: number; reason?: string }): unknown;
  onOpen(callback: () => void): void;
  /** `code` is the close code the server sent (e.g. 4401: log in again), when the platform reports it. */
  onClose(callback: (result: { code?: number; reason?: string }) => void): void;
  onError(callback: (error: unknown) => void): void;
  onMessage(callback: (result: { data: unknown }) => void): void;
}

/** Where to connect and with which session token; the platform adapter decides how the token travels. */
export interface SocketTarget {
  url: string;
  token: string;
}

/** Opens the app's socket (`socket-connect.weapp.ts` / `socket-connect.h5.ts`). Never puts the token in the URL. */
export type SocketConnector = (target: SocketTarget) => Promise<SocketTaskLike>;
