import type { OrderState, OrderView, WsServerMessage } from '@tokentill/shared-types';
import { isFinalState, isLaterState } from '../utils/order-state';
import type { ApiError } from './api-error';
import { isOnline, onConnectivityChange } from './connectivity';
import { pollOrder, type PollHandlers } from './order-poller';
import { fetchOrder } from './orders';
import { socketClient, type SubscriptionHandlers } from './socket';

/** Tokens an answer used (and, from the HTTP API, what they cost in fen). */
export interface OrderUsage {
  promptTokens: number;
  completionTokens: number;
  costFen?: number;
}

/** What the client knows of an order's progress and answer. Immutable: every change is a new object. */
export interface OrderSnapshot {
  orderId: string;
  /** Undefined until the server told anything. */
  state: OrderState | undefined;
  /** The answer so far: chunks in seq order, each exactly once, restarted at the last reset. */
  text: string;
  /** Seq of the last chunk (or reset) applied. */
  lastSeq: number;
  usage: OrderUsage | undefined;
  /** Why the order cannot be followed (e.g. NOT_FOUND); the stream has stopped. */
  error: { code: string; message: string } | undefined;
  /** How updates arrive now. */
  via: 'socket' | 'polling' | 'none';
  /**
   * The answer was restarted (a `reset`: the model failed mid-answer and another one answers from the start);
   * the screen says so instead of letting the text vanish without a word.
   */
  restarted: boolean;
  /**
   * Updates are not arriving as they should: the device is offline, or the socket went silent mid-answer. The
   * screen shows a quiet "重新连接中…"; the stream catches up by itself when the connection is back.
   */
  reconnecting: boolean;
}

/** The transports a tracker uses (replaceable in tests). */
export interface TrackerDeps {
  subscribe(orderId: string, after: number, handlers: SubscriptionHandlers): () => void;
  poll(orderId: string, handlers: PollHandlers): () => void;
  fetch(orderId: string, after: number): Promise<OrderView>;
  /** Socket silence after which the tracker asks the HTTP API once, in ms. */
  stallMs: number;
  /** Whether the device is online now, and its changes [connectivity.ts]. */
  online(): boolean;
  onConnectivityChange(listener: (online: boolean) => void): () => void;
}

const defaultDeps: TrackerDeps = {
  subscribe: (orderId, after, handlers) => socketClient.subscribe(orderId, after, handlers),
  poll: (orderId, handlers) => pollOrder(orderId, handlers),
  fetch: fetchOrder,
  stallMs: 10_000,
  online: isOnline,
  onConnectivityChange,
};

/**
 * Follows one order until it reaches a final state: over the shared socket, falling back to polling when the
 * socket gives up or reports an error about the order, with a one-off HTTP catch-up whenever the socket stays
 * silent for `stallMs`. Whatever the source, chunks are applied once each in seq order and a reset discards the
 * text before it, so the answer is never repeated nor two attempts glued together.
 */
export class OrderTracker {
  private snapshot: OrderSnapshot;
  private readonly listeners = new Set<() => void>();
  private running = false;
  private stopSocket: (() => void) | undefined;
  private stopPolling: (() => void) | undefined;
  private stallTimer: ReturnType<typeof setTimeout> | undefined;
  private stopConnectivity: (() => void) | undefined;
  /** The socket has been silent for `stallMs` mid-answer (cleared by its next message). */
  private stalled = false;
  /** The shared socket dropped and is reconnecting (cleared when it is up again, or when polling takes over). */
  private socketDown = false;

  constructor(
    readonly orderId: string,
    private readonly deps: TrackerDeps = defaultDeps,
  ) {
    this.snapshot = {
      orderId,
      state: undefined,
      text: '',
      lastSeq: 0,
      usage: undefined,
      error: undefined,
      via: 'none',
      restarted: false,
      reconnecting: false,
    };
  }

  getSnapshot(): OrderSnapshot {
    return this.snapshot;
  }

  /** Calls `listener` after every change; returns the function that stops it. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Starts following the order (no-op when running or already final). */
  start(): void {
    if (this.running) return;
    this.running = true;
    if (this.isDone()) return;
    this.stopConnectivity = this.deps.onConnectivityChange((online) => {
      this.updateHealth();
      // Back online: catch up over HTTP at once rather than wait for the socket's next reconnect attempt.
      if (online) this.catchUp();
    });
    this.updateHealth();
    this.useSocket();
  }

  /** Stops every transport; {@link start} may resume later from the last seq. */
  stop(): void {
    this.running = false;
    this.stopTransports();
    this.stopConnectivity?.();
    this.stopConnectivity = undefined;
  }

  /** Applies an order read elsewhere (the detail page's GET, a `/confirm` answer's state). */
  applyView(view: Pick<OrderView, 'state'> & Partial<Pick<OrderView, 'chunks' | 'usage'>>): void {
    for (const chunk of view.chunks ?? []) this.applyChunk(chunk.seq, chunk.text, chunk.reset === true);
    if (view.usage) this.update({ usage: view.usage });
    this.applyState(view.state);
    this.settle();
  }

  private useSocket(): void {
    this.update({ via: 'socket' });
    this.stopSocket = this.deps.subscribe(this.orderId, this.snapshot.lastSeq, {
      onMessage: (message) => this.onSocketMessage(message),
      onUnavailable: () => {
        this.stopSocket = undefined;
        this.socketDown = false;
        this.usePolling();
      },
      onConnectionChange: (up) => {
        this.socketDown = !up;
        this.updateHealth();
      },
    });
    this.armStallCheck();
  }

