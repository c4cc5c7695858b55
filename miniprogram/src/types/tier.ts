/** A price tier as served by `GET /api/tiers` (the server's contract, from shared-types). */
export type { Tier, TiersResponse } from '@tokentill/shared-types';
