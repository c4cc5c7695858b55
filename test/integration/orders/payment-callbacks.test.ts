import { createServer } from 'node:http';
import {
  apiClient,
  createOrder,
  eventually,
  login,
  sandboxPay,
  waitForOrder,
} from '../../support/api-client';
import { deletePrefix } from '../../support/test-redis';
import { startTestServer, useTestServer } from '../../support/test-server';
import { jobsFor } from '../../support/queue-jobs';
import type { DeliveryRecord } from '../../../server/src/sandbox';

/**
 * The exactly-once promise end to end: the real server (in-process) and the WeChat Pay emulator talk over real
 * HTTP with real signatures and encryption; Redis is real. No worker runs, so a paid order's job stays queued
 * where the tests can count it.
 */
const fixture = useTestServer();

const control = () => apiClient(fixture.server.url);

async function setFault(outTradeNo: string, fault: Record<string, unknown>): Promise<void> {
  const res = await control().post('/sandbox/faults', { out_trade_no: outTradeNo, ...fault });
  expect(res.status).toBeLessThan(300);
}

async function deliveries(outTradeNo: string): Promise<DeliveryRecord[]> {
  const res = await control().get(`/sandbox/deliveries?out_trade_no=${outTradeNo}`);
  return (res.body.deliveries ?? res.body) as DeliveryRecord[];
}

/** Waits until the first delivery has `count` attempts, all answered (or failed). */
async function answeredAttempts(outTradeNo: string, count: number): Promise<DeliveryRecord> {
  let delivery: DeliveryRecord | undefined;
  await eventually(
    async () => {
      [delivery] = await deliveries(outTradeNo);
      const attempts = delivery?.attempts ?? [];
      return (
        attempts.length >= count && attempts.every((a) => a.status !== undefined || a.error !== undefined)
      );
    },
    5_000,
    `${count} answered notification attempts`,
  );
  return delivery!;
}

async function metric(pattern: RegExp): Promise<number> {
  const text = (await fetch(fixture.server.metricsUrl!).then((r) => r.text())).split('\n');
  const line = text.find((l) => pattern.test(l));
  return line ? Number(line.split(' ').pop()) : 0;
}

async function paidOrder() {
  const token = await login(fixture.server.url);
  const { orderId } = await createOrder(fixture.server.url, token);
  return { token, orderId };
}

