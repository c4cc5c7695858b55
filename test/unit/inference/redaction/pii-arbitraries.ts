/**
 * fast-check generators for the redaction property tests: valid personal data, the ways people (and people
 * dodging a filter) write it, and text that holds none.
 */
import fc from 'fast-check';
import {
  isPlausibleCardNumber,
  isValidLegacyResidentId,
  isValidResidentId,
  type PiiKind,
} from '../../../../server/src/inference/redaction';

/** Pinned "now" for resident-ID birth dates. */
export const NOW = new Date('2026-11-27T00:00:00Z');

/**
 * Fixed seed and run count: the runs reproduce, and the unit suite stays fast. `FC_SEED` / `FC_RUNS` explore
 * further by hand (`FC_SEED=7 FC_RUNS=5000 npx jest --selectProjects unit redaction`); a failure prints its seed.
 */
export const RUNS = {
  seed: Number(process.env.FC_SEED ?? 20261127),
  numRuns: Number(process.env.FC_RUNS ?? 300),
} as const;

const digits = (length: number) =>
  fc.array(fc.integer({ min: 0, max: 9 }), { minLength: length, maxLength: length }).map((ds) => ds.join(''));

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** Mainland mobile numbers: `1[3-9]` + 9 digits. */
export const mobileNumber = fc
  .tuple(fc.integer({ min: 3, max: 9 }), digits(9))
  .map(([second, rest]) => `1${second}${rest}`);

const ID_PROVINCES = [
  '11',
  '12',
  '13',
  '14',
  '15',
  '21',
  '22',
  '23',
  '31',
  '32',
  '33',
  '34',
  '35',
  '36',
  '37',
];
const MORE_PROVINCES = [
  '41',
  '42',
  '43',
  '44',
  '45',
  '46',
  '50',
  '51',
  '52',
  '53',
  '54',
  '61',
  '62',
  '63',
  '64',
  '65',
];
const PROVINCES = [...ID_PROVINCES, ...MORE_PROVINCES];

/** A 6-digit area code with a real province prefix and a prefecture other than `00`. */
const areaCode = fc
  .tuple(fc.constantFrom(...PROVINCES), fc.integer({ min: 1, max: 99 }), fc.integer({ min: 0, max: 99 }))
  .map(([province, prefecture, county]) => `${province}${pad(prefecture, 2)}${pad(county, 2)}`);

const birthDate = (min: Date, max: Date) =>
  fc
    .date({ min, max, noInvalidDate: true })
    .map((d) => `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1, 2)}${pad(d.getUTCDate(), 2)}`);

/** 18-character resident IDs with a valid check character (`X` included). */
export const residentId = fc
  .tuple(areaCode, birthDate(new Date('1900-01-01T00:00:00Z'), new Date('2026-11-26T00:00:00Z')), digits(3))
  .map(([area, birth, sequence]) => {
    const body = `${area}${birth}${sequence}`;
    return [...'0123456789X'].map((check) => body + check).find((id) => isValidResidentId(id, NOW))!;
  });

/** 15-digit first-generation resident IDs: area code, `YYMMDD` in the 1900s, 3-digit sequence. */
export const legacyResidentId = fc
  .tuple(areaCode, birthDate(new Date('1900-01-01T00:00:00Z'), new Date('1999-12-31T00:00:00Z')), digits(3))
  .map(([area, birth, sequence]) => `${area}${birth.slice(2)}${sequence}`)
  .filter((id) => isValidLegacyResidentId(id));

/** Card numbers: a known issuer prefix, 13–19 digits, a Luhn check digit. */
export const cardNumber = fc
  .tuple(
    fc.constantFrom('62', '4', '51', '55', '34', '37', '60', '65', '22', '27', '95', '35'),
    fc.integer({ min: 13, max: 19 }),
    digits(18),
  )
  .map(([prefix, length, filler]) => {
    const body = (prefix + filler).slice(0, length - 1);
    return [...'0123456789'].map((check) => body + check).find((card) => isPlausibleCardNumber(card))!;
  });

/**
 * The kind a card or ID number is redacted as when it is both: an 18-character ID wins over a card (its check
 * character is the stronger evidence), a card wins over a 15-digit first-generation ID (which has none).
 */
export function kindOfNumber(number: string): PiiKind {
  if (isValidResidentId(number, NOW)) return 'ID_CARD';
  return isPlausibleCardNumber(number) ? 'BANK_CARD' : 'ID_CARD';
}

