import type {
  CreateOrderRequest,
  CreateOrderResponse,
  OrderPaymentResponse,
  OrderState,
  WxPayRequestParams,
} from '@tokentill/shared-types';
import type { Catalog } from '../catalog/index.js';
import { AppError } from '../errors.js';
import type { OpenidVault } from '../identity/openid-vault.js';
import { createRateLimiter, createSingleFlight, type RateLimit } from '../limits/index.js';
import { ledgerOrderOf, type Ledger } from '../ledger/index.js';
import type { Logger } from '../observability/logger.js';
import { WxPayApiError, WxPayError, type WxPayClient } from '../payment/index.js';
import { redisScripts, type Redis, type RedisKeys } from '../redis/index.js';
import type { Session } from '../sessions/index.js';
import { newOrderId } from './order-id.js';
import type { LiveOrders } from './live-orders.js';
import type { ApplyEvent } from './order-transitions.js';
import { decodeOrderCursor, encodeOrderCursor } from './order-pages.js';
import type { OrderRecord, OrderStore } from './order-store.js';
import type { PaymentEvents } from './payment-events.js';
import { schedulePaymentCheck } from './reconciler.js';
import { createUnpaidCloser } from './unpaid-closer.js';

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
  /** Each order is recorded here before it exists anywhere else. */
  ledger: Pick<Ledger, 'recordOrder'>;
  notifyUrl: string;
  limits: OrderLimits;
  /** Signs the `wx.requestPayment` parameters for a prepay id (merchant key; off the event loop). */
  paymentParams(prepayId: string): Promise<WxPayRequestParams>;
  /**
   * Whether a model of the tier's chain can take this order now (inference/router/tier-availability.ts). An
   * order is refused before it exists, and before any payment, when none can. Default: always.
   */
  canTakeOrder?(tierId: string, orderId: string): boolean;
}

