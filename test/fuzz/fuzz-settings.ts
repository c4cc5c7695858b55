import { createHash } from 'node:crypto';

/**
 * Seed and size of a fuzz run. They come from the environment so that any run, and any single case of it, can be
 * replayed exactly:
 *
 * - `FUZZ_SEED`: the run's seed. Defaults to a fixed value: CI runs the same cases every time, and a failure in CI
 *   is a failure on every machine.
 * - `FUZZ_CASES`: cases per target. Defaults to each target's CI count, sized to keep the whole suite under about
 *   a minute; `npm run test:fuzz:full` runs {@link FULL_RUN_CASES} per target.
 * - `FUZZ_CASE`: run only this case index (the failure report names it), with the seed it failed under.
 */
export const DEFAULT_SEED = 20_240_611;

/** Cases per target of `npm run test:fuzz:full`. */
export const FULL_RUN_CASES = 10_000;

function intFromEnv(name: string, min: number): number | undefined {
  const text = process.env[name];
  if (text === undefined || text === '') return undefined;
  if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(Number(text)) || Number(text) < min) {
    throw new Error(`${name} must be an integer ≥ ${min}, got "${text}"`);
  }
  return Number(text);
}

export interface FuzzSettings {
  seed: number;
  /** Cases per target, or undefined for each target's own CI count. */
  cases: number | undefined;
  /** Replay this one case index only. */
  onlyCase: number | undefined;
}

export function fuzzSettings(): FuzzSettings {
  return {
    seed: intFromEnv('FUZZ_SEED', Number.MIN_SAFE_INTEGER) ?? DEFAULT_SEED,
    cases: intFromEnv('FUZZ_CASES', 1),
    onlyCase: intFromEnv('FUZZ_CASE', 0),
  };
}

/**
 * The seed of one case: a hash of the run's seed, the target and the case index. Each case is generated from its
 * own seed, so replaying case 4,711 does not need the 4,710 before it, and adding a target changes no other
 * target's cases.
 */
export function caseSeed(seed: number, target: string, index: number): number {
  return createHash('sha256').update(`${seed}:${target}:${index}`).digest().readInt32BE(0);
}
