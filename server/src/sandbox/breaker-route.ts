/**
 * `GET /sandbox/breakers`: the circuit breaker of each model provider as this server's router sees it, and
 * whether each tier can take an order now. For the H5 sandbox panel, so a drill that takes a provider down shows
 * its circuit opening and the tier turning unavailable. Not a WeChat endpoint; mounted in sandbox mode only,
 * before the emulator (which answers every other path under /sandbox/).
 */
import type Koa from 'koa';

/** What the route reads: the router's circuits and the tiers' availability. */
export interface BreakerSource {
  circuitStates(): Record<string, 'closed' | 'open' | 'half_open'>;
  /** Tiers in display order, each with the models (and their providers) of its chain. */
  tiers(): { id: string; title: string; available: boolean; providers: string[] }[];
}

export const BREAKERS_PATH = '/sandbox/breakers';

export function breakerRoute(source: BreakerSource): Koa.Middleware {
  return async (ctx, next) => {
    if (ctx.path !== BREAKERS_PATH) return next();
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
      ctx.status = 405;
      ctx.set('Allow', 'GET, HEAD');
      ctx.body = { code: 'METHOD_NOT_ALLOWED', message: 'GET /sandbox/breakers only' };
      return;
    }
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { providers: source.circuitStates(), tiers: source.tiers() };
  };
}
