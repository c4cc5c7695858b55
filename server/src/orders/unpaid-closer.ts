import type { OrderState } from '@tokentill/shared-types';
import { WxPayApiError, type WxPayClient } from '../payment/index.js';
import type { Redis, RedisKeys } from '../redis/index.js';
import type { ApplyEvent } from './order-transitions.js';
import type { OrderStore } from './order-store.js';
import type { PaymentEvents } from './payment-events.js';

/**
 * Closes one unpaid order before its deadline: at WeChat Pay first, so it can no longer be paid, then here
 * (CREATED → CLOSED), freeing the user's unpaid slot. Used when the user cancels it, and when the user asks a new
 * question while at the unpaid-order cap (the oldest makes way). The reconciler closes orders past their
 * deadline the same way.
 */
export interface UnpaidCloser {
  /**
   * The order's state afterwards: CLOSED when it is closed (now or before); PAID or later when WeChat Pay says
   * it was paid after all (credited like a callback, so it goes on to its answer); undefined for no such order.
   * Throws when WeChat Pay cannot be reached (nothing changed; try again).
   */
  close(orderId: string): Promise<OrderState | undefined>;
}

export interface UnpaidCloserDeps {
  redis: Redis;
  keys: RedisKeys;
  store: OrderStore;
  wxpay: WxPayClient;
  payments: PaymentEvents;
  applyEvent: ApplyEvent;
}

export function createUnpaidCloser(deps: UnpaidCloserDeps): UnpaidCloser {
  const { redis, keys, store, wxpay } = deps;
  return {
    async close(orderId) {
      const order = await store.get(orderId);
      if (!order || order.state !== 'CREATED') return order?.state;
      try {
        await wxpay.closeOrder(orderId);
      } catch (err) {
        if (err instanceof WxPayApiError && err.code === 'ORDERPAID') {
          // Paid in the meantime (the callback may still be on its way): credit it, the user gets the answer.
          await deps.payments.applyTransaction(await wxpay.queryByOutTradeNo(orderId), 'query');
          return (await store.get(orderId))?.state;
        }
        // WeChat Pay never heard of it (its creation failed or never got there): nothing can be paid, close it.
        if (!(err instanceof WxPayApiError && err.code === 'ORDER_NOT_EXIST')) throw err;
      }
      const outcome = await deps.applyEvent(orderId, 'close');
      if (!outcome.ok) return outcome.reason === 'invalid' ? outcome.current : undefined;
      await Promise.all([
        redis.zrem(keys.paymentChecks(), orderId),
        redis.zrem(keys.userOpenOrders(order.userKey), orderId),
      ]);
      return 'CLOSED';
    },
  };
}