const ASCII_LOCAL = fc.string({
  unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789'),
  minLength: 1,
  maxLength: 8,
});
/** CJK for local parts and domains, without the words that introduce an address (是, 到, 邮箱, …). */
const CJK_WORD = fc.string({
  unit: fc.constantFrom(...'用户张三李四王五小明测试例子网站公司客服'),
  minLength: 1,
  maxLength: 4,
});
const LATIN_WORD = fc.string({ unit: fc.constantFrom(...'abcdeéèüöñçåøxyz'), minLength: 1, maxLength: 8 });

/** E-mail addresses: ASCII, accented Latin and CJK local parts and domains. */
export const emailAddress = fc.oneof(
  fc
    .tuple(
      fc.array(ASCII_LOCAL, { minLength: 1, maxLength: 3 }),
      fc.constantFrom('.', '_', '+', '-'),
      fc.array(ASCII_LOCAL, { minLength: 1, maxLength: 2 }),
      fc.constantFrom('com', 'cn', 'net', 'co', 'org', 'io'),
    )
    .map(([local, joiner, labels, tld]) => `${local.join(joiner)}@${labels.join('.')}.${tld}`),
  fc
    .tuple(LATIN_WORD, LATIN_WORD, fc.constantFrom('com', 'de', 'fr', 'es'))
    .map(([local, domain, tld]) => `${local}@${domain}.${tld}`),
  fc
    .tuple(CJK_WORD, CJK_WORD, fc.constantFrom('中国', '公司', '网络', 'cn', 'com'))
    .map(([local, domain, tld]) => `${local}@${domain}.${tld}`),
);

const SCRIPT_ZEROS = [0x30, 0xff10, 0x660, 0x6f0, 0x966, 0x9e6, 0xe50, 0x1d7ce];
const ZERO_WIDTH = ['\u200B', '\u200C', '\u200D', '\u2060', '\uFEFF'];
/** Separators people put between digit groups; `．`, `－` and U+3000 are the full-width forms. */
const GAPS = [' ', '  ', '-', '.', '－', '．', '\u3000', '\u2013', '\u00B7'];
const DOTS = new Set(['.', '．']);

/** One character of an obfuscated number: the digit in some script, or an `X` check character in some width. */
const obfuscatedChar = (char: string) =>
  /\d/.test(char)
    ? fc.constantFrom(...SCRIPT_ZEROS).map((zero) => String.fromCodePoint(zero + Number(char)))
    : fc.constantFrom('X', 'x', 'Ｘ', 'ｘ');

/** What goes between two characters: usually nothing, sometimes a separator and/or a zero-width character. */
const between = (separatorAllowed: boolean) =>
  fc.tuple(
    separatorAllowed ? fc.option(fc.constantFrom(...GAPS), { freq: 2 }) : fc.constant(null),
    fc.option(fc.constantFrom(...ZERO_WIDTH), { freq: 2 }),
  );

/**
 * `number` rewritten with random digit scripts, separators and zero-width characters between its characters
 * (never at its edges, and never between the last digit and an `X`). Dropped: the shapes that are read as
 * something else by design, one number with a single decimal point (`138.00138000`) and a dotted-quad IP
 * address, see `isDecimalOrIpAddress`.
 */
export function obfuscatedNumber(number: string, prefix = ''): fc.Arbitrary<string> {
  const chars = [...number];
  return fc
    .tuple(
      fc.tuple(...chars.map(obfuscatedChar)),
      fc.tuple(...chars.slice(1).map((char) => between(/\d/.test(char)))),
    )
    .filter(([, gaps]) => {
      const separators = gaps.map(([separator]) => separator).filter((s) => s !== null);
      const groups = groupsOf(number, gaps);
      const isDecimal = separators.length === 1 && DOTS.has(separators[0]!) && !/[^\d]$/.test(prefix);
      const isIp =
        separators.length === 3 &&
        separators.every((s) => DOTS.has(s)) &&
        groups.every((g) => g.length <= 3 && Number(g) <= 255);
      return !isDecimal && !isIp;
    })
    .map(([written, gaps]) =>
      written.map((char, i) => (i === 0 ? '' : gaps[i - 1]!.join('')) + char).join(''),
    );
}

function groupsOf(number: string, gaps: ReadonlyArray<readonly [string | null, string | null]>): string[] {
  const groups = [number[0]!];
  for (let i = 1; i < number.length; i++) {
    if (gaps[i - 1]![0] !== null) groups.push('');
    groups[groups.length - 1] += number[i]!;
  }
  return groups;
}

