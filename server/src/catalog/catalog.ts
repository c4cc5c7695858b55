import { readFileSync } from 'node:fs';
import { PROMPT_MAX_CHARS } from '@tokentill/shared-types';
import {
  CatalogSchema,
  type CatalogFile,
  type ModelConfig,
  type ProviderConfig,
  type TierConfig,
} from './catalog-schema.js';

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

/**
 * Worst-case model cost of one answer in fen: every prompt character counted as a token (the CJK upper bound),
 * plus the system prompt, plus the full output budget, at the most expensive model of the tier's chain(s).
 */
export function worstCaseCostFen(
  tier: TierConfig,
  models: ReadonlyMap<string, ModelConfig>,
): { fen: number; model: string } {
  const inputTokens = PROMPT_MAX_CHARS + tier.systemPrompt.length;
  let worst = { fen: 0, model: '' };
  for (const modelId of [...tier.models, ...(tier.canary?.models ?? [])]) {
    const model = models.get(modelId);
    if (!model) continue;
    const yuan =
      (inputTokens * model.inputYuanPerMTok + tier.maxOutputTokens * model.outputYuanPerMTok) / 1e6;
    if (yuan * 100 > worst.fen) worst = { fen: yuan * 100, model: modelId };
  }
  return worst;
}

/** Cross-references and the price floor; each problem names the tier or model and shows the numbers. */
function catalogProblems(file: CatalogFile): string[] {
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
    const worst = worstCaseCostFen(tier, models);
    const feeFen = tier.priceFen * file.wxpayFeeRate;
    if (worst.fen + feeFen > tier.priceFen) {
      problems.push(
        `tiers.${tier.id}: priced at ${tier.priceFen} fen but a worst-case answer costs ${worst.fen.toFixed(2)} fen ` +
          `(${worst.model}: ${PROMPT_MAX_CHARS + tier.systemPrompt.length} input + ${tier.maxOutputTokens} output tokens) ` +
          `+ ${feeFen.toFixed(2)} fen WeChat Pay fee (${(file.wxpayFeeRate * 100).toFixed(2)} %) = ` +
          `${(worst.fen + feeFen).toFixed(2)} fen; raise the price, lower maxOutputTokens or use cheaper models`,
      );
    }
  }
  return problems;
}

/** Parses a catalog document (JSON). Returns the catalog or the list of problems. */
export function parseCatalog(
  text: string,
  env: Readonly<Record<string, string | undefined>>,
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
  const problems = catalogProblems(parsed.data);
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
): { catalog: Catalog } | { problems: string[] } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    return { problems: [`cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`] };
  }
  const result = parseCatalog(text, env);
  return 'problems' in result ? { problems: result.problems.map((p) => `${path}: ${p}`) } : result;
}
