import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { OrderEvent } from './order-state.js';
import type { OrderStore, TransitionOptions, TransitionOutcome } from './order-store.js';

/** Applies a state machine event and records it: every transition is counted and logged, and so is every refusal. */
export type ApplyEvent = (
  orderId: string,
  event: OrderEvent,
  options?: TransitionOptions,
) => Promise<TransitionOutcome>;

export function createApplyEvent(store: OrderStore, metrics: Metrics, logger: Logger): ApplyEvent {
  return async (orderId, event, options) => {
    const outcome = await store.transition(orderId, event, options);
    if (outcome.ok) {
      metrics.orderTransitions.inc({ from: outcome.from, to: outcome.to });
      logger.info({ orderId, event, from: outcome.from, to: outcome.to }, 'order transition');
    } else {
      logger.info({ orderId, event, ...outcome }, 'order transition refused');
    }
    return outcome;
  };
}
