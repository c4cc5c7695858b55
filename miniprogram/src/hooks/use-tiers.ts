import { useCallback, useEffect, useState } from 'react';
import { fetchTiers } from '../services/tiers';
import type { Tier } from '../types/tier';

export type TiersState =
  | { status: 'loading'; tiers: Tier[] }
  | { status: 'ready'; tiers: Tier[] }
  | { status: 'error'; tiers: Tier[]; error: unknown };

/**
 * Loads the price tiers on mount; `reload()` tries again (e.g. after an error). Tiers start empty.
 * An answer arriving after unmount, or after a newer load started, is dropped.
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

  return { ...state, reload };
}
