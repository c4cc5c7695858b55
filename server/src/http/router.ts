import { Router } from '@koa/router';
import type { AppDeps } from '../app-deps.js';
import { healthRoutes } from './routes/health.js';
import { orderRoutes } from './routes/orders.js';
import { paymentNotifyRoutes } from './routes/payment-notify.js';
import { sessionRoutes } from './routes/session.js';
import { tierRoutes } from './routes/tiers.js';

/** Every JSON route of the API, in one place. Routes stay thin: parse → call a service → shape the answer. */
export function createRouter(deps: AppDeps): Router {
  const { services } = deps;
  const router = new Router();
  for (const child of [
    healthRoutes(deps),
    tierRoutes(services.catalog, services.tierAvailability),
    sessionRoutes({ sessions: services.sessions, sessionStore: services.sessionStore }),
    orderRoutes({
      orders: services.orders,
      sessionStore: services.sessionStore,
      answers: services.answers,
      ledger: services.ledger,
    }),
  ]) {
    router.use(child.routes());
  }
  return router;
}

/** Routes that read their body as raw bytes (signature checks); mounted before the JSON body parser. */
export function createRawBodyRouter(deps: AppDeps): Router {
  return paymentNotifyRoutes({
    verifier: deps.services.merchant.verifier,
    apiV3Key: deps.services.merchant.apiV3Key,
    payments: deps.services.payments,
    metrics: deps.metrics,
    logger: deps.logger,
  });
}
