import { randomUUID } from 'node:crypto';
import type { OrderView } from '@tokentill/shared-types';
import { apiClient, createOrder, eventually, login, sandboxPay } from '../../support/api-client';
import { deletePrefix } from '../../support/test-redis';
import { useTestServer, type ServerFixture } from '../../support/test-server';

/**
 * Redis loses everything (a restart without persistence, a failover, a flush) after WeChat Pay was told 204:
 * the ledger still knows each payment, and the background work re-creates the orders and drives each to an
 * end, answered when paid recently, refunded otherwise, with nothing charged or refunded twice.
 */
const ORDERS = 4;
const fast = { RECONCILE_INTERVAL_MS: '50', LEDGER_HEAL_AFTER_MS: '1' };

/** Pays ORDERS orders of one user, waits until WeChat Pay's notifications are acknowledged, then flushes Redis. */
async function payThenLoseRedis(fixture: ServerFixture, identity: string): Promise<string[]> {
  const { server } = fixture;
  const token = await login(server.url, identity);
  const ids: string[] = [];
  for (let i = 0; i < ORDERS; i += 1) {
    const { orderId } = await createOrder(server.url, token, { prompt: `丢了也要答 ${i}` });
    await sandboxPay(server.url, orderId);
    ids.push(orderId);
  }
  await eventually(
    async () => {
      const states = await Promise.all(ids.map((id) => server.services.orderStore.get(id)));
      return states.every((o) => o?.state === 'PAID');
    },
    10_000,
    'every payment acknowledged and credited',
  );
  await deletePrefix(fixture.redis, server.prefix);
  expect(await server.services.orderStore.get(ids[0]!)).toBeUndefined();
  return ids;
}

/**
 * Waits until the ledger has caught up with Redis: the journal (and the answer) are written right after the
 * final transition, which the API can show a moment earlier.
 */
async function settledInLedger(fixture: ServerFixture, ids: string[]): Promise<void> {
  await eventually(
    async () => {
      const kept = await Promise.all(ids.map((id) => fixture.server.services.ledger.findOrder(id)));
      return kept.every((o) => o?.finalState && (o.state !== 'COMPLETED' || o.answer !== undefined));
    },
    10_000,
    'the ledger to record every final state',
  );
}

/** The owner's views once every order is final (the flush took the session too: the user logs in again). */
async function finalViews(fixture: ServerFixture, identity: string, ids: string[]): Promise<OrderView[]> {
  const token = await login(fixture.server.url, identity);
  const api = apiClient(fixture.server.url, token);
  let views: OrderView[] = [];
  await eventually(
    async () => {
      views = (await Promise.all(ids.map((id) => api.get<OrderView>(`/api/orders/${id}`)))).map(
        (r) => r.body,
      );
      return views.every((v) => ['COMPLETED', 'REFUNDED', 'REFUND_FAILED'].includes(v?.state));
    },
    20_000,
    'every re-created order final',
  );
  await settledInLedger(fixture, ids);
  return views;
}

describe('payments made recently', () => {
  const fixture = useTestServer({ ...fast, LEDGER_HEAL_ANSWER_WITHIN_MS: String(3_600_000) });

  it('are answered after Redis lost them, each once, with nothing refunded', async () => {
    const identity = `heal-answer-${randomUUID()}`;
    const ids = await payThenLoseRedis(fixture, identity);
    await fixture.server.services.startBackgroundWork();
    const views = await finalViews(fixture, identity, ids);
    expect(views.map((v) => v.state)).toEqual(ids.map(() => 'COMPLETED'));
    const wxpay = fixture.server.sandbox!.wxpay.ledger;
    for (const id of ids) {
      expect(wxpay.findOrder(id)).toMatchObject({ tradeState: 'SUCCESS', refundedFen: 0 });
      expect(wxpay.findRefund(`${id}-R1`)).toBeUndefined();
      expect(await fixture.server.services.ledger.findOrder(id)).toMatchObject({
        state: 'COMPLETED',
        answer: expect.stringMatching(/\S/),
        refund: undefined,
      });
    }
  }, 40_000);
});

describe('payments made longer ago', () => {
  const fixture = useTestServer({ ...fast, LEDGER_HEAL_ANSWER_WITHIN_MS: '1' });

  it('are refunded after Redis lost them, each exactly once', async () => {
    const identity = `heal-refund-${randomUUID()}`;
    const ids = await payThenLoseRedis(fixture, identity);
    await fixture.server.services.startBackgroundWork();
    const views = await finalViews(fixture, identity, ids);
    expect(views.map((v) => v.state)).toEqual(ids.map(() => 'REFUNDED'));
    const wxpay = fixture.server.sandbox!.wxpay.ledger;
    for (const [i, id] of ids.entries()) {
      // WeChat Pay holds one payment and one refund of the whole price: nothing paid or refunded twice.
      expect(wxpay.findOrder(id)).toMatchObject({ tradeState: 'REFUND', refundedFen: views[i]!.priceFen });
      expect(wxpay.findRefund(`${id}-R1`)).toMatchObject({ status: 'SUCCESS', refund: views[i]!.priceFen });
      const kept = await fixture.server.services.ledger.findOrder(id);
      expect(kept).toMatchObject({ state: 'REFUNDED', refund: { status: 'SUCCESS' } });
    }
    // The re-created orders' changes follow the ones journaled before the loss, one row per (order, seq).
    const journal = await fixture.server.services.ledger.pool.query(
      'SELECT to_state FROM order_journal WHERE order_id = $1 ORDER BY seq',
      [ids[0]],
    );
    expect(journal.rows.map((r) => r.to_state)).toEqual(['PAID', 'REFUNDING', 'REFUNDED']);
  }, 40_000);
});

describe('a finished order Redis no longer has', () => {
  const fixture = useTestServer({}, { background: true });

  it('is shown to its owner from the ledger, and to nobody else', async () => {
    const identity = `ledger-view-${randomUUID()}`;
    const token = await login(fixture.server.url, identity);
    const { orderId } = await createOrder(fixture.server.url, token, { prompt: '过期以后还能看' });
    await sandboxPay(fixture.server.url, orderId);
    let answered: OrderView | undefined;
    await eventually(
      async () => {
        answered = (await apiClient(fixture.server.url, token).get<OrderView>(`/api/orders/${orderId}`)).body;
        return answered.state === 'COMPLETED';
      },
      10_000,
      'answered',
    );
    await deletePrefix(fixture.redis, `${fixture.server.prefix}order:{o:${orderId}}`);

    const owner = apiClient(fixture.server.url, token);
    const view = (await owner.get<OrderView>(`/api/orders/${orderId}`)).body;
    expect(view).toMatchObject({
      orderId,
      state: 'COMPLETED',
      prompt: '过期以后还能看',
      priceFen: answered!.priceFen,
      chunks: [{ seq: 1, text: answered!.chunks!.map((c) => c.text).join('') }],
    });
    expect(view.completedAt).toEqual(expect.any(String));

    const stranger = apiClient(fixture.server.url, await login(fixture.server.url));
    const res = await stranger.get(`/api/orders/${orderId}`);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
  });
});