  private usePolling(): void {
    this.stopSocket?.();
    this.stopSocket = undefined;
    this.clearStallCheck();
    if (!this.running || this.stopPolling || this.isDone()) return;
    this.update({ via: 'polling' });
    this.stopPolling = this.deps.poll(this.orderId, {
      after: () => this.snapshot.lastSeq,
      onOrder: (view) => this.applyView(view),
      onFatal: (error) => this.fail(error),
    });
  }

  private onSocketMessage(message: WsServerMessage): void {
    this.armStallCheck();
    if (this.stalled) {
      this.stalled = false;
      this.updateHealth();
    }
    switch (message.type) {
      case 'chunk':
        this.applyChunk(message.seq, message.text, false);
        break;
      case 'reset':
        this.applyChunk(message.seq, '', true);
        break;
      case 'state':
        this.applyState(message.state);
        break;
      case 'done':
        this.update({ usage: message.usage });
        this.applyState('COMPLETED');
        break;
      case 'error':
        // The server cannot stream this order: the HTTP API serves the same answer (or says what is wrong).
        this.usePolling();
        return;
    }
    this.settle();
  }

  /** Applies chunk `seq` once: anything at or below the last seq is a duplicate. */
  private applyChunk(seq: number, text: string, reset: boolean): void {
    if (seq <= this.snapshot.lastSeq) return;
    const answer = reset ? text : this.snapshot.text + text;
    this.update({ text: answer, lastSeq: seq, ...(reset ? { restarted: true } : {}) });
    // Chunks only flow while generating, whatever state message may still be on its way.
    this.applyState('GENERATING');
  }

  private applyState(state: OrderState): void {
    if (isLaterState(this.snapshot.state, state)) this.update({ state });
  }

  private fail(error: ApiError): void {
    this.stopPolling = undefined;
    this.update({ error: { code: error.code, message: error.message }, via: 'none' });
    this.stop();
  }

  /** Stops the transports once nothing more can arrive. */
  private settle(): void {
    if (!this.isDone()) return;
    this.stopTransports();
    this.stopConnectivity?.();
    this.stopConnectivity = undefined;
    this.stalled = false;
    this.update({ via: 'none', reconnecting: false });
  }

  /** Offline, a socket that dropped, or one silent mid-answer reads as reconnecting until updates flow again. */
  private updateHealth(): void {
    const troubled = !this.deps.online() || this.stalled || this.socketDown;
    const reconnecting = this.running && !this.isDone() && troubled;
    if (reconnecting !== this.snapshot.reconnecting) this.update({ reconnecting });
  }

  /** One HTTP read of what came after the last seq (socket or polling keep following afterwards). */
  private catchUp(): void {
    this.deps.fetch(this.orderId, this.snapshot.lastSeq).then(
      (view) => {
        if (this.running) this.applyView(view);
      },
      () => undefined,
    );
  }

  /**
   * Final, and for COMPLETED also the usage in hand: over the socket `done` (with usage) follows the
   * COMPLETED state, so the subscription stays until it arrives.
   */
  private isDone(): boolean {
    const { state, usage } = this.snapshot;
    return (
      isFinalState(state) && (state !== 'COMPLETED' || usage !== undefined || this.stopPolling !== undefined)
    );
  }

  private stopTransports(): void {
    this.stopSocket?.();
    this.stopSocket = undefined;
    this.socketDown = false;
    this.stopPolling?.();
    this.stopPolling = undefined;
    this.clearStallCheck();
  }

  /** A silent socket might be a server that lost the subscription: ask the HTTP API once, then wait again. */
  private armStallCheck(): void {
    this.clearStallCheck();
    if (!this.running || !this.stopSocket) return;
    this.stallTimer = setTimeout(() => {
      this.stallTimer = undefined;
      // Tokens flow steadily while an answer is written: silence then means trouble (waiting for a worker to
      // start, before any text, does not).
      if (this.snapshot.state === 'GENERATING' && !this.stalled) {
        this.stalled = true;
        this.updateHealth();
      }
      this.deps.fetch(this.orderId, this.snapshot.lastSeq).then(
        (view) => {
          if (this.running && this.stopSocket) this.applyView(view);
        },
        () => undefined,
      );
      this.armStallCheck();
    }, this.deps.stallMs);
  }

  private clearStallCheck(): void {
    if (this.stallTimer !== undefined) clearTimeout(this.stallTimer);
    this.stallTimer = undefined;
  }

  private update(patch: Partial<OrderSnapshot>): void {
    this.snapshot = { ...this.snapshot, ...patch };
    for (const listener of [...this.listeners]) listener();
  }
}

const trackers = new Map<string, { tracker: OrderTracker; users: number }>();

/**
 * The tracker of `orderId`, shared by every screen showing that order (one socket subscription per order).
 * Call `release()` when done; the last release stops it.
 */
export function acquireTracker(orderId: string): { tracker: OrderTracker; release: () => void } {
  let entry = trackers.get(orderId);
  if (!entry) {
    entry = { tracker: new OrderTracker(orderId), users: 0 };
    trackers.set(orderId, entry);
  }
  entry.users++;
  const held = entry;
  let released = false;
  return {
    tracker: held.tracker,
    release: () => {
      if (released) return;
      released = true;
      held.users--;
      if (held.users === 0) {
        held.tracker.stop();
        if (trackers.get(orderId) === held) trackers.delete(orderId);
      }
    },
  };
}
