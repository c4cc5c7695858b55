import { redactPii } from '../../../../server/src/inference/redaction';

const NOW = new Date('2026-11-27T00:00:00Z');
const redact = (text: string) => redactPii(text, { now: NOW });

/*
 * Prompts are at most a few thousand characters, but redaction runs before any length check a caller might
 * forget, so 100 kB built to make a backtracking regex or a quadratic scan blow up must come back, and come back
 * right. A hang fails these tests by the test timeout; nothing here measures time.
 */
describe('redactPii: 100 kB of hostile input', () => {
  it.each([
    ['digits and single spaces (one 50,000-group chain, no valid number)', '8 '.repeat(50_000)],
    ['dash-separated groups that never end on an 11-digit edge', '1380-'.repeat(20_000)],
    ['one 50,000-digit run', '4'.repeat(50_000) + '\u200B'.repeat(50_000)],
    ['digits split by zero-width characters into one run', '1\u200B'.repeat(50_000)],
    ['local-part characters without an @', 'a.'.repeat(50_000)],
    ['many @ signs', 'a@'.repeat(50_000)],
    ['domain labels without a top-level domain', 'a@' + 'b1.'.repeat(33_000)],
    ['an unclosed parenthesised prefix', '(+86'.repeat(25_000)],
    ['one digit with 100,000 combining marks', '1' + '\u0332'.repeat(100_000)],
    ['passport-like codes with no passport word', 'AB1234567 '.repeat(10_000)],
  ])('returns %s unchanged', (_name, input) => {
    const result = redact(input);
    expect(result.text === input).toBe(true);
    expect(Object.values(result.counts).every((n) => n === 0)).toBe(true);
  });

  it('redacts every number in 100 kB of full-width phone numbers', () => {
    const result = redact('１３８００１３８０００ '.repeat(8_000));
    expect(result.text === '[PHONE_1] '.repeat(8_000)).toBe(true);
    expect(result.counts.PHONE).toBe(8_000);
  });

  it('redacts card numbers out of 100 kB of a repeated Luhn-friendly digit, leaving no long run behind', () => {
    const result = redact('4 '.repeat(50_000));
    expect(result.counts.BANK_CARD).toBeGreaterThan(0);
    // Whatever is left between placeholders is too short to be a card.
    expect(result.text).not.toMatch(/(?:4 ){13}/);
  });

  it('redacts a realistic prompt repeated to 4,000 characters, every occurrence', () => {
    const input =
      '请帮我核对：手机13800138000，卡6222021234567890128，订单202611271234567890，价格¥1380.00。'.repeat(60);
    const result = redact(input);
    expect(result.text).toBe(
      '请帮我核对：手机[PHONE_1]，卡[BANK_CARD_1]，订单202611271234567890，价格¥1380.00。'.repeat(60),
    );
    expect(result.counts.PHONE).toBe(60);
    expect(result.counts.BANK_CARD).toBe(60);
  });
});
