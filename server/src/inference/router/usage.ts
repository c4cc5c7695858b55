import type { ModelConfig } from '../../catalog/index.js';
import type { ChatMessage, Usage } from './types.js';

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
