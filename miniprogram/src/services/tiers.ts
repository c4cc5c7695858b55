import { ApiError } from './api-error';
import { get } from './http';
import type { Tier, TiersResponse } from '../types/tier';

/** `GET /api/tiers`: the tiers a user can pay for, in the server's display order. */
export async function fetchTiers(): Promise<Tier[]> {
  // Public: prices show before the login finishes (or when it fails).
  const body = await get<Partial<TiersResponse> | null>('/api/tiers', { auth: false });
  if (!body || !Array.isArray(body.tiers)) {
    throw new ApiError('BAD_RESPONSE', 'GET /api/tiers answered without a tiers array', { status: 200 });
  }
  return body.tiers;
}
