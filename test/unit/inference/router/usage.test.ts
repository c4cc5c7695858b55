import {
  billedUsage,
  costFen,
  createTokenCounter,
  estimatePromptTokens,
  estimateTokens,
  sumFen,
  type AttemptOutcome,
} from '../../../../server/src/inference/router';

describe('token estimates', () => {
  it('counts each CJK character as one token and other text as four characters per token, rounded up', () => {
    expect(estimateTokens('')).toBe(0);
    expect(estimateTokens('你好世界')).toBe(4);
    expect(estimateTokens('Hello, world')).toBe(3); // 12 characters
    expect(estimateTokens('Hello')).toBe(2);
    // Full-width punctuation, kana and Hangul count as CJK; the emoji is one other character.
    expect(estimateTokens('你好，ありがとう、안녕')).toBe(11);
    expect(estimateTokens('价格 12.5 元 😀')).toBe(3 + Math.ceil(8 / 4));
  });

  it('gives the same count streamed in pieces as for the whole text', () => {
    const text = '熔断器 (circuit breaker) 在连续失败后打开，openMs 之后半开。';
    const counter = createTokenCounter();
    for (const piece of text.match(/.{1,3}/gsu) ?? []) counter.add(piece);
    expect(counter.tokens()).toBe(estimateTokens(text));
  });

  it('sums the prompt estimate over every message', () => {
    expect(
      estimatePromptTokens([
        { role: 'system', content: '你是助手。' },
        { role: 'user', content: 'Explain this.' },
      ]),
    ).toBe(5 + 4);
  });
});

describe('costFen', () => {
  it('prices a known usage exactly: (prompt × input + completion × output) / 10^6 yuan × 100', () => {
    // 1234 × ¥0.8/M + 567 × ¥2/M = ¥0.0021212 = 0.21212 fen → 0.2121.
    expect(
      costFen({ promptTokens: 1234, completionTokens: 567 }, { inputYuanPerMTok: 0.8, outputYuanPerMTok: 2 }),
    ).toBe(0.2121);
    // 1000 × ¥2/M + 500 × ¥8/M = ¥0.006 = 0.6 fen.
    expect(
      costFen({ promptTokens: 1000, completionTokens: 500 }, { inputYuanPerMTok: 2, outputYuanPerMTok: 8 }),
    ).toBe(0.6);
    // A million output tokens at ¥16/M = ¥16 = 1600 fen.
    expect(
      costFen(
        { promptTokens: 0, completionTokens: 1_000_000 },
        { inputYuanPerMTok: 4, outputYuanPerMTok: 16 },
      ),
    ).toBe(1600);
  });

  it('rounds to four decimals of a fen, half up', () => {
    expect(
      costFen({ promptTokens: 1, completionTokens: 0 }, { inputYuanPerMTok: 0.3, outputYuanPerMTok: 0 }),
    ).toBe(0);
    expect(
      costFen({ promptTokens: 5, completionTokens: 0 }, { inputYuanPerMTok: 0.3, outputYuanPerMTok: 0 }),
    ).toBe(0.0002);
    expect(
      costFen({ promptTokens: 3, completionTokens: 1 }, { inputYuanPerMTok: 0.1, outputYuanPerMTok: 0.2 }),
    ).toBe(0.0001);
  });

  it('costs nothing for no tokens', () => {
    expect(
      costFen({ promptTokens: 0, completionTokens: 0 }, { inputYuanPerMTok: 2, outputYuanPerMTok: 8 }),
    ).toBe(0);
  });
});

describe('billedUsage (what one attempt consumed)', () => {
  const messages = [
    { role: 'system' as const, content: '你是助手。' },
    { role: 'user' as const, content: '解释熔断器' },
  ];
  const prompt = estimatePromptTokens(messages); // 5 + 5

  it('takes the provider’s own count whenever it sent one, whatever the outcome', () => {
    const usage = { promptTokens: 120, completionTokens: 30 };
    for (const outcome of ['ok', 'cut_after_tokens', 'total_timeout'] as const) {
      expect(billedUsage({ outcome, usage, textChars: 40, estimatedCompletionTokens: 12 }, messages)).toEqual(
        {
          ...usage,
          estimated: false,
        },
      );
    }
  });

  it('estimates a model cut mid-answer as the prompt plus what it streamed', () => {
    for (const outcome of ['cut_after_tokens', 'total_timeout', 'aborted'] as const) {
      expect(billedUsage({ outcome, textChars: 40, estimatedCompletionTokens: 12 }, messages)).toEqual({
        promptTokens: prompt,
        completionTokens: 12,
        estimated: true,
      });
    }
    // An answer that ended with nothing to say was still a call that read the prompt.
    expect(billedUsage({ outcome: 'ok', textChars: 0, estimatedCompletionTokens: 0 }, messages)).toEqual({
      promptTokens: prompt,
      completionTokens: 0,
      estimated: true,
    });
  });

  it('takes an attempt that streamed nothing and reported nothing as not billed', () => {
    const outcomes: AttemptOutcome[] = [
      'skipped_circuit_open',
      'connect_error',
      'http_429',
      'http_5xx',
      'http_4xx',
      'first_token_timeout',
      'total_timeout',
      'cut_before_first_token',
      'aborted',
    ];
    for (const outcome of outcomes) {
      expect(billedUsage({ outcome, textChars: 0, estimatedCompletionTokens: 0 }, messages)).toEqual({
        promptTokens: 0,
        completionTokens: 0,
        estimated: false,
      });
    }
  });

  it('prices each attempt at its own model, and sums attempts to four decimals', () => {
    const cut = billedUsage(
      { outcome: 'cut_after_tokens', textChars: 90, estimatedCompletionTokens: 30 },
      messages,
    );
    const answer = { promptTokens: 10, completionTokens: 200 };
    const cutFen = costFen(cut, { inputYuanPerMTok: 2, outputYuanPerMTok: 8 }); // (10 × 2 + 30 × 8) / 10^4
    const answerFen = costFen(answer, { inputYuanPerMTok: 1, outputYuanPerMTok: 2 }); // (10 + 400) / 10^4
    expect([cutFen, answerFen]).toEqual([0.026, 0.041]);
    expect(sumFen([cutFen, answerFen])).toBe(0.067);
    expect(sumFen([0.1, 0.2])).toBe(0.3);
    expect(sumFen([])).toBe(0);
  });
});
