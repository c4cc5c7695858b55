import fc from 'fast-check';
import {
  isPlausibleCardNumber,
  isValidLegacyResidentId,
  isValidResidentId,
  redactPii,
  PII_KINDS,
  type PiiKind,
} from '../../../../server/src/inference/redaction';

const NOW = new Date('2026-11-27T00:00:00Z');
const OPENID = 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o';

const redact = (text: string, openid?: string) => redactPii(text, { now: NOW, openid });

/** Counts with only the given kinds non-zero, for exact comparisons. */
function countsOf(partial: Partial<Record<PiiKind, number>>): Record<PiiKind, number> {
  return Object.assign(Object.fromEntries(PII_KINDS.map((kind) => [kind, 0])), partial) as Record<
    PiiKind,
    number
  >;
}

describe('redactPii: mainland mobile numbers', () => {
  it.each([
    ['我的手机号是13800138000，请联系我', '我的手机号是[PHONE_1]，请联系我'],
    ['电话：138 0013 8000。', '电话：[PHONE_1]。'],
    ['Call me on 138-0013-8000 after 6pm.', 'Call me on [PHONE_1] after 6pm.'],
    ['手机+86 139 1234 5678', '手机[PHONE_1]'],
    ['手机+8613912345678谢谢', '手机[PHONE_1]谢谢'],
    ['(+86)15912345678', '[PHONE_1]'],
    ['号码008618612345678', '号码[PHONE_1]'],
    ['号码8618612345678', '号码[PHONE_1]'],
  ])('replaces the number in %j', (input, expected) => {
    const result = redact(input);
    expect(result.text).toBe(expected);
    expect(result.counts).toEqual(countsOf({ PHONE: 1 }));
  });

  it('gives one placeholder to one number written in different ways', () => {
    const result = redact('先打13800138000，不通就打139-1234-5678，再不行打+86 138 0013 8000');
    expect(result.text).toBe('先打[PHONE_1]，不通就打[PHONE_2]，再不行打[PHONE_1]');
    expect(result.counts.PHONE).toBe(3);
  });

  it('reads full-width digits typed with a Chinese input method as the same number', () => {
    const result = redact('手机１３８　００１３　８０００，也就是13800138000');
    expect(result.text).toBe('手机[PHONE_1]，也就是[PHONE_1]');
  });

  it('leaves a phone-shaped run alone when it is part of a longer digit run', () => {
    expect(redact('编号213800138000').text).toBe('编号213800138000');
    expect(redact('编号138001380001').text).toBe('编号138001380001');
  });
});

describe('redactPii: resident ID numbers', () => {
  it('replaces a valid ID in a Chinese sentence', () => {
    const result = redact('我的身份证号是110101199003074514，帮我看看');
    expect(result.text).toBe('我的身份证号是[ID_CARD_1]，帮我看看');
    expect(result.counts).toEqual(countsOf({ ID_CARD: 1 }));
  });

  it('replaces IDs ending in X in either case as the same value', () => {
    const result = redact('ID: 32058319780101001X, again 32058319780101001x.');
    expect(result.text).toBe('ID: [ID_CARD_1], again [ID_CARD_1].');
    expect(result.counts.ID_CARD).toBe(2);
  });

  it('treats a valid ID that also passes Luhn as an ID, not a bank card', () => {
    expect(isPlausibleCardNumber('620102198807151257')).toBe(true);
    const result = redact('身份证620102198807151257');
    expect(result.text).toBe('身份证[ID_CARD_1]');
    expect(result.counts).toEqual(countsOf({ ID_CARD: 1 }));
  });
});

describe('redactPii: first-generation (15-digit) resident ID numbers', () => {
  it.each([
    ['旧身份证号110101900307451，办过户', '旧身份证号[ID_CARD_1]，办过户'],
    ['old ID 440306880229123 (born on a leap day).', 'old ID [ID_CARD_1] (born on a leap day).'],
  ])('replaces the ID in %j', (input, expected) => {
    const result = redact(input);
    expect(result.text).toBe(expected);
    expect(result.counts).toEqual(countsOf({ ID_CARD: 1 }));
  });

  it.each([
    ['a birth date that does not exist (1990-02-30)', '编号110101900230451'],
    ['an unknown province prefix', '编号990101900307451'],
    ['prefecture 00 under a real province', '编号110001900307451'],
    ['a 15-digit number followed by X', '编号110101900307451X'],
  ])('leaves a 15-digit number with %s alone', (_name, input) => {
    expect(redact(input)).toEqual({ text: input, counts: countsOf({}) });
  });
});

