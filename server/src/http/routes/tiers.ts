import { Router } from '@koa/router';
import type { TiersResponse } from '@tokentill/shared-types';
import type { Catalog } from '../../catalog/index.js';

/** `GET /api/tiers`: what a user can buy. Public (the Mini Program shows prices before login completes). */
export function tierRoutes(catalog: Catalog): Router {
  const router = new Router();
  const body: TiersResponse = {
    tiers: catalog.tierList.map((t) => ({
      id: t.id,
      title: t.title,
      priceFen: t.priceFen,
      description: t.description,
    })),
  };
  router.get('/api/tiers', (ctx) => {
    ctx.set('Cache-Control', 'public, max-age=60');
    ctx.body = body;
  });
  return router;
}
