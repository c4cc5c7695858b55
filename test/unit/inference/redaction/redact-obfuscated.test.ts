import { PII_KINDS, redactPii, type PiiKind } from '../../../../server/src/inference/redaction';

const NOW = new Date('2026-11-27T00:00:00Z');
const redact = (text: string) => redactPii(text, { now: NOW });

function countsOf(partial: Partial<Record<PiiKind, number>>): Record<PiiKind, number> {
  return {
    ...(Object.fromEntries(PII_KINDS.map((kind) => [kind, 0])) as Record<PiiKind, number>),
    ...partial,
  };
}

describe('redactPii: separators between digits are transparent', () => {
  it.each([
    ['dots', '电话138.0013.8000谢谢', '电话[PHONE_1]谢谢'],
    ['full-width dots', '电话１３８．００１３．８０００。', '电话[PHONE_1]。'],
    ['dashes in other groupings', 'tel 1380-013-8000, ok', 'tel [PHONE_1], ok'],
    ['en dashes and middle dots', '138–0013–8000 或 138·0013·8000', '[PHONE_1] 或 [PHONE_1]'],
    ['a space between every digit', '手机 1 3 8 0 0 1 3 8 0 0 0 结束', '手机 [PHONE_1] 结束'],
    ['double spaces', '手机 138  0013  8000', '手机 [PHONE_1]'],
    ['+86 with dots', '+86 138.0013.8000', '[PHONE_1]'],
  ])('reads a mobile number written with %s', (_name, input, expected) => {
    expect(redact(input).text).toBe(expected);
  });

  it('reads resident IDs and cards grouped in any way', () => {
    const result = redact('身份证 110101.19900307.4514，卡 4 111 1111 1111 111 1，旧证 110101-900307-451');
    expect(result.text).toBe('身份证 [ID_CARD_1]，卡 [BANK_CARD_1]，旧证 [ID_CARD_2]');
  });

  it('still starts and ends a number at a group edge: two phones side by side stay two phones', () => {
    expect(redact('13800138000 13900139000').text).toBe('[PHONE_1] [PHONE_2]');
    expect(redact('共86 13800138000').text).toBe('共86 [PHONE_1]');
  });
});

describe('redactPii: zero-width characters inside numbers', () => {
  it.each([
    ['U+200B', '\u200B'],
    ['U+200C', '\u200C'],
    ['U+200D', '\u200D'],
    ['U+2060', '\u2060'],
    ['U+FEFF', '\uFEFF'],
  ])('reads through %s in a phone, an ID and a card', (_name, zw) => {
    const phone = `138${zw}0013${zw}8000`;
    const id = `1101011990${zw}0307451${zw}4`;
    const card = `4111${zw}1111${zw}1111${zw}1111`;
    const result = redact(`手机${phone}，身份证${id}，卡${card}。`);
    expect(result.text).toBe('手机[PHONE_1]，身份证[ID_CARD_1]，卡[BANK_CARD_1]。');
  });

  it('keeps zero-width characters outside the number where they were', () => {
    expect(redact('手机\u200B13800138000\u200B谢谢').text).toBe('手机\u200B[PHONE_1]\u200B谢谢');
  });
});

describe('redactPii: full-width and other Unicode digits', () => {
  it.each([
    ['full-width', '１３８００１３８０００'],
    ['Arabic-Indic', '١٣٨٠٠١٣٨٠٠٠'],
    ['Extended Arabic-Indic (Persian)', '۱۳۸۰۰۱۳۸۰۰۰'],
    ['Devanagari', '१३८००१३८०००'],
    ['Thai', '๑๓๘๐๐๑๓๘๐๐๐'],
    ['mathematical bold (outside the BMP)', '𝟏𝟑𝟖𝟎𝟎𝟏𝟑𝟖𝟎𝟎𝟎'],
    ['keycap emoji', [...'13800138000'].map((d) => `${d}\uFE0F\u20E3`).join('')],
    ['a mix of scripts', '1٣８०0１๓8٠۰0'],
  ])('reads a phone in %s digits as the same number', (_name, written) => {
    const result = redact(`先打13800138000，再打${written}。`);
    expect(result.text).toBe('先打[PHONE_1]，再打[PHONE_1]。');
    expect(result.counts).toEqual(countsOf({ PHONE: 2 }));
  });

  it('reads a full-width ID with a full-width X', () => {
    expect(redact('证件号：３２０５８３１９７８０１０１００１Ｘ。').text).toBe('证件号：[ID_CARD_1]。');
  });
});

describe('redactPii: the text around a match is left exactly as written', () => {
  it('replaces only the original span when normalisation changed lengths before it', () => {
    // `ﬁ` (one character) and `㉑` normalise to two; `𝟏` is two UTF-16 units that normalise to one.
    const input = 'ﬁle ㉑ 𝟏 \u200B\u200B手机１３８\u200B００１３８０００，ｏｋ';
    expect(redact(input).text).toBe('ﬁle ㉑ 𝟏 \u200B\u200B手机[PHONE_1]，ｏｋ');
  });
});

describe('redactPii: numbers that only look like personal data once separators are ignored', () => {
  it.each([
    ['arithmetic with spaced operators', '1380013800 + 1 等于多少？1380013800 - 1 呢？'],
    ['√2 to ten places', '√2 ≈ 1.4142135623'],
    ['a decimal whose fraction looks like a phone', '3.13800138000'],
    ['an IP address whose digits look like a phone', '服务器 138.100.138.10'],
    ['a date and a time', '2026-11-27 13:38:00'],
    ['a price', '¥1,380.00 或 ¥13,800,138.00'],
    ['numbers either side of an ideographic full stop', '编号138。0013 8000'],
  ])('leaves %s alone', (_name, input) => {
    expect(redact(input)).toEqual({ text: input, counts: countsOf({}) });
  });
});
