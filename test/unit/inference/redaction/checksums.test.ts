import {
  isPlausibleCardNumber,
  isValidLegacyResidentId,
  isValidResidentId,
  passesLuhn,
} from '../../../../server/src/inference/redaction/checksums';

const NOW = new Date('2026-11-27T00:00:00Z');

describe('isValidResidentId', () => {
  it.each(['110101199003074514', '440306200002291239', '32058319780101001X', '32058319780101001x'])(
    'accepts %s, which has a valid MOD 11-2 check character',
    (id) => {
      expect(isValidResidentId(id, NOW)).toBe(true);
    },
  );

  it('rejects an ID whose check character is off by one', () => {
    expect(isValidResidentId('110101199003074515', NOW)).toBe(false);
  });

  it('rejects a valid checksum over a birth date that does not exist', () => {
    // 1990-02-30, check character computed for these 17 digits.
    expect(isValidResidentId('110101199002301236', NOW)).toBe(false);
  });

  it('rejects a valid checksum over a birth date in the future', () => {
    expect(isValidResidentId('110101203001011236', NOW)).toBe(false);
  });

  it('rejects an unknown region prefix such as an order number starting with 20', () => {
    expect(isValidResidentId('202611271234567890', NOW)).toBe(false);
  });

  it('rejects anything that is not 17 digits plus a digit or X', () => {
    expect(isValidResidentId('11010119900307451', NOW)).toBe(false);
    expect(isValidResidentId('1101011990030745140', NOW)).toBe(false);
    expect(isValidResidentId('11010119900307451Y', NOW)).toBe(false);
  });
});

describe('isValidLegacyResidentId (15-digit, first generation)', () => {
  it.each(['110101900307451', '440306880229123', '650102000101001'])(
    'accepts %s: province prefix, prefecture, a 19YYMMDD birth date that exists',
    (id) => {
      expect(isValidLegacyResidentId(id)).toBe(true);
    },
  );

  it.each([
    ['a date that does not exist (1990-02-30)', '110101900230451'],
    ['1900-02-29 (1900 was not a leap year)', '110101000229451'],
    ['an unknown province prefix', '990101900307451'],
    ['a prefix only 18-character IDs use (Hong Kong residents)', '810101900307451'],
    ['prefecture 00', '110001900307451'],
    ['14 digits', '11010190030745'],
    ['16 digits', '1101019003074511'],
    ['a letter', '11010190030745X'],
  ])('rejects %s', (_name, id) => {
    expect(isValidLegacyResidentId(id)).toBe(false);
  });
});

describe('passesLuhn and isPlausibleCardNumber', () => {
  it.each([
    '4111111111111111',
    '5555555555554444',
    '378282246310005',
    '6222021234567890128',
    '6217000123456788',
  ])('treats %s as a card number', (card) => {
    expect(passesLuhn(card)).toBe(true);
    expect(isPlausibleCardNumber(card)).toBe(true);
  });

  it('rejects a 16-digit number that fails Luhn', () => {
    expect(passesLuhn('6222021234567890')).toBe(false);
    expect(isPlausibleCardNumber('6222021234567890')).toBe(false);
  });

  it('rejects a Luhn-valid number with no known issuer prefix', () => {
    // A Luhn-valid 16-digit number starting with 7, which no card issuer uses.
    expect(passesLuhn('7992739871300008')).toBe(true);
    expect(isPlausibleCardNumber('7992739871300008')).toBe(false);
  });

  it('rejects lengths outside 13–19 digits even when Luhn passes', () => {
    expect(passesLuhn('424242424242')).toBe(true);
    expect(isPlausibleCardNumber('424242424242')).toBe(false);
  });
});
