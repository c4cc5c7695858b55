import { performance } from 'node:perf_hooks';
import { startMockModelServer, type MockModelServer } from '../../../server/src/mock-model';
import { createModelRouter, type ModelRouter } from '../../../server/src/inference/router';
import { realmSafeFetch } from '../mock-model/serve-mock';
import { buildCatalog, MESSAGES, model, quietLogger, recordingSink, tier } from './router-harness';

const FIRST_TOKEN_TIMEOUT_MS = 250;
const OPEN_MS = 30_000;

describe('model router circuit breaker over real HTTP', () => {
  let served: MockModelServer;
  let router: ModelRouter;
  let clock = 1_000_000;

  beforeAll(async () => {
    served = await startMockModelServer({ ttftMs: 5, tokensPerSecond: 5_000 });
    const catalog = buildCatalog({
      providers: [
        {
          id: 'dead',
          baseURL: served.baseURL,
          firstTokenTimeoutMs: FIRST_TOKEN_TIMEOUT_MS,
          timeoutMs: 5_000,
        },
        { id: 'live', baseURL: served.baseURL, timeoutMs: 5_000 },
      ],
      models: [model('dead-1', 'dead'), model('live-1', 'live')],
      tiers: [tier('basic', ['dead-1', 'live-1'])],
    });
    router = createModelRouter({
      catalog,
      logger: quietLogger,
      fetch: realmSafeFetch,
      now: () => clock,
      breaker: { failureThreshold: 3, openMs: OPEN_MS },
    });
  });
  afterAll(() => served.close());

  const deadRequests = () => served.mock.stats().models['dead-1']?.requests ?? 0;
  const ask = (orderId: string) =>
    router.route({ orderId, tierId: 'basic', messages: MESSAGES }, recordingSink().sink);

  it('opens after 3 consecutive failures, then skips the dead provider without contacting or waiting for it', async () => {
    // The provider accepts connections and never answers: each failure costs the full first-token timeout.
    const hang = served.mock.faults.add({ kind: 'hang', model: 'dead-1' });
    for (let i = 1; i <= 3; i++) {
      const result = await ask(`o-fail-${i}`);
      expect(result.ok && result.attempts.map((a) => a.outcome)).toEqual(['first_token_timeout', 'ok']);
    }
    expect(router.circuitStates()).toEqual({ dead: 'open', live: 'closed' });
    expect(deadRequests()).toBe(3);

    for (let i = 1; i <= 3; i++) {
      const started = performance.now();
      const result = await ask(`o-skip-${i}`);
      expect(performance.now() - started).toBeLessThan(FIRST_TOKEN_TIMEOUT_MS);
      expect(result).toMatchObject({ ok: true, model: 'live-1' });
      expect(result.attempts[0]).toEqual({
        model: 'dead-1',
        provider: 'dead',
        outcome: 'skipped_circuit_open',
        ms: 0,
        textChars: 0,
        // Never contacted: nothing billed.
        usage: { promptTokens: 0, completionTokens: 0, estimated: false },
        costFen: 0,
      });
    }
    expect(deadRequests()).toBe(3);
    served.mock.faults.remove(hang.id);
  });

  it('half-opens after openMs and lets exactly one trial through; a failed trial re-opens it', async () => {
    served.mock.faults.add({ kind: 'http_500', model: 'dead-1', count: 1 });
    clock += OPEN_MS - 1;
    expect(router.circuitStates().dead).toBe('open');
    clock += 1;
    expect(router.circuitStates().dead).toBe('half_open');

    const [first, second] = await Promise.all([ask('o-trial-1'), ask('o-trial-2')]);
    expect(first.attempts.map((a) => a.outcome)).toEqual(['http_5xx', 'ok']);
    expect(second.attempts.map((a) => a.outcome)).toEqual(['skipped_circuit_open', 'ok']);
    expect(deadRequests()).toBe(4);
    expect(router.circuitStates().dead).toBe('open');
  });

  it('closes again when the half-open trial succeeds', async () => {
    clock += OPEN_MS;
    const trial = await ask('o-trial-3');
    expect(trial).toMatchObject({ ok: true, model: 'dead-1' });
    expect(router.circuitStates()).toEqual({ dead: 'closed', live: 'closed' });
    const [a, b] = await Promise.all([ask('o-after-1'), ask('o-after-2')]);
    expect([a, b].map((r) => r.ok && r.model)).toEqual(['dead-1', 'dead-1']);
    expect(deadRequests()).toBe(7);
  });
});
