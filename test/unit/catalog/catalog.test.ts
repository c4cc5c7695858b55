import { join } from 'node:path';
import { loadCatalog, parseCatalog } from '../../../server/src/catalog';

const root = join(__dirname, '..', '..', '..');

const minimal = (tier: Record<string, unknown> = {}) =>
  JSON.stringify({
    providers: [{ id: 'p', baseURL: 'https://llm.example.com/v1', apiKeyEnv: 'P_KEY' }],
    models: [{ id: 'm', provider: 'p', model: 'm-1', inputYuanPerMTok: 2, outputYuanPerMTok: 8 }],
    tiers: [{ id: 'basic', title: '基础', priceFen: 10, models: ['m'], maxOutputTokens: 1000, ...tier }],
  });

describe('catalog', () => {
  it('loads the shipped sandbox and example catalogs', () => {
    for (const file of ['tokentill.sandbox.json', 'tokentill.example.json']) {
      const result = loadCatalog(join(root, 'config', file), {});
      if ('problems' in result) throw new Error(result.problems.join('\n'));
      expect(result.catalog.tierList.length).toBeGreaterThan(0);
    }
  });

  it('resolves provider API keys from the environment variable the file names', () => {
    const result = parseCatalog(minimal(), { P_KEY: 'sk-test' });
    if ('problems' in result) throw new Error(result.problems.join('\n'));
    expect(result.catalog.providers.get('p')?.apiKey).toBe('sk-test');
  });

  it('refuses a tier priced below its worst-case cost plus the WeChat Pay fee, showing the numbers', () => {
    // 2000 input tokens × ¥2/M + 20 000 output tokens × ¥8/M = ¥0.164 = 16.4 fen, above the 10 fen price.
    const result = parseCatalog(minimal({ maxOutputTokens: 20_000 }), {});
    expect(result).toEqual({
      problems: [
        'tiers.basic: priced at 10 fen but a worst-case answer costs 16.40 fen (m: 2000 input + 20000 output tokens) ' +
          '+ 0.06 fen WeChat Pay fee (0.60 %) = 16.46 fen; raise the price, lower maxOutputTokens or use cheaper models',
      ],
    });
  });

  it('names unknown models and providers, duplicates and schema errors', () => {
    const bad = JSON.parse(minimal({ models: ['nope'] })) as { models: { provider: string }[] };
    bad.models[0]!.provider = 'ghost';
    const result = parseCatalog(JSON.stringify(bad), {});
    expect(result).toEqual({
      problems: ['models.m: unknown provider "ghost"', 'tiers.basic: unknown model "nope"'],
    });
    expect(parseCatalog('{', {})).toEqual({ problems: [expect.stringMatching(/^not valid JSON/)] });
    const schema = parseCatalog(JSON.stringify({ providers: [], models: [], tiers: [] }), {});
    expect('problems' in schema && schema.problems[0]).toMatch(/^providers: /);
  });
});
