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

/**
 * Colour family of a state, the same wherever the state is shown (badges, the status under an answer, the
 * amount on an order card): `ok` green, `busy` blue, `warn` orange, `bad` red, `off` grey. The colours are the
 * `tt-tone--<tone>` classes of app.css, each readable on the app's light backgrounds (WCAG AA, 4.5:1).
 */
export type Tone = 'ok' | 'busy' | 'warn' | 'bad' | 'off';

export const STATE_TONE: Record<OrderState, Tone> = {
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

/**
 * What became of an order's money, for the amount shown beside it: charged (the price, plainly), not charged
 * (unpaid or closed), being refunded, refunded, or a refund that needs customer service. Only a charge reads as
 * one; every other amount carries its note and is never shown as a bold charge.
 */
export interface AmountNote {
  kind: 'charged' | 'uncharged' | 'refunding' | 'refunded' | 'refund-problem';
  /** Shown before the amount; none for a plain charge. */
  note?: string;
}

export function amountNote(state: OrderState): AmountNote {
  switch (state) {
    case 'CREATED':
    case 'CLOSED':
      return { kind: 'uncharged', note: '未扣款' };
    case 'FAILED':
    case 'REFUNDING':
      return { kind: 'refunding', note: '退款中' };
    case 'REFUNDED':
      return { kind: 'refunded', note: '已退款' };
    case 'REFUND_FAILED':
      return { kind: 'refund-problem', note: '退款异常' };
    default:
      return { kind: 'charged' };
  }
}

/** Class-name form of a state (`order-state--generating`), a stable hook for styles and browser tests. */
export function stateModifier(state: OrderState | undefined): string {
  return state === undefined ? 'unknown' : state.toLowerCase().replace(/_/g, '-');
}
