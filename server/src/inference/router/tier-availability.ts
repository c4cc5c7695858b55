import type { Catalog } from '../../catalog/index.js';
import { isCanary } from './canary.js';
import type { CircuitState } from './types.js';

/**
 * Whether a tier can take an order now, from the circuit breakers of the providers behind its chain: it can when
 * at least one model of the chain sits behind a provider whose circuit is closed or half-open (a trial may go
 * through). Checked before an order exists, so a user is never charged for an answer we already know no model
 * can give (it would only fail at once and be refunded).
 *
 * The breakers are the ones of *this process's* router. Where the API process also runs the inference worker
 * (the default, `IN_PROCESS_WORKER=1`) they are the breakers that answer the orders. An API instance that runs no
 * inference (`IN_PROCESS_WORKER=0`) never sees a provider fail, so its breakers stay closed and it never
 * refuses: paid orders then fail over or are refunded by the workers as before. Accepting that per-instance view
 * is deliberate for now; sharing breaker state (e.g. each worker publishing its providers' circuits to Redis with
 * a short TTL) would let every API instance refuse as well.
 */
export interface TierAvailability {
  /** True when some model of the tier's main or canary chain can take an order (the tier list's flag). */
  available(tierId: string): boolean;
  /** True when some model of the chain this order would take (main or canary, by its id) can take it. */
  canTake(tierId: string, orderId: string): boolean;
}

export function createTierAvailability(
  catalog: Catalog,
  circuitStates: () => Record<string, CircuitState>,
): TierAvailability {
  const chainCanTake = (chain: readonly string[], states: Record<string, CircuitState>) =>
    chain.some((modelId) => {
      const provider = catalog.models.get(modelId)?.provider;
      return provider !== undefined && states[provider] !== 'open';
    });

  return {
    available(tierId) {
      const tier = catalog.tiers.get(tierId);
      if (!tier) return false;
      const states = circuitStates();
      return (
        chainCanTake(tier.models, states) ||
        (tier.canary !== undefined && chainCanTake(tier.canary.models, states))
      );
    },
    canTake(tierId, orderId) {
      const tier = catalog.tiers.get(tierId);
      if (!tier) return false;
      const canary = tier.canary !== undefined && isCanary(orderId, tier.id, tier.canary.percent);
      return chainCanTake(canary && tier.canary ? tier.canary.models : tier.models, circuitStates());
    },
  };
}
