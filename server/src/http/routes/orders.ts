import { Router } from '@koa/router';
import {
  CreateOrderRequestSchema,
  OrderListQuerySchema,
  OrderQuerySchema,
  type CancelOrderResponse,
  type ConfirmOrderResponse,
  type OrderChunk,
  type OrderListResponse,
  type OrderView,
} from '@tokentill/shared-types';
import { AppError } from '../../errors.js';
import { orderViewFromLedger, type Ledger } from '../../ledger/index.js';
import { toOrderView, type OrderService } from '../../orders/index.js';
import { isOrderId } from '../../orders/order-id.js';
import type { AnswerEntry, AnswerStreamStore } from '../../delivery/index.js';
import type { SessionStore } from '../../sessions/index.js';
import { authenticate, sessionOf } from '../middleware/authenticate.js';
import { parseBody, parseQuery } from '../middleware/validate.js';

/** Stream entries as the API's chunks: text, and resets (state changes are in the view's `state`). */
function toChunks(entries: AnswerEntry[]): OrderChunk[] {
  return entries.flatMap((e): OrderChunk[] => {
    if (e.kind === 'text') return [{ seq: e.seq, text: e.text }];
    if (e.kind === 'reset') return [{ seq: e.seq, text: '', reset: true }];
    return [];
  });
}

/**
 * The orders API: create, read (owner only), list (paged), confirm payment, pay or cancel an unpaid order.
 * Every route needs a session.
 */
export function orderRoutes(deps: {
  orders: OrderService;
  sessionStore: SessionStore;
  answers: AnswerStreamStore;
  /** Where finished orders Redis no longer has are read from. */
  ledger?: Pick<Ledger, 'findOrder'>;
}): Router {
  const router = new Router();
  router.use('/api/orders', authenticate(deps.sessionStore));

  router.post('/api/orders', async (ctx) => {
    const request = parseBody(ctx, CreateOrderRequestSchema);
    ctx.status = 201;
    ctx.body = await deps.orders.create(sessionOf(ctx.state), request);
  });

  router.get('/api/orders', async (ctx) => {
    const query = parseQuery(ctx, OrderListQuerySchema);
    const page = await deps.orders.list(sessionOf(ctx.state), query);
    const body: OrderListResponse = {
      orders: page.orders.map(toOrderView),
      ...(page.nextCursor === undefined ? {} : { nextCursor: page.nextCursor }),
    };
    ctx.body = body;
  });

  router.get('/api/orders/:id', async (ctx) => {
    // Polling clients pass the last seq they have; they get the same chunks a socket subscriber would.
    const { after } = parseQuery(ctx, OrderQuerySchema);
    const session = sessionOf(ctx.state);
    const orderId = ctx.params['id'] ?? '';
    const order = await deps.orders.getOwned(session, orderId).catch(async (err: unknown) => {
      // A finished order Redis no longer has (expired, or lost) is still the owner's: answered from the ledger.
      if (!(err instanceof AppError && err.code === 'NOT_FOUND') || !deps.ledger || !isOrderId(orderId))
        throw err;
      const kept = await deps.ledger.findOrder(orderId);
      if (!kept?.finalState || kept.ownerKey !== session.userKey) throw err;
      return kept;
    });
    if (!('userKey' in order)) {
      ctx.body = orderViewFromLedger(order, after);
      return;
    }
    const entries = await deps.answers.read(order.id, after);
    const body: OrderView = { ...toOrderView(order), chunks: toChunks(entries) };
    ctx.body = body;
  });

  router.post('/api/orders/:id/confirm', async (ctx) => {
    const orderId = ctx.params['id'] ?? '';
    const state = await deps.orders.confirm(sessionOf(ctx.state), orderId);
    const body: ConfirmOrderResponse = { orderId, state };
    ctx.body = body;
  });

  router.post('/api/orders/:id/cancel', async (ctx) => {
    const orderId = ctx.params['id'] ?? '';
    const state = await deps.orders.cancel(sessionOf(ctx.state), orderId);
    const body: CancelOrderResponse = { orderId, state };
    ctx.body = body;
  });

  router.get('/api/orders/:id/payment', async (ctx) => {
    ctx.body = await deps.orders.payment(sessionOf(ctx.state), ctx.params['id'] ?? '');
  });
  return router;
}
