import { Router } from '@koa/router';
import type { Health, Readiness } from '@tokentill/shared-types';
import type { AppDeps } from '../../app-deps.js';
import { pingRedis } from '../../redis/index.js';

const READINESS_TIMEOUT_MS = 1_000;

/**
 * Liveness and readiness: the routes an orchestrator calls, public on the API port. Both stay terse: which
 * check failed, never why (error text can name hosts and internals; it goes to the log). Prometheus metrics
 * are served on their own listener (METRICS_PORT, see http/metrics-server.ts), not here.
 */
export function healthRoutes(deps: AppDeps): Router {
  const router = new Router();
  const startedAt = Date.now();

  // Liveness: the event loop answers. Deliberately checks nothing else, so a Redis outage never restarts pods.
  router.get('/healthz', (ctx) => {
    const body: Health = { status: 'ok', uptimeSeconds: Math.round((Date.now() - startedAt) / 1000) };
    ctx.body = body;
  });

  // Readiness: this instance can serve traffic (Redis answers, and it is not shutting down).
  router.get('/readyz', async (ctx) => {
    const checks: Readiness['checks'] = {};
    const began = performance.now();
    try {
      await pingRedis(deps.redis, READINESS_TIMEOUT_MS);
      checks['redis'] = { ok: true };
    } catch (err) {
      checks['redis'] = { ok: false };
      deps.logger.warn(
        {
          check: 'redis',
          latencyMs: Math.round(performance.now() - began),
          err: { message: (err as Error).message },
          requestId: ctx.state.requestId,
        },
        'readiness check failed',
      );
    }
    if (deps.lifecycle.draining) checks['lifecycle'] = { ok: false };
    const ready = Object.values(checks).every((c) => c.ok);
    const body: Readiness = { status: ready ? 'ready' : 'not_ready', checks };
    ctx.status = ready ? 200 : 503;
    ctx.body = body;
  });

  return router;
}
