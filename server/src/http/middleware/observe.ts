import type { Middleware } from 'koa';
import type { Logger } from '../../observability/logger.js';
import type { Metrics } from '../../observability/metrics.js';

/**
 * Logs one line per request and records it in the metrics, labelled by the matched route pattern (not the raw
 * path, which would explode label cardinality and leak ids). Only chosen fields are logged: no headers, no query
 * string (it may carry tokens), no bodies.
 */
export function observe(logger: Logger, metrics: Metrics): Middleware {
  return async (ctx, next) => {
    const start = process.hrtime.bigint();
    try {
      await next();
    } finally {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      const route = (ctx as { _matchedRoute?: unknown })._matchedRoute;
      const labels = {
        method: ctx.method,
        route: typeof route === 'string' ? route : 'unmatched',
        status: String(ctx.status),
      };
      metrics.httpRequests.inc(labels);
      metrics.httpDuration.observe(labels, seconds);
      const line = {
        requestId: ctx.state.requestId,
        method: ctx.method,
        path: ctx.path,
        route: labels.route,
        status: ctx.status,
        ms: Math.round(seconds * 1e4) / 10,
      };
      if (ctx.status >= 500) logger.error(line, 'request failed');
      else logger.info(line, 'request');
    }
  };
}
