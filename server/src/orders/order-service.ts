import type { Redis } from 'ioredis';
import type {
  CreateOrderRequest,
  CreateOrderResponse,
  OrderState,
  WxPayRequestParams,
} from '@tokentill/shared-types';
import type { Catalog } from '../catalog/index.js';
import { AppError } from '../errors.js';
import type { OpenidVault } from '../identity/openid-vault.js';
import { createRateLimiter, createSingleFlight, type RateLimit } from '../limits/index.js';
import type { Logger } from '../observability/logger.js';
import { WxPayApiError, WxPayError, type WxPayClient } from '../payment/index.js';
import { redisScripts, type RedisKeys } from '../redis/index.js';
import type { Session } from '../sessions/index.js';
import { newOrderId } from './order-id.js';
import type { LiveOrders } from './live-orders.js';
import type { ApplyEvent } from './order-transitions.js';
import type { OrderRecord, OrderStore } from './order-store.js';
import type { PaymentEvents } from './payment-events.js';
import { schedulePaymentCheck } from './reconciler.js';

export interface OrderLimits {
  /** How long the user has to pay (WeChat Pay `time_expire`). */
  payWindowSeconds: number;
  ordersPerMinute: number;
  maxUnpaidOrders: number;
  /** Payment confirmations one user may ask for per minute. */
  confirmsPerMinute: number;
  /** Least time between two WeChat Pay queries that confirmations make for one order. */
  confirmQueryIntervalMs: number;
}

export interface OrderServiceDeps {
  redis: Redis;
  keys: RedisKeys;
  store: OrderStore;
  live: LiveOrders;
  catalog: Catalog;
  wxpay: WxPayClient;
  vault: OpenidVault;
  applyEvent: ApplyEvent;
  payments: PaymentEvents;
  logger: Logger;
  notifyUrl: string;
  limits: OrderLimits;
  /** Signs the `wx.requestPayment` parameters for a prepay id (merchant key; off the event loop). */
  paymentParams(prepayId: string): Promise<WxPayRequestParams>;
}

export interface OrderService {
  create(session: Session, request: CreateOrderRequest): Promise<CreateOrderResponse>;
  /** The owner's order; anyone else gets NOT_FOUND, as if it did not exist. */
  getOwned(session: Session, orderId: string): Promise<OrderRecord>;
  list(session: Session, limit: number): Promise<OrderRecord[]>;
  /** Asks WeChat Pay whether the order is paid (never trusts the client) and applies a SUCCESS like a callback. */
  confirm(session: Session, orderId: string): Promise<OrderState>;
}

/** After the client says it paid, the reconciler also checks this soon, in case the query below raced the payment. */
const CONFIRM_FOLLOW_UP_MS = 2_000;
/**
 * The longest a confirmation's WeChat Pay query can take (the client's three attempts of at most 10 s, plus
 * backoff): its claim on the order is held this long at most, so a slow query is never joined by a second one.
 */
const CONFIRM_QUERY_HOLD_MS = 35_000;
/** The last check, which closes an unpaid order, runs this long after the payment deadline. */
export const CLOSE_GRACE_MS = 30_000;
/** The sweep's first look at an unpaid order: after its last payment check should have closed it. */
const PAST_DEADLINE_SWEEP_MS = 60_000;

