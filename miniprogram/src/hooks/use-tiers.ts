import { useCallback, useEffect, useState } from 'react';
import { fetchTiers } from '../services/tiers';
import type { Tier } from '../types/tier';

export type TiersState =
  | { status: 'loading'; tiers: Tier[] }
  | { status: 'ready'; tiers: Tier[] }
  | { status: 'error'; tiers: Tier[]; error: unknown };

/** While a tier is temporarily unavailable, the list is read again this often (its providers may recover). */
const UNAVAILABLE_RECHECK_MS = 30_000;

/**
 * Loads the price tiers on mount; `reload()` tries again (e.g. after an error, or a refusal saying a tier is
 * busy). Tiers start empty. While some tier is unavailable the list is re-read every 30 s. An answer arriving
 * after unmount, or after a newer load started, is dropped.
 */
export function useTiers(): TiersState & { reload: () => void } {
  const [state, setState] = useState<TiersState>({ status: 'loading', tiers: [] });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let current = true;
    fetchTiers().then(
      (tiers) => {
        if (current) setState({ status: 'ready', tiers });
      },
      (error: unknown) => {
        if (current) setState((previous) => ({ status: 'error', tiers: previous.tiers, error }));
      },
    );
    return () => {
      current = false;
    };
  }, [attempt]);

  const reload = useCallback(() => {
    setState((previous) => ({ status: 'loading', tiers: previous.tiers }));
    setAttempt((n) => n + 1);
  }, []);

  const someUnavailable = state.status === 'ready' && state.tiers.some((tier) => tier.available === false);
  useEffect(() => {
    if (!someUnavailable) return;
    // Quietly: the tiers stay on screen while they are read again.
    const timer = setTimeout(() => setAttempt((n) => n + 1), UNAVAILABLE_RECHECK_MS);
    return () => clearTimeout(timer);
  }, [someUnavailable, attempt]);

  return { ...state, reload };
}