export interface OrderService {
  create(session: Session, request: CreateOrderRequest): Promise<CreateOrderResponse>;
  /** The owner's order; anyone else gets NOT_FOUND, as if it did not exist. */
  getOwned(session: Session, orderId: string): Promise<OrderRecord>;
  /** One page of the owner's orders, newest first; `cursor` is a previous page's `nextCursor`. */
  list(
    session: Session,
    page: { limit: number; cursor?: string | undefined },
  ): Promise<{ orders: OrderRecord[]; nextCursor: string | undefined }>;
  /** Asks WeChat Pay whether the order is paid (never trusts the client) and applies a SUCCESS like a callback. */
  confirm(session: Session, orderId: string): Promise<OrderState>;
  /** Closes the owner's unpaid order (at WeChat Pay, then here); idempotent for an order already CLOSED. */
  cancel(session: Session, orderId: string): Promise<'CLOSED'>;
  /** Fresh `wx.requestPayment` parameters for the owner's unpaid order, while it can still be paid. */
  payment(session: Session, orderId: string): Promise<OrderPaymentResponse>;
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
/**
 * Tries at freeing an unpaid slot by closing the user's oldest unpaid order. More than one only when concurrent
 * creations of the same user race for the freed slot.
 */
const SLOT_ATTEMPTS = 3;
/** Retry-After of a TIER_UNAVAILABLE refusal: the circuit breakers' default open period before their next trial. */
const TIER_RETRY_AFTER_SECONDS = 30;

export function createOrderService(deps: OrderServiceDeps): OrderService {
  const { redis, keys, store, logger } = deps;
  const scripts = redisScripts(redis);
  const unpaid = createUnpaidCloser(deps);

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

  /**
   * Reserves one of the user's unpaid slots for this order. At the cap, asking again must still work (cancelled
   * pay sheets, or a creation that timed out on the client but succeeded here, would otherwise lock the user
   * out until their orders expire): the oldest unpaid order makes way. It is closed at WeChat Pay first, so it
   * can no longer be paid; if WeChat Pay says it was paid after all, it is credited and goes on to its answer,
   * and its slot is free all the same.
   */
  async function reserveUnpaidSlot(userKey: string, orderId: string, payBy: number): Promise<void> {
    const openOrders = keys.userOpenOrders(userKey);
    for (let attempt = 0; attempt < SLOT_ATTEMPTS; attempt++) {
      const reserved = (await scripts.run(
        'reserveOpenOrder',
        [openOrders],
        [Date.now(), deps.limits.maxUnpaidOrders, orderId, payBy + CLOSE_GRACE_MS],
      )) as number;
      if (reserved >= 0) return;
      // Scored by payment deadline, and every order gets the same pay window: the first is the oldest.
      const [oldest] = await redis.zrange(openOrders, '0', '0');
      if (oldest === undefined) continue;
      let state: OrderState | undefined;
      try {
        state = await unpaid.close(oldest);
      } catch (err) {
        throw new AppError(
          'PAYMENT_UNAVAILABLE',
          'WeChat Pay could not be reached to close your oldest unpaid order; nothing was charged. Try again.',
          { cause: err },
        );
      }
      logger.info({ orderId: oldest, state, for: orderId }, 'oldest unpaid order made way for a new one');
      // Closed, paid or gone: either way it no longer holds a slot (a paid order's slot is released as it is
      // credited; this also drops the slot of an order that no longer exists).
      await redis.zrem(openOrders, oldest);
    }
    throw new AppError(
      'TOO_MANY_UNPAID_ORDERS',
      `You have ${deps.limits.maxUnpaidOrders} unpaid orders being created at once; try again in a moment.`,
    );
  }

  /** Refuses an order no model of its chain can answer now, before it exists (nothing to pay, nothing to refund). */
  function assertTierCanTake(tierId: string, orderId: string): void {
    if (deps.canTakeOrder && !deps.canTakeOrder(tierId, orderId)) {
      throw new AppError(
        'TIER_UNAVAILABLE',
        `Tier "${tierId}" cannot take orders right now (its models' providers are failing); nothing was charged. ` +
          `Try again in a little while or pick another tier.`,
        { headers: { 'Retry-After': String(TIER_RETRY_AFTER_SECONDS) }, expose: true },
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
      const now = Date.now();
      const orderId = newOrderId(now);
      assertTierCanTake(tier.id, orderId);
      await enforceRateLimit(session.userKey);
      const payBy = now + deps.limits.payWindowSeconds * 1000;
      await reserveUnpaidSlot(session.userKey, orderId, payBy);

      // Watched by the recovery sweep from before it exists until it is final: a crash anywhere on the way
      // (before its payment check is scheduled, say) leaves it where the sweep looks.
      await deps.live.watch(orderId, payBy + CLOSE_GRACE_MS + PAST_DEADLINE_SWEEP_MS);
      const order = {
        id: orderId,
        state: 'CREATED' as const,
        userKey: session.userKey,
        tier: tier.id,
        tierTitle: tier.title,
        priceFen: tier.priceFen,
        prompt: request.prompt,
        createdAt: now,
        payBy,
      };
      // In the ledger first, then in Redis, both before WeChat Pay hears of it: a callback can never arrive for an
      // order we do not know, and the ledger can re-create it if Redis loses it. No ledger, no order.
      try {
        await deps.ledger.recordOrder(ledgerOrderOf({ ...order, updatedAt: now, at: {} }));
      } catch (err) {
        await redis.zrem(keys.userOpenOrders(session.userKey), orderId);
        throw new AppError(
          'PAYMENT_UNAVAILABLE',
          'Orders cannot be recorded right now; nothing was charged. Try again shortly.',
          { cause: err, expose: true },
        );
      }
      await store.create({ ...order, sealedOpenid: session.sealedOpenid });
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

    async list(session, { limit, cursor }) {
      const page = await store.pageForUser(
        session.userKey,
        limit,
        cursor === undefined ? undefined : decodeOrderCursor(cursor),
      );
      return { orders: page.orders, nextCursor: page.next && encodeOrderCursor(page.next) };
    },

    async cancel(session, orderId) {
      const order = await getOwned(session, orderId);
      if (order.state === 'CLOSED') return 'CLOSED';
      let state: OrderState | undefined = order.state;
      if (state === 'CREATED') {
        try {
          state = await unpaid.close(order.id);
        } catch (err) {
          throw new AppError(
            'PAYMENT_UNAVAILABLE',
            'WeChat Pay could not be reached to close the order; nothing was charged. Try again.',
            { cause: err },
          );
        }
      }
      if (state === 'CLOSED') return 'CLOSED';
      throw new AppError(
        'ORDER_NOT_CANCELLABLE',
        `The order is ${state ?? 'gone'}: it was paid, so it is being answered or refunded and cannot be cancelled.`,
      );
    },

    async payment(session, orderId) {
      const order = await getOwned(session, orderId);
      // A minute's margin: WeChat Pay refuses the payment at its time_expire, the pay sheet takes time.
      if (order.state !== 'CREATED' || !order.prepayId || Date.now() > order.payBy - 60_000) {
        throw new AppError(
          'ORDER_NOT_PAYABLE',
          `The order can no longer be paid (${order.state === 'CREATED' ? 'its payment window is over' : order.state}); ask again for a new one.`,
        );
      }
      // Paying now would only be refunded when no model can answer: say so before the pay sheet opens.
      assertTierCanTake(order.tier, order.id);
      return {
        orderId: order.id,
        payment: { channel: 'wxpay', params: await deps.paymentParams(order.prepayId) },
      };
    },

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
