import type { OrderView } from '@tokentill/shared-types';
import { apiClient, createOrder, login, sandboxPay, waitForOrder } from '../../support/api-client';
import { useTestServer } from '../../support/test-server';
import { costFen, estimatePromptTokens, estimateTokens } from '../../../server/src/inference/router';
import { mockCompletion } from '../../../server/src/mock-model';

/**
 * What a paid order cost the operator: the real server and its worker, the mock model over real HTTP with faults,
 * real Redis. The order records the spend of every model call it paid for, not only the call that answered.
 *
 * The worker is started by the tests, not by the fixture: the first test needs a paid order that no worker has
 * taken yet.
 */
const fixture = useTestServer({ GENERATION_ATTEMPTS: '3' });

const services = () => fixture.server.services;
const basicSystem = { role: 'system' as const, content: '你是一个简洁、可靠的助手。' };
const finished = (o: OrderView) => ['COMPLETED', 'REFUNDED', 'REFUND_FAILED'].includes(o.state);
/** Sums fen the way the view rounds it: to a ten-thousandth of a fen. */
const fen4 = (value: number) => Math.round(value * 1e4) / 1e4;

function pricesOf(modelId: string) {
  const model = services().catalog.models.get(modelId);
  if (!model) throw new Error(`no model ${modelId} in the sandbox catalog`);
  return model;
}

afterEach(async () => {
  await apiClient(fixture.server.url).call('DELETE', '/sandbox/model/faults');
});

describe('the spend a paid order records', () => {
  it('adds a re-run’s calls to what an earlier generation attempt spent before its worker died', async () => {
    const token = await login(fixture.server.url);
    const { orderId } = await createOrder(fixture.server.url, token, { prompt: '介绍一下杭州' });
    await sandboxPay(fixture.server.url, orderId);
    await waitForOrder(fixture.server.url, token, orderId, (o) => o.state === 'PAID');
    // A first worker took the order and had its model calls recorded as they ended (0.1234 fen), then died.
    expect(await services().orderStore.startGeneration(orderId, 3)).toMatchObject({ ok: true, attempt: 1 });
    await services().orderStore.addSpend(orderId, 0.1234);

    // A live worker picks the job up as attempt 2 and answers with the tier's first model.
    await services().startBackgroundWork();
    const view = await waitForOrder(fixture.server.url, token, orderId, finished, 15_000);
    expect(view.state).toBe('COMPLETED');
    const order = await services().orderStore.get(orderId);
    expect(order).toMatchObject({ attempt: 2, model: 'mock-fast' });
    const answerFen = costFen(
      order as { promptTokens: number; completionTokens: number },
      pricesOf('mock-fast'),
    );
    expect(order?.answerCostFen).toBe(answerFen);
    // Both attempts, not the answer alone.
    expect(order?.costFen).toBeCloseTo(0.1234 + answerFen, 8);
    expect(view.usage).toEqual({
      promptTokens: order?.promptTokens,
      completionTokens: order?.completionTokens,
      costFen: fen4(0.1234 + answerFen),
    });
  });

  it('records the cost of both calls when its first model was cut mid-answer', async () => {
    await services().startBackgroundWork(); // a no-op if the test above started it
    const res = await apiClient(fixture.server.url).post('/sandbox/model/faults', {
      kind: 'cut_mid_stream',
      model: 'mock-fast',
      count: 1,
      afterTokens: 100,
    });
    expect(res.status).toBeLessThan(300);
    const prompt = '写一首关于秋天的短诗';
    const token = await login(fixture.server.url);
    const { orderId } = await createOrder(fixture.server.url, token, { prompt });
    await sandboxPay(fixture.server.url, orderId);
    const view = await waitForOrder(fixture.server.url, token, orderId, finished, 15_000);
    expect(view.state).toBe('COMPLETED');

    const order = await services().orderStore.get(orderId);
    expect(order).toMatchObject({ attempt: 1, model: 'mock-backup' });
    // The cut call sent no usage: the router's estimate of the prompt and of the 100 tokens mock-fast streamed,
    // at mock-fast's prices.
    const messages = [basicSystem, { role: 'user' as const, content: prompt }];
    const streamed = mockCompletion(messages, 'mock-fast', 1024).tokens.slice(0, 100).join('');
    const cutFen = costFen(
      { promptTokens: estimatePromptTokens(messages), completionTokens: estimateTokens(streamed) },
      pricesOf('mock-fast'),
    );
    // The answering call, with the mock's own usage, at mock-backup's prices.
    const backup = mockCompletion(messages, 'mock-backup', 1024);
    const answerFen = costFen(backup, pricesOf('mock-backup'));
    expect(cutFen).toBeGreaterThan(0);
    expect(order).toMatchObject({
      promptTokens: backup.promptTokens,
      completionTokens: backup.completionTokens,
      usageEstimated: 'false',
      answerCostFen: answerFen,
    });
    expect(order?.costFen).toBeCloseTo(cutFen + answerFen, 8);
    expect(view.usage).toEqual({
      promptTokens: backup.promptTokens,
      completionTokens: backup.completionTokens,
      costFen: fen4(cutFen + answerFen),
    });
  });
});
