/**
 * Validators that turn "a run of digits" into "this is almost certainly a document number". They are what keeps
 * order numbers, timestamps and prices out of the redaction: a shape alone is far too weak a signal for digits.
 */

/** ISO 7064 MOD 11-2 weights for the first 17 characters of a resident ID (2^(17-i) mod 11). */
const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const ID_CHECK_CHARS = '10X98765432';

/**
 * First two digits of a mainland resident ID (province-level codes, GB/T 2260), plus 71/81/82/83 (Taiwan, Hong Kong
 * and Macau residents' permits) and 91–96 (the 2023 foreigners' permanent residence ID: `9` + province digit).
 */
const ID_REGION_PREFIX = /^(?:1[1-5]|2[1-3]|3[1-7]|4[1-6]|5[0-4]|6[1-5]|71|8[1-3]|9[1-6])/;

/** Earliest birth year accepted; anything older is more likely a different number than a living person's ID. */
const MIN_BIRTH_YEAR = 1900;

/** True when `yyyymmdd` (8 digits) is a real calendar date between 1900-01-01 and `now`. */
function isPlausibleBirthDate(yyyymmdd: string, now: Date): boolean {
  const year = Number(yyyymmdd.slice(0, 4));
  const month = Number(yyyymmdd.slice(4, 6));
  const day = Number(yyyymmdd.slice(6, 8));
  if (year < MIN_BIRTH_YEAR || month < 1 || month > 12 || day < 1) return false;
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCMonth() !== month - 1) return false; // e.g. 02-30 rolled over into March
  return date.getTime() <= now.getTime();
}

/**
 * True for an 18-character resident identity number: known region prefix, a birth date that exists and is not in
 * the future, and a valid ISO 7064 MOD 11-2 check character (`X` for 10, either case).
 */
export function isValidResidentId(id: string, now: Date = new Date()): boolean {
  if (!/^\d{17}[\dXx]$/.test(id)) return false;
  if (!ID_REGION_PREFIX.test(id)) return false;
  if (!isPlausibleBirthDate(id.slice(6, 14), now)) return false;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(id[i]) * ID_WEIGHTS[i]!;
  return ID_CHECK_CHARS[sum % 11] === id[17]!.toUpperCase();
}

/**
 * Province-level prefixes that appear on first-generation IDs. The permits for Taiwan, Hong Kong and Macau
 * residents and the foreigners' ID (71, 81–83, 91–96) only ever had the 18-character form.
 */
const LEGACY_ID_REGION_PREFIX = /^(?:1[1-5]|2[1-3]|3[1-7]|4[1-6]|5[0-4]|6[1-5])/;

/** The first-generation ID ended before anyone born after 1999 needed one. */
const LEGACY_ID_LAST_BIRTH_DATE = new Date(Date.UTC(1999, 11, 31));

/**
 * True for a 15-digit first-generation resident ID (issued until 2004, still found in old records): a 6-digit
 * area code (province prefix, prefecture not `00`), a `YYMMDD` birth date in the 1900s that exists, and a 3-digit
 * sequence number. It has no check digit, so the date and the area shape are all there is to go on.
 */
export function isValidLegacyResidentId(id: string): boolean {
  if (!/^\d{15}$/.test(id)) return false;
  if (!LEGACY_ID_REGION_PREFIX.test(id) || id.slice(2, 4) === '00') return false;
  return isPlausibleBirthDate(`19${id.slice(6, 12)}`, LEGACY_ID_LAST_BIRTH_DATE);
}

/** Luhn (mod 10) check over a string of digits. */
export function passesLuhn(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/**
 * Issuer prefixes of cards people type into prompts: UnionPay (62, and 60/65 co-brands), Visa (4), Mastercard
 * (5, 2221–2720 approximated as 22–27), Amex/JCB/Diners (3) and the old 95xx domestic debit cards.
 */
const CARD_PREFIX = /^(?:3|4|5|6[025]|2[2-7]|95)/;

/** True for 13–19 digits with a known issuer prefix that pass Luhn. Takes the digits without separators. */
export function isPlausibleCardNumber(digits: string): boolean {
  return /^\d{13,19}$/.test(digits) && CARD_PREFIX.test(digits) && passesLuhn(digits);
}
