/**
 * WeChat Pay's notification retry schedule (APIv3): after a failed attempt the next one comes
 * 15s/15s/30s/3m/10m/20m/30m/30m/30m/60m/3h/3h/3h/6h/6h later, 24h4m in all, then WeChat gives up.
 */
const S = 1000;
const M = 60 * S;
const H = 60 * M;

/** Gaps between attempts in milliseconds: entry i is the wait after failed attempt i (0-based). */
export const NOTIFY_RETRY_SCHEDULE_MS: readonly number[] = Object.freeze([
  15 * S,
  15 * S,
  30 * S,
  3 * M,
  10 * M,
  20 * M,
  30 * M,
  30 * M,
  30 * M,
  60 * M,
  3 * H,
  3 * H,
  3 * H,
  6 * H,
  6 * H,
]);

/** Total attempts per notification: the first one plus one per gap. */
export const NOTIFY_MAX_ATTEMPTS = NOTIFY_RETRY_SCHEDULE_MS.length + 1;

/**
 * The wait after failed attempt `attemptIndex` (0-based), multiplied by `scale`, or `undefined` when that was the
 * last attempt.
 */
export function retryDelayMs(attemptIndex: number, scale: number): number | undefined {
  const base = NOTIFY_RETRY_SCHEDULE_MS[attemptIndex];
  return base === undefined ? undefined : Math.round(base * scale);
}
