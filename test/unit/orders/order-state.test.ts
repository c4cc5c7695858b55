import { FINAL_ORDER_STATES, ORDER_STATES, type OrderState } from '@tokentill/shared-types';
import { TRANSITIONS, nextStates, transition, type OrderEvent } from '../../../server/src/orders/order-state';

describe('order state machine', () => {
  it('follows the happy path from payment to answer', () => {
    let state: OrderState = 'CREATED';
    for (const event of ['pay', 'start_generation', 'complete'] as OrderEvent[]) {
      const result = transition(state, event);
      if (!result.ok) throw new Error(result.reason);
      state = result.to;
    }
    expect(state).toBe('COMPLETED');
  });

  it('refunds a failed answer and a payment that arrived after the order was closed', () => {
    expect(transition('FAILED', 'request_refund')).toEqual({ ok: true, to: 'REFUNDING' });
    expect(transition('CLOSED', 'request_refund')).toEqual({ ok: true, to: 'REFUNDING' });
    expect(transition('REFUNDING', 'refund_succeeded')).toEqual({ ok: true, to: 'REFUNDED' });
    expect(transition('REFUNDING', 'refund_failed')).toEqual({ ok: true, to: 'REFUND_FAILED' });
  });

  it('refuses to pay twice, to run an unpaid order, or to refund a completed answer', () => {
    expect(transition('PAID', 'pay')).toEqual({ ok: false, reason: 'cannot pay an order that is PAID' });
    expect(transition('CREATED', 'start_generation').ok).toBe(false);
    expect(transition('CLOSED', 'pay').ok).toBe(false);
    expect(transition('COMPLETED', 'request_refund').ok).toBe(false);
    expect(transition('GENERATING', 'close').ok).toBe(false);
  });

  it('has no way out of a final state and a way out of every other state', () => {
    for (const state of ORDER_STATES) {
      if (FINAL_ORDER_STATES.includes(state)) {
        // CLOSED is final unless money arrives late; that path is the only exception.
        expect(nextStates(state)).toEqual(state === 'CLOSED' ? ['REFUNDING'] : []);
      } else {
        expect(nextStates(state).length).toBeGreaterThan(0);
      }
    }
  });

  it('only names known states', () => {
    for (const rule of Object.values(TRANSITIONS)) {
      expect(ORDER_STATES).toContain(rule.to);
      for (const from of rule.from) expect(ORDER_STATES).toContain(from);
    }
  });
});
