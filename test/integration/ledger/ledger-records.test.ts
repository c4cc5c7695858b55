import type { OrderView } from '@tokentill/shared-types';
import {
  apiClient,
  createOrder,
  eventually,
  login,
  sandboxPay,
  waitForOrder,
} from '../../support/api-client';
import { useTestServer } from '../../support/test-server';
import { sendTransactionNotification } from '../../support/wxpay-notification';

/**
 * What the ledger holds once an order has run its course, through the real server, worker, WeChat Pay emulator
 * and mock model: the payment, the refund and its statuses, every state change with who made it, the answer.
 */
const fixture = useTestServer({}, { background: true });

afterEach(async () => {
  await apiClient(fixture.server.url).call('DELETE', '/sandbox/model/faults');
});

async function payAndWait(prompt: string, until: (o: OrderView) => boolean) {
  const token = await login(fixture.server.url);
  const { orderId } = await createOrder(fixture.server.url, token, { prompt });
  await sandboxPay(fixture.server.url, orderId);
  const order = await waitForOrder(fixture.server.url, token, orderId, until, 15_000);
  // The journal (and the answer) are written right after the final transition, which the API shows at once.
  await eventually(
    async () => {
      const kept = await fixture.server.services.ledger.findOrder(orderId);
      return kept?.finalState === order.state && (order.state !== 'COMPLETED' || kept.answer !== undefined);
    },
    10_000,
    'the ledger to record the final state',
  );
  return { orderId, order };
}

async function rows(sql: string, orderId: string): Promise<Record<string, unknown>[]> {
  return (await fixture.server.services.ledger.pool.query(sql, [orderId])).rows;
}

const journalOf = (orderId: string) =>
  rows(
    'SELECT seq, from_state, to_state, source FROM order_journal WHERE order_id = $1 ORDER BY seq',
    orderId,
  );

it('holds an answered order: its payment, each state change with who made it, and the answer', async () => {
  const { orderId, order } = await payAndWait('账本记下这个回答', (o) => o.state === 'COMPLETED');
  const answer = (order.chunks ?? []).map((c) => c.text).join('');
  const found = await fixture.server.services.ledger.findOrder(orderId);
  expect(found).toMatchObject({
    state: 'COMPLETED',
    finalState: 'COMPLETED',
    answer,
    payment: { amountFen: order.priceFen, via: 'notify' },
    refund: undefined,
  });
  expect(await journalOf(orderId)).toEqual([
    { seq: 1, from_state: 'CREATED', to_state: 'PAID', source: 'notify' },
    { seq: 2, from_state: 'PAID', to_state: 'GENERATING', source: 'worker' },
    { seq: expect.any(Number), from_state: 'GENERATING', to_state: 'COMPLETED', source: 'worker' },
  ]);
  // What the model call that answered consumed and cost, per (generation attempt, call).
  const spend = await rows(
    'SELECT generation_attempt, call_index, outcome, completion_tokens, cost_fen FROM model_spend WHERE order_id = $1',
    orderId,
  );
  expect(spend).toEqual([
    {
      generation_attempt: 1,
      call_index: 0,
      outcome: 'ok',
      completion_tokens: order.usage!.completionTokens,
      cost_fen: expect.stringMatching(/^\d+\.\d{4}$/),
    },
  ]);
});

it('writes nothing new for a repeated notification of the same payment', async () => {
  const { orderId } = await payAndWait('重复的通知', (o) => o.state === 'COMPLETED');
  const before = await journalOf(orderId);
  const transaction = fixture.server.sandbox!.wxpay.queryByOutTradeNo(orderId);
  const res = await sendTransactionNotification(fixture.server, transaction);
  expect(res.status).toBe(204);
  expect(await rows('SELECT transaction_id FROM payments WHERE order_id = $1', orderId)).toEqual([
    { transaction_id: transaction.transaction_id },
  ]);
  expect(await journalOf(orderId)).toEqual(before);
});

it('holds a refunded order: one refund, its statuses, and the way to REFUNDED', async () => {
  for (const model of ['mock-fast', 'mock-backup']) {
    await apiClient(fixture.server.url).post('/sandbox/model/faults', { kind: 'http_500', model });
  }
  const { orderId, order } = await payAndWait('这个问题注定失败', (o) => o.state === 'REFUNDED');
  const found = await fixture.server.services.ledger.findOrder(orderId);
  expect(found).toMatchObject({
    state: 'REFUNDED',
    finalState: 'REFUNDED',
    refund: {
      outRefundNo: `${orderId}-R1`,
      amountFen: order.priceFen,
      reason: 'generation_failed',
      status: 'SUCCESS',
    },
  });
  const statuses = await rows(
    'SELECT status FROM refund_events WHERE out_refund_no = (SELECT out_refund_no FROM refunds WHERE order_id = $1)',
    orderId,
  );
  expect(statuses.map((r) => r['status'])).toEqual(expect.arrayContaining(['REQUESTED', 'SUCCESS']));
  const journal = await journalOf(orderId);
  expect(journal.map((r) => r['to_state'])).toEqual([
    'PAID',
    'GENERATING',
    'FAILED',
    'REFUNDING',
    'REFUNDED',
  ]);
  expect(journal.slice(2, 4).map((r) => r['source'])).toEqual(['worker', 'worker']);
});
