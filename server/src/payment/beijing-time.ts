/** China Standard Time is UTC+8 all year (no daylight saving), so a fixed offset is exact. */
const OFFSET_MS = 8 * 60 * 60 * 1000;

/**
 * Formats an instant as RFC 3339 in Beijing time with whole seconds, the form WeChat Pay documents for
 * `time_expire`: `2026-11-27T14:30:00+08:00`. Sub-second precision is truncated.
 *
 * @throws RangeError for an invalid Date.
 */
export function formatRfc3339Beijing(date: Date): string {
  const ms = date.getTime();
  if (!Number.isFinite(ms)) throw new RangeError('Cannot format an invalid Date');
  // Shift the instant by +8 h and print it as if it were UTC: the wall-clock digits are Beijing's.
  return `${new Date(ms + OFFSET_MS).toISOString().slice(0, 19)}+08:00`;
}
