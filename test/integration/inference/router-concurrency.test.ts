import { startMockModelServer, type MockModelServer } from '../../../server/src/mock-model';
import {
  createModelRouter,
  estimatePromptTokens,
  estimateTokens,
  type ModelRouter,
} from '../../../server/src/inference/router';
import { realmSafeFetch } from '../mock-model/serve-mock';
import { buildCatalog, MESSAGES, model, quietLogger, recordingSink, tier } from './router-harness';

describe('model router provider slots and caller aborts', () => {
  let served: MockModelServer;

  beforeAll(async () => {
    // ~100 tokens at 1000/s after 30 ms: each answer streams for about 130 ms.
    served = await startMockModelServer({ ttftMs: 30, tokensPerSecond: 1_000 });
  });
  afterAll(() => served.close());

  function makeRouter(concurrency: number): ModelRouter {
    const catalog = buildCatalog({
      providers: [{ id: 'narrow', baseURL: served.baseURL, concurrency }],
      models: [model('slow-1', 'narrow')],
      tiers: [tier('basic', ['slow-1'])],
    });
    return createModelRouter({ catalog, logger: quietLogger, fetch: realmSafeFetch });
  }

  /** Runs two routes at once, logging "<route> start|text|end" in the order things happened. */
  async function twoAtOnce(router: ModelRouter, signal?: AbortSignal) {
    const log: string[] = [];
    const run = async (name: string) => {
      const { sink } = recordingSink(() => void log.push(`${name} text`));
      sink.onAttemptStart = () => void log.push(`${name} start`);
      const result = await router.route({ orderId: name, tierId: 'basic', messages: MESSAGES, signal }, sink);
      log.push(`${name} end`);
      return result;
    };
    const results = await Promise.all([run('A'), run('B')]);
    return { log, results };
  }

  it('runs two routes to a provider with concurrency 1 one after the other', async () => {
    const { log, results } = await twoAtOnce(makeRouter(1));
    expect(results.map((r) => r.ok)).toEqual([true, true]);
    const lastA = log.lastIndexOf('A text');
    expect(log.indexOf('A start')).toBe(0);
    expect(log.indexOf('B start')).toBeGreaterThan(lastA);
    expect(log.slice(0, lastA + 1).every((e) => e.startsWith('A'))).toBe(true);
  });

  it('interleaves the same two routes when the provider allows 2 at a time', async () => {
    const { log } = await twoAtOnce(makeRouter(2));
    expect(log.indexOf('B start')).toBeLessThan(log.lastIndexOf('A text'));
  });

  it('stops with outcome aborted, and no fallback, when the caller aborts mid-stream', async () => {
    const catalog = buildCatalog({
      providers: [{ id: 'p', baseURL: served.baseURL }],
      models: [model('first', 'p'), model('second', 'p')],
      tiers: [tier('basic', ['first', 'second'])],
    });
    const router = createModelRouter({ catalog, logger: quietLogger, fetch: realmSafeFetch });
    const controller = new AbortController();
    const { sink, events } = recordingSink(() => controller.abort());
    const result = await router.route(
      { orderId: 'o-abort', tierId: 'basic', messages: MESSAGES, signal: controller.signal },
      sink,
    );
    // The abort lands on the first token; tokens the SDK had already parsed may still arrive before it stops.
    const delivered = events.map((e) => (e.type === 'text' ? e.text : '')).join('');
    expect(delivered.length).toBeGreaterThan(0);
    // The provider was stopped mid-answer: it bills the prompt and what it streamed (estimated, no usage came).
    const usage = {
      promptTokens: estimatePromptTokens(MESSAGES),
      completionTokens: estimateTokens(delivered),
      estimated: true,
    };
    const costFen = Math.round(usage.promptTokens * 2 + usage.completionTokens * 8) / 1e4;
    expect(result).toEqual({
      ok: false,
      canary: false,
      spentFen: costFen,
      attempts: [
        {
          model: 'first',
          provider: 'p',
          outcome: 'aborted',
          ms: expect.any(Number),
          textChars: delivered.length,
          usage,
          costFen,
        },
      ],
    });
    expect(events.filter((e) => e.type === 'restart')).toEqual([]);
    expect(served.mock.stats().models['second']).toBeUndefined();
  });

  it('stops with outcome aborted when the caller aborts before the provider answered at all', async () => {
    const router = makeRouter(1);
    served.mock.faults.add({ kind: 'hang', model: 'slow-1', count: 1 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const result = await router.route(
      { orderId: 'o-abort-early', tierId: 'basic', messages: MESSAGES, signal: controller.signal },
      recordingSink().sink,
    );
    expect(result).toMatchObject({ ok: false, attempts: [{ outcome: 'aborted', textChars: 0 }] });
    expect(router.circuitStates()).toEqual({ narrow: 'closed' });
  });

  it('aborts a route still waiting for a provider slot without contacting the provider', async () => {
    const router = makeRouter(1);
    served.mock.resetStats();
    const controller = new AbortController();
    const first = router.route(
      { orderId: 'o-busy', tierId: 'basic', messages: MESSAGES },
      recordingSink().sink,
    );
    const waiting = router.route(
      { orderId: 'o-queued', tierId: 'basic', messages: MESSAGES, signal: controller.signal },
      recordingSink().sink,
    );
    controller.abort();
    expect(await waiting).toMatchObject({ ok: false, attempts: [{ outcome: 'aborted', textChars: 0 }] });
    expect(await first).toMatchObject({ ok: true });
    expect(served.mock.stats().models['slow-1']?.requests).toBe(1);
  });
});
