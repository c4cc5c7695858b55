/**
 * The chaos suite runs in two sizes: a short one in CI (`npm test`), and the full one with `CHAOS=full`
 * (`npm run test:chaos`). Both have the same shape; only counts change.
 */
export function chaosScale(sizes: { ci: number; full: number }): number {
  return process.env['CHAOS'] === 'full' ? sizes.full : sizes.ci;
}
