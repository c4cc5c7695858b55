import { PII_KINDS, redactPii, type PiiKind } from '../../../../server/src/inference/redaction';

const NOW = new Date('2026-11-27T00:00:00Z');
const redact = (text: string) => redactPii(text, { now: NOW });

function countsOf(partial: Partial<Record<PiiKind, number>>): Record<PiiKind, number> {
  return {
    ...(Object.fromEntries(PII_KINDS.map((kind) => [kind, 0])) as Record<PiiKind, number>),
    ...partial,
  };
}

describe('redactPii: mainland landlines (LANDLINE)', () => {
  it.each([
    ['座机010-12345678，工作日找我', '座机[LANDLINE_1]，工作日找我'],
    ['深圳办公室 0755-1234567。', '深圳办公室 [LANDLINE_1]。'],
    ['Office (021) 6123 4567.', 'Office [LANDLINE_1].'],
    ['电话(0755)1234567', '电话[LANDLINE_1]'],
    ['Call +86 21 6123 4567 now', 'Call [LANDLINE_1] now'],
    ['Call 0086 10 1234 5678 now', 'Call [LANDLINE_1] now'],
    ['总机01012345678', '总机[LANDLINE_1]'],
    ['分机：010-12345678-801。', '分机：[LANDLINE_1]。'],
    ['前台0755-1234567转8001，谢谢', '前台[LANDLINE_1]，谢谢'],
    ['Reception (021) 6123 4567 ext. 12, thanks', 'Reception [LANDLINE_1], thanks'],
    ['座机０１０－１２３４\u200B５６７８', '座机[LANDLINE_1]'],
  ])('replaces the landline in %j', (input, expected) => {
    const result = redact(input);
    expect(result.text).toBe(expected);
    expect(result.counts).toEqual(countsOf({ LANDLINE: 1 }));
  });

  it('gives one placeholder to one line written nationally and internationally, another to another extension', () => {
    const result = redact('010-12345678 或 +86 10 1234 5678，分机 010-12345678-801');
    expect(result.text).toBe('[LANDLINE_1] 或 [LANDLINE_1]，分机 [LANDLINE_2]');
  });

  it('keeps mobiles and landlines apart', () => {
    expect(redact('手机13800138000，座机010-12345678').text).toBe('手机[PHONE_1]，座机[LANDLINE_1]');
  });

  it.each([
    ['a decimal starting with 0', '概率是0.2345678901'],
    ['a number that does not start with 0', '订单 20261127123'],
    ['an area code alone', '区号0755'],
    ['a number too short for a landline', '编号010-1234567'],
  ])('leaves %s alone', (_name, input) => {
    expect(redact(input)).toEqual({ text: input, counts: countsOf({}) });
  });
});

describe('redactPii: passport numbers (PASSPORT)', () => {
  it.each([
    ['我的护照是E12345678，明天出发', '我的护照是[PASSPORT_1]，明天出发'],
    ['new format EA1234567 please', 'new format [PASSPORT_1] please'],
    ['旧护照G12345678', '旧护照[PASSPORT_1]'],
    ['护照号码：123456789', '护照号码：[PASSPORT_1]'],
    ['My passport number is P1234567.', 'My passport number is [PASSPORT_1].'],
    ['Passport: K12345678', 'Passport: [PASSPORT_1]'],
    ['passport e12345678', 'passport [PASSPORT_1]'],
    ['护照 Ｅ１２３４５６７８', '护照 [PASSPORT_1]'],
  ])('replaces the passport number in %j', (input, expected) => {
    const result = redact(input);
    expect(result.text).toBe(expected);
    expect(result.counts).toEqual(countsOf({ PASSPORT: 1 }));
  });

  it('takes an upper-case PRC passport anywhere, one placeholder per number', () => {
    expect(redact('E12345678 和护照 e12345678').text).toBe('[PASSPORT_1] 和护照 [PASSPORT_1]');
  });

  it.each([
    ['a product code with two letters', 'SKU AB1234567'],
    ['a lower-case code with no passport word', 'hash e12345678'],
    ['an I after E, which PRC passports do not use', '型号EI1234567'],
    ['a passport shape glued into a longer code', 'ref XE12345678 and E12345678X'],
    ['nine digits after E with no passport word', 'E123456789'],
    ['an order number with no passport word', '订单号12345678'],
    ['a number far from the word passport', '护照的事下次再说，先看一下这个订单号 12345678'],
  ])('leaves %s alone', (_name, input) => {
    expect(redact(input)).toEqual({ text: input, counts: countsOf({}) });
  });
});
