import type { WsServerMessage } from '@tokentill/shared-types';
import { FINAL_ORDER_STATES } from '@tokentill/shared-types';
import type { AnswerEntry, AnswerStreamStore } from './answer-stream-store.js';
import type { StreamHub } from './stream-hub.js';

export interface SubscriptionDeps {
  hub: StreamHub;
  answers: AnswerStreamStore;
  /** Sends one message; returns false when the socket is too far behind (its buffer is over the high-water mark). */
  send(message: WsServerMessage): boolean;
  /** Usage of a completed order, for the `done` message. */
  usageOf(orderId: string): Promise<{ promptTokens: number; completionTokens: number }>;
  /** Called once the order reached a final state and everything was sent. */
  onFinished(orderId: string, state: string): void;
}

/**
 * One socket's view of one order: catch up from `after` with XRANGE, then follow the shared hub. Every entry is
 * sent at most once and in order (dedupe by seq). A socket that falls behind stops receiving and later catches
 * up from Redis, so a slow client costs Redis reads, not server memory.
 */
export interface OrderSubscription {
  readonly lastSeq: number;
  /** Re-reads from Redis what a lagging socket missed, once its buffer has drained. */
  resume(): void;
  close(): void;
}

export function subscribeOrder(orderId: string, after: number, deps: SubscriptionDeps): OrderSubscription {
  let lastSeq = after;
  let closed = false;
  let catchingUp = true;
  let lagging = false;
  let pending: AnswerEntry[] = [];
  let reading: Promise<void> | undefined;

  const deliver = (entry: AnswerEntry): void => {
    if (closed || entry.seq <= lastSeq) return;
    if (catchingUp || lagging) {
      if (!lagging) pending.push(entry);
      return;
    }
    lastSeq = entry.seq;
    let fits = true;
    if (entry.kind === 'text') fits = deps.send({ type: 'chunk', orderId, seq: entry.seq, text: entry.text });
    else if (entry.kind === 'reset')
      fits = deps.send({ type: 'reset', orderId, seq: entry.seq, reason: entry.reason });
    else {
      fits = deps.send({ type: 'state', orderId, state: entry.state });
      if (entry.state === 'COMPLETED') {
        void deps.usageOf(orderId).then((usage) => {
          if (closed) return;
          deps.send({ type: 'done', orderId, usage });
          finish('COMPLETED');
        });
      } else if (FINAL_ORDER_STATES.includes(entry.state)) {
        finish(entry.state);
      }
    }
    if (!fits) lagging = true;
  };

  function finish(state: string): void {
    if (closed) return;
    close();
    deps.onFinished(orderId, state);
  }

  /** Reads everything after lastSeq from Redis and sends it, then switches to live entries. */
  function catchUp(): Promise<void> {
    reading ??= (async () => {
      catchingUp = true;
      try {
        for (;;) {
          const entries = await deps.answers.read(orderId, lastSeq, 500);
          if (closed) return;
          catchingUp = false;
          lagging = false;
          for (const entry of entries) deliver(entry);
          catchingUp = true;
          if (entries.length < 500 || lagging) break;
        }
      } finally {
        catchingUp = false;
        const buffered = pending;
        pending = [];
        for (const entry of buffered) deliver(entry);
        reading = undefined;
      }
    })();
    return reading;
  }

  const unwatch = deps.hub.watch(orderId, after, deliver);
  function close(): void {
    closed = true;
    unwatch();
  }
  void catchUp();

  return {
    get lastSeq() {
      return lastSeq;
    },
    resume() {
      if (lagging && !closed) void catchUp();
    },
    close,
  };
}
