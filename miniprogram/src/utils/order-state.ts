import type { OrderState } from '@tokentill/shared-types';

/**
 * States after which nothing more happens to an order without an operator. Mirrors shared-types'
 * FINAL_ORDER_STATES (kept local so the client imports only types from shared-types outside the socket).
 */
export const FINAL_STATES: readonly OrderState[] = ['COMPLETED', 'CLOSED', 'REFUNDED', 'REFUND_FAILED'];

/** True when the order will not change any more. */
export function isFinalState(state: OrderState | undefined): boolean {
  return state !== undefined && FINAL_STATES.includes(state);
}

/**
 * How far along the state machine a state is. Socket, polling and `/confirm` answers can arrive out of order;
 * a state is only ever replaced by a later one, so a stale answer never moves the display backwards.
 */
const RANK: Record<OrderState, number> = {
  CREATED: 0,
  PAID: 1,
  GENERATING: 2,
  COMPLETED: 3,
  CLOSED: 3,
  FAILED: 3,
  REFUNDING: 4,
  REFUNDED: 5,
  REFUND_FAILED: 5,
};

/** True when `next` may replace `current` (a later state, or the first one known). */
export function isLaterState(current: OrderState | undefined, next: OrderState): boolean {
  return current === undefined || RANK[next] > RANK[current];
}

/**
 * Short Chinese label of a state, as shown on badges. CREATED reads "未支付", not "待支付" (which reads as money
 * owed): the user cancelled or never finished paying, nothing was charged, and the server closes the order
 * (CLOSED, "已关闭") once its payment window passes.
 */
export const STATE_LABEL: Record<OrderState, string> = {
  CREATED: '未支付',
  PAID: '已支付',
  GENERATING: '生成中',
  COMPLETED: '已完成',
  CLOSED: '已关闭',
  FAILED: '生成失败',
  REFUNDING: '退款中',
  REFUNDED: '已退款',
  REFUND_FAILED: '退款异常',
};

/** Colour family of a state's badge: `ok` green, `busy` blue, `warn` orange, `bad` red, `off` grey. */
export const STATE_TONE: Record<OrderState, 'ok' | 'busy' | 'warn' | 'bad' | 'off'> = {
  CREATED: 'off',
  PAID: 'busy',
  GENERATING: 'busy',
  COMPLETED: 'ok',
  CLOSED: 'off',
  FAILED: 'bad',
  REFUNDING: 'warn',
  REFUNDED: 'warn',
  REFUND_FAILED: 'bad',
};

/** States in which nothing was charged: the list notes "未扣款" next to their price. */
export function isUncharged(state: OrderState): boolean {
  return state === 'CREATED' || state === 'CLOSED';
}

/** Class-name form of a state (`order-state--generating`), a stable hook for styles and browser tests. */
export function stateModifier(state: OrderState | undefined): string {
  return state === undefined ? 'unknown' : state.toLowerCase().replace(/_/g, '-');
}
