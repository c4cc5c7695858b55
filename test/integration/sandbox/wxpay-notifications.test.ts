import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { SIGNATURE_PROBE_PREFIX } from '../../../server/src/payment/index.js';
import { NOTIFY_RETRY_SCHEDULE_MS } from '../../../server/src/sandbox/index.js';
import { newOutTradeNo, startSandbox, useSandbox, type SandboxHarness } from './support/sandbox-harness.js';

const SCALE = 0.001;

const h = useSandbox(() => ({ notifyScale: SCALE }));

/** Places an order of `amountFen` fen (to the harness receiver) and returns its out_trade_no. */
async function placeOrder(amountFen = 100, at: SandboxHarness = h): Promise<string> {
  const outTradeNo = newOutTradeNo('N');
  await at.client.createJsapiOrder({
    description: 'notify test',
    outTradeNo,
    notifyUrl: at.receiver.url,
    amountFen,
    payerOpenid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
  });
  return outTradeNo;
}

async function pay(outTradeNo: string, at: SandboxHarness = h): Promise<void> {
  const response = await at.call('POST', '/sandbox/pay', { out_trade_no: outTradeNo });
  expect(response.status).toBe(200);
}

const eventIdOf = (body: Buffer) => JSON.parse(body.toString('utf8')).id as string;

