import { FINAL_ORDER_STATES, type OrderState } from '@tokentill/shared-types';
import type { JournalSource } from '../ledger/ledger-types.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { LiveOrders } from './live-orders.js';
import { TRANSITIONS, type OrderEvent } from './order-state.js';
import type { OrderStore, TransitionOptions, TransitionOutcome } from './order-store.js';

/** Applies a state machine event and records it: every transition is counted and logged, and so is every refusal. */
export type ApplyEvent = (
  orderId: string,
  event: OrderEvent,
  options?: ApplyEventOptions,
) => Promise<TransitionOutcome>;

export interface ApplyEventOptions extends TransitionOptions {
  /** Who makes the change, for the ledger's journal (default: the one this ApplyEvent was made for). */
  source?: JournalSource;
}

/** A transition that happened, as the ledger's journal records it. */
export interface AppliedTransition {
  orderId: string;
  event: OrderEvent;
  from: OrderState;
  to: OrderState;
  /** The change's entry in the order's stream: the same seq for a retried record of the same change. */
  seq: number;
  source: JournalSource;
  at: number;
}

export interface ApplyEventDeps {
  store: OrderStore;
  live: LiveOrders;
  metrics: Metrics;
  logger: Logger;
  /** When the recovery sweep looks at an order that entered a non-final state and has not moved on since. */
  recoveryAfterMs: number;
  /** Who makes the changes applied through this ApplyEvent, unless a call says otherwise. */
  source: JournalSource;
  /**
   * Records each transition that happened (the ledger's journal). It must not throw: the transition is done in
   * Redis whatever becomes of the record (see ledger-journal.ts for how a lost record is healed).
   */
  journal?: (change: AppliedTransition) => Promise<void>;
}

export function createApplyEvent(deps: ApplyEventDeps): ApplyEvent {
  const { store, live, metrics, logger } = deps;
  return async (orderId, event, options) => {
    const final = FINAL_ORDER_STATES.includes(TRANSITIONS[event].to);
    // Watched before the state changes: a crash right after the change still leaves the order where the sweep
    // looks (see live-orders.ts). A refused transition only moves the sweep's next look, which is harmless.
    if (!final) await live.watch(orderId, Date.now() + deps.recoveryAfterMs);
    const outcome = await store.transition(orderId, event, options);
    if (outcome.ok) {
      metrics.orderTransitions.inc({ from: outcome.from, to: outcome.to });
      logger.info({ orderId, event, from: outcome.from, to: outcome.to }, 'order transition');
      await deps.journal?.({
        orderId,
        event,
        from: outcome.from,
        to: outcome.to,
        seq: outcome.seq,
        source: options?.source ?? deps.source,
        at: Date.now(),
      });
      if (final) await live.forget(orderId);
    } else {
      logger.info({ orderId, event, ...outcome }, 'order transition refused');
    }
    return outcome;
  };
}
