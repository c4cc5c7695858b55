import {
  CancelOrderResponseSchema,
  ErrorEnvelopeSchema,
  OrderPaymentResponseSchema,
  type OrderView,
} from '@tokentill/shared-types';
import { apiClient, createOrder, login, sandboxPay, waitForOrder } from '../../support/api-client';
import { useTestServer } from '../../support/test-server';

/**
 * Unpaid orders never lock a user out: at the cap of unpaid orders the oldest one makes way for a new question
 * (closed at WeChat Pay, then here; credited instead if WeChat Pay says it was paid), and an unpaid order can be
 * cancelled or paid again from the orders page. Real server, real WeChat Pay emulator over HTTP, real Redis; no
 * worker runs, so a credited order stays PAID where the test can see it.
 */
const fixture = useTestServer({ MAX_UNPAID_ORDERS: '3', ORDERS_PER_MINUTE: '100' });
const url = () => fixture.server.url;

/** The order's trade state in the WeChat Pay emulator. */
async function tradeState(orderId: string): Promise<string | undefined> {
  const state = (await apiClient(url()).get('/sandbox/state')).body as {
    orders: { outTradeNo: string; tradeState: string }[];
  };
  return state.orders.find((o) => o.outTradeNo === orderId)?.tradeState;
}

async function stateOf(token: string, orderId: string): Promise<OrderView['state']> {
  return (await apiClient(url(), token).get<OrderView>(`/api/orders/${orderId}`)).body.state;
}

/** Pays the order at WeChat Pay with its notification lost: WeChat says SUCCESS, the server still says CREATED. */
async function paySilently(orderId: string): Promise<void> {
  expect((await apiClient(url()).post('/sandbox/faults', { out_trade_no: orderId, drop: true })).status).toBe(
    200,
  );
  expect((await sandboxPay(url(), orderId)).status).toBe(200);
}

describe('at the unpaid-order cap', () => {
  it('a new question closes the oldest unpaid order (at WeChat Pay, then here) and is created', async () => {
    const token = await login(url());
    const first = await createOrder(url(), token, { prompt: 'one' });
    const second = await createOrder(url(), token, { prompt: 'two' });
    const third = await createOrder(url(), token, { prompt: 'three' });

    const fourth = await apiClient(url(), token).post('/api/orders', { prompt: 'four', tier: 'basic' });

    expect(fourth.status).toBe(201);
    expect(await stateOf(token, first.orderId)).toBe('CLOSED');
    expect(await tradeState(first.orderId)).toBe('CLOSED');
    for (const { orderId } of [second, third, fourth.body as { orderId: string }]) {
      expect(await stateOf(token, orderId)).toBe('CREATED');
      expect(await tradeState(orderId)).toBe('NOTPAY');
    }
    // And again: asking always works, each time at the expense of the oldest unpaid order.
    expect(
      (await apiClient(url(), token).post('/api/orders', { prompt: 'five', tier: 'basic' })).status,
    ).toBe(201);
    expect(await stateOf(token, second.orderId)).toBe('CLOSED');
  });

  it('an oldest order that WeChat Pay says was paid is credited (it goes on to its answer), not closed', async () => {
    const token = await login(url());
    const first = await createOrder(url(), token, { prompt: 'paid, but the callback was lost' });
    await createOrder(url(), token);
    await createOrder(url(), token);
    await paySilently(first.orderId);
    expect(await stateOf(token, first.orderId)).toBe('CREATED');

    const res = await apiClient(url(), token).post('/api/orders', { prompt: 'next', tier: 'basic' });

    expect(res.status).toBe(201);
    expect(await stateOf(token, first.orderId)).toBe('PAID');
    expect(await tradeState(first.orderId)).toBe('SUCCESS');
  });
});