describe('WeChat Pay sandbox: notification delivery', () => {
  it('retries on the scaled schedule while the merchant answers 500, and stops at the first 2xx', async () => {
    h.receiver.override = (_entry, index) => (index < 2 ? 500 : undefined);
    const outTradeNo = await placeOrder();
    await pay(outTradeNo);
    await h.sandbox.settled();

    const received = h.receiver.received;
    expect(received.map((r) => r.status)).toEqual([500, 500, 204]);
    expect(new Set(received.map((r) => eventIdOf(r.body))).size).toBe(1); // one notification, three attempts
    // Each retry is freshly signed: a new timestamp/nonce pair, all verifying.
    expect(new Set(received.map((r) => r.headers['wechatpay-nonce'])).size).toBe(3);
    expect(received.every((r) => r.reason === undefined)).toBe(true);

    const [delivery] = h.sandbox.deliveries(outTradeNo);
    expect(delivery!.state).toBe('delivered');
    expect(delivery!.attempts.map((a) => [a.attempt, a.status, a.ok])).toEqual([
      [1, 500, false],
      [2, 500, false],
      [3, 204, true],
    ]);
    expect(delivery!.attempts[0]!.response).toContain('FAIL');
    for (const attempt of delivery!.attempts) expect(attempt.latencyMs).toBeGreaterThanOrEqual(0);
    // 15 s and 15 s, scaled by 0.001.
    const gaps = [1, 2].map((i) => received[i]!.arrivedAt - received[i - 1]!.arrivedAt);
    for (const [i, gap] of gaps.entries()) {
      expect(gap).toBeGreaterThanOrEqual(NOTIFY_RETRY_SCHEDULE_MS[i]! * SCALE - 2);
      expect(gap).toBeLessThan(1_000);
    }

    const logged = await h.call('GET', `/sandbox/deliveries?out_trade_no=${outTradeNo}`);
    expect(logged.json.deliveries[0].attempts).toHaveLength(3);
  });

  it('counts a merchant that does not answer within the ack timeout as failed and retries', async () => {
    const impatient: SandboxHarness = await startSandbox(h.keys, { notifyScale: SCALE, ackTimeoutMs: 100 });
    try {
      impatient.receiver.answerDelayMs = 300;
      impatient.receiver.override = (_entry, index) => (index === 0 ? 204 : undefined);
      const outTradeNo = await placeOrder(100, impatient);
      await pay(outTradeNo, impatient);
      await impatient.receiver.waitFor(2);
      impatient.receiver.answerDelayMs = 0;
      await impatient.sandbox.settled();
      const [delivery] = impatient.sandbox.deliveries(outTradeNo);
      expect(delivery!.attempts[0]).toMatchObject({ ok: false, error: 'timeout after 100 ms' });
      expect(delivery!.state).toBe('delivered');
    } finally {
      await impatient.close();
    }
  });
  it('retries after a network error and logs it', async () => {
    // A port that was just free: nothing listens on it, so the connection is refused.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));

    const outTradeNo = newOutTradeNo('N');
    await h.client.createJsapiOrder({
      description: 'unreachable merchant',
      outTradeNo,
      notifyUrl: `http://127.0.0.1:${port}/notify`,
      amountFen: 100,
      payerOpenid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
    });
    await pay(outTradeNo);
    const deadline = Date.now() + 5_000;
    while (h.sandbox.deliveries(outTradeNo)[0]!.attempts.length < 3 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const [delivery] = h.sandbox.deliveries(outTradeNo);
    expect(delivery!.attempts.length).toBeGreaterThanOrEqual(3);
    expect(delivery!.attempts[0]).toMatchObject({
      ok: false,
      error: expect.stringContaining('ECONNREFUSED'),
    });
    expect(delivery!.attempts[0]!.status).toBeUndefined();
    // close() in afterEach cancels the rest of the schedule.
  });
});

describe('WeChat Pay sandbox: notification faults', () => {
  it('sends N concurrent copies of one notification for duplicates', async () => {
    h.receiver.answerDelayMs = 100; // every copy must arrive while the first is still unanswered
    const outTradeNo = await placeOrder();
    expect(
      (await h.call('POST', '/sandbox/faults', { out_trade_no: outTradeNo, duplicates: 3 })).status,
    ).toBe(200);
    await pay(outTradeNo);
    await h.sandbox.settled();

    const received = h.receiver.received;
    expect(received).toHaveLength(3);
    expect(new Set(received.map((r) => eventIdOf(r.body))).size).toBe(1);
    expect(received.every((r) => r.notification?.resource.out_trade_no === outTradeNo)).toBe(true);
    const arrivals = received.map((r) => r.arrivedAt);
    expect(Math.max(...arrivals) - Math.min(...arrivals)).toBeLessThan(100);
    const [delivery] = h.sandbox.deliveries(outTradeNo);
    expect(delivery!.attempts.map((a) => [a.attempt, a.copy])).toEqual([
      [1, 1],
      [1, 2],
      [1, 3],
    ]);
  });

  it('sends nothing for drop, while the query still reports the payment', async () => {
    const outTradeNo = await placeOrder();
    await h.call('POST', '/sandbox/faults', { out_trade_no: outTradeNo, drop: true });
    await pay(outTradeNo);
    await h.sandbox.settled();
    expect(h.receiver.received).toHaveLength(0);
    expect(h.sandbox.deliveries(outTradeNo)).toEqual([
      expect.objectContaining({ state: 'dropped', attempts: [] }),
    ]);
    expect((await h.client.queryByOutTradeNo(outTradeNo)).trade_state).toBe('SUCCESS');
  });

  it('holds the first attempt back by delayMs', async () => {
    const outTradeNo = await placeOrder();
    await h.call('POST', '/sandbox/faults', { out_trade_no: outTradeNo, delayMs: 200 });
    const paidAt = performance.now();
    await pay(outTradeNo);
    const [received] = await h.receiver.waitFor(1);
    expect(received!.arrivedAt - paidAt).toBeGreaterThanOrEqual(195);
    expect(received!.status).toBe(204);
  });

  it.each([
    ['badSignature', 'bad_signature'],
    ['signatureProbe', 'signature_probe'],
    ['staleTimestamp', 'stale_timestamp'],
  ] as const)(
    'makes the merchant refuse %s with reason %s, then delivers a correct retry',
    async (fault, reason) => {
      const outTradeNo = await placeOrder();
      await h.call('POST', '/sandbox/faults', { out_trade_no: outTradeNo, [fault]: true });
      await pay(outTradeNo);
      await h.sandbox.settled();

      const [forged, retry] = h.receiver.received;
      expect(h.receiver.received).toHaveLength(2);
      expect(forged!.reason).toBe(reason);
      expect(forged!.status).toBe(401);
      expect(retry!.reason).toBeUndefined();
      expect(retry!.status).toBe(204);
      expect(retry!.notification?.resource.out_trade_no).toBe(outTradeNo);
      if (fault === 'signatureProbe') {
        expect(String(forged!.headers['wechatpay-signature'])).toMatch(
          new RegExp(`^${SIGNATURE_PROBE_PREFIX}`),
        );
      }
      if (fault === 'staleTimestamp') {
        const age = Date.now() / 1000 - Number(forged!.headers['wechatpay-timestamp']);
        expect(age).toBeGreaterThanOrEqual(599);
      }
      const [delivery] = h.sandbox.deliveries(outTradeNo);
      expect(delivery!.attempts.map((a) => a.signature)).toEqual([reason, 'valid']);
      expect(delivery!.merchantAcceptedInvalid).toBeUndefined();
    },
  );

  it('flags a merchant that acknowledges a probe', async () => {
    h.receiver.override = () => 200; // a broken merchant: 2xx whatever happened
    const outTradeNo = await placeOrder();
    await h.call('POST', '/sandbox/faults', { out_trade_no: outTradeNo, signatureProbe: true });
    await pay(outTradeNo);
    await h.sandbox.settled();
    expect(h.receiver.received).toHaveLength(1);
    expect(h.sandbox.deliveries(outTradeNo)[0]).toMatchObject({
      state: 'delivered',
      merchantAcceptedInvalid: 'signature_probe',
    });
  });

  it('encrypts a different amount for wrongAmount', async () => {
    const outTradeNo = await placeOrder(100);
    await h.call('POST', '/sandbox/faults', { out_trade_no: outTradeNo, wrongAmount: true });
    await pay(outTradeNo);
    const [received] = await h.receiver.waitFor(1);
    expect(received!.reason).toBeUndefined(); // correctly signed and encrypted: only the content is wrong
    expect(received!.notification?.resource.amount.total).toBe(101);
    expect((await h.client.queryByOutTradeNo(outTradeNo)).amount.total).toBe(100);
    await h.sandbox.settled();
    expect(h.sandbox.deliveries(outTradeNo)[0]!.merchantAcceptedInvalid).toBe('wrong_amount');
  });

  it('applies a global once fault to the next notification only, and lists and clears faults', async () => {
    expect((await h.call('POST', '/sandbox/faults', { badSignature: true, once: true })).json).toEqual({
      scope: 'global',
      fault: { badSignature: true, once: true },
    });
    await h.call('POST', '/sandbox/faults', { out_trade_no: 'Unrelated1', drop: true });
    expect((await h.call('GET', '/sandbox/faults')).json).toEqual({
      global: { badSignature: true, once: true },
      orders: { Unrelated1: { drop: true } },
    });

    const first = await placeOrder();
    await pay(first);
    await h.sandbox.settled();
    const second = await placeOrder();
    await pay(second);
    await h.sandbox.settled();
    expect(h.receiver.received.map((r) => r.reason ?? 'ok')).toEqual(['bad_signature', 'ok', 'ok']);

    expect((await h.call('GET', '/sandbox/faults')).json).toEqual({ orders: { Unrelated1: { drop: true } } });
    expect((await h.call('DELETE', '/sandbox/faults')).status).toBe(204);
    expect((await h.call('GET', '/sandbox/faults')).json).toEqual({ orders: {} });
  });

  it('refuses a fault with an unknown field or two signature faults', async () => {
    expect(await h.call('POST', '/sandbox/faults', { dorp: true })).toMatchObject({
      status: 400,
      json: { code: 'BAD_REQUEST', message: expect.stringContaining('dorp') },
    });
    expect(
      (await h.call('POST', '/sandbox/faults', { badSignature: true, staleTimestamp: true })).status,
    ).toBe(400);
  });

  it('shows orders, refunds and deliveries in /sandbox/state without keys', async () => {
    const outTradeNo = await placeOrder();
    await pay(outTradeNo);
    await h.sandbox.settled();
    const { status, json } = await h.call('GET', '/sandbox/state');
    expect(status).toBe(200);
    expect(json.orders).toEqual([expect.objectContaining({ outTradeNo, tradeState: 'SUCCESS' })]);
    expect(json.deliveries).toHaveLength(1);
    const text = JSON.stringify(json);
    for (const secret of [h.keys.apiV3Key, h.keys.appSecret, h.keys.identitySecret, 'PRIVATE KEY']) {
      expect(text).not.toContain(secret);
    }
  });
});