describe('redactPii: bank card numbers', () => {
  it.each([
    ['我的卡号6222021234567890128，转账用', '我的卡号[BANK_CARD_1]，转账用'],
    ['卡号：6222 0212 3456 7890 128', '卡号：[BANK_CARD_1]'],
    ['My Visa is 4111 1111 1111 1111.', 'My Visa is [BANK_CARD_1].'],
    ['Mastercard 5555-5555-5555-4444 expires soon', 'Mastercard [BANK_CARD_1] expires soon'],
    ['Amex 3782 822463 10005', 'Amex [BANK_CARD_1]'],
    ['储蓄卡6217000123456788', '储蓄卡[BANK_CARD_1]'],
  ])('replaces the card in %j', (input, expected) => {
    const result = redact(input);
    expect(result.text).toBe(expected);
    expect(result.counts).toEqual(countsOf({ BANK_CARD: 1 }));
  });

  it('keeps a short number that follows a grouped card out of the placeholder', () => {
    expect(redact('卡 6217 0001 2345 6788 12 元').text).toBe('卡 [BANK_CARD_1] 12 元');
  });
});

describe('redactPii: e-mail addresses', () => {
  it('replaces addresses in Chinese and English text, numbering distinct ones', () => {
    const result = redact(
      '邮箱是zhang.san@example.com，备用 Foo.Bar+tt@Mail.Example.co.uk. 重复ZHANG.SAN@EXAMPLE.COM',
    );
    expect(result.text).toBe('邮箱是[EMAIL_1]，备用 [EMAIL_2]. 重复[EMAIL_1]');
    expect(result.counts).toEqual(countsOf({ EMAIL: 3 }));
  });

  it('reads a full-width @ as an @', () => {
    expect(redact('邮箱zhang＠example.com').text).toBe('邮箱[EMAIL_1]');
  });

  it('treats a QQ-style address made of a phone number as one e-mail', () => {
    const result = redact('发到13800138000@163.com就行');
    expect(result.text).toBe('发到[EMAIL_1]就行');
    expect(result.counts).toEqual(countsOf({ EMAIL: 1 }));
  });

  it.each([
    ['a CJK address after a sentence', '我的邮箱是用户@例子.中国，谢谢', '我的邮箱是[EMAIL_1]，谢谢'],
    ['accented local part and domain', 'mail josé@exämple.com today', 'mail [EMAIL_1] today'],
    ['a decomposed é (e + U+0301)', 'mail jose\u0301@example.com', 'mail [EMAIL_1]'],
    ['a Cyrillic address', 'почта иван@пример.рф.', 'почта [EMAIL_1].'],
    ['a CJK domain with a Latin top-level domain', '发到 客服@例子.com 就行', '发到 [EMAIL_1] 就行'],
  ])('replaces an internationalised address: %s', (_name, input, expected) => {
    const result = redact(input);
    expect(result.text).toBe(expected);
    expect(result.counts).toEqual(countsOf({ EMAIL: 1 }));
  });

  it('gives one placeholder to one address written in composed and decomposed form', () => {
    expect(redact('josé@exämple.com 或 jose\u0301@exa\u0308mple.com').text).toBe('[EMAIL_1] 或 [EMAIL_1]');
  });

  it('leaves an @-mention and a bare domain alone', () => {
    expect(redact('@张三 see example.com and user@localhost').text).toBe(
      '@张三 see example.com and user@localhost',
    );
  });
});

