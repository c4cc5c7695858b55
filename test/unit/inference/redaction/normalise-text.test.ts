import {
  normaliseForMatching,
  toOriginalSpan,
} from '../../../../server/src/inference/redaction/normalise-text';

describe('normaliseForMatching', () => {
  it('leaves ASCII as it is, position for position', () => {
    const normalised = normaliseForMatching('call 138-0013-8000!');
    expect(normalised.text).toBe('call 138-0013-8000!');
    expect(toOriginalSpan(normalised, 5, 18)).toEqual([5, 18]);
  });

  it('folds full-width characters and the ideographic space with NFKC', () => {
    expect(normaliseForMatching('１３８　＠ｅｘ．ｃｏｍ－').text).toBe('138 @ex.com-');
  });

  it('reads every Unicode decimal digit as its ASCII digit', () => {
    expect(normaliseForMatching('٠١٢٣٤٥٦٧٨٩ ۰۹ ०९ ০৯ ๐๙ 𝟎𝟗 ０９').text).toBe('0123456789 09 09 09 09 09 09');
  });

  it('drops zero-width and other default-ignorable characters, mapping around them', () => {
    const original = '1\u200B3\u200C8\u200D0\u20600\uFEFF1\u00AD3';
    const normalised = normaliseForMatching(original);
    expect(normalised.text).toBe('1380013');
    expect(toOriginalSpan(normalised, 0, normalised.text.length)).toEqual([0, original.length]);
    expect(toOriginalSpan(normalised, 1, 2)).toEqual([2, 3]);
  });

  it('drops marks on a digit (an underline, a keycap) but composes marks on letters', () => {
    expect(normaliseForMatching('1\u0332 3\uFE0F\u20E3 e\u0301').text).toBe('1 3 é');
  });

  it('maps characters that expand or shrink back to the whole original character', () => {
    // `㉑` is one unit that becomes two; `𝟏` is two units that become one; `é` decomposed is two that become one.
    const original = '㉑𝟏e\u0301x';
    const normalised = normaliseForMatching(original);
    expect(normalised.text).toBe('211éx');
    expect(toOriginalSpan(normalised, 0, 1)).toEqual([0, 1]);
    expect(toOriginalSpan(normalised, 1, 2)).toEqual([0, 1]);
    expect(toOriginalSpan(normalised, 2, 3)).toEqual([1, 3]);
    expect(toOriginalSpan(normalised, 3, 4)).toEqual([3, 5]);
    expect(toOriginalSpan(normalised, 4, 5)).toEqual([5, 6]);
  });
});
