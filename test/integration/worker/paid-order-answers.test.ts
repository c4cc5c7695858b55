import type { OrderView } from '@tokentill/shared-types';
import { apiClient, createOrder, login, sandboxPay, waitForOrder } from '../../support/api-client';
import { useTestServer } from '../../support/test-server';
import { expectedMockAnswer } from '../../../server/src/mock-model';

/**
 * Paid orders become answers: the real server with its in-process worker, the mock model over real HTTP (SSE),
 * real Redis. Faults are injected into the mock model through its control API.
 */
const fixture = useTestServer({}, { background: true });

afterEach(async () => {
  await apiClient(fixture.server.url).call('DELETE', '/sandbox/model/faults');
});

const basicSystem = { role: 'system' as const, content: '你是一个简洁、可靠的助手。' };

async function modelFault(fault: Record<string, unknown>): Promise<void> {
  const res = await apiClient(fixture.server.url).post('/sandbox/model/faults', fault);
  expect(res.status).toBeLessThan(300);
}

/** The answer a client assembles from the chunks: text after the last reset. */
function answerOf(order: OrderView): string {
  let text = '';
  for (const chunk of order.chunks ?? []) text = chunk.reset ? '' : text + chunk.text;
  return text;
}

async function payAndWait(prompt: string, until: (o: OrderView) => boolean, tier = 'basic') {
  const token = await login(fixture.server.url);
  const { orderId } = await createOrder(fixture.server.url, token, { prompt, tier });
  await sandboxPay(fixture.server.url, orderId);
  const order = await waitForOrder(fixture.server.url, token, orderId, until, 15_000);
  return { token, orderId, order };
}

const finished = (o: OrderView) => ['COMPLETED', 'REFUNDED', 'REFUND_FAILED'].includes(o.state);

describe('inference after payment', () => {
  it('answers a paid order with the first model of its tier and records usage and cost', async () => {
    const prompt = '北京今天适合跑步吗？';
    const { order } = await payAndWait(prompt, finished);
    expect(order.state).toBe('COMPLETED');
    expect(answerOf(order)).toBe(
      expectedMockAnswer([basicSystem, { role: 'user', content: prompt }], 'mock-fast', 1024),
    );
    expect(order.usage).toEqual({
      promptTokens: expect.any(Number),
      completionTokens: expect.any(Number),
      costFen: expect.any(Number),
    });
    // mock-fast costs ¥0.3 / ¥0.6 per million tokens.
    const { promptTokens, completionTokens, costFen } = order.usage!;
    expect(costFen).toBeCloseTo(((promptTokens * 0.3 + completionTokens * 0.6) / 1e6) * 100, 4);
    // Chunks are numbered, increasing, and none is repeated.
    const seqs = order.chunks!.map((c) => c.seq);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    expect(new Set(seqs).size).toBe(seqs.length);
  });

  it('polls: ?after=N returns only what came after N', async () => {
    const { token, orderId, order } = await payAndWait('解释一下复利', finished);
    const middle = order.chunks![Math.floor(order.chunks!.length / 2)]!.seq;
    const rest = await apiClient(fixture.server.url, token).get<OrderView>(
      `/api/orders/${orderId}?after=${middle}`,
    );
    expect(rest.body.chunks!.every((c) => c.seq > middle)).toBe(true);
    expect(rest.body.chunks!.length).toBe(order.chunks!.filter((c) => c.seq > middle).length);
  });

  it('falls back to the next model when the first answers 500', async () => {
    await modelFault({ kind: 'http_500', model: 'mock-fast' });
    const prompt = '推荐三本入门经济学的书';
    const { orderId, order } = await payAndWait(prompt, finished);
    expect(order.state).toBe('COMPLETED');
    expect(answerOf(order)).toBe(
      expectedMockAnswer([basicSystem, { role: 'user', content: prompt }], 'mock-backup', 1024),
    );
    expect((await fixture.server.services.orderStore.get(orderId))?.model).toBe('mock-backup');
  });

  it('restarts visibly when a model is cut off mid-answer, never gluing two answers together', async () => {
    // Cut after enough text that some of it was already published to subscribers.
    await modelFault({ kind: 'cut_mid_stream', model: 'mock-fast', count: 1, afterTokens: 100 });
    const prompt = '写一首关于秋天的短诗';
    const { order } = await payAndWait(prompt, finished);
    expect(order.state).toBe('COMPLETED');
    const resetAt = order.chunks!.findIndex((c) => c.reset);
    expect(resetAt).toBeGreaterThan(0); // some text came first, then the reset
    expect(answerOf(order)).toBe(
      expectedMockAnswer([basicSystem, { role: 'user', content: prompt }], 'mock-backup', 1024),
    );
  });

  it('switches models silently when the cut text was never published', async () => {
    await modelFault({ kind: 'cut_mid_stream', model: 'mock-fast', count: 1, afterTokens: 2 });
    const prompt = '一句话介绍长城';
    const { order } = await payAndWait(prompt, finished);
    expect(order.chunks!.some((c) => c.reset)).toBe(false);
    expect(answerOf(order)).toBe(
      expectedMockAnswer([basicSystem, { role: 'user', content: prompt }], 'mock-backup', 1024),
    );
  });

  it('fails and refunds an order when every model of its tier fails', async () => {
    await modelFault({ kind: 'http_500', model: 'mock-fast' });
    await modelFault({ kind: 'http_500', model: 'mock-backup' });
    const { orderId, order } = await payAndWait('这个问题注定失败', (o) => o.state === 'REFUNDED');
    expect(order.refundedAt).toEqual(expect.any(String));
    const refund = await fixture.server.services.wxpay.queryRefund(`${orderId}-R1`);
    expect(refund.status).toBe('SUCCESS');
    expect(refund.amount.refund).toBe(10);
    expect((await fixture.server.services.orderStore.get(orderId))?.refundReason).toBe('generation_failed');
  });

  it('refunds a paid order whose job fails for good before any worker could start it', async () => {
    const token = await login(fixture.server.url);
    const { orderId } = await createOrder(fixture.server.url, token, { prompt: '这个任务启动不了' });
    // A corrupt attempt counter makes every start of this order's generation throw, before PAID → GENERATING.
    await fixture.redis.hset(`${fixture.server.prefix}order:{o:${orderId}}`, 'attempt', 'corrupt');
    await sandboxPay(fixture.server.url, orderId);
    // BullMQ retries the job (1 s, 2 s backoff), then fails it for good: the order must not stay PAID.
    const order = await waitForOrder(
      fixture.server.url,
      token,
      orderId,
      (o) => o.state === 'REFUNDED',
      20_000,
    );
    expect(order.refundedAt).toEqual(expect.any(String));
    expect((await fixture.server.services.orderStore.get(orderId))?.at.GENERATING).toBeUndefined();
    expect((await fixture.server.services.wxpay.queryRefund(`${orderId}-R1`)).status).toBe('SUCCESS');
  }, 30_000);

  it('redacts personal data before the prompt leaves for the provider', async () => {
    const prompt = '我的手机号是 13800138000，邮箱 zhang.san@example.com，帮我写个自我介绍';
    await payAndWait(prompt, finished);
    const recent = await apiClient(fixture.server.url).get('/sandbox/model/requests');
    const sent = JSON.stringify(recent.body);
    expect(sent).not.toContain('13800138000');
    expect(sent).not.toContain('zhang.san@example.com');
    expect(sent).toContain('[PHONE_1]');
    expect(sent).toContain('[EMAIL_1]');
  });
});
