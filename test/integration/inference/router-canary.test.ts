import { startMockModelServer, type MockModelServer } from '../../../server/src/mock-model';
import { createModelRouter, isCanary, type ModelRouter } from '../../../server/src/inference/router';
import { realmSafeFetch } from '../mock-model/serve-mock';
import { buildCatalog, MESSAGES, model, quietLogger, recordingSink, tier } from './router-harness';

describe('model router canary over real HTTP', () => {
  let served: MockModelServer;
  let router: ModelRouter;

  beforeAll(async () => {
    served = await startMockModelServer({ ttftMs: 5, tokensPerSecond: 5_000 });
    const catalog = buildCatalog({
      providers: [{ id: 'p', baseURL: 'sandbox' }],
      models: [model('stable-1', 'p'), model('canary-1', 'p')],
      tiers: [tier('basic', ['stable-1'], { canary: { percent: 25, models: ['canary-1'] } })],
    });
    router = createModelRouter({
      catalog,
      sandboxBaseURL: served.baseURL,
      logger: quietLogger,
      fetch: realmSafeFetch,
    });
  });
  afterAll(() => served.close());

  it('sends canary orders to the canary chain and the others to the tier chain, the same way on a retry', async () => {
    const ids = Array.from({ length: 40 }, (_, i) => `order-${i}`);
    const canaryIds = ids.filter((id) => isCanary(id, 'basic', 25)).slice(0, 3);
    const stableIds = ids.filter((id) => !isCanary(id, 'basic', 25)).slice(0, 3);
    expect(canaryIds).toHaveLength(3);

    for (const orderId of [...canaryIds, ...stableIds, canaryIds[0]!, stableIds[0]!]) {
      const canary = canaryIds.includes(orderId);
      const result = await router.route(
        { orderId, tierId: 'basic', messages: MESSAGES },
        recordingSink().sink,
      );
      expect(result).toMatchObject({ ok: true, canary, model: canary ? 'canary-1' : 'stable-1' });
    }
    const { models } = served.mock.stats();
    expect(models['canary-1']?.requests).toBe(4);
    expect(models['stable-1']?.requests).toBe(4);
  });
});
