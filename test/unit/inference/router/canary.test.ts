import { isCanary } from '../../../../server/src/inference/router';

const ORDER_IDS = Array.from({ length: 10_000 }, (_, i) => `ord_${i.toString(36).padStart(6, '0')}`);

describe('isCanary', () => {
  it.each([1, 5, 10, 50])(
    'sends %s %% of 10,000 order ids to the canary, within 4 standard deviations',
    (percent) => {
      const share = percent / 100;
      const hits = ORDER_IDS.filter((id) => isCanary(id, 'basic', percent)).length;
      const sd = Math.sqrt(ORDER_IDS.length * share * (1 - share));
      expect(Math.abs(hits - ORDER_IDS.length * share)).toBeLessThan(4 * sd);
    },
  );

  it('answers the same for the same order and tier every time', () => {
    for (const id of ORDER_IDS.slice(0, 500)) expect(isCanary(id, 'pro', 30)).toBe(isCanary(id, 'pro', 30));
  });

  it('never picks an order at 0 % and always at 100 %', () => {
    expect(ORDER_IDS.some((id) => isCanary(id, 'basic', 0))).toBe(false);
    expect(ORDER_IDS.every((id) => isCanary(id, 'basic', 100))).toBe(true);
  });

  it('keeps an order in the canary when the percentage grows (a monotone rollout)', () => {
    const at5 = ORDER_IDS.filter((id) => isCanary(id, 'basic', 5));
    expect(at5.every((id) => isCanary(id, 'basic', 20))).toBe(true);
  });

  it('picks an independent set of orders for each tier', () => {
    const basic = new Set(ORDER_IDS.filter((id) => isCanary(id, 'basic', 10)));
    const both = ORDER_IDS.filter((id) => basic.has(id) && isCanary(id, 'pro', 10)).length;
    // Independent 10 % samples overlap on about 1 % of orders (100 of 10,000), not on 10 %.
    expect(both).toBeGreaterThan(50);
    expect(both).toBeLessThan(160);
  });

  it('resolves fractional percentages to 0.01 %', () => {
    const hits = ORDER_IDS.filter((id) => isCanary(id, 'basic', 0.5)).length;
    expect(hits).toBeGreaterThan(25);
    expect(hits).toBeLessThan(80);
  });
});
