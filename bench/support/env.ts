/** Numeric benchmark knobs from the environment (`Number(value)`, so a malformed one reads as NaN). */
export function envNumber(name: string, fallback: number): number {
  return Number(process.env[name] ?? fallback);
}
