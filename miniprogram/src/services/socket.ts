import {
  WS_CLOSE_CODES,
  WS_PATH,
  WsServerMessageSchema,
  type WsClientMessage,
  type WsServerMessage,
} from '@tokentill/shared-types';
import { onAppVisibilityChange } from './app-visibility';
import { renewSession, sessionToken } from './session';
import { connectSocket } from './socket-connect';
import type { SocketConnector, SocketTaskLike } from './socket-types';

export type { SocketConnector, SocketTarget, SocketTaskLike } from './socket-types';

/** What a subscriber hears about its order. */
export interface SubscriptionHandlers {
  /** Every valid message about the order, in order; chunks and resets already de-duplicated by seq. */
  onMessage(message: WsServerMessage): void;
  /**
   * The socket gave up ({@link SocketClientOptions.maxConnectFailures} failed connects in a row, or the server
   * closed it as one too many for this user): the subscription is dropped and the subscriber should poll instead.
   */
  onUnavailable(): void;
  /**
   * The shared socket went down (`false`: it was open and dropped; a reconnect is scheduled) or is up again
   * (`true`). Lets the screen say "重新连接中…" at once instead of after a silence.
   */
  onConnectionChange?(up: boolean): void;
}

/** Tuning and seams (for tests) of a {@link SocketClient}. Defaults in brackets. */
export interface SocketClientOptions {
  /** Opens a socket with the token in a header or subprotocol [the platform's `socket-connect` adapter]. */
  connect?: SocketConnector;
  /** The URL to connect to, never holding the token [{@link socketUrl}]. */
  url?: () => string;
  /** The session token to connect with [`sessionToken`]. */
  token?: () => Promise<string>;
  /** A token to replace one the server ended (logout, expiry): logs in again [`renewSession`]. */
  renewToken?: (staleToken: string) => Promise<string>;
  /** Random number in [0, 1) for backoff jitter [`Math.random`]. */
  random?: () => number;
  /** Failed connects in a row before subscribers are told to poll [3]. */
  maxConnectFailures?: number;
  /** First reconnect delay, doubled per failure, before jitter, in ms [500]. */
  baseDelayMs?: number;
  /** Ceiling of the reconnect delay, in ms [15000]. */
  maxDelayMs?: number;
  /** A connect not open after this long counts as failed, in ms [10000]. */
  connectTimeoutMs?: number;
}

interface Subscription {
  /** Highest chunk/reset seq delivered: duplicates at or below it are dropped, resubscribes resume after it. */
  lastSeq: number;
  handlers: SubscriptionHandlers;
}

type Status = 'idle' | 'connecting' | 'open';

/**
 * The app's one WebSocket (WeChat allows 5 per Mini Program; one is enough for every order), and the only user
 * of the `socket-connect` adapters. Orders are subscribed with the last seq seen; the socket opens when the first
 * order subscribes and closes when the last one leaves, reconnects with exponential backoff and jitter,
 * resubscribes every order after a reconnect, and closes while the app is hidden ({@link pause}) so the server
 * replays what was missed on {@link resume}. Incoming frames are checked against the shared protocol schema.
 * When the server ends the session (close 4401) the next connect logs in again first; when it closes the socket
 * as one too many for the user (4409) subscribers poll instead of reconnecting.
 */
export class SocketClient {
  private readonly connect: SocketConnector;
  private readonly url: () => string;
  private readonly token: () => Promise<string>;
  private readonly renewToken: (staleToken: string) => Promise<string>;
  private readonly random: () => number;
  private readonly maxConnectFailures: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly connectTimeoutMs: number;

  private readonly subscriptions = new Map<string, Subscription>();
  private task: SocketTaskLike | undefined;
  private status: Status = 'idle';
  private paused = false;
  /** Failed connects since the last open socket. */
  private failures = 0;
  /** Bumped whenever pending connects must be forgotten (pause, shutdown). */
  private generation = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private connectTimer: ReturnType<typeof setTimeout> | undefined;
  /** A token the server ended a socket for (4401): never connect with it again, log in first. */
  private staleToken: string | undefined;

