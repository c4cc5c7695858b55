import { Router } from '@koa/router';
import type { TiersResponse } from '@tokentill/shared-types';
import type { Catalog } from '../../catalog/index.js';

/**
 * `GET /api/tiers`: what a user can buy, and whether each tier can take an order right now (`available`).
 * Public (the Mini Program shows prices before login completes). Not cached for long: availability follows the
 * circuit breakers of the tier's providers, which open and close within seconds.
 */
export function tierRoutes(catalog: Catalog, availability: { available(tierId: string): boolean }): Router {
  const router = new Router();
  router.get('/api/tiers', (ctx) => {
    const body: TiersResponse = {
      tiers: catalog.tierList.map((t) => ({
        id: t.id,
        title: t.title,
        priceFen: t.priceFen,
        description: t.description,
        available: availability.available(t.id),
      })),
    };
    ctx.set('Cache-Control', 'no-cache');
    ctx.body = body;
  });
  return router;
}
