import { formatPriceFen } from '../../../miniprogram/src/utils/money';

describe('formatPriceFen', () => {
  it.each([
    [0, '¥0.00'],
    [1, '¥0.01'],
    [9, '¥0.09'],
    [50, '¥0.50'],
    [100, '¥1.00'],
    [199, '¥1.99'],
    [12345, '¥123.45'],
  ])('formats %i fen as %s', (fen, text) => {
    expect(formatPriceFen(fen)).toBe(text);
  });

  it('rejects amounts that are not whole non-negative fen', () => {
    expect(() => formatPriceFen(-1)).toThrow(RangeError);
    expect(() => formatPriceFen(0.5)).toThrow(RangeError);
    expect(() => formatPriceFen(Number.NaN)).toThrow(RangeError);
  });
});
