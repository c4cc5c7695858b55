/**
 * Formats an amount in fen (1/100 yuan) for display, e.g. 50 → "¥0.50", 12345 → "¥123.45".
 * Integer arithmetic only, so no floating-point rounding. Throws a RangeError for a negative or
 * non-integer amount: prices come from the server as integer fen, anything else is a bug.
 */
export function formatPriceFen(fen: number): string {
  if (!Number.isSafeInteger(fen) || fen < 0) {
    throw new RangeError(`Not an amount in fen: ${fen}`);
  }
  const yuan = Math.floor(fen / 100);
  const cents = fen % 100;
  return `¥${yuan}.${cents < 10 ? '0' : ''}${cents}`;
}