describe('POST /api/orders/:id/cancel', () => {
  it('closes an unpaid order at WeChat Pay and here, frees its slot, and answers the same when repeated', async () => {
    const token = await login(url());
    const api = apiClient(url(), token);
    const orders = [];
    for (let i = 0; i < 3; i++) orders.push(await createOrder(url(), token, { prompt: `q${i}` }));
    const cancelled = orders[1]!.orderId;

    const res = await api.post(`/api/orders/${cancelled}/cancel`);

    expect(res.status).toBe(200);
    expect(CancelOrderResponseSchema.parse(res.body)).toEqual({ orderId: cancelled, state: 'CLOSED' });
    expect(await stateOf(token, cancelled)).toBe('CLOSED');
    expect(await tradeState(cancelled)).toBe('CLOSED');
    expect((await api.post(`/api/orders/${cancelled}/cancel`)).body).toEqual({
      orderId: cancelled,
      state: 'CLOSED',
    });
    // Its slot is free: the next question closes nobody.
    expect((await api.post('/api/orders', { prompt: 'q3', tier: 'basic' })).status).toBe(201);
    expect(await stateOf(token, orders[0]!.orderId)).toBe('CREATED');
    expect(await stateOf(token, orders[2]!.orderId)).toBe('CREATED');
  });

  it('refuses a paid order with 409 ORDER_NOT_CANCELLABLE, crediting one whose callback was lost', async () => {
    const token = await login(url());
    const api = apiClient(url(), token);
    const { orderId } = await createOrder(url(), token);
    await paySilently(orderId);

    const res = await api.post(`/api/orders/${orderId}/cancel`);

    expect(res.status).toBe(409);
    expect(ErrorEnvelopeSchema.parse(res.body).error.code).toBe('ORDER_NOT_CANCELLABLE');
    expect(await stateOf(token, orderId)).toBe('PAID');
    expect(await tradeState(orderId)).toBe('SUCCESS');
    // Paid the ordinary way: the same refusal.
    const other = await createOrder(url(), token);
    await sandboxPay(url(), other.orderId);
    await waitForOrder(url(), token, other.orderId, (o) => o.state === 'PAID');
    expect((await api.post(`/api/orders/${other.orderId}/cancel`)).body.error.code).toBe(
      'ORDER_NOT_CANCELLABLE',
    );
  });

  it("is the owner's only: anyone else gets 404 and the order stays open", async () => {
    const owner = await login(url());
    const { orderId } = await createOrder(url(), owner);
    const res = await apiClient(url(), await login(url())).post(`/api/orders/${orderId}/cancel`);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
    expect(await stateOf(owner, orderId)).toBe('CREATED');
    expect((await apiClient(url()).post(`/api/orders/${orderId}/cancel`)).status).toBe(401);
  });
});

describe('GET /api/orders/:id/payment', () => {
  it('gives fresh requestPayment parameters for the same prepay order while it is unpaid', async () => {
    const token = await login(url());
    const created = await createOrder(url(), token);

    const res = await apiClient(url(), token).get(`/api/orders/${created.orderId}/payment`);

    expect(res.status).toBe(200);
    const again = OrderPaymentResponseSchema.parse(res.body);
    expect(again.orderId).toBe(created.orderId);
    expect(again.payment.params.package).toBe(created.payment.params.package);
    // Paying with them pays this very order.
    expect((await apiClient(url()).post('/sandbox/pay', again.payment.params)).status).toBe(200);
    await waitForOrder(url(), token, created.orderId, (o) => o.state === 'PAID');
  });

  it('answers 409 ORDER_NOT_PAYABLE once the order is closed or paid', async () => {
    const token = await login(url());
    const api = apiClient(url(), token);
    const closed = await createOrder(url(), token);
    await api.post(`/api/orders/${closed.orderId}/cancel`);
    const paid = await createOrder(url(), token);
    await sandboxPay(url(), paid.orderId);
    await waitForOrder(url(), token, paid.orderId, (o) => o.state === 'PAID');

    for (const { orderId } of [closed, paid]) {
      const res = await api.get(`/api/orders/${orderId}/payment`);
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('ORDER_NOT_PAYABLE');
    }
  });
});
