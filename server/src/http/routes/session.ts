import { Router } from '@koa/router';
import { CreateSessionRequestSchema, type CreateSessionResponse } from '@tokentill/shared-types';
import type { SessionService, SessionStore } from '../../sessions/index.js';
import { bearerToken } from '../middleware/authenticate.js';
import { parseBody } from '../middleware/validate.js';

/** `POST /api/session` logs in with a `wx.login` code; `DELETE /api/session` revokes the caller's token. */
export function sessionRoutes(deps: { sessions: SessionService; sessionStore: SessionStore }): Router {
  const router = new Router();
  router.post('/api/session', async (ctx) => {
    const { code } = parseBody(ctx, CreateSessionRequestSchema);
    // ctx.ip: the client's address, through the proxies TRUST_PROXY names (app.ts).
    const body: CreateSessionResponse = await deps.sessions.login(code, ctx.ip);
    ctx.body = body;
  });
  router.delete('/api/session', async (ctx) => {
    const token = bearerToken(ctx.get('authorization'));
    if (token) await deps.sessionStore.revoke(token);
    ctx.status = 204;
  });
  return router;
}
