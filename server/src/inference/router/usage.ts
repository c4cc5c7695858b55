import type { ModelConfig } from '../../catalog/index.js';
import type { AttemptOutcome, ChatMessage, Usage } from './types.js';

/**
 * Characters that tokenisers of Chinese-capable models count as about one token each: Han ideographs, kana,
 * Hangul, CJK punctuation and full-width forms.
 */
const CJK =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\u3000-\u303f\uff00-\uffef]/gu;

/** Other text averages about four characters per token (OpenAI's rule of thumb for English). */
const CHARS_PER_TOKEN = 4;

/**
 * Counts an answer's estimated tokens as it streams, without keeping its text: one token per CJK character plus
 * one per four other characters (code points, whitespace included), rounded up at the end.
 */
export function createTokenCounter(): { add(text: string): void; tokens(): number } {
  let cjk = 0;
  let other = 0;
  return {
    add(text) {
      const found = text.match(CJK)?.length ?? 0;
      cjk += found;
      other += [...text].length - found;
    },
    tokens: () => cjk + Math.ceil(other / CHARS_PER_TOKEN),
  };
}

/**
 * Estimates the tokens of `text` when a provider sends no usage: one token per CJK character plus one per four
 * other characters (code points, whitespace included), rounded up. Deliberately simple and a little generous:
 * it only prices answers whose provider withheld the real count.
 */
export function estimateTokens(text: string): number {
  const counter = createTokenCounter();
  counter.add(text);
  return counter.tokens();
}

/** Estimated prompt tokens: the sum over the messages' contents (per-message framing tokens are not counted). */
export function estimatePromptTokens(messages: readonly ChatMessage[]): number {
  return messages.reduce((sum, m) => sum + estimateTokens(m.content), 0);
}

/**
 * Model cost of an answer in fen (1 yuan = 100 fen): (prompt × input price + completion × output price) / 10^6
 * × 100, rounded to 4 decimals (a ten-thousandth of a fen). Prices are the model's yuan per million tokens.
 */
export function costFen(
  usage: Pick<Usage, 'promptTokens' | 'completionTokens'>,
  model: Pick<ModelConfig, 'inputYuanPerMTok' | 'outputYuanPerMTok'>,
): number {
  // ÷10^6 × 100 = ÷10^4, and rounding to 4 decimals of a fen = rounding the sum in millionths of a yuan.
  // Rounding before the single division keeps round figures exact (no 0.30000000000000004).
  const microYuan =
    usage.promptTokens * model.inputYuanPerMTok + usage.completionTokens * model.outputYuanPerMTok;
  return Math.round(microYuan) / 1e4;
}

/** What the router knows of one attempt's consumption when it ends. */
export interface AttemptConsumption {
  outcome: AttemptOutcome;
  /** The provider's own count, when its stream carried a usage chunk. */
  usage?: { promptTokens: number; completionTokens: number };
  /** Characters of answer text the attempt streamed. */
  textChars: number;
  /** Completion tokens estimated from the streamed text. */
  estimatedCompletionTokens: number;
}

/**
 * The tokens one attempt consumed, as its provider bills them (see `AttemptRecord.usage`): the provider's count
 * when it sent one; else, for an attempt that answered or streamed text, the estimated prompt plus the estimate
 * of what it streamed (a model cut mid-answer is billed for the prompt and the text it produced); else none,
 * taken as not billed.
 */
export function billedUsage(attempt: AttemptConsumption, messages: readonly ChatMessage[]): Usage {
  if (attempt.usage) return { ...attempt.usage, estimated: false };
  if (attempt.outcome === 'ok' || attempt.textChars > 0) {
    return {
      promptTokens: estimatePromptTokens(messages),
      completionTokens: attempt.estimatedCompletionTokens,
      estimated: true,
    };
  }
  return { promptTokens: 0, completionTokens: 0, estimated: false };
}

/** The sum of costs in fen, rounded to 4 decimals like each of them (no 0.30000000000000004). */
export function sumFen(costs: readonly number[]): number {
  return Math.round(costs.reduce((sum, fen) => sum + fen, 0) * 1e4) / 1e4;
}