export function createOrderService(deps: OrderServiceDeps): OrderService {
  const { redis, keys, store, logger } = deps;
  const scripts = redisScripts(redis);

  const limiter = createRateLimiter(redis);
  const singleFlight = createSingleFlight(redis);
  const creations: RateLimit = { limit: deps.limits.ordersPerMinute, windowSeconds: 60, what: 'orders' };
  const confirmations: RateLimit = {
    limit: deps.limits.confirmsPerMinute,
    windowSeconds: 60,
    what: 'payment confirmations',
  };

  async function enforceRateLimit(userKey: string): Promise<void> {
    await limiter.consume(creations, (window) => keys.userOrderRate(userKey, window));
  }

  /** Asks WeChat Pay about the order and applies a SUCCESS like a callback would. */
  async function queryPayment(orderId: string): Promise<void> {
    try {
      const tx = await deps.wxpay.queryByOutTradeNo(orderId);
      if (tx.trade_state === 'SUCCESS') await deps.payments.applyTransaction(tx, 'query');
    } catch (err) {
      // The reconciler follows up either way; the client just sees the order still CREATED for now.
      logger.warn({ orderId, err: { message: (err as Error).message } }, 'confirm: WeChat Pay query failed');
    }
  }

  async function reserveUnpaidSlot(userKey: string, orderId: string, payBy: number): Promise<void> {
    const reserved = (await scripts.run(
      'reserveOpenOrder',
      [keys.userOpenOrders(userKey)],
      [Date.now(), deps.limits.maxUnpaidOrders, orderId, payBy + CLOSE_GRACE_MS],
    )) as number;
    if (reserved < 0) {
      throw new AppError(
        'TOO_MANY_UNPAID_ORDERS',
        `You have ${deps.limits.maxUnpaidOrders} unpaid orders: pay or wait for one to expire before creating another.`,
      );
    }
  }

  async function getOwned(session: Session, orderId: string): Promise<OrderRecord> {
    const order = /^[A-Za-z0-9_-]{8,64}$/.test(orderId) ? await store.get(orderId) : undefined;
    if (!order || order.userKey !== session.userKey) throw new AppError('NOT_FOUND', 'No such order.');
    return order;
  }

  return {
    async create(session, request) {
      const tier = deps.catalog.tiers.get(request.tier);
      if (!tier) {
        throw new AppError(
          'VALIDATION_FAILED',
          `Unknown tier "${request.tier}"; GET /api/tiers lists the tiers.`,
          {
            details: { issues: [{ path: 'tier', message: 'unknown tier' }] },
          },
        );
      }
      await enforceRateLimit(session.userKey);
      const now = Date.now();
      const orderId = newOrderId(now);
      const payBy = now + deps.limits.payWindowSeconds * 1000;
      await reserveUnpaidSlot(session.userKey, orderId, payBy);

      // Watched by the recovery sweep from before it exists until it is final: a crash anywhere on the way
      // (before its payment check is scheduled, say) leaves it where the sweep looks.
      await deps.live.watch(orderId, payBy + CLOSE_GRACE_MS + PAST_DEADLINE_SWEEP_MS);
      // Stored before WeChat Pay hears of it, so a callback can never arrive for an order we do not know.
      await store.create({
        id: orderId,
        state: 'CREATED',
        userKey: session.userKey,
        tier: tier.id,
        tierTitle: tier.title,
        priceFen: tier.priceFen,
        prompt: request.prompt,
        createdAt: now,
        payBy,
        sealedOpenid: session.sealedOpenid,
      });
      // The reconciler's last word on this order: closes it if still unpaid after the deadline.
      await redis.zadd(keys.paymentChecks(), payBy + CLOSE_GRACE_MS, orderId);

      let prepayId: string;
      try {
        ({ prepayId } = await deps.wxpay.createJsapiOrder({
          description: `AI 问答 - ${tier.title}`,
          outTradeNo: orderId,
          notifyUrl: deps.notifyUrl,
          amountFen: tier.priceFen,
          payerOpenid: deps.vault.open(session.sealedOpenid),
          attach: JSON.stringify({ tier: tier.id }),
          timeExpire: new Date(payBy),
        }));
      } catch (err) {
        logger.error(
          { orderId, err: err instanceof WxPayError ? { name: err.name, message: err.message } : err },
          'WeChat Pay order failed',
        );
        // Nothing was charged: close our record now so it does not hold the user's unpaid slot.
        await deps.applyEvent(orderId, 'close');
        await redis.zrem(keys.userOpenOrders(session.userKey), orderId);
        const retryable = !(err instanceof WxPayApiError) || err.status >= 500;
        throw new AppError(
          retryable ? 'PAYMENT_UNAVAILABLE' : 'UPSTREAM_ERROR',
          'WeChat Pay could not create the payment; nothing was charged. Try again.',
          { cause: err },
        );
      }
      await store.setFields(orderId, { prepayId });
      return { orderId, payment: { channel: 'wxpay', params: await deps.paymentParams(prepayId) } };
    },

    getOwned,

    list: (session, limit) => store.listForUser(session.userKey, limit),

    async confirm(session, orderId) {
      await limiter.consume(confirmations, (window) => keys.userConfirmRate(session.userKey, window));
      const order = await getOwned(session, orderId);
      if (order.state !== 'CREATED') return order.state;
      // Each query is a signed call counted against the merchant's WeChat Pay frequency limit: one per order at a
      // time across instances, spaced out. A confirmation that finds one in flight or just done does not query;
      // it answers the state as it stands, and the follow-up below still has the reconciler check soon.
      await singleFlight.run(
        keys.orderPaymentQuery(orderId),
        { holdMs: CONFIRM_QUERY_HOLD_MS, spacingMs: deps.limits.confirmQueryIntervalMs },
        () => queryPayment(orderId),
      );
      await schedulePaymentCheck(redis, keys, orderId, Date.now() + CONFIRM_FOLLOW_UP_MS);
      return (await store.get(orderId))?.state ?? order.state;
    },
  };
}
