import { findDigitChains } from './digit-chains.js';
import { type DigitFinding, findDigitPii } from './digit-detectors.js';
import { findEmails } from './email-detector.js';
import { normaliseForMatching, toOriginalSpan } from './normalise-text.js';
import { findPassports } from './passport-detector.js';
import { PII_KINDS, type PiiKind, type PiiSpan } from './pii-span.js';

export { PII_KINDS, type PiiKind, type PiiSpan };

/**
 * How findings that overlap are settled, after the openid and e-mail addresses have claimed their text (an
 * address like `13800138000@163.com` is one e-mail, not a phone). Among the numbers, the finding that covers more
 * text wins, so no stray part of a number is left behind: `6201110001010 00 9` is one card rather than a
 * first-generation ID and a `9`, and `41470070010158 0` one ID rather than a card and a `0`. On equal spans this
 * order decides: an 18-digit number that is a valid ID and passes Luhn is an ID; a 15-digit one that is a card
 * is a card (a first-generation ID has no check digit, the weaker evidence).
 */
const NUMBER_RANK: readonly (DigitFinding | 'PASSPORT')[] = [
  'WXPAY_TXN',
  'ID_CARD',
  'BANK_CARD',
  'LEGACY_ID_CARD',
  'PASSPORT',
  'PHONE',
  'LANDLINE',
];

/** Every occurrence of the user's openid (normalised like the text, so a full-width or zero-width-split copy counts). */
function findOpenid(text: string, openid: string): PiiSpan[] {
  const spans: PiiSpan[] = [];
  for (let at = text.indexOf(openid); at !== -1; at = text.indexOf(openid, at + openid.length)) {
    spans.push({ kind: 'OPENID', start: at, end: at + openid.length, value: openid });
  }
  return spans;
}

/**
 * Every PII match in `original`, non-overlapping, sorted by position, with positions in `original`.
 *
 * Matching runs on a normalised copy (see `normalise-text.ts`: NFKC, zero-width characters dropped, any decimal
 * digit as ASCII) in which separators between digit groups are transparent (`digit-chains.ts`), and each match is
 * mapped back to the span of the original it came from. Overlaps are settled as `NUMBER_RANK` describes.
 */
export function findPii(original: string, options: { openid?: string; now?: Date } = {}): PiiSpan[] {
  const normalised = normaliseForMatching(original);
  const { text } = normalised;
  const openid = options.openid ? normaliseForMatching(options.openid.trim()).text : '';
  const digits = findDigitPii(text, findDigitChains(text), options.now ?? new Date());
  const numbers = Object.entries({ ...digits, PASSPORT: findPassports(text) })
    .flatMap(([finding, spans]) =>
      spans.map((span) => ({ span, rank: NUMBER_RANK.indexOf(finding as DigitFinding) })),
    )
    .sort(
      (a, b) =>
        b.span.end - b.span.start - (a.span.end - a.span.start) ||
        a.rank - b.rank ||
        a.span.start - b.span.start,
    )
    .map(({ span }) => span);
  const claimOrder = [...(openid ? findOpenid(text, openid) : []), ...findEmails(text), ...numbers];

  const taken = new Uint8Array(text.length);
  const accepted: PiiSpan[] = [];
  for (const span of claimOrder) {
    if (taken.subarray(span.start, span.end).some((t) => t === 1)) continue;
    taken.fill(1, span.start, span.end);
    accepted.push(span);
  }
  accepted.sort((a, b) => a.start - b.start);

  const inOriginal: PiiSpan[] = [];
  let previousEnd = 0;
  for (const span of accepted) {
    const [start, end] = toOriginalSpan(normalised, span.start, span.end);
    // One original character can expand to several normalised ones (`⑿` → `(12)`); never replace it twice.
    const clampedStart = Math.max(start, previousEnd);
    if (clampedStart >= end) continue;
    inOriginal.push({ ...span, start: clampedStart, end });
    previousEnd = end;
  }
  return inOriginal;
}
