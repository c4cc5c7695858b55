/**
 * A price tier as served by `GET /api/tiers`. Mirrors the server's tier contract; switch to an
 * `import type` from @tokentill/shared-types once it exports the tier schema.
 */
export interface Tier {
  id: string;
  title: string;
  /** Price in fen (1/100 yuan), an integer. */
  priceFen: number;
  description: string;
}

/** Body of `GET /api/tiers`. */
export interface TiersResponse {
  tiers: Tier[];
}