/** A mobile number as written: with or without a country code, obfuscated. */
export const writtenMobile = fc
  .tuple(
    mobileNumber,
    fc.constantFrom('', '', '+86', '+86 ', '+86-', '0086', '0086 ', '(+86)', '(+86) ', '86'),
  )
  .chain(([number, prefix]) =>
    obfuscatedNumber(number, prefix).map((written) => ({ number, written: prefix + written })),
  );

/** An e-mail address with zero-width characters inside and some characters in their full-width forms. */
export function obfuscatedEmail(address: string): fc.Arbitrary<string> {
  const chars = [...address];
  const fullWidth = (char: string) =>
    /[!-~]/.test(char)
      ? fc.constantFrom(char, char, String.fromCharCode(char.charCodeAt(0) + 0xfee0))
      : fc.constant(char);
  return fc
    .tuple(
      fc.tuple(...chars.map(fullWidth)),
      fc.tuple(...chars.slice(1).map(() => fc.option(fc.constantFrom(...ZERO_WIDTH), { freq: 3 }))),
    )
    .map(([written, zw]) => written.map((char, i) => (i === 0 ? '' : (zw[i - 1] ?? '')) + char).join(''));
}

/** Characters that end a word without joining the number or address next to them. */
export const boundary = fc.constantFrom('，', '：', ' ', '\n', '「', '」', '。', '；', '(', ')');

/**
 * Text with no personal data in it: CJK and Latin words, punctuation and spaces; no digits and no `@`, so
 * nothing in it can form a number or an address.
 */
export const safeAlphabetText = fc.string({
  unit: fc.constantFrom(...'我们你好请帮写一封信的了是在吗abcXYZxeEG ，。！？、：；「」()[]-_.+/\n\t'),
  maxLength: 40,
});

/** Numbers that are not personal data: dates, times, prices, versions, IP addresses, decimals, sums, counts. */
const safeNumber = fc.oneof(
  fc
    .date({
      min: new Date('1950-01-01T00:00:00Z'),
      max: new Date('2099-12-31T00:00:00Z'),
      noInvalidDate: true,
    })
    .chain((d) => {
      const [y, m, day] = [d.getUTCFullYear(), pad(d.getUTCMonth() + 1, 2), pad(d.getUTCDate(), 2)];
      return fc.constantFrom(
        `${y}-${m}-${day}`,
        `${y}/${m}/${day}`,
        `${y}年${m}月${day}日`,
        `${y}${m}${day}`,
        `${y}.${m}.${day}`,
      );
    }),
  fc
    .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }), fc.integer({ min: 0, max: 59 }))
    .map(([h, m, s]) => `${pad(h, 2)}:${pad(m, 2)}:${pad(s, 2)}`),
  fc
    .tuple(fc.integer({ min: 0, max: 99_999_999 }), fc.integer({ min: 0, max: 99 }))
    .map(([yuan, fen]) => `¥${yuan.toLocaleString('en-US')}.${pad(fen, 2)}`),
  fc.tuple(fc.nat(99), fc.nat(999), fc.nat(999)).map(([a, b, c]) => `v${a}.${b}.${c}`),
  fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((octets) => octets.join('.')),
  fc.tuple(fc.nat(999), digits(14)).map(([whole, fraction]) => `${whole}.${fraction}`),
  fc
    .tuple(fc.nat(9_999_999_999), fc.constantFrom(' + ', ' - ', ' × ', ' ÷ ', '+', '*'), fc.nat(99))
    .map(([a, op, b]) => `${a}${op}${b}`),
  fc.tuple(fc.nat(99_999), fc.constantFrom('个', '元', '%', '次', 'km')).map(([n, unit]) => `${n}${unit}`),
  digits(14).map((n) => `TT${n}`),
  fc.integer({ min: 1_600_000_000_000, max: 1_999_999_999_999 }).map(String),
);

const safeWord = fc.oneof(
  safeNumber,
  fc.string({ unit: fc.constantFrom(...'我们你好请帮写信的是在吗日期价格版本'), minLength: 1, maxLength: 6 }),
  fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz'), minLength: 1, maxLength: 8 }),
);

/**
 * Sentences made of safe words. Words are joined by punctuation or by a space next to a letter, never by a
 * lone space between two numbers: `2026-11-27 13` followed by more numbers is one digit chain, which may well
 * spell a number, as it would if a person wrote it.
 */
export const safeSentence = fc
  .array(fc.tuple(safeWord, fc.constantFrom('，', '。', '、', '；', ' 和 ', ' and ', '\n', '：')), {
    maxLength: 12,
  })
  .map((words) => words.map(([word, joiner]) => word + joiner).join(''));
