import { Router } from '@koa/router';
import type { AppDeps } from '../app.js';
import { healthRoutes } from './routes/health.js';

/** Every HTTP route of the API, in one place. Routes stay thin: parse → call a service → shape the answer. */
export function createRouter(deps: AppDeps): Router {
  const router = new Router();
  const health = healthRoutes(deps);
  router.use(health.routes());
  return router;
}
