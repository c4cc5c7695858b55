import type { CircuitState } from './types.js';

/** Breaker settings. */
export interface CircuitBreakerOptions {
  /** Consecutive failures that open a closed circuit. Default 5. */
  failureThreshold?: number;
  /** How long an open circuit refuses requests before it lets one trial through, in ms. Default 30 000. */
  openMs?: number;
  /** Clock in ms (injectable for tests). Default `Date.now`. */
  now?: () => number;
}

/** What {@link CircuitBreaker.tryAcquire} grants. */
export type Admission =
  /** Closed: go ahead. */
  | 'allowed'
  /** Half-open: this caller is the single trial; its result decides the circuit. */
  | 'trial'
  /** Open, or half-open with the trial already out: skip this provider. */
  | 'rejected';

/**
 * One provider's circuit. Every admitted call must end with exactly one of `success`, `failure` or `neutral`
 * (a result that says nothing about the provider's health: a 4xx, our own abort), passing its admission.
 */
export interface CircuitBreaker {
  tryAcquire(): Admission;
  success(admission: Admission): void;
  failure(admission: Admission): void;
  neutral(admission: Admission): void;
  state(): CircuitState;
}

/**
 * A consecutive-failure circuit breaker: closed → open after `failureThreshold` failures in a row (a success
 * resets the count); open for `openMs`, during which the provider is skipped without being contacted, so a dead
 * provider costs no latency; then half-open, admitting exactly one trial: success closes, failure re-opens for
 * another `openMs`. Not time-windowed on purpose: a provider that fails every request is what we must skip fast,
 * and one that fails now and then is handled by the chain's fallback anyway.
 */
export function createCircuitBreaker(options: CircuitBreakerOptions = {}): CircuitBreaker {
  const threshold = options.failureThreshold ?? 5;
  const openMs = options.openMs ?? 30_000;
  const now = options.now ?? Date.now;
  let failures = 0;
  let openedAt: number | undefined; // set while open or half-open
  let trialOut = false;

  const state = (): CircuitState => {
    if (openedAt === undefined) return 'closed';
    return now() - openedAt >= openMs ? 'half_open' : 'open';
  };
  const open = () => {
    openedAt = now();
    trialOut = false;
  };

  return {
    tryAcquire() {
      const current = state();
      if (current === 'closed') return 'allowed';
      if (current === 'open' || trialOut) return 'rejected';
      trialOut = true;
      return 'trial';
    },
    success() {
      failures = 0;
      openedAt = undefined;
      trialOut = false;
    },
    failure(admission) {
      if (admission === 'trial') return open();
      // A call admitted while closed may finish after the circuit opened (concurrent calls): it changes nothing.
      if (openedAt !== undefined) return;
      if (++failures >= threshold) open();
    },
    neutral(admission) {
      // The trial told us nothing: let the next caller try instead.
      if (admission === 'trial') trialOut = false;
    },
    state,
  };
}
