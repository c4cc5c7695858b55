import type { WsServerMessage } from '@tokentill/shared-types';
import type { OrderSubscription } from './order-subscription.js';

export interface SocketSubscriptionsDeps {
  /** Orders one socket may follow at once, counting those whose ownership check is still running. */
  maxSubscriptions: number;
  /** Whether the socket's user owns the order (anything else is answered as NOT_FOUND, like the HTTP API). */
  ownsOrder(orderId: string): Promise<boolean>;
  /** Starts following the order; `onFinished` is called once it reached a final state and all was sent. */
  open(orderId: string, after: number, onFinished: (state: string) => void): OrderSubscription;
  /** Sends an error about one order to the socket. */
  send(message: WsServerMessage): void;
}

/**
 * One socket's subscriptions: at most one per order, whether its ownership lookup is still running (pending) or
 * it is live.
 *
 * A subscribe replaces whatever the socket had for that order, pending or live: the newest wins (a client that
 * resubscribes with a new `after` after reconnecting its own logic gets exactly that replay), and the older one
 * is closed before it could send anything more. A pending subscription reserves its place against the limit
 * before the lookup starts, so concurrent subscribes cannot overshoot it; after the lookup a subscription only
 * goes live if its reservation is still the current one (not replaced, unsubscribed, or the socket closed).
 */
export interface SocketSubscriptions {
  /** Rejects only when the ownership lookup failed (the caller answers INTERNAL). */
  subscribe(orderId: string, after: number): Promise<void>;
  unsubscribe(orderId: string): void;
  /** Lets lagging subscriptions catch up from Redis once the socket's buffer drained. */
  resume(): void;
  /** Closes every subscription, pending or live; later subscribes are ignored. Idempotent. */
  close(): void;
  /** Subscriptions held, pending ones included. */
  readonly size: number;
}

type Slot = { state: 'pending' } | { state: 'live'; subscription: OrderSubscription };

export function createSocketSubscriptions(deps: SocketSubscriptionsDeps): SocketSubscriptions {
  const slots = new Map<string, Slot>();
  let closed = false;

  function release(orderId: string): void {
    const slot = slots.get(orderId);
    if (!slot) return;
    slots.delete(orderId);
    if (slot.state === 'live') slot.subscription.close();
  }

  return {
    async subscribe(orderId, after) {
      if (closed) return;
      release(orderId);
      if (slots.size >= deps.maxSubscriptions) {
        deps.send({
          type: 'error',
          orderId,
          code: 'RATE_LIMITED',
          message: `At most ${deps.maxSubscriptions} orders per socket: unsubscribe from one first.`,
        });
        return;
      }
      const pending: Slot = { state: 'pending' };
      slots.set(orderId, pending);
      // Re-checked after the lookup: the socket may have closed (which releases every slot), or a newer subscribe
      // or an unsubscribe for this order may have taken the place meanwhile; then this one is dropped silently.
      const stillCurrent = () => slots.get(orderId) === pending;
      let owns: boolean;
      try {
        owns = await deps.ownsOrder(orderId);
      } catch (err) {
        if (!stillCurrent()) return;
        slots.delete(orderId);
        throw err;
      }
      if (!stillCurrent()) return;
      if (!owns) {
        slots.delete(orderId);
        deps.send({ type: 'error', orderId, code: 'NOT_FOUND', message: 'No such order.' });
        return;
      }
      const live: Slot = {
        state: 'live',
        // onFinished is never called synchronously (the first entries arrive after an await), so `live` is set.
        subscription: deps.open(orderId, after, () => {
          if (slots.get(orderId) === live) slots.delete(orderId);
        }),
      };
      slots.set(orderId, live);
    },
    unsubscribe(orderId) {
      release(orderId);
    },
    resume() {
      for (const slot of slots.values()) if (slot.state === 'live') slot.subscription.resume();
    },
    close() {
      closed = true;
      for (const orderId of [...slots.keys()]) release(orderId);
    },
    get size() {
      return slots.size;
    },
  };
}
