import type { Transaction } from '../../../server/src/payment';
import { newOrderId } from '../../../server/src/orders/order-id';
import { apiClient, createOrder, eventually, login, sandboxPay } from '../../support/api-client';
import { useTestServer } from '../../support/test-server';
import { sendTransactionNotification } from '../../support/wxpay-notification';

/**
 * Verified notifications (real signature, real encryption) whose content must not be credited as it stands:
 * a foreign currency, another trade type, an out_trade_no that is not ours, and a genuine payment for an order
 * we have no record of. The last is real money: it is refunded, never kept.
 */
const fixture = useTestServer();

const orderKey = (orderId: string) => `${fixture.server.prefix}order:{o:${orderId}}`;

async function anomalies(): Promise<{ outTradeNo: string; problem: string }[]> {
  const raw = await fixture.redis.lrange(`${fixture.server.prefix}payment-anomalies`, 0, -1);
  return raw.map((a) => JSON.parse(a) as { outTradeNo: string; problem: string });
}

/** An order paid at the WeChat Pay emulator whose notification was lost: its genuine transaction. */
async function paidWithoutNotification(): Promise<{ token: string; orderId: string; tx: Transaction }> {
  const token = await login(fixture.server.url);
  const { orderId } = await createOrder(fixture.server.url, token);
  await apiClient(fixture.server.url).post('/sandbox/faults', { out_trade_no: orderId, drop: true });
  await sandboxPay(fixture.server.url, orderId);
  // Only this notification is lost: later ones (the refund's) arrive.
  await apiClient(fixture.server.url).call('DELETE', `/sandbox/faults?out_trade_no=${orderId}`);
  const tx = await fixture.server.services.wxpay.queryByOutTradeNo(orderId);
  expect(tx.trade_state).toBe('SUCCESS');
  return { token, orderId, tx };
}

describe('verified notifications with hostile content', () => {
  it.each([
    [
      'a foreign currency',
      (tx: Transaction) => ({ ...tx, amount: { ...tx.amount, currency: 'USD' } }),
      'currency USD is not CNY',
    ],
    [
      'another trade type',
      (tx: Transaction) => ({ ...tx, trade_type: 'NATIVE' }),
      'trade type NATIVE is not JSAPI',
    ],
    [
      'a transaction_id holding U+0000',
      (tx: Transaction) => ({ ...tx, transaction_id: `${tx.transaction_id}\u0000` }),
      expect.stringContaining('is missing or malformed'),
    ],
  ])('refuses and flags %s, never crediting it', async (_name, mutate, problem) => {
    const { orderId, tx } = await paidWithoutNotification();
    const res = await sendTransactionNotification(fixture.server, mutate(tx));
    expect(res.status).toBe(400);
    expect((await fixture.server.services.orderStore.get(orderId))?.state).toBe('CREATED');
    expect(await anomalies()).toContainEqual(expect.objectContaining({ outTradeNo: orderId, problem }));
  });

  it('treats an out_trade_no that is not one of ours (valid at WeChat Pay) as an unknown order, not a crash', async () => {
    const { tx } = await paidWithoutNotification();
    const foreign = 'A|B*c-123_x';
    const res = await sendTransactionNotification(fixture.server, { ...tx, out_trade_no: foreign });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ code: 'FAIL', message: expect.any(String) });
    expect(await anomalies()).toContainEqual(
      expect.objectContaining({ outTradeNo: foreign, problem: 'out_trade_no is not a TokenTill order id' }),
    );
  });

  it('refunds a genuine payment for an order we lost, and tells the operator', async () => {
    const { orderId, tx } = await paidWithoutNotification();
    // Redis lost the order (a failover without the last writes, say) after WeChat Pay took the money.
    await fixture.redis.del(orderKey(orderId));
    expect(await fixture.server.services.orderStore.get(orderId)).toBeUndefined();

    const res = await sendTransactionNotification(fixture.server, tx);
    expect(res.status).toBe(204);
    const order = await fixture.server.services.orderStore.get(orderId);
    expect(order).toMatchObject({
      state: 'REFUNDING',
      refundReason: 'unknown_order',
      priceFen: tx.amount.total,
      transactionId: tx.transaction_id,
      outRefundNo: `${orderId}-R1`,
    });
    // A duplicate of the same notification changes nothing.
    expect((await sendTransactionNotification(fixture.server, tx)).status).toBe(204);
    expect((await fixture.server.services.orderStore.get(orderId))?.state).toBe('REFUNDING');

    await fixture.server.services.reconciler.runOnce(); // submits the refund
    const owner = await login(fixture.server.url);
    // Nobody owns a re-created order: not even a logged-in user can read it.
    expect((await apiClient(fixture.server.url, owner).get(`/api/orders/${orderId}`)).status).toBe(404);
    await eventually(
      async () => (await fixture.server.services.orderStore.get(orderId))?.state === 'REFUNDED',
      5_000,
      'the refund of the lost order',
    );
    const refund = await fixture.server.services.wxpay.queryRefund(`${orderId}-R1`);
    expect(refund).toMatchObject({ status: 'SUCCESS', amount: { refund: tx.amount.total } });
    expect(await anomalies()).toContainEqual(
      expect.objectContaining({ outTradeNo: orderId, problem: 'paid order unknown here: refunding it' }),
    );
  });

  it('refuses a payment for an id in our format that neither we nor WeChat Pay know', async () => {
    const { tx } = await paidWithoutNotification();
    const orderId = newOrderId();
    const res = await sendTransactionNotification(fixture.server, { ...tx, out_trade_no: orderId });
    expect(res.status).toBe(400);
    expect(await fixture.server.services.orderStore.get(orderId)).toBeUndefined();
    expect(await anomalies()).toContainEqual(
      expect.objectContaining({
        outTradeNo: orderId,
        problem: 'unknown out_trade_no, and WeChat Pay does not know it either',
      }),
    );
  });
});
