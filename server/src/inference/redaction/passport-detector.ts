import { type PiiSpan } from './pii-span.js';

/**
 * PRC ordinary passports in their strict current formats: `E` + 8 digits, `E` + a letter (not I or O) + 7 digits,
 * and the older `G` + 8 digits; upper case only, with no letter, digit or `_` glued on. These are taken anywhere:
 * the shape is specific enough that ordinary text rarely contains it, and people paste passport numbers without
 * saying what they are.
 */
const PRC_PASSPORT = /(?<![A-Za-z0-9_])(?:E[0-9]{8}|E[A-HJ-NP-Z][0-9]{7}|G[0-9]{8})(?![A-Za-z0-9_])/g;

/**
 * Any passport-number shape (up to two letters, then 7–9 digits: other PRC formats, most other countries'),
 * which alone would also match order numbers and SKUs; taken only right after a word that says "passport".
 */
const PASSPORT_LIKE = /(?<![A-Za-z0-9_])[A-Za-z]{0,2}[0-9]{7,9}(?![A-Za-z0-9_])/g;

/** The word, but not inside a placeholder left by an earlier pass (`[PASSPORT_1]`). */
const PASSPORT_WORD = /护照|護照|passport(?!_\d+\])/i;

/** How far before a number the word "passport" may be: `passport number is `, `护照号码：`. */
const CONTEXT_CHARS = 24;

/** The word must be in the same clause: `护照的事下次再说，先看订单号12345678` is about an order. */
const CLAUSE_BREAK = /[。！？；，,;!?\n]/;

/** True when the clause that ends at `at` mentions a passport within `CONTEXT_CHARS`. */
function saysPassport(text: string, at: number): boolean {
  const limit = Math.max(0, at - CONTEXT_CHARS);
  let from = at;
  while (from > limit && !CLAUSE_BREAK.test(text[from - 1]!)) from--;
  return PASSPORT_WORD.test(text.slice(from, at));
}

function* matches(pattern: RegExp, text: string): Generator<RegExpExecArray> {
  // A fresh copy per call: the patterns are global (stateful `lastIndex`) and shared by concurrent callers.
  const re = new RegExp(pattern.source, pattern.flags);
  for (let m = re.exec(text); m !== null; m = re.exec(text)) yield m;
}

/** Passport numbers in normalised text, by position; linear (bounded quantifiers behind a boundary lookbehind). */
export function findPassports(text: string): PiiSpan[] {
  const spans = new Map<number, PiiSpan>();
  const add = (m: RegExpExecArray) =>
    spans.set(m.index, {
      kind: 'PASSPORT',
      start: m.index,
      end: m.index + m[0].length,
      value: m[0].toUpperCase(),
    });
  for (const m of matches(PRC_PASSPORT, text)) add(m);
  for (const m of matches(PASSPORT_LIKE, text)) {
    if (saysPassport(text, m.index)) add(m);
  }
  return [...spans.values()].sort((a, b) => a.start - b.start);
}