describe('payment notifications', () => {
  it('credits a paid order once and queues exactly one job', async () => {
    const { token, orderId } = await paidOrder();
    expect((await sandboxPay(fixture.server.url, orderId)).status).toBe(200);
    const order = await waitForOrder(fixture.server.url, token, orderId, (o) => o.state === 'PAID');
    expect(order.paidAt).toEqual(expect.any(String));
    expect(await jobsFor(fixture.server.services, orderId)).toBe(1);
    const [delivery] = await deliveries(orderId);
    expect(delivery?.state).toBe('delivered');
    // WeChat waits at most 5 s for the acknowledgement.
    expect(delivery?.attempts[0]?.latencyMs).toBeLessThan(1_000);
  });

  it('stays exactly once under 20 concurrent duplicate callbacks', async () => {
    const { token, orderId } = await paidOrder();
    await setFault(orderId, { duplicates: 20 });
    await sandboxPay(fixture.server.url, orderId);
    const delivery = await answeredAttempts(orderId, 20);
    // Every copy is acknowledged (204): duplicates are no-ops, not errors that WeChat would retry.
    expect(delivery!.attempts.map((a) => a.status)).toEqual(Array(20).fill(204));
    await waitForOrder(fixture.server.url, token, orderId, (o) => o.state === 'PAID');
    expect(await jobsFor(fixture.server.services, orderId)).toBe(1);
    const order = await fixture.server.services.orderStore.get(orderId);
    expect(order?.at.PAID).toEqual(expect.any(Number));
  });

  it('credits a callback that arrives before POST /api/orders has answered', async () => {
    let callbackHandled: Promise<unknown> | undefined;
    // Wrap the server's fetch: as soon as WeChat Pay has the order, the user pays and the callback lands,
    // all before the order service gets the prepay_id back and answers the client.
    const early = await startTestServer(
      {},
      {
        fetch: async (input, init) => {
          const response = await fetch(input, init);
          const url = String(input);
          if (url.endsWith('/v3/pay/transactions/jsapi') && response.ok) {
            const body = JSON.parse(String(init?.body)) as { out_trade_no: string };
            callbackHandled = (async () => {
              await sandboxPay(early.url, body.out_trade_no);
              await eventually(
                async () => (await early.services.orderStore.get(body.out_trade_no))?.state === 'PAID',
              );
            })();
            await callbackHandled;
          }
          return response;
        },
      },
    );
    try {
      const token = await login(early.url);
      const created = await createOrder(early.url, token);
      expect(callbackHandled).toBeDefined();
      const order = await early.services.orderStore.get(created.orderId);
      expect(order?.state).toBe('PAID');
      expect(order?.prepayId).toEqual(expect.any(String));
      const jobs = await early.services.queue.queue.getJobs(['waiting']);
      expect(jobs.filter((j) => j.data.orderId === created.orderId)).toHaveLength(1);
    } finally {
      await early.close();
      await deletePrefix(fixture.redis, early.prefix);
    }
  });

  it('pays an order whose callback was lost when the client confirms', async () => {
    const { token, orderId } = await paidOrder();
    await setFault(orderId, { drop: true });
    await sandboxPay(fixture.server.url, orderId);
    expect((await deliveries(orderId))[0]?.state).toBe('dropped');
    expect((await fixture.server.services.orderStore.get(orderId))?.state).toBe('CREATED');

    const confirmed = await apiClient(fixture.server.url, token).post(`/api/orders/${orderId}/confirm`);
    expect(confirmed.body).toEqual({ orderId, state: 'PAID' });
    expect((await fixture.server.services.orderStore.get(orderId))?.paidVia).toBe('query');
    expect(await jobsFor(fixture.server.services, orderId)).toBe(1);
  });

  it('pays an order whose callback was lost through the reconciler, without any client help', async () => {
    const { orderId } = await paidOrder();
    await setFault(orderId, { drop: true });
    await sandboxPay(fixture.server.url, orderId);
    // Bring the order's scheduled check forward to now instead of waiting out the payment window.
    await fixture.redis.zadd(`${fixture.server.prefix}schedule:payment-checks`, Date.now(), orderId);
    expect(await fixture.server.services.reconciler.runOnce()).toBeGreaterThanOrEqual(1);
    expect((await fixture.server.services.orderStore.get(orderId))?.state).toBe('PAID');
    expect(await jobsFor(fixture.server.services, orderId)).toBe(1);
    // Its check is done: the schedule no longer holds it.
    expect(await fixture.redis.zscore(`${fixture.server.prefix}schedule:payment-checks`, orderId)).toBeNull();
  });

  it('closes an unpaid order at WeChat Pay and here once its payment window has passed', async () => {
    const { token, orderId } = await paidOrder();
    // Let the payment window pass: the deadline is now, and the order's last check is due.
    await fixture.redis.hset(`${fixture.server.prefix}order:{o:${orderId}}`, 'payBy', Date.now() - 1);
    await fixture.redis.zadd(`${fixture.server.prefix}schedule:payment-checks`, Date.now(), orderId);
    await fixture.server.services.reconciler.runOnce();
    await waitForOrder(fixture.server.url, token, orderId, (o) => o.state === 'CLOSED');
    expect((await fixture.server.services.wxpay.queryByOutTradeNo(orderId)).trade_state).toBe('CLOSED');
    expect((await sandboxPay(fixture.server.url, orderId)).status).toBeGreaterThanOrEqual(400);
    // The user's unpaid slot is free again.
    expect(
      await fixture.redis.zscore(
        `${fixture.server.prefix}user:{u:${(await fixture.server.services.orderStore.get(orderId))!.userKey}}:open`,
        orderId,
      ),
    ).toBeNull();
  });

  it('does not confirm an unpaid order on the client’s word', async () => {
    const { token, orderId } = await paidOrder();
    const confirmed = await apiClient(fixture.server.url, token).post(`/api/orders/${orderId}/confirm`);
    expect(confirmed.body).toEqual({ orderId, state: 'CREATED' });
    expect(await jobsFor(fixture.server.services, orderId)).toBe(0);
  });

  it('refunds a payment that arrives after the order was closed, and never runs it', async () => {
    const { token, orderId } = await paidOrder();
    // Our side closed the order (expiry) a moment before the user's payment went through at WeChat Pay.
    const closed = await fixture.server.services.orderStore.transition(orderId, 'close');
    expect(closed.ok).toBe(true);
    await sandboxPay(fixture.server.url, orderId);
    await waitForOrder(fixture.server.url, token, orderId, (o) => o.state === 'REFUNDING');
    const order = await fixture.server.services.orderStore.get(orderId);
    expect(order).toMatchObject({ refundReason: 'paid_after_close', outRefundNo: `${orderId}-R1` });
    expect(await jobsFor(fixture.server.services, orderId)).toBe(0);

    // The reconciler submits the refund; WeChat Pay's REFUND.SUCCESS notification completes it.
    await fixture.server.services.reconciler.runOnce();
    await waitForOrder(fixture.server.url, token, orderId, (o) => o.state === 'REFUNDED', 10_000);
    const refund = await fixture.server.services.wxpay.queryRefund(`${orderId}-R1`);
    expect(refund).toMatchObject({ status: 'SUCCESS', amount: { refund: 10, total: 10 } });
  });

  it('rejects and flags a notification whose amount does not match the order, never crediting it', async () => {
    const { orderId } = await paidOrder();
    await setFault(orderId, { wrongAmount: true });
    await sandboxPay(fixture.server.url, orderId);
    const delivery = await answeredAttempts(orderId, 1);
    expect(delivery.attempts[0]!.status).toBe(400);
    expect((await fixture.server.services.orderStore.get(orderId))?.state).toBe('CREATED');
    expect(await jobsFor(fixture.server.services, orderId)).toBe(0);
    const anomalies = await fixture.redis.lrange(`${fixture.server.prefix}payment-anomalies`, 0, -1);
    expect(anomalies.map((a) => JSON.parse(a) as { outTradeNo: string; problem: string })).toContainEqual(
      expect.objectContaining({
        outTradeNo: orderId,
        problem: 'amount 11 fen differs from the price 10 fen',
      }),
    );
    await control().call('DELETE', `/sandbox/faults?out_trade_no=${orderId}`);
  });

  it.each([
    ['a forged signature', { badSignature: true }, 'bad_signature', 401],
    ['a signature probe', { signatureProbe: true }, 'signature_probe', 401],
    ['a stale timestamp', { staleTimestamp: true }, 'stale_timestamp', 401],
  ])(
    'rejects %s with its own reason, then credits the correct retry once',
    async (_name, fault, reason, status) => {
      const before = await metric(new RegExp(`kind="rejected",outcome="${reason}"`));
      const { token, orderId } = await paidOrder();
      await setFault(orderId, fault);
      await sandboxPay(fixture.server.url, orderId);
      await waitForOrder(fixture.server.url, token, orderId, (o) => o.state === 'PAID');
      const delivery = await answeredAttempts(orderId, 2);
      expect(delivery.attempts.map((a) => a.status)).toEqual([status, 204]);
      expect(delivery.merchantAcceptedInvalid).toBeUndefined();
      expect(await metric(new RegExp(`kind="rejected",outcome="${reason}"`))).toBe(before + 1);
      expect(await jobsFor(fixture.server.services, orderId)).toBe(1);
    },
  );

  it('treats a replayed notification as the duplicate it is', async () => {
    const { token, orderId } = await paidOrder();
    const captured: { headers: Headers; body: string }[] = [];
    // Point the emulator's delivery at a recorder, then replay the recorded bytes to the real endpoint twice.
    const recorder = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        captured.push({ headers: new Headers(req.headers as Record<string, string>), body });
        res.statusCode = 204;
        res.end();
      });
    });
    await new Promise<void>((resolve) => recorder.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = recorder.address() as { port: number };
      fixture.server.sandbox!.wxpay.ledger.findOrder(orderId)!.notifyUrl = `http://127.0.0.1:${port}/notify`;
      await sandboxPay(fixture.server.url, orderId);
      await eventually(() => captured.length === 1, 5_000, 'the recorded notification');
    } finally {
      recorder.close();
    }
    const replay = () =>
      fetch(`${fixture.server.url}/api/pay/wxpay/notify`, {
        method: 'POST',
        headers: captured[0]!.headers,
        body: captured[0]!.body,
      });
    expect((await replay()).status).toBe(204);
    await waitForOrder(fixture.server.url, token, orderId, (o) => o.state === 'PAID');
    expect((await replay()).status).toBe(204);
    expect(await jobsFor(fixture.server.services, orderId)).toBe(1);
    expect(await metric(/tokentill_order_transitions_total\{from="CREATED",to="PAID"\}/)).toBeGreaterThan(0);
  });
});
