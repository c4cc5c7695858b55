import type { Middleware } from 'koa';
import { AppError } from '../../errors.js';
import type { Session, SessionStore } from '../../sessions/index.js';

declare module 'koa' {
  interface DefaultState {
    session?: Session;
  }
}

/** Reads the bearer token from `Authorization: Bearer <token>`. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return match?.[1];
}

/** Requires a live session; 401 UNAUTHENTICATED without a token, 401 SESSION_EXPIRED for an unknown one. */
export function authenticate(sessions: SessionStore): Middleware {
  return async (ctx, next) => {
    const token = bearerToken(ctx.get('authorization'));
    if (!token)
      throw new AppError('UNAUTHENTICATED', 'Send the session token as "Authorization: Bearer <token>".');
    const session = await sessions.get(token);
    if (!session) throw new AppError('SESSION_EXPIRED', 'The session expired or was revoked: log in again.');
    ctx.state.session = session;
    await next();
  };
}

/** The session set by `authenticate` (a programming error if the route forgot it). */
export function sessionOf(state: { session?: Session }): Session {
  if (!state.session) throw new Error('route is missing the authenticate() middleware');
  return state.session;
}