  constructor(options: SocketClientOptions = {}) {
    this.connect = options.connect ?? connectSocket;
    this.url = options.url ?? socketUrl;
    this.token = options.token ?? sessionToken;
    this.renewToken = options.renewToken ?? renewSession;
    this.random = options.random ?? Math.random;
    this.maxConnectFailures = options.maxConnectFailures ?? 3;
    this.baseDelayMs = options.baseDelayMs ?? 500;
    this.maxDelayMs = options.maxDelayMs ?? 15_000;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
  }

  /**
   * Receives `orderId`'s messages after chunk `after` (0 = from the start). One subscription per order: a new one
   * replaces the previous. Returns the function that unsubscribes.
   */
  subscribe(orderId: string, after: number, handlers: SubscriptionHandlers): () => void {
    const subscription: Subscription = { lastSeq: after, handlers };
    this.subscriptions.set(orderId, subscription);
    if (this.status === 'open') this.sendMessage({ type: 'subscribe', orderId, after });
    else this.ensureConnecting();
    return () => this.unsubscribe(orderId, subscription);
  }

  /** Closes the socket (the app went to the background); subscriptions are kept for {@link resume}. */
  pause(): void {
    if (this.paused) return;
    this.paused = true;
    this.disconnect();
  }

  /** Reconnects and resubscribes every order with its last seq (the app is back in the foreground). */
  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.ensureConnecting();
  }

  /** Drops every subscription and closes the socket; the client can be used again afterwards. */
  reset(): void {
    this.subscriptions.clear();
    this.paused = false;
    this.disconnect();
  }

  /** Whether the socket is open (for diagnostics and tests). */
  get isOpen(): boolean {
    return this.status === 'open';
  }

  private unsubscribe(orderId: string, subscription: Subscription): void {
    if (this.subscriptions.get(orderId) !== subscription) return;
    this.subscriptions.delete(orderId);
    if (this.status === 'open') this.sendMessage({ type: 'unsubscribe', orderId });
    // An idle socket would only count against WeChat's limit of 5 and keep the radio awake.
    if (this.subscriptions.size === 0) this.disconnect();
  }

  /** Closes any socket and forgets pending connects and retries, without counting a failure. */
  private disconnect(): void {
    this.generation++;
    this.clearRetry();
    this.clearConnectTimer();
    const task = this.task;
    this.task = undefined;
    this.status = 'idle';
    this.failures = 0;
    if (task) closeQuietly(task);
  }

  private ensureConnecting(): void {
    if (this.paused || this.status !== 'idle' || this.retryTimer !== undefined) return;
    if (this.subscriptions.size === 0) return;
    void this.open();
  }

  private async open(): Promise<void> {
    this.status = 'connecting';
    const generation = this.generation;
    let task: SocketTaskLike;
    let token: string;
    try {
      token = await this.currentToken();
      task = await this.connect({ url: this.url(), token });
    } catch {
      if (generation === this.generation) this.connectFailed();
      return;
    }
    if (generation !== this.generation) {
      // Paused or shut down while connecting.
      closeQuietly(task);
      return;
    }
    this.task = task;
    let opened = false;
    let ended = false;
    this.connectTimer = setTimeout(() => {
      this.connectTimer = undefined;
      if (!opened) end();
    }, this.connectTimeoutMs);

    const end = (code?: number) => {
      if (ended) return;
      ended = true;
      if (this.task !== task) return; // Closed on purpose (pause, shutdown): nothing to do.
      this.clearConnectTimer();
      this.task = undefined;
      this.status = 'idle';
      closeQuietly(task);
      if (code === WS_CLOSE_CODES.SESSION_ENDED) {
        // Logged out elsewhere or expired: reconnecting with this token would be refused again and again, so the
        // next connect logs in first.
        this.staleToken = token;
      }
      if (code === WS_CLOSE_CODES.REPLACED) {
        // The user has too many sockets and this was the oldest: reconnecting would close another of them, which
        // would reconnect in turn. Poll instead; a later subscription tries the socket again.
        this.dropToPolling();
      } else if (opened) {
        // A socket that was up dropped: reconnect soon.
        this.notifyConnection(false);
        this.scheduleReconnect();
      } else {
        this.connectFailed();
      }
    };

    task.onOpen(() => {
      if (this.task !== task || ended) return;
      opened = true;
      this.clearConnectTimer();
      this.status = 'open';
      this.failures = 0;
      for (const [orderId, subscription] of this.subscriptions) {
        this.sendMessage({ type: 'subscribe', orderId, after: subscription.lastSeq });
      }
      this.notifyConnection(true);
    });
    task.onMessage((result) => {
      if (this.task === task) this.receive(result.data);
    });
    task.onError(() => end());
    task.onClose((result) => end(result?.code));
  }

  /** The token to connect with: a fresh login's if the server ended the last one, else the stored session's. */
  private async currentToken(): Promise<string> {
    if (this.staleToken === undefined) return this.token();
    const fresh = await this.renewToken(this.staleToken);
    this.staleToken = undefined;
    return fresh;
  }

  private connectFailed(): void {
    this.status = 'idle';
    this.failures++;
    if (this.failures < this.maxConnectFailures) {
      this.scheduleReconnect();
      return;
    }
    this.dropToPolling();
  }

  /** Gives up on the socket for now: subscribers poll instead. A later subscription tries the socket again. */
  private notifyConnection(up: boolean): void {
    for (const subscription of [...this.subscriptions.values()])
      subscription.handlers.onConnectionChange?.(up);
  }

  private dropToPolling(): void {
    this.failures = 0;
    const subscriptions = [...this.subscriptions.values()];
    this.subscriptions.clear();
    for (const subscription of subscriptions) subscription.handlers.onUnavailable();
  }

  private scheduleReconnect(): void {
    if (this.paused || this.subscriptions.size === 0 || this.retryTimer !== undefined) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.ensureConnecting();
    }, this.backoffMs());
  }

  /** `base · 2^failures`, capped, then "equal jitter": half fixed, half random, so clients do not stampede. */
  private backoffMs(): number {
    const ceiling = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** this.failures);
    return Math.round(ceiling / 2 + (this.random() * ceiling) / 2);
  }

  private clearConnectTimer(): void {
    if (this.connectTimer !== undefined) clearTimeout(this.connectTimer);
    this.connectTimer = undefined;
  }

  private clearRetry(): void {
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  private receive(data: unknown): void {
    if (typeof data !== 'string') return;
    let json: unknown;
    try {
      json = JSON.parse(data);
    } catch {
      return;
    }
    const parsed = WsServerMessageSchema.safeParse(json);
    if (!parsed.success) return; // Not the protocol (or a newer one): never guess at an answer's text.
    const message = parsed.data;
    if (message.orderId === undefined) return; // A connection-level error: the socket's own events handle it.
    const subscription = this.subscriptions.get(message.orderId);
    if (!subscription) return;
    if (message.type === 'chunk' || message.type === 'reset') {
      // A replay after a resubscribe, or a duplicate frame: already shown, never show it twice.
      if (message.seq <= subscription.lastSeq) return;
      subscription.lastSeq = message.seq;
    }
    subscription.handlers.onMessage(message);
  }

  private sendMessage(message: WsClientMessage): void {
    try {
      this.task?.send({ data: JSON.stringify(message) });
    } catch {
      // A send on a dying socket: its close event reconnects and resubscribes.
    }
  }
}

/**
 * The WebSocket URL: `TARO_APP_WS_BASE` + `/ws`; on H5 with an empty base, the page's own host (`ws:` or `wss:`
 * after the page's protocol). The session token is never part of it: URLs end up in proxy and access logs (the
 * server refuses `?token=` with 401); the `socket-connect` adapters send it in a header or subprotocol.
 */
export function socketUrl(): string {
  const configured = (process.env.TARO_APP_WS_BASE ?? '').replace(/\/+$/, '');
  const base = configured || pageOriginAsWs();
  return `${base}${WS_PATH}`;
}

function pageOriginAsWs(): string {
  if (typeof location === 'undefined' || !location.host) return '';
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}`;
}

function closeQuietly(task: SocketTaskLike): void {
  try {
    task.close({ code: 1000, reason: 'client closing' });
  } catch {
    // Already closed.
  }
}

/** The app's socket: paused while the app is hidden. */
export const socketClient = new SocketClient();
onAppVisibilityChange((visible) => (visible ? socketClient.resume() : socketClient.pause()));
