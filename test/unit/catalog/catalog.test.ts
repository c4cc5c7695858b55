import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../../server/src/config';
import { loadCatalog, parseCatalog } from '../../../server/src/catalog';

const root = join(__dirname, '..', '..', '..');

/** The attempt budget the server runs with when GENERATION_ATTEMPTS is not set. */
const defaultAttempts = () => loadConfig({ SANDBOX: '1' }).GENERATION_ATTEMPTS;

const minimal = (tier: Record<string, unknown> = {}) =>
  JSON.stringify({
    providers: [{ id: 'p', baseURL: 'https://llm.example.com/v1', apiKeyEnv: 'P_KEY' }],
    models: [{ id: 'm', provider: 'p', model: 'm-1', inputYuanPerMTok: 2, outputYuanPerMTok: 8 }],
    tiers: [{ id: 'basic', title: '基础', priceFen: 10, models: ['m'], maxOutputTokens: 1000, ...tier }],
  });

describe('catalog', () => {
  it('loads the shipped sandbox and example catalogs with the default attempt budget', () => {
    const generationAttempts = defaultAttempts();
    expect(generationAttempts).toBe(3);
    for (const file of ['tokentill.sandbox.json', 'tokentill.example.json']) {
      const result = loadCatalog(join(root, 'config', file), {}, { generationAttempts });
      if ('problems' in result) throw new Error(result.problems.join('\n'));
      expect(result.catalog.tierList.length).toBeGreaterThan(0);
    }
  });

  it('resolves provider API keys from the environment variable the file names', () => {
    const result = parseCatalog(minimal(), { P_KEY: 'sk-test' }, { generationAttempts: 3 });
    if ('problems' in result) throw new Error(result.problems.join('\n'));
    expect(result.catalog.providers.get('p')?.apiKey).toBe('sk-test');
  });

  it('refuses a tier priced below its worst-case spend plus the WeChat Pay fee, showing the numbers', () => {
    // One call: 2000 input tokens × ¥2/M + 20 000 output tokens × ¥8/M = ¥0.164 = 16.4 fen, above the 10 fen price.
    const result = parseCatalog(minimal({ maxOutputTokens: 20_000 }), {}, { generationAttempts: 1 });
    expect(result).toEqual({
      problems: [
        'tiers.basic: priced at 10 fen but one paid order can spend 16.40 fen on models: 1 generation attempt ' +
          '(GENERATION_ATTEMPTS) × 16.40 fen for a walk of its main chain in which every model is cut after its ' +
          'full output (m 16.40 fen; each call 2000 input + 20000 output tokens), + 0.06 fen WeChat Pay fee ' +
          '(0.60 %) = 16.46 fen; raise the price, lower maxOutputTokens or GENERATION_ATTEMPTS, shorten the chain ' +
          'or use cheaper models',
      ],
    });
  });

  it('names unknown models and providers, duplicates and schema errors', () => {
    const bad = JSON.parse(minimal({ models: ['nope'] })) as { models: { provider: string }[] };
    bad.models[0]!.provider = 'ghost';
    const options = { generationAttempts: 3 };
    const result = parseCatalog(JSON.stringify(bad), {}, options);
    expect(result).toEqual({
      problems: ['models.m: unknown provider "ghost"', 'tiers.basic: unknown model "nope"'],
    });
    expect(parseCatalog('{', {}, options)).toEqual({ problems: [expect.stringMatching(/^not valid JSON/)] });
    const schema = parseCatalog(JSON.stringify({ providers: [], models: [], tiers: [] }), {}, options);
    expect('problems' in schema && schema.problems[0]).toMatch(/^providers: /);
  });

  it('checks the catalog against the GENERATION_ATTEMPTS the server is configured with', () => {
    // One walk of [m, m]: 2 × (0.4 + 0.8) = 2.4 fen. Two attempts: 4.8 + 0.03 fee fits 5 fen; three do not.
    const file = join(mkdtempSync(join(tmpdir(), 'tokentill-catalog-')), 'catalog.json');
    writeFileSync(file, minimal({ priceFen: 5, models: ['m', 'm'] }));
    const env = { SANDBOX: '1', TOKENTILL_CONFIG: file, SANDBOX_ALLOW_UNSAFE: '1', P_KEY: 'sk-test' };
    expect(loadConfig({ ...env, GENERATION_ATTEMPTS: '2' }).catalog.tiers.has('basic')).toBe(true);
    let problems: readonly string[] = [];
    try {
      loadConfig(env);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems = err.problems;
    }
    expect(problems).toEqual([
      expect.stringContaining(
        `TOKENTILL_CONFIG: ${file}: tiers.basic: priced at 5 fen but one paid order can spend 7.20 fen on models: ` +
          '3 generation attempts (GENERATION_ATTEMPTS) × 2.40 fen',
      ),
    ]);
  });
});
