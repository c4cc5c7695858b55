/**
 * Splits normalised text into chains of digit groups: runs of digits joined by a separator that people put inside
 * numbers (`138 0013 8000`, `138.0013.8000`, `6222-0212-…`). Detectors then read a number across those
 * separators, but only ever start or end it at a group edge, so `13800138000 13900139000` is still two phones and
 * `213800138000` is still no phone at all.
 */

/** One run of digits, with what led into it. Positions are in the normalised text. */
export interface DigitGroup {
  readonly digits: string;
  /** Where the group starts, including a leading `+` or a `(…)` around it. */
  readonly start: number;
  /** Where its digits start (after a `+` or `(`). */
  readonly digitsStart: number;
  /** Where the group ends (after the closing `)` of a parenthesised prefix). */
  readonly end: number;
  /** The separator between the previous group and this one: `''` for the first group. */
  readonly gapBefore: string;
  /** `+86…` or `(+86)`: a country-code marker in front of the first group. */
  readonly plus: boolean;
  /** `(+86)`, `(86)` or an area code in parentheses such as `(021)`. */
  readonly parenthesised: boolean;
}

export interface DigitChain {
  readonly groups: readonly DigitGroup[];
  /** An `X`/`x` glued to the last group (a resident ID's check character, or a letter that makes it a code). */
  readonly checkX: boolean;
  /** Where the chain ends in the normalised text, after the `X` if there is one. */
  readonly end: number;
}

/** Horizontal white space only: a line break separates items, not digit groups. */
const SPACE = new Set([' ', '\t']);

/**
 * Dots, middle dots and dashes (hyphen, non-breaking and figure dashes, en/em dashes, minus). NFKC has already
 * turned full-width `．` and `－` into `.` and `-`. The ideographic full stop `。` is left out: it ends sentences, and
 * `…13800138000。2个…` must not join the next sentence's number.
 */
const SEPARATOR = new Set([
  '.',
  '-',
  '\u00B7',
  '\u30FB',
  '\u2010',
  '\u2012',
  '\u2013',
  '\u2014',
  '\u2015',
  '\u2212',
]);

/** At most this many spaces between two digit groups (`138  0013  8000`); more is a layout gap, not grouping. */
const MAX_SPACES = 3;

/**
 * `(+86)`, `(86)` or an area code `(021)`/`(0755)`, then at most one space or dash, then a digit. Only these:
 * other parenthesised numbers (`(1) 3800…`, list numbering) do not join the number after them.
 */
const PARENTHESISED_PREFIX = /\((\+?)(86|0\d{2,3})\)([ -]?)(?=\d)/y;

const isDigit = (text: string, at: number): boolean => {
  const code = text.charCodeAt(at);
  return code >= 48 && code <= 57;
};

/** Length of the separator at `at` if a digit follows it, else 0: one dot/dash, or 1–3 spaces. */
function gapLengthAt(text: string, at: number): number {
  const char = text[at];
  if (char === undefined) return 0;
  if (SEPARATOR.has(char)) return isDigit(text, at + 1) ? 1 : 0;
  let spaces = 0;
  while (spaces < MAX_SPACES && SPACE.has(text[at + spaces] ?? '')) spaces++;
  return spaces > 0 && isDigit(text, at + spaces) ? spaces : 0;
}

function digitRunEnd(text: string, from: number): number {
  let at = from;
  while (isDigit(text, at)) at++;
  return at;
}

/** Every chain in `text`, in order. Linear: each character is looked at a bounded number of times. */
export function findDigitChains(text: string): DigitChain[] {
  const chains: DigitChain[] = [];
  let at = 0;
  while (at < text.length) {
    let first: DigitGroup | undefined;
    let next = at;
    if (text[at] === '(') {
      // Sticky and shared: safe because nothing runs between setting `lastIndex` and `exec` (synchronous code).
      PARENTHESISED_PREFIX.lastIndex = at;
      const prefix = PARENTHESISED_PREFIX.exec(text);
      if (prefix) {
        const [whole, plus = '', digits = '', separator = ''] = prefix;
        const end = at + whole.length - separator.length;
        const digitsStart = at + 1 + plus.length;
        first = {
          digits,
          start: at,
          digitsStart,
          end,
          gapBefore: '',
          plus: plus !== '',
          parenthesised: true,
        };
        next = at + whole.length;
      }
    } else if (isDigit(text, at)) {
      // A `+` right before the digits (and not after another digit, as in `1+86`) marks a country code.
      const plus = text[at - 1] === '+' && !isDigit(text, at - 2);
      const end = digitRunEnd(text, at);
      const digits = text.slice(at, end);
      first = {
        digits,
        start: plus ? at - 1 : at,
        digitsStart: at,
        end,
        gapBefore: '',
        plus,
        parenthesised: false,
      };
      next = end;
    }
    if (first === undefined) {
      at++;
      continue;
    }
    const groups: DigitGroup[] = [first];
    let gapStart = first.end;
    if (first.parenthesised) {
      // The separator after `)` was consumed with the prefix; the next group starts right after it.
      const end = digitRunEnd(text, next);
      groups.push({
        digits: text.slice(next, end),
        start: next,
        digitsStart: next,
        end,
        gapBefore: text.slice(first.end, next),
        plus: false,
        parenthesised: false,
      });
      gapStart = end;
    }
    for (let gap = gapLengthAt(text, gapStart); gap > 0; gap = gapLengthAt(text, gapStart)) {
      const start = gapStart + gap;
      const end = digitRunEnd(text, start);
      const gapBefore = text.slice(gapStart, start);
      groups.push({
        digits: text.slice(start, end),
        start,
        digitsStart: start,
        end,
        gapBefore,
        plus: false,
        parenthesised: false,
      });
      gapStart = end;
    }
    const checkX = text[gapStart] === 'X' || text[gapStart] === 'x';
    chains.push({ groups, checkX, end: checkX ? gapStart + 1 : gapStart });
    at = Math.max(gapStart, at + 1);
  }
  return chains;
}

/**
 * A chain that is one number with a decimal point (`3.14159265358`, `13800.5`) or a dotted-quad IPv4 address
 * (`138.100.138.10`). Neither it nor any part of it is personal data, however its digits add up.
 */
export function isDecimalOrIpAddress(chain: DigitChain): boolean {
  const { groups } = chain;
  if (groups.some((group) => group.plus || group.parenthesised)) return false;
  if (groups.length === 2) return groups[1]!.gapBefore === '.';
  return (
    groups.length === 4 &&
    groups.every((group, i) => (i === 0 || group.gapBefore === '.') && group.digits.length <= 3) &&
    groups.every((group) => Number(group.digits) <= 255)
  );
}
