import { readFileSync } from 'node:fs';
import {
  CatalogSchema,
  type CatalogFile,
  type ModelConfig,
  type ProviderConfig,
  type TierConfig,
} from './catalog-schema.js';
import { worstCaseSpendFen, type WorstCaseSpend } from './worst-case-spend.js';

/** A provider with its API key resolved from the environment variable the file names. */
export interface ResolvedProvider extends ProviderConfig {
  readonly apiKey: string | undefined;
}

/** The validated tiers/models/providers file, with lookups. */
export interface Catalog {
  readonly wxpayFeeRate: number;
  readonly providers: ReadonlyMap<string, ResolvedProvider>;
  readonly models: ReadonlyMap<string, ModelConfig>;
  readonly tiers: ReadonlyMap<string, TierConfig>;
  /** Tiers in file order, for `GET /api/tiers`. */
  readonly tierList: readonly TierConfig[];
}

/** What the catalog check needs to know of the server's other settings. */
export interface CatalogCheckOptions {
  /** Generation attempts one paid order may use (GENERATION_ATTEMPTS): each may walk the tier's chain again. */
  generationAttempts: number;
}

/** The price floor of one tier: its worst-case spend plus the WeChat Pay fee, or a message showing the numbers. */
function priceProblem(tier: TierConfig, spend: WorstCaseSpend, wxpayFeeRate: number): string | undefined {
  const feeFen = tier.priceFen * wxpayFeeRate;
  if (spend.fen + feeFen <= tier.priceFen) return undefined;
  const fen = (value: number) => value.toFixed(2);
  const calls = spend.walk.calls.map((call) => `${call.model} ${fen(call.fen)}`).join(' + ');
  return (
    `tiers.${tier.id}: priced at ${tier.priceFen} fen but one paid order can spend ${fen(spend.fen)} fen on ` +
    `models: ${spend.attempts} generation attempt${spend.attempts === 1 ? '' : 's'} (GENERATION_ATTEMPTS) × ` +
    `${fen(spend.walk.fen)} fen for a walk of its ${spend.walk.chain} chain in which every model is cut after ` +
    `its full output (${calls} fen; each call ${spend.inputTokens} input + ${spend.outputTokens} output tokens), ` +
    `+ ${fen(feeFen)} fen WeChat Pay fee (${(wxpayFeeRate * 100).toFixed(2)} %) = ${fen(spend.fen + feeFen)} fen; ` +
    'raise the price, lower maxOutputTokens or GENERATION_ATTEMPTS, shorten the chain or use cheaper models'
  );
}

/**
 * Cross-references and the price floor (see `worstCaseSpendFen`); each problem names the tier or model and shows
 * the numbers.
 */
function catalogProblems(file: CatalogFile, options: CatalogCheckOptions): string[] {
  const problems: string[] = [];
  const providers = new Set(file.providers.map((p) => p.id));
  const models = new Map(file.models.map((m) => [m.id, m]));
  for (const kind of ['providers', 'models', 'tiers'] as const) {
    const seen = new Set<string>();
    for (const entry of file[kind]) {
      if (seen.has(entry.id)) problems.push(`${kind}: duplicate id "${entry.id}"`);
      seen.add(entry.id);
    }
  }
  for (const model of file.models) {
    if (!providers.has(model.provider))
      problems.push(`models.${model.id}: unknown provider "${model.provider}"`);
  }
  for (const tier of file.tiers) {
    for (const modelId of [...tier.models, ...(tier.canary?.models ?? [])]) {
      if (!models.has(modelId)) problems.push(`tiers.${tier.id}: unknown model "${modelId}"`);
    }
    const spend = worstCaseSpendFen(tier, models, options.generationAttempts);
    const problem = priceProblem(tier, spend, file.wxpayFeeRate);
    if (problem) problems.push(problem);
  }
  return problems;
}

/**
 * Parses a catalog document (JSON). Returns the catalog or the list of problems. `options` carries the settings
 * the price check depends on (the attempt budget), so a tier is checked against what the server will really allow.
 */
export function parseCatalog(
  text: string,
  env: Readonly<Record<string, string | undefined>>,
  options: CatalogCheckOptions,
): { catalog: Catalog } | { problems: string[] } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { problems: [`not valid JSON: ${(err as Error).message}`] };
  }
  const parsed = CatalogSchema.safeParse(json);
  if (!parsed.success) {
    return { problems: parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`) };
  }
  const problems = catalogProblems(parsed.data, options);
  if (problems.length > 0) return { problems };
  const file = parsed.data;
  return {
    catalog: {
      wxpayFeeRate: file.wxpayFeeRate,
      providers: new Map(
        file.providers.map((p) => [p.id, { ...p, apiKey: p.apiKeyEnv ? env[p.apiKeyEnv] : undefined }]),
      ),
      models: new Map(file.models.map((m) => [m.id, m])),
      tiers: new Map(file.tiers.map((t) => [t.id, t])),
      tierList: file.tiers,
    },
  };
}

/** Reads and parses the catalog file at `path`; problems are prefixed with the path. */
export function loadCatalog(
  path: string,
  env: Readonly<Record<string, string | undefined>>,
  options: CatalogCheckOptions,
): { catalog: Catalog } | { problems: string[] } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    return { problems: [`cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`] };
  }
  const result = parseCatalog(text, env, options);
  return 'problems' in result ? { problems: result.problems.map((p) => `${path}: ${p}`) } : result;
}
