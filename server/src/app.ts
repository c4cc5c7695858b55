import Koa from 'koa';
import { bodyParser } from '@koa/bodyparser';
import { errorHandler } from './http/middleware/error-handler.js';
import { notFound } from './http/middleware/not-found.js';
import { observe } from './http/middleware/observe.js';
import { requestId } from './http/middleware/request-id.js';
import { serveH5 } from './http/middleware/serve-h5.js';
import type { AppDeps } from './app-deps.js';
import { createRawBodyRouter, createRouter } from './http/router.js';

export type { AppDeps, Lifecycle } from './app-deps.js';

/** JSON bodies above this are refused with 413 PAYLOAD_TOO_LARGE. Prompts are far smaller. */
export const JSON_BODY_LIMIT = '64kb';

/** Composes the Koa app. Never listens: `server.ts` owns the HTTP server. */
export function createApp(deps: AppDeps): Koa {
  // ctx.ip is the client's address only through proxies we were told about; a client's own X-Forwarded-For
  // entries sit in front of theirs and are never read (see TRUST_PROXY).
  const app = new Koa({ proxy: deps.config.TRUST_PROXY > 0, maxIpsCount: deps.config.TRUST_PROXY });
  const rawBodyRouter = createRawBodyRouter(deps);
  const router = createRouter(deps);

  app.use(requestId());
  app.use(async (ctx, next) => {
    // Checked after the handlers ran: a request that began before the signal still gets the header, so
    // keep-alive connections end with their answer and the server can close promptly.
    await next();
    if (deps.lifecycle.draining) ctx.set('Connection', 'close');
  });
  app.use(observe(deps.logger, deps.metrics));
  app.use(errorHandler());
  app.use(notFound());
  // Routes that verify signatures over exact bytes come before the body parser, which would consume the stream.
  for (const middleware of deps.sandbox ?? []) app.use(middleware);
  if (deps.h5Dir) app.use(serveH5(deps.h5Dir));
  app.use(rawBodyRouter.routes());
  app.use(bodyParser({ enableTypes: ['json'], jsonLimit: JSON_BODY_LIMIT, encoding: 'utf-8' }));
  app.use(router.routes());
  // Sets 405 + Allow (or 501) for known paths; notFound() turns that into the envelope.
  app.use(router.allowedMethods());

  // 5xx errors arrive here after the error handler answered; log them with their cause, never the request body.
  app.on('error', (err: unknown, ctx?: Koa.Context) => {
    deps.logger.error({ err, requestId: ctx?.state.requestId, path: ctx?.path }, 'unhandled error');
  });
  return app;
}
