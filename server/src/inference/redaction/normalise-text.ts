/**
 * The text the detectors read, and the way back to the text the user wrote.
 *
 * People (and people trying to get past a filter) write the same number in many ways: full-width digits from a
 * Chinese input method, Arabic-Indic or Devanagari digits, zero-width characters pasted between digits, digits
 * with a combining underline or an emoji keycap. Matching runs on a normalised copy in which all of those read as
 * plain ASCII, and every character of that copy remembers which characters of the original it came from, so a
 * match replaces exactly the original span and the text around it is left as written.
 */

/** The normalised text plus, for each of its UTF-16 units, the `[start, end)` of the original it came from. */
export interface NormalisedText {
  readonly text: string;
  readonly originalStart: Uint32Array;
  readonly originalEnd: Uint32Array;
}

/**
 * Invisible by definition (Unicode's Default_Ignorable_Code_Point): zero-width space, (non-)joiners, word joiner,
 * byte-order mark, soft hyphen, bidi controls, variation selectors, tag characters. Dropped from the normalised
 * text, so `138\u200B0013\u200B8000` reads as `13800138000`.
 */
const IGNORABLE = /\p{Default_Ignorable_Code_Point}/gu;
const COMBINING_MARK = /\p{M}/u;
const COMBINING_MARKS = /\p{M}/gu;
const DECIMAL_DIGIT = /\p{Nd}/u;
const NON_ASCII_DECIMAL_DIGIT = /(?![0-9])\p{Nd}/gu;

/** Every combining mark is at or above U+0300: below it, no lookup is needed. */
const FIRST_COMBINING_MARK = 0x300;

const digitValues = new Map<number, string>();

/**
 * The ASCII digit for any Unicode decimal digit (Arabic-Indic `٣`, Devanagari `३`, Thai `๓`, …). Unicode encodes
 * every decimal digit set as ten consecutive code points from zero to nine, so the value is the digit's distance
 * from the start of its run of decimal digits, modulo ten (adjacent sets keep the count aligned).
 */
function asciiDigit(digit: string): string {
  const codePoint = digit.codePointAt(0)!;
  let value = digitValues.get(codePoint);
  if (value === undefined) {
    let first = codePoint;
    while (codePoint - first < 60 && DECIMAL_DIGIT.test(String.fromCodePoint(first - 1))) first--;
    value = String((codePoint - first) % 10);
    digitValues.set(codePoint, value);
  }
  return value;
}

/**
 * One base character with its combining marks, as matching sees it: NFKC (full-width `１` → `1`, `＠` → `@`,
 * ideographic space → space, `e` + U+0301 → `é`), ignorables dropped, any decimal digit as ASCII, and marks on a
 * digit (an underline, a keycap) dropped, since they do not change which digit it is.
 */
function normaliseCluster(cluster: string): string {
  let folded = cluster.normalize('NFKC').replace(IGNORABLE, '').replace(NON_ASCII_DECIMAL_DIGIT, asciiDigit);
  if (folded.length > 1 && folded.charCodeAt(0) >= 48 && folded.charCodeAt(0) <= 57) {
    folded = folded.replace(COMBINING_MARKS, '');
  }
  return folded;
}

function isCombiningMarkAt(text: string, at: number): boolean {
  if (at >= text.length || text.charCodeAt(at) < FIRST_COMBINING_MARK) return false;
  return COMBINING_MARK.test(String.fromCodePoint(text.codePointAt(at)!));
}

const codePointLength = (text: string, at: number): number => (text.codePointAt(at)! > 0xffff ? 2 : 1);

/** Normalises `original` for matching; linear in its length (NFKC expands one character by a bounded amount). */
export function normaliseForMatching(original: string): NormalisedText {
  const parts: string[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  let at = 0;
  while (at < original.length) {
    const clusterStart = at;
    const code = original.charCodeAt(at);
    at += codePointLength(original, at);
    if (code < 0x80 && !isCombiningMarkAt(original, at)) {
      // Plain ASCII maps to itself: the common case, kept cheap.
      parts.push(original[clusterStart]!);
      starts.push(clusterStart);
      ends.push(at);
      continue;
    }
    while (isCombiningMarkAt(original, at)) at += codePointLength(original, at);
    const folded = normaliseCluster(original.slice(clusterStart, at));
    for (let i = 0; i < folded.length; i++) {
      starts.push(clusterStart);
      ends.push(at);
    }
    parts.push(folded);
  }
  return {
    text: parts.join(''),
    originalStart: Uint32Array.from(starts),
    originalEnd: Uint32Array.from(ends),
  };
}

/** The original span that `[start, end)` of the normalised text was made from (whole clusters). */
export function toOriginalSpan(normalised: NormalisedText, start: number, end: number): [number, number] {
  return [normalised.originalStart[start]!, normalised.originalEnd[end - 1]!];
}
