import { Router } from '@koa/router';
import type { Health, Readiness } from '@tokentill/shared-types';
import type { AppDeps } from '../../app.js';
import { pingRedis } from '../../redis/index.js';

const READINESS_TIMEOUT_MS = 1_000;

/** Liveness, readiness and Prometheus metrics: the routes an orchestrator and a scraper call. */
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
      checks['redis'] = { ok: true, latencyMs: round(performance.now() - began) };
    } catch (err) {
      checks['redis'] = {
        ok: false,
        latencyMs: round(performance.now() - began),
        error: (err as Error).message,
      };
    }
    if (deps.lifecycle.draining) checks['lifecycle'] = { ok: false, latencyMs: 0, error: 'shutting down' };
    const ready = Object.values(checks).every((c) => c.ok);
    const body: Readiness = { status: ready ? 'ready' : 'not_ready', checks };
    ctx.status = ready ? 200 : 503;
    ctx.body = body;
  });

  router.get('/metrics', async (ctx) => {
    ctx.type = deps.metrics.registry.contentType;
    ctx.body = await deps.metrics.registry.metrics();
  });

  return router;
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
