import {
  expectedMockAnswer,
  mockCompletion,
  startMockModelServer,
  type FaultSpec,
  type MockModelServer,
} from '../../../server/src/mock-model';
import {
  createModelRouter,
  estimatePromptTokens,
  estimateTokens,
  type AttemptOutcome,
} from '../../../server/src/inference/router';
import { eventually } from '../../support/api-client';
import { realmSafeFetch } from '../mock-model/serve-mock';
import {
  buildCatalog,
  MESSAGES,
  model,
  quietLogger,
  recordingSink,
  refusedBaseURL,
  tier,
} from './router-harness';

const LOCKED_KEY = 'sk-locked-right-key';

describe('model router fallback over real HTTP', () => {
  let served: MockModelServer;
  let locked: MockModelServer;
  let refused: string;

  beforeAll(async () => {
    served = await startMockModelServer({ ttftMs: 5, tokensPerSecond: 5_000 });
    // A second provider that wants a key the catalog does not have: it answers 401 to every request.
    locked = await startMockModelServer({ ttftMs: 5, tokensPerSecond: 5_000, apiKey: LOCKED_KEY });
    refused = await refusedBaseURL();
  });
  afterEach(() => {
    served.mock.faults.clear();
    served.mock.resetStats();
  });
  afterAll(async () => {
    await served.close();
    await locked.close();
  });

  /** Providers: alpha and beta on the mock (alpha via the "sandbox" baseURL), plus a refused and a locked one. */
  function makeRouter(alpha: Record<string, unknown> = {}, failureThreshold = 10) {
    const catalog = buildCatalog(
      {
        providers: [
          { id: 'alpha', baseURL: 'sandbox', firstTokenTimeoutMs: 250, timeoutMs: 2_000, ...alpha },
          { id: 'beta', baseURL: served.baseURL, firstTokenTimeoutMs: 1_000, timeoutMs: 2_000 },
          { id: 'gone', baseURL: refused, firstTokenTimeoutMs: 1_000, timeoutMs: 2_000 },
          { id: 'locked', baseURL: locked.baseURL, apiKeyEnv: 'LOCKED_KEY', timeoutMs: 2_000 },
        ],
        models: [
          model('alpha-1', 'alpha'),
          model('alpha-2', 'alpha'),
          model('beta-1', 'beta'),
          model('gone-1', 'gone'),
          model('locked-1', 'locked'),
        ],
        tiers: [
          // The caller puts the system prompt into the messages: the router must not add it a second time.
          tier('basic', ['alpha-1', 'beta-1'], { systemPrompt: '你是一个简洁的助手。' }),
          tier('three', ['alpha-1', 'alpha-2', 'beta-1']),
          tier('unreachable', ['gone-1', 'beta-1']),
          tier('refused', ['locked-1', 'beta-1']),
        ],
      },
      { LOCKED_KEY: 'sk-wrong-key' },
    );
    return createModelRouter({
      catalog,
      sandboxBaseURL: served.baseURL,
      logger: quietLogger,
      fetch: realmSafeFetch,
      breaker: { failureThreshold },
    });
  }

  const beta1Answer = expectedMockAnswer(MESSAGES, 'beta-1', 512);
  /** Every model of these tests costs ¥2 / ¥8 per million tokens: fen for a usage, 4 decimals. */
  const fenOf = (promptTokens: number, completionTokens: number) =>
    Math.round(promptTokens * 2 + completionTokens * 8) / 1e4;
  const NOT_BILLED = { usage: { promptTokens: 0, completionTokens: 0, estimated: false }, costFen: 0 };

  it('answers from the first model when it is healthy, sending the messages as given', async () => {
    const router = makeRouter();
    const { sink, answer, restarts } = recordingSink();
    const result = await router.route({ orderId: 'o-healthy', tierId: 'basic', messages: MESSAGES }, sink);
    expect(result).toMatchObject({ ok: true, model: 'alpha-1', provider: 'alpha', canary: false });
    const { promptTokens, completionTokens } = mockCompletion(MESSAGES, 'alpha-1', 512);
    expect(result.attempts).toEqual([
      {
        model: 'alpha-1',
        provider: 'alpha',
        outcome: 'ok',
        ms: expect.any(Number),
        textChars: answer().length,
        usage: { promptTokens, completionTokens, estimated: false },
        costFen: fenOf(promptTokens, completionTokens),
      },
    ]);
    expect(result).toMatchObject({
      costFen: fenOf(promptTokens, completionTokens),
      spentFen: fenOf(promptTokens, completionTokens),
    });
    expect(answer()).toBe(expectedMockAnswer(MESSAGES, 'alpha-1', 512));
    expect(restarts()).toEqual([]);
    const [request] = served.mock.recentRequests();
    expect(request).toMatchObject({
      model: 'alpha-1',
      stream: true,
      maxTokens: 512,
      messages: MESSAGES,
    });
  });

  it.each<[FaultSpec['kind'], AttemptOutcome]>([
    ['http_500', 'http_5xx'],
    ['http_429', 'http_429'],
    ['hang', 'first_token_timeout'],
    ['hang_after_headers', 'first_token_timeout'],
    ['cut_before_first_token', 'cut_before_first_token'],
  ])(
    'falls back silently from a first model failing with %s to the second model’s full answer',
    async (kind, outcome) => {
      const router = makeRouter();
      served.mock.faults.add({ kind, model: 'alpha-1', count: 1 });
      const { sink, answer, restarts, events } = recordingSink();
      const result = await router.route({ orderId: `o-${kind}`, tierId: 'basic', messages: MESSAGES }, sink);
      expect(result).toMatchObject({ ok: true, model: 'beta-1', provider: 'beta' });
      expect(result.attempts.map((a) => [a.model, a.outcome, a.textChars])).toEqual([
        ['alpha-1', outcome, 0],
        ['beta-1', 'ok', beta1Answer.length],
      ]);
      // Nothing streamed, no usage: taken as not billed. The order paid for beta-1's answer only.
      expect(result.attempts[0]).toMatchObject(NOT_BILLED);
      expect(result.ok && result.spentFen).toBe(result.ok && result.costFen);
      expect(answer()).toBe(beta1Answer);
      expect(restarts()).toEqual([]);
      expect(events.filter((e) => e.type === 'start')).toEqual([
        { type: 'start', model: 'alpha-1', provider: 'alpha', attempt: 1 },
        { type: 'start', model: 'beta-1', provider: 'beta', attempt: 2 },
      ]);
      expect(served.mock.stats().models['alpha-1']).toMatchObject({ requests: 1, faults: { [kind]: 1 } });
      // The abandoned exchange was closed by the router, not left hanging on the provider.
      await eventually(() => served.mock.stats().inFlight === 0);
    },
  );

  it('falls back from a provider that refuses connections', async () => {
    const { sink, answer } = recordingSink();
    const result = await makeRouter().route(
      { orderId: 'o-refused', tierId: 'unreachable', messages: MESSAGES },
      sink,
    );
    expect(result.attempts.map((a) => a.outcome)).toEqual(['connect_error', 'ok']);
    expect(answer()).toBe(beta1Answer);
  });

  it('falls back from a 401 without charging the provider circuit, since the request was the problem', async () => {
    const router = makeRouter({}, 1);
    const { sink, answer } = recordingSink();
    const result = await router.route({ orderId: 'o-401', tierId: 'refused', messages: MESSAGES }, sink);
    expect(result.attempts.map((a) => a.outcome)).toEqual(['http_4xx', 'ok']);
    expect(answer()).toBe(beta1Answer);
    // failureThreshold is 1: one counted failure would have opened it.
    expect(router.circuitStates()).toMatchObject({ locked: 'closed', beta: 'closed' });
  });

  it('ends an attempt at the provider timeoutMs when headers never come, and falls back', async () => {
    const router = makeRouter({ firstTokenTimeoutMs: 5_000, timeoutMs: 250 });
    served.mock.faults.add({ kind: 'hang', model: 'alpha-1', count: 1 });
    const { sink, answer } = recordingSink();
    const result = await router.route({ orderId: 'o-total', tierId: 'basic', messages: MESSAGES }, sink);
    expect(result.attempts.map((a) => a.outcome)).toEqual(['total_timeout', 'ok']);
    expect(answer()).toBe(beta1Answer);
  });

  it('restarts visibly when a model is cut mid-stream, then delivers the next model’s full answer', async () => {
    const router = makeRouter();
    served.mock.faults.add({ kind: 'cut_mid_stream', model: 'alpha-1', count: 1, afterTokens: 6 });
    const { sink, answer, events } = recordingSink();
    const result = await router.route({ orderId: 'o-cut', tierId: 'basic', messages: MESSAGES }, sink);
    expect(result).toMatchObject({ ok: true, model: 'beta-1' });
    expect(result.attempts.map((a) => a.outcome)).toEqual(['cut_after_tokens', 'ok']);
    const restartAt = events.findIndex((e) => e.type === 'restart');
    expect(events[restartAt]).toEqual({
      type: 'restart',
      failedModel: 'alpha-1',
      nextModel: 'beta-1',
      reason: 'cut_after_tokens',
    });
    const before = events.slice(0, restartAt).filter((e) => e.type === 'text');
    expect(before).toHaveLength(6);
    expect(result.attempts[0]!.textChars).toBe(
      before.map((e) => (e.type === 'text' ? e.text : '')).join('').length,
    );
    expect(events[restartAt + 1]).toMatchObject({ type: 'start', model: 'beta-1', attempt: 2 });
    expect(answer()).toBe(beta1Answer);
    // The cut model sent no usage: it is billed the prompt and the six tokens it streamed, estimated.
    const cutTokens = estimateTokens(mockCompletion(MESSAGES, 'alpha-1', 512).tokens.slice(0, 6).join(''));
    const cutUsage = { promptTokens: estimatePromptTokens(MESSAGES), completionTokens: cutTokens };
    expect(result.attempts[0]).toMatchObject({
      usage: { ...cutUsage, estimated: true },
      costFen: fenOf(cutUsage.promptTokens, cutUsage.completionTokens),
    });
    const beta1 = mockCompletion(MESSAGES, 'beta-1', 512);
    expect(result).toMatchObject({
      costFen: fenOf(beta1.promptTokens, beta1.completionTokens),
      spentFen:
        Math.round(
          (fenOf(cutUsage.promptTokens, cutUsage.completionTokens) +
            fenOf(beta1.promptTokens, beta1.completionTokens)) *
            1e4,
        ) / 1e4,
    });
  });

  it('restarts visibly when a model streams too slowly to finish within its timeoutMs', async () => {
    const router = makeRouter({ timeoutMs: 300 });
    served.mock.faults.add({ kind: 'slow', model: 'alpha-1', count: 1, ttftMs: 5, tokensPerSecond: 20 });
    const { sink, answer, restarts } = recordingSink();
    const result = await router.route({ orderId: 'o-slow', tierId: 'basic', messages: MESSAGES }, sink);
    expect(result.attempts.map((a) => a.outcome)).toEqual(['total_timeout', 'ok']);
    expect(result.attempts[0]!.textChars).toBeGreaterThan(0);
    expect(restarts()).toEqual([
      { type: 'restart', failedModel: 'alpha-1', nextModel: 'beta-1', reason: 'total_timeout' },
    ]);
    expect(answer()).toBe(beta1Answer);
  });

  it('returns ok:false with every attempt’s outcome when the whole chain fails', async () => {
    const router = makeRouter();
    served.mock.faults.add({ kind: 'http_500', model: 'alpha-1', count: 1 });
    served.mock.faults.add({ kind: 'cut_mid_stream', model: 'alpha-2', count: 1, afterTokens: 3 });
    served.mock.faults.add({ kind: 'http_429', model: 'beta-1', count: 1 });
    const { sink, restarts } = recordingSink();
    const result = await router.route({ orderId: 'o-exhausted', tierId: 'three', messages: MESSAGES }, sink);
    // The cut model sent no usage: the prompt and its three streamed tokens, estimated, are what the order spent.
    const cutUsage = {
      promptTokens: estimatePromptTokens(MESSAGES),
      completionTokens: estimateTokens(mockCompletion(MESSAGES, 'alpha-2', 512).tokens.slice(0, 3).join('')),
    };
    const cutFen = fenOf(cutUsage.promptTokens, cutUsage.completionTokens);
    expect(result).toEqual({
      ok: false,
      canary: false,
      spentFen: cutFen,
      attempts: [
        {
          model: 'alpha-1',
          provider: 'alpha',
          outcome: 'http_5xx',
          ms: expect.any(Number),
          textChars: 0,
          ...NOT_BILLED,
        },
        {
          model: 'alpha-2',
          provider: 'alpha',
          outcome: 'cut_after_tokens',
          ms: expect.any(Number),
          textChars: expect.any(Number),
          usage: { ...cutUsage, estimated: true },
          costFen: cutFen,
        },
        {
          model: 'beta-1',
          provider: 'beta',
          outcome: 'http_429',
          ms: expect.any(Number),
          textChars: 0,
          ...NOT_BILLED,
        },
      ],
    });
    // The cut was followed by another model, so the sink was told to discard; beta-1 then failed before text.
    expect(restarts()).toEqual([
      { type: 'restart', failedModel: 'alpha-2', nextModel: 'beta-1', reason: 'cut_after_tokens' },
    ]);
  });

  it('returns ok:false for a tier the catalog does not have', async () => {
    const { sink, events } = recordingSink();
    const result = await makeRouter().route({ orderId: 'o-x', tierId: 'nope', messages: MESSAGES }, sink);
    expect(result).toEqual({ ok: false, attempts: [], canary: false, spentFen: 0 });
    expect(events).toEqual([]);
  });
});
