import type { OrderState } from '@tokentill/shared-types';

export type { OrderState } from '@tokentill/shared-types';

/** What can happen to an order. Each event leads to exactly one state, from one or more states. */
export type OrderEvent =
  | 'pay'
  | 'close'
  | 'start_generation'
  | 'complete'
  | 'fail'
  | 'request_refund'
  | 'refund_succeeded'
  | 'refund_failed';

interface TransitionRule {
  readonly from: readonly OrderState[];
  readonly to: OrderState;
}

/**
 * The whole state machine (docs/architecture.md, "Order states") as data. `request_refund` is allowed from CLOSED
 * as well as FAILED: a payment that lands after the order was closed is real money and goes back to the user.
 * `fail` is allowed from PAID as well as GENERATING: a paid order whose job fails for good before any worker
 * started it must still end in a refund.
 */
export const TRANSITIONS: Readonly<Record<OrderEvent, TransitionRule>> = {
  pay: { from: ['CREATED'], to: 'PAID' },
  close: { from: ['CREATED'], to: 'CLOSED' },
  start_generation: { from: ['PAID'], to: 'GENERATING' },
  complete: { from: ['GENERATING'], to: 'COMPLETED' },
  fail: { from: ['PAID', 'GENERATING'], to: 'FAILED' },
  request_refund: { from: ['FAILED', 'CLOSED'], to: 'REFUNDING' },
  refund_succeeded: { from: ['REFUNDING'], to: 'REFUNDED' },
  refund_failed: { from: ['REFUNDING'], to: 'REFUND_FAILED' },
};

export type TransitionResult = { ok: true; to: OrderState } | { ok: false; reason: string };

/** The state `event` leads to from `state`, or why it cannot happen. Pure: no I/O. */
export function transition(state: OrderState, event: OrderEvent): TransitionResult {
  const rule = TRANSITIONS[event];
  if (rule.from.includes(state)) return { ok: true, to: rule.to };
  return { ok: false, reason: `cannot ${event.replace(/_/g, ' ')} an order that is ${state}` };
}

/** Every state reachable from `state` in one step. */
export function nextStates(state: OrderState): OrderState[] {
  return Object.values(TRANSITIONS)
    .filter((rule) => rule.from.includes(state))
    .map((rule) => rule.to);
}
