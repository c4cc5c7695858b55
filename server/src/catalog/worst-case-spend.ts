import { PROMPT_MAX_CHARS } from '@tokentill/shared-types';
import type { ModelConfig, TierConfig } from './catalog-schema.js';

/** One model call billed at its most: the whole prompt in, the tier's whole output budget out. */
export interface WorstCall {
  /** Model id from the catalog. */
  model: string;
  fen: number;
}

/** The most one walk of one of the tier's chains can be billed: every model of it called, each in full. */
export interface WorstWalk {
  chain: 'main' | 'canary';
  calls: WorstCall[];
  fen: number;
}

/** The most one paid order of a tier can spend on models, and how that figure is made up. */
export interface WorstCaseSpend {
  /** Input tokens billed per call: each character of the longest prompt and of the system prompt as a token. */
  inputTokens: number;
  /** Output tokens billed per call: the tier's `maxOutputTokens` (sent to the provider as `max_tokens`). */
  outputTokens: number;
  /** Generation attempts one paid order may use (GENERATION_ATTEMPTS). */
  attempts: number;
  /** The dearer of the main and canary chains' walks. */
  walk: WorstWalk;
  /** `attempts` × `walk.fen`, in fen, unrounded. */
  fen: number;
}

/** Yuan per million tokens → fen: × 100 / 10^6. */
const fenOf = (tokens: number, yuanPerMTok: number) => (tokens * yuanPerMTok) / 1e4;

function worstWalk(
  chain: WorstWalk['chain'],
  modelIds: readonly string[],
  models: ReadonlyMap<string, ModelConfig>,
  inputTokens: number,
  outputTokens: number,
): WorstWalk {
  const calls: WorstCall[] = [];
  for (const id of modelIds) {
    const model = models.get(id);
    if (!model) continue; // an unknown model is reported on its own by the catalog check
    calls.push({
      model: id,
      fen: fenOf(inputTokens, model.inputYuanPerMTok) + fenOf(outputTokens, model.outputYuanPerMTok),
    });
  }
  return { chain, calls, fen: calls.reduce((sum, call) => sum + call.fen, 0) };
}

/**
 * The most one paid order of `tier` can cost in model calls, for the price check at boot.
 *
 * One paid order can pay for many calls, so this is a sum, not the dearest model once:
 * - Within one generation attempt the router walks the chain, and a model that fails after streaming text is
 *   billed by its provider for what it produced before the next model starts over. The worst walk is every model
 *   of the chain producing almost its whole output budget and then being cut: each billed the full prompt and
 *   `maxOutputTokens`. A chain that names a model twice calls it twice, and is counted twice.
 * - A worker that dies mid-answer spends one of the order's `generationAttempts` (GENERATION_ATTEMPTS), and the
 *   next worker walks the chain again from its first model: up to `generationAttempts` walks per order.
 * - The canary split is decided per order id, so every attempt of an order walks the same chain: the bound is
 *   `generationAttempts` × the dearer of the main and canary walks.
 *
 * Billing of failed calls: providers bill the tokens they process, so a request refused with 429, 5xx, 4xx or a
 * connect error costs nothing, and a call abandoned before its first token usually costs nothing either (the
 * router records such calls at 0 fen). This bound does not depend on that assumption: each model is called at most
 * once per walk and is charged here in full, which covers a provider that bills a call cut before its first token
 * for its prompt, or for everything it generated after we hung up.
 *
 * Tokens are counted as characters: one token per character of the longest prompt (PROMPT_MAX_CHARS) and of the
 * system prompt, which is what Chinese-capable tokenisers count for common Han text and well above their count for
 * Latin text (about four characters a token); the few framing tokens per message fit within that margin for any
 * ordinary prompt. It is a bound for prices, not a proof against prompts crafted from rare characters.
 */
export function worstCaseSpendFen(
  tier: TierConfig,
  models: ReadonlyMap<string, ModelConfig>,
  generationAttempts: number,
): WorstCaseSpend {
  const inputTokens = PROMPT_MAX_CHARS + tier.systemPrompt.length;
  const outputTokens = tier.maxOutputTokens;
  const main = worstWalk('main', tier.models, models, inputTokens, outputTokens);
  const canary = tier.canary && worstWalk('canary', tier.canary.models, models, inputTokens, outputTokens);
  const walk = canary && canary.fen > main.fen ? canary : main;
  return {
    inputTokens,
    outputTokens,
    attempts: generationAttempts,
    walk,
    fen: generationAttempts * walk.fen,
  };
}
