import { parseCatalog, worstCaseSpendFen, type Catalog } from '../../../server/src/catalog';

/**
 * Prices chosen for round figures: with no system prompt a call is billed 2000 input tokens (the longest prompt)
 * and the tier's 1000 output tokens.
 *   a: ¥2 / ¥8 per M   → 0.4 + 0.8 = 1.2 fen per call
 *   b: ¥1 / ¥4 per M   → 0.2 + 0.4 = 0.6 fen per call
 *   c: ¥10 / ¥40 per M → 2 + 4     = 6 fen per call
 */
const models = [
  { id: 'a', provider: 'p', model: 'a', inputYuanPerMTok: 2, outputYuanPerMTok: 8 },
  { id: 'b', provider: 'p', model: 'b', inputYuanPerMTok: 1, outputYuanPerMTok: 4 },
  { id: 'c', provider: 'p', model: 'c', inputYuanPerMTok: 10, outputYuanPerMTok: 40 },
];

function parse(tier: Record<string, unknown>, generationAttempts: number) {
  return parseCatalog(
    JSON.stringify({
      providers: [{ id: 'p', baseURL: 'https://llm.example.com/v1' }],
      models,
      tiers: [{ id: 't', title: 't', priceFen: 1000, models: ['a', 'b'], maxOutputTokens: 1000, ...tier }],
    }),
    {},
    { generationAttempts },
  );
}

function catalogOf(tier: Record<string, unknown>): Catalog {
  const result = parse(tier, 1);
  if ('problems' in result) throw new Error(result.problems.join('\n'));
  return result.catalog;
}

describe('worstCaseSpendFen', () => {
  it('bills every model of the chain in full on every generation attempt', () => {
    const catalog = catalogOf({});
    const spend = worstCaseSpendFen(catalog.tiers.get('t')!, catalog.models, 3);
    expect(spend).toMatchObject({ inputTokens: 2000, outputTokens: 1000, attempts: 3 });
    expect(spend.walk.chain).toBe('main');
    expect(spend.walk.calls.map((c) => c.model)).toEqual(['a', 'b']);
    expect(spend.walk.calls[0]!.fen).toBeCloseTo(1.2, 10);
    expect(spend.walk.calls[1]!.fen).toBeCloseTo(0.6, 10);
    expect(spend.walk.fen).toBeCloseTo(1.8, 10);
    // 2 models × 3 attempts, not the dearest model once (1.2 fen).
    expect(spend.fen).toBeCloseTo(5.4, 10);
  });

  it('takes the canary chain when its walk is the dearer one, on every attempt', () => {
    const catalog = catalogOf({ canary: { percent: 5, models: ['c'] } });
    const spend = worstCaseSpendFen(catalog.tiers.get('t')!, catalog.models, 3);
    expect(spend.walk.chain).toBe('canary');
    expect(spend.walk.calls.map((c) => c.model)).toEqual(['c']);
    expect(spend.fen).toBeCloseTo(18, 10);
  });

  it('keeps the main chain when the canary is cheaper, and counts the system prompt as input', () => {
    const catalog = catalogOf({ canary: { percent: 5, models: ['b'] }, systemPrompt: '简洁'.repeat(50) });
    const spend = worstCaseSpendFen(catalog.tiers.get('t')!, catalog.models, 3);
    expect(spend.walk.chain).toBe('main');
    expect(spend.inputTokens).toBe(2100);
    // a: 2100 × 2 + 1000 × 8 = 12 200 µ¥ = 1.22 fen; b: 2100 + 4000 = 6100 µ¥ = 0.61 fen; × 3 attempts.
    expect(spend.fen).toBeCloseTo(3 * (1.22 + 0.61), 10);
  });

  it('refuses a price that covers the dearest model once but not every call the order may pay for', () => {
    // Dearest single call: 6 fen + 0.06 fen fee fits 10 fen; 3 attempts of the canary walk (18 fen) do not.
    expect(parse({ priceFen: 10, canary: { percent: 5, models: ['c'] } }, 1)).toHaveProperty('catalog');
    const result = parse({ priceFen: 10, canary: { percent: 5, models: ['c'] } }, 3);
    expect(result).toEqual({
      problems: [
        'tiers.t: priced at 10 fen but one paid order can spend 18.00 fen on models: 3 generation attempts ' +
          '(GENERATION_ATTEMPTS) × 6.00 fen for a walk of its canary chain in which every model is cut after its ' +
          'full output (c 6.00 fen; each call 2000 input + 1000 output tokens), + 0.06 fen WeChat Pay fee ' +
          '(0.60 %) = 18.06 fen; raise the price, lower maxOutputTokens or GENERATION_ATTEMPTS, shorten the ' +
          'chain or use cheaper models',
      ],
    });
    // The main chain alone: 1.2 fen was the old "worst case"; 2 models × 3 attempts = 5.4 fen + 0.03 fen fee.
    const chain = parse({ priceFen: 5 }, 3);
    expect(chain).toEqual({
      problems: [expect.stringContaining('can spend 5.40 fen on models: 3 generation attempts')],
    });
    expect(chain).toEqual({
      problems: [expect.stringContaining('(a 1.20 + b 0.60 fen; each call 2000 input + 1000 output tokens)')],
    });
  });
});
