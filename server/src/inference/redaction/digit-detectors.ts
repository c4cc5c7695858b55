import { isPlausibleCardNumber, isValidLegacyResidentId, isValidResidentId } from './checksums.js';
import { type DigitChain, type DigitGroup, isDecimalOrIpAddress } from './digit-chains.js';
import { extensionAt, landlineNumberOf, mobileNumberOf } from './phone-numbers.js';
import { type PiiKind, type PiiSpan } from './pii-span.js';

/**
 * What reading digit chains finds, by detector. First-generation IDs are redacted as `ID_CARD` but kept apart:
 * with no check digit they are weaker evidence than a card's Luhn, so on the same span the card wins (see
 * `NUMBER_RANK` in `pii-detectors.ts`).
 */
export type DigitFinding = 'WXPAY_TXN' | 'ID_CARD' | 'LEGACY_ID_CARD' | 'BANK_CARD' | 'PHONE' | 'LANDLINE';

/** Letters or `_` glued to a card-like run make it an identifier (`TT4111…`, `ord_62…`), not a card. */
const IDENTIFIER_CHAR = /[A-Za-z_]/;

/** One candidate span of a chain: groups `first..last`, their digits with the separators left out. */
interface Candidate {
  readonly chain: DigitChain;
  readonly text: string;
  readonly first: DigitGroup;
  readonly last: DigitGroup;
  readonly digits: string;
  /** The span ends the chain, which ends in a glued `X`/`x`. */
  readonly gluedX: boolean;
  /** The span starts or ends at the chain's edge, where letters may be glued on. */
  readonly startsChain: boolean;
  readonly endsChain: boolean;
}

type Detector = (candidate: Candidate, now: Date) => PiiSpan | undefined;

/** From the first group's digits (not a `+` or `(…)` in front) to the last group's end. */
const digitsSpan = (c: Candidate, kind: PiiKind, value: string, end = c.last.end): PiiSpan => ({
  kind,
  start: c.first.digitsStart,
  end,
  value,
});

/** WeChat Pay `transaction_id`: 28 digits beginning with 42 (`4200…`). */
const wxpayTransaction: Detector = (c) =>
  c.digits.length === 28 && c.digits.startsWith('42') && !c.first.parenthesised && !c.gluedX
    ? digitsSpan(c, 'WXPAY_TXN', c.digits)
    : undefined;

/** 18-character resident ID: checksum, region, birth date. */
const residentId: Detector = (c, now) => {
  if (c.first.parenthesised) return undefined;
  if (c.gluedX) {
    const id = `${c.digits}X`;
    return c.digits.length === 17 && isValidResidentId(id, now)
      ? digitsSpan(c, 'ID_CARD', id, c.chain.end)
      : undefined;
  }
  return isValidResidentId(c.digits, now) ? digitsSpan(c, 'ID_CARD', c.digits) : undefined;
};

/** 15-digit first-generation resident ID: region and birth date (it has no check digit). */
const legacyResidentId: Detector = (c) =>
  !c.first.parenthesised && !c.gluedX && isValidLegacyResidentId(c.digits)
    ? digitsSpan(c, 'ID_CARD', c.digits)
    : undefined;

/** A cheap first look before the issuer-prefix and Luhn checks: no card number starts with 0, 1, 7 or 8. */
const CARD_FIRST_DIGITS = new Set(['2', '3', '4', '5', '6', '9']);

/** 13–19 digits, known issuer prefix, Luhn; not glued to letters on either side. */
const bankCard: Detector = (c) => {
  if (!CARD_FIRST_DIGITS.has(c.digits[0]!) || c.first.parenthesised || !isPlausibleCardNumber(c.digits)) {
    return undefined;
  }
  if (c.startsChain && IDENTIFIER_CHAR.test(c.text[c.first.digitsStart - 1] ?? '')) return undefined;
  if (c.endsChain && (c.chain.checkX || IDENTIFIER_CHAR.test(c.text[c.last.end] ?? ''))) return undefined;
  return digitsSpan(c, 'BANK_CARD', c.digits);
};

const countryCodeMarks = (c: Candidate) => ({
  explicit: c.first.plus || c.first.parenthesised,
  glued: c.first.digits.length > 2,
});

/**
 * Mainland mobile, with an optional `+86`/`0086`/`(+86)`/glued `86` in front; the span then takes the prefix
 * along (`+86 138 0013 8000` and `13800138000` are one value, so one placeholder).
 */
const mobile: Detector = (c) => {
  const national = mobileNumberOf(c.digits, countryCodeMarks(c));
  if (national === undefined) return undefined;
  const start = national.length < c.digits.length ? c.first.start : c.first.digitsStart;
  return { kind: 'PHONE', start, end: c.last.end, value: national };
};

