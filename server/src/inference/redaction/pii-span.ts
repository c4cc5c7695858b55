/** The kinds of personal data removed from prompts (overlaps are settled in `findPii`). */
export const PII_KINDS = [
  'OPENID',
  'EMAIL',
  'WXPAY_TXN',
  'ID_CARD',
  'BANK_CARD',
  'PASSPORT',
  'PHONE',
  'LANDLINE',
] as const;
export type PiiKind = (typeof PII_KINDS)[number];

/**
 * One match: `[start, end)` plus a normalised value, so one number written two ways maps to one placeholder.
 * `findPii` returns positions in the original text; the detectors work in normalised-text positions.
 */
export interface PiiSpan {
  kind: PiiKind;
  start: number;
  end: number;
  value: string;
}
