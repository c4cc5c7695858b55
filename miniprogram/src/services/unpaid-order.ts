import Taro from '@tarojs/taro';

/**
 * The last order created and not paid (the user closed the pay sheet), kept in storage so that asking the same
 * question again, even after a reload, pays that order instead of creating another. Only the id is kept: its
 * payment parameters are asked for again when it is reused (the server says whether it can still be paid).
 */
export interface UnpaidOrder {
  orderId: string;
  /** The question as sent (trimmed) and its tier: reuse only for exactly the same. */
  prompt: string;
  tierId: string;
  /** Epoch ms. */
  createdAt: number;
}

export const UNPAID_ORDER_KEY = 'tokentill.unpaid-order';

export function loadUnpaidOrder(): UnpaidOrder | undefined {
  let value: unknown;
  try {
    value = Taro.getStorageSync(UNPAID_ORDER_KEY);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const order = value as Partial<UnpaidOrder>;
  return typeof order.orderId === 'string' &&
    typeof order.prompt === 'string' &&
    typeof order.tierId === 'string' &&
    typeof order.createdAt === 'number'
    ? (order as UnpaidOrder)
    : undefined;
}

export function saveUnpaidOrder(order: UnpaidOrder): void {
  try {
    Taro.setStorageSync(UNPAID_ORDER_KEY, order);
  } catch {
    // Storage full or unavailable: the next question creates a new order (the server closes the oldest).
  }
}

/** Forgets the stored order: any, or only `orderId` (paid, cancelled or closed elsewhere). */
export function forgetUnpaidOrder(orderId?: string): void {
  if (orderId !== undefined && loadUnpaidOrder()?.orderId !== orderId) return;
  try {
    Taro.removeStorageSync(UNPAID_ORDER_KEY);
  } catch {
    // Nothing to do: a stale entry is checked with the server before it is used.
  }
}