describe('redactPii: WeChat Pay transaction ids and the openid', () => {
  it('replaces a transaction id', () => {
    const result = redact('微信支付单号4200001234202611271234567890，没到账');
    expect(result.text).toBe('微信支付单号[WXPAY_TXN_1]，没到账');
    expect(result.counts).toEqual(countsOf({ WXPAY_TXN: 1 }));
  });

  it('replaces every occurrence of the given openid', () => {
    const result = redact(`my openid is ${OPENID}; 再说一次${OPENID}`, OPENID);
    expect(result.text).toBe('my openid is [OPENID_1]; 再说一次[OPENID_1]');
    expect(result.counts).toEqual(countsOf({ OPENID: 2 }));
  });

  it('leaves openid-looking text alone when no openid is given', () => {
    expect(redact(`my openid is ${OPENID}`).text).toBe(`my openid is ${OPENID}`);
    expect(redact(`my openid is ${OPENID}`, '').text).toBe(`my openid is ${OPENID}`);
  });
});

describe('redactPii: several kinds at once', () => {
  it('redacts a mixed Chinese prompt and counts each kind', () => {
    const input =
      `我叫张三，手机13800138000，身份证110101199003074514，工资卡6222021234567890128，` +
      `邮箱zhang@example.com，订单${'4200001234202611271234567890'}，openid ${OPENID}。请帮我写一封投诉信。`;
    const result = redact(input, OPENID);
    expect(result.text).toBe(
      '我叫张三，手机[PHONE_1]，身份证[ID_CARD_1]，工资卡[BANK_CARD_1]，邮箱[EMAIL_1]，' +
        '订单[WXPAY_TXN_1]，openid [OPENID_1]。请帮我写一封投诉信。',
    );
    expect(result.counts).toEqual(
      countsOf({ PHONE: 1, ID_CARD: 1, BANK_CARD: 1, EMAIL: 1, WXPAY_TXN: 1, OPENID: 1 }),
    );
  });

  it('returns the input unchanged with zero counts when there is nothing to redact', () => {
    const input = '请用三句话解释量子纠缠。Explain quantum entanglement in three sentences.';
    expect(redact(input)).toEqual({ text: input, counts: countsOf({}) });
  });
});

describe('redactPii: things that must be left alone', () => {
  it.each([
    ['an 18-digit order number failing the ID checksum', '订单号202611271234567890已支付'],
    ['an out_trade_no with a prefix', 'out_trade_no: TT20261127153000123456'],
    ['a Luhn-valid run glued into an identifier', 'ref ord_4111111111111111 and TT6222021234567890128x'],
    ['a timestamped id', 'trace 1732681234567-0001'],
    ['a price with a yuan sign', '价格¥1380.00，折后¥13,800.00'],
    ['a price in yuan', '一共13800元'],
    ['an ISO date', '日期2026-11-27'],
    ['a compact date', '日期20261127'],
    ['a date with slashes and a time', '2026/11/27 13:38:00'],
    ['an ISO timestamp', '2026-11-27T13:38:00+08:00'],
    ['a 16-digit number failing Luhn', '编号6222021234567890'],
    ['an 11-digit number starting with 12', '编号12345678901'],
    ['a 13-digit millisecond timestamp', 'ts=1732681234567'],
    ['version strings', 'node v20.20.0, openai 6.49.0, build 13.800.13800'],
    ['IP addresses', '服务器138.0.138.100和192.168.13.80'],
    ['a 28-digit number not starting with 42', '单号1234001234202611271234567890'],
    ['a valid-looking ID with a future birth date', '110101203001011236'],
  ])('leaves %s alone', (_name, input) => {
    const result = redact(input);
    expect(result.text).toBe(input);
    expect(result.counts).toEqual(countsOf({}));
  });
});

describe('redactPii: random digit strings', () => {
  it('never redacts a digit string that fails the ID and card checks as an ID or card', () => {
    const digitString = fc
      .array(fc.integer({ min: 0, max: 9 }), { minLength: 8, maxLength: 20 })
      .map((ds) => ds.join(''))
      .filter((d) => !isValidResidentId(d, NOW) && !isValidLegacyResidentId(d) && !isPlausibleCardNumber(d));
    fc.assert(
      fc.property(digitString, fc.constantFrom('%s', '编号%s号', 'No. %s.'), (digits, template) => {
        const { counts } = redact(template.replace('%s', digits));
        expect({ digits, id: counts.ID_CARD, card: counts.BANK_CARD }).toEqual({ digits, id: 0, card: 0 });
      }),
      { seed: 20261127, numRuns: 500 },
    );
  });
});
