import fc from 'fast-check';
import { redactPii, type PiiKind } from '../../../../server/src/inference/redaction';
import {
  boundary,
  cardNumber,
  emailAddress,
  kindOfNumber,
  legacyResidentId,
  NOW,
  obfuscatedEmail,
  obfuscatedNumber,
  residentId,
  RUNS,
  safeAlphabetText,
  safeSentence,
  writtenMobile,
} from './pii-arbitraries';

const redact = (text: string) => redactPii(text, { now: NOW });

/** Surrounding text: safe text, then a character that ends a word, on each side. */
const surroundings = fc.tuple(safeAlphabetText, boundary, boundary, safeAlphabetText);

/** Asserts that `written`, embedded in `around`, comes out as exactly one `[kind_1]` with the text around intact. */
function expectRedacted(
  written: string,
  kind: PiiKind,
  [before, left, right, after]: [string, string, string, string],
) {
  const { text, counts } = redact(`${before}${left}${written}${right}${after}`);
  expect({ written, text, count: counts[kind] }).toEqual({
    written,
    text: `${before}${left}[${kind}_1]${right}${after}`,
    count: 1,
  });
}

describe('redactPii properties: valid personal data, however it is written, is redacted', () => {
  it('a mobile number with or without +86, with random separators, zero-width characters and digit scripts', () => {
    fc.assert(
      fc.property(writtenMobile, surroundings, ({ written }, around) =>
        expectRedacted(written, 'PHONE', around),
      ),
      RUNS,
    );
  });

  it('an 18-character resident ID with a valid check character, obfuscated the same ways', () => {
    const written = residentId.chain((id) => obfuscatedNumber(id));
    fc.assert(
      fc.property(written, surroundings, (id, around) => expectRedacted(id, 'ID_CARD', around)),
      RUNS,
    );
  });

  it('a 15-digit first-generation resident ID, obfuscated the same ways', () => {
    const written = legacyResidentId.chain((id) => obfuscatedNumber(id).map((text) => ({ id, text })));
    fc.assert(
      fc.property(written, surroundings, ({ id, text }, around) =>
        expectRedacted(text, kindOfNumber(id), around),
      ),
      RUNS,
    );
  });

  it('a card number that passes Luhn, obfuscated the same ways', () => {
    const written = cardNumber.chain((card) => obfuscatedNumber(card).map((text) => ({ card, text })));
    fc.assert(
      fc.property(written, surroundings, ({ card, text }, around) =>
        expectRedacted(text, kindOfNumber(card), around),
      ),
      RUNS,
    );
  });

  it('an e-mail address (ASCII, accented or CJK) with zero-width and full-width characters', () => {
    const written = emailAddress.chain(obfuscatedEmail);
    fc.assert(
      fc.property(written, surroundings, (email, around) => expectRedacted(email, 'EMAIL', around)),
      RUNS,
    );
  });

  it('one number written two different ways gets one placeholder', () => {
    const twice = fc
      .tuple(writtenMobile, writtenMobile)
      .map(([a, b]) => [a.written, { ...b, number: a.number }] as const)
      .chain(([first, { number }]) =>
        fc
          .constantFrom('', '86', '+86 ')
          .chain((prefix) =>
            obfuscatedNumber(number, prefix).map((second) => [first, prefix + second] as const),
          ),
      );
    fc.assert(
      fc.property(twice, ([first, second]) => {
        const { text, counts } = redact(`先打${first}，不通再打${second}。`);
        expect({ first, second, text, phones: counts.PHONE }).toEqual({
          first,
          second,
          text: '先打[PHONE_1]，不通再打[PHONE_1]。',
          phones: 2,
        });
      }),
      RUNS,
    );
  });
});

describe('redactPii properties: text without personal data comes back unchanged', () => {
  it('any text over an alphabet without digits or @', () => {
    fc.assert(
      fc.property(safeAlphabetText, (text) => {
        expect(redact(text).text).toBe(text);
      }),
      RUNS,
    );
  });

  it('sentences of dates, times, prices, versions, IP addresses, decimals, sums, counts and order numbers', () => {
    fc.assert(
      fc.property(safeSentence, (text) => {
        const result = redact(text);
        expect({ text: result.text, redacted: Object.values(result.counts).some((n) => n > 0) }).toEqual({
          text,
          redacted: false,
        });
      }),
      RUNS,
    );
  });
});

describe('redactPii properties: idempotence', () => {
  /** Anything: safe sentences, personal data, random Unicode, glued together with or without separators. */
  const anyText = fc
    .array(
      fc.oneof(
        safeSentence,
        writtenMobile.map(({ written }) => written),
        residentId.chain((id) => obfuscatedNumber(id)),
        cardNumber.chain((card) => obfuscatedNumber(card)),
        emailAddress.chain(obfuscatedEmail),
        fc.string({ unit: 'binary', maxLength: 12 }),
        fc.string({ unit: fc.constantFrom(...'0123456789 .-+()@xX'), maxLength: 20 }),
      ),
      { maxLength: 6 },
    )
    .chain((parts) =>
      fc
        .array(fc.constantFrom('', ' ', '-', '.', '，', 'a', '@'), {
          minLength: parts.length,
          maxLength: parts.length,
        })
        .map((joiners) => parts.map((part, i) => part + joiners[i]).join('')),
    );

  it('redacting the output again changes nothing', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const once = redact(text).text;
        expect({ text, twice: redact(once).text }).toEqual({ text, twice: once });
      }),
      RUNS,
    );
  });
});