/** Mainland landline (`010-12345678`, `(021) 6123 4567`, `+86 21 6123 4567`) and its extension, if any. */
const landline: Detector = (c) => {
  const national = landlineNumberOf(c.digits, countryCodeMarks(c));
  if (national === undefined) return undefined;
  const extension = extensionAt(c.text, c.last.end);
  return {
    kind: 'LANDLINE',
    start: national.length < c.digits.length || c.first.parenthesised ? c.first.start : c.first.digitsStart,
    end: extension?.end ?? c.last.end,
    value: extension ? `${national}-${extension.extension}` : national,
  };
};

/** Each detector with the digit counts it can accept, so most spans are skipped without building anything. */
const DETECTORS: ReadonlyArray<{ kind: DigitFinding; lengths: ReadonlySet<number>; detect: Detector }> = [
  { kind: 'WXPAY_TXN', lengths: new Set([28]), detect: wxpayTransaction },
  { kind: 'ID_CARD', lengths: new Set([17, 18]), detect: residentId },
  { kind: 'LEGACY_ID_CARD', lengths: new Set([15]), detect: legacyResidentId },
  { kind: 'BANK_CARD', lengths: new Set([13, 14, 15, 16, 17, 18, 19]), detect: bankCard },
  // 11 digits, after `86` or after `0086`.
  { kind: 'PHONE', lengths: new Set([11, 13, 15]), detect: mobile },
  // 11–12 digits in national form; 2 more after `86` (trunk 0 dropped), 3 if it is kept; 2 more after `0086`.
  { kind: 'LANDLINE', lengths: new Set([11, 12, 13, 14, 15, 16]), detect: landline },
];

/** The longest number any kind needs (a WeChat Pay transaction id): longer spans are never looked at. */
const MAX_DIGITS = Math.max(...DETECTORS.flatMap(({ lengths }) => [...lengths]));

/** The detectors to run for each digit count, looked up once per span. */
const DETECTORS_BY_LENGTH = Array.from({ length: MAX_DIGITS + 1 }, (_, length) =>
  DETECTORS.filter(({ lengths }) => lengths.has(length)),
);

const emptyFinds = (): Record<DigitFinding, PiiSpan[]> => ({
  WXPAY_TXN: [],
  ID_CARD: [],
  LEGACY_ID_CARD: [],
  BANK_CARD: [],
  PHONE: [],
  LANDLINE: [],
});

/**
 * Every valid digit span of every chain, by kind. A span starts and ends at group edges and never covers a lone
 * decimal point (`1.4142135623` is √2, not a phone). Per kind, spans come by start, longest first, so the
 * overlap resolution in `findPii` prefers the longest reading of a number and falls back to shorter ones.
 * Linear: from each group, at most `MAX_DIGITS` digits are read.
 */
export function findDigitPii(
  text: string,
  chains: readonly DigitChain[],
  now: Date,
): Record<DigitFinding, PiiSpan[]> {
  const found = emptyFinds();
  for (const chain of chains) {
    if (isDecimalOrIpAddress(chain)) continue;
    const { groups } = chain;
    // All the chain's digits, and where each group's start in them: a span's digits are one slice.
    const allDigits = groups.map((group) => group.digits).join('');
    const offsets = [0];
    for (const group of groups) offsets.push(offsets.at(-1)! + group.digits.length);
    for (let i = 0; i < groups.length; i++) {
      const fromHere: Array<[DigitFinding, PiiSpan]> = [];
      for (let j = i; j < groups.length; j++) {
        const length = offsets[j + 1]! - offsets[i]!;
        if (length > MAX_DIGITS) break;
        if (j === i + 1 && groups[j]!.gapBefore === '.') continue; // one number with a decimal point
        const detectors = DETECTORS_BY_LENGTH[length]!;
        if (detectors.length === 0) continue;
        const endsChain = j === groups.length - 1;
        const candidate: Candidate = {
          chain,
          text,
          first: groups[i]!,
          last: groups[j]!,
          digits: allDigits.slice(offsets[i], offsets[j + 1]),
          gluedX: endsChain && chain.checkX,
          startsChain: i === 0,
          endsChain,
        };
        for (const { kind, detect } of detectors) {
          const span = detect(candidate, now);
          if (span) fromHere.push([kind, span]);
        }
      }
      // Longest first within a start.
      for (let k = fromHere.length - 1; k >= 0; k--) found[fromHere[k]![0]].push(fromHere[k]![1]);
    }
  }
  return found;
}
