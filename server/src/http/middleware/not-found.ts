import type { Middleware } from 'koa';
import { AppError } from '../../errors.js';

/**
 * Runs around the router and turns "nothing answered" into the error envelope: 405 when the path exists with
 * other methods (the router has set `Allow`), 404 otherwise.
 */
export function notFound(): Middleware {
  return async (ctx, next) => {
    await next();
    if (ctx.body != null) return;
    if (ctx.status === 405 || ctx.status === 501) {
      throw new AppError(
        'METHOD_NOT_ALLOWED',
        `${ctx.method} is not allowed on ${ctx.path}; use ${ctx.response.get('Allow') || 'another method'}.`,
      );
    }
    if (ctx.status === 404) throw new AppError('NOT_FOUND', `No route for ${ctx.method} ${ctx.path}.`);
  };
}
