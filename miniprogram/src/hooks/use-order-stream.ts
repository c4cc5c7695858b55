import type { OrderState, OrderView } from '@tokentill/shared-types';
import { useEffect, useState } from 'react';
import { acquireTracker, type OrderSnapshot, type OrderUsage } from '../services/order-tracker';

/** What a screen shows of an order being answered. */
export interface OrderStream {
  /** Undefined until the server told anything. */
  state: OrderState | undefined;
  /** The answer so far (each chunk once, restarted at a reset). */
  text: string;
  /** Set once COMPLETED. */
  usage: OrderUsage | undefined;
  /** Why the order cannot be followed (the stream stopped). */
  error: { code: string; message: string } | undefined;
  /** The answer was restarted with another model. */
  restarted: boolean;
  /** Offline, or the stream went silent mid-answer: "重新连接中…". */
  reconnecting: boolean;
}

export interface OrderStreamOptions {
  /** The order as already read (e.g. the detail page's GET): shown at once, then followed from its last chunk. */
  seed?: OrderView;
  /** A state learnt elsewhere (e.g. the `/confirm` answer); only ever moves the state forward. */
  stateHint?: OrderState;
}

const EMPTY: OrderStream = {
  state: undefined,
  text: '',
  usage: undefined,
  error: undefined,
  restarted: false,
  reconnecting: false,
};

/**
 * Follows `orderId` (socket first, polling when the socket is unavailable) until its state is final, and returns
 * the state, the answer so far, the usage and any error. `undefined` follows nothing. Screens showing the same
 * order share one tracker, so the order has one socket subscription.
 */
export function useOrderStream(orderId: string | undefined, options: OrderStreamOptions = {}): OrderStream {
  const { seed, stateHint } = options;
  const [snapshot, setSnapshot] = useState<OrderSnapshot | undefined>(undefined);

  useEffect(() => {
    if (!orderId) {
      setSnapshot(undefined);
      return;
    }
    const { tracker, release } = acquireTracker(orderId);
    if (seed && seed.orderId === orderId) tracker.applyView(seed);
    const unlisten = tracker.subscribe(() => setSnapshot(tracker.getSnapshot()));
    setSnapshot(tracker.getSnapshot());
    tracker.start();
    return () => {
      unlisten();
      release();
    };
  }, [orderId, seed]);

  useEffect(() => {
    if (!orderId || !stateHint) return;
    const { tracker, release } = acquireTracker(orderId);
    tracker.applyView({ state: stateHint });
    release();
  }, [orderId, stateHint]);

  if (!snapshot || snapshot.orderId !== orderId) return EMPTY;
  return {
    state: snapshot.state,
    text: snapshot.text,
    usage: snapshot.usage,
    error: snapshot.error,
    restarted: snapshot.restarted,
    reconnecting: snapshot.reconnecting,
  };
}
