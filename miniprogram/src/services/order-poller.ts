import type { OrderView } from '@tokentill/shared-types';
import { isFinalState } from '../utils/order-state';
import { ApiError } from './api-error';
import { isAppVisible, onAppVisibilityChange } from './app-visibility';
import { fetchOrder } from './orders';

/** What a poll reports to its owner. */
export interface PollHandlers {
  /** The seq of the last chunk the owner has: each poll asks only for what comes after it. */
  after(): number;
  /** Every answer of `GET /api/orders/:id?after=N`. */
  onOrder(view: OrderView): void;
  /** An answer that will not change by asking again (the order is not found or not the user's). */
  onFatal(error: ApiError): void;
}

/** Tuning and seams (for tests) of {@link pollOrder}. Defaults in brackets. */
export interface PollOptions {
  /** Time between polls, in ms [1000]. */
  intervalMs?: number;
  /** Ceiling of the delay after failed polls (doubling from intervalMs), in ms [10000]. */
  maxIntervalMs?: number;
  /** The order fetch [{@link fetchOrder}]. */
  fetch?: (orderId: string, after: number) => Promise<OrderView>;
}

/** Errors that asking again will not fix. */
const FATAL_CODES = new Set(['NOT_FOUND', 'FORBIDDEN', 'VALIDATION_FAILED']);

/**
 * The fallback when the socket is unavailable: `GET /api/orders/:id?after=N` about once a second until the order
 * reaches a final state, backing off after failures and holding while the app is hidden (a backgrounded Mini
 * Program has no network). Returns the function that stops polling.
 */
export function pollOrder(orderId: string, handlers: PollHandlers, options: PollOptions = {}): () => void {
  const intervalMs = options.intervalMs ?? 1000;
  const maxIntervalMs = options.maxIntervalMs ?? 10_000;
  const fetch = options.fetch ?? fetchOrder;
  let stopped = false;
  let failures = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopWaitingForShow: (() => void) | undefined;

  const stop = () => {
    stopped = true;
    if (timer !== undefined) clearTimeout(timer);
    stopWaitingForShow?.();
  };

  const schedule = (delayMs: number) => {
    if (!stopped) timer = setTimeout(tick, delayMs);
  };

  const tick = () => {
    timer = undefined;
    if (stopped) return;
    if (!isAppVisible()) {
      stopWaitingForShow = onAppVisibilityChange((visible) => {
        if (!visible) return;
        stopWaitingForShow?.();
        stopWaitingForShow = undefined;
        tick();
      });
      return;
    }
    fetch(orderId, handlers.after()).then(
      (view) => {
        if (stopped) return;
        failures = 0;
        handlers.onOrder(view);
        if (isFinalState(view.state)) stop();
        else schedule(intervalMs);
      },
      (error: unknown) => {
        if (stopped) return;
        if (error instanceof ApiError && FATAL_CODES.has(error.code)) {
          stop();
          handlers.onFatal(error);
          return;
        }
        failures++;
        schedule(Math.min(maxIntervalMs, intervalMs * 2 ** failures));
      },
    );
  };

  tick();
  return stop;
}
