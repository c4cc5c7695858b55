/**
 * Mainland phone numbers, read from the digits of a candidate span (separators already removed).
 *
 * Mobiles and landlines are separate kinds (`PHONE`, `LANDLINE`): they have different shapes, a landline may
 * carry an extension, and the placeholder tells the model which one the user gave, e.g. when they ask it to word
 * a message "to call the office".
 */

/** Mobile: `1[3-9]` and 9 more digits. */
const MOBILE = /^1[3-9]\d{9}$/;

/**
 * Landline in national form: the trunk `0`, an area code (`10` Beijing, `2X` for the large cities, otherwise three
 * digits from 3–9: `755`, `571`, …), then a 7- or 8-digit subscriber number that does not start with `0`.
 */
const LANDLINE = /^0(?:(?:10|2\d)[1-9]\d{7}|[3-9]\d{2}[1-9]\d{6,7})$/;

/** How the country code was marked in front of the digits, if at all. */
export interface CountryCodeMarks {
  /** `+86…`, `(+86)` or `(86)`. */
  readonly explicit: boolean;
  /** The `86` shares a digit group with what follows (`8613800138000`), rather than standing apart (`共86 138…`). */
  readonly glued: boolean;
}

/**
 * The digits after a mainland country code, or `undefined` when there is none: `0086…` always counts, `86…` only
 * when marked with `+`/parentheses or glued on (a bare `86` before a space is as likely to be a count or a price).
 */
function afterCountryCode(digits: string, marks: CountryCodeMarks): string | undefined {
  if (digits.startsWith('0086')) return digits.slice(4);
  if (digits.startsWith('86') && (marks.explicit || marks.glued)) return digits.slice(2);
  return undefined;
}

/** The 11-digit mobile number these digits spell, with or without a country code, or `undefined`. */
export function mobileNumberOf(digits: string, marks: CountryCodeMarks): string | undefined {
  if (MOBILE.test(digits)) return digits;
  const national = afterCountryCode(digits, marks);
  return national !== undefined && MOBILE.test(national) ? national : undefined;
}

/** The landline in national form (`02161234567`) these digits spell, with or without a country code, or `undefined`. */
export function landlineNumberOf(digits: string, marks: CountryCodeMarks): string | undefined {
  if (LANDLINE.test(digits)) return digits;
  const afterCode = afterCountryCode(digits, marks);
  if (afterCode === undefined) return undefined;
  // Written internationally the trunk 0 is dropped (`+86 21 6123 4567`); some people keep it anyway.
  const national = afterCode.startsWith('0') ? afterCode : `0${afterCode}`;
  return LANDLINE.test(national) ? national : undefined;
}

/** An extension after a landline: `-801`, `#801`, `转801`, `分机801`, `ext. 801`, `x801`. */
const EXTENSION = /(?:-|#| ?(?:转|分机|ext\.?|x) ?)(\d{1,6})(?!\d)/iy;

/** The extension written right at `at` (the end of a landline), with where it ends, or `undefined`. */
export function extensionAt(text: string, at: number): { extension: string; end: number } | undefined {
  // Sticky and shared: safe because nothing runs between setting `lastIndex` and `exec` (synchronous code).
  EXTENSION.lastIndex = at;
  const match = EXTENSION.exec(text);
  return match ? { extension: match[1]!, end: at + match[0].length } : undefined;
}
