import { z } from 'zod';

const id = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'expected a lowercase id (letters, digits, . _ -)');

/** An OpenAI-compatible endpoint: DashScope compatible mode, DeepSeek, OpenAI, an OpenRouter/LiteLLM gateway… */
export const ProviderSchema = z.object({
  id,
  /** The OpenAI-compatible base URL (…/v1), or "sandbox" for the embedded mock model. */
  baseURL: z.union([z.literal('sandbox'), z.url({ protocol: /^https?$/ })]),
  /** Name of the environment variable holding this provider's API key (never the key itself). */
  apiKeyEnv: z
    .string()
    .regex(/^[A-Z][A-Z0-9_]*$/, 'expected an environment variable name')
    .optional(),
  /** Give up on a model that has not sent its first token after this long, and fall back. */
  firstTokenTimeoutMs: z.number().int().positive().default(15_000),
  /** Whole-request ceiling. */
  timeoutMs: z.number().int().positive().default(120_000),
  /** Concurrent requests this instance sends to the provider. */
  concurrency: z.number().int().positive().default(16),
});

export const ModelSchema = z.object({
  id,
  provider: id,
  /** The provider's model name, e.g. "qwen-plus", "deepseek-chat", "gpt-4o". */
  model: z.string().min(1),
  /** Prices in yuan per million tokens. */
  inputYuanPerMTok: z.number().nonnegative(),
  outputYuanPerMTok: z.number().nonnegative(),
});

export const CanarySchema = z.object({
  /** Share of this tier's orders (0–100) sent to `models` instead of the tier's own chain. */
  percent: z.number().min(0).max(100),
  models: z.array(id).min(1),
});

export const TierConfigSchema = z.object({
  id,
  title: z.string().min(1).max(20),
  description: z.string().max(200).default(''),
  priceFen: z.number().int().positive(),
  /** Models tried in order: the first healthy one answers, the next takes over on failure. */
  models: z.array(id).min(1),
  maxOutputTokens: z.number().int().positive().max(32_768),
  systemPrompt: z.string().max(4_000).default(''),
  canary: CanarySchema.optional(),
});

export const CatalogSchema = z.object({
  /** WeChat Pay's fee on each payment, as a fraction (0.006 = 0.6 %). */
  wxpayFeeRate: z.number().min(0).max(0.1).default(0.006),
  providers: z.array(ProviderSchema).min(1),
  models: z.array(ModelSchema).min(1),
  tiers: z.array(TierConfigSchema).min(1),
});

export type ProviderConfig = z.infer<typeof ProviderSchema>;
export type ModelConfig = z.infer<typeof ModelSchema>;
export type TierConfig = z.infer<typeof TierConfigSchema>;
export type CatalogFile = z.infer<typeof CatalogSchema>;
