import { createOrder, eventually, login, sandboxPay, waitForOrder } from '../../support/api-client';
import { useTestServer } from '../../support/test-server';

/**
 * The recovery sweep gives every order that stalled its next step by state, whatever crashed in between. Each
 * test leaves an order the way a crash at one precise point would leave it (the step after a transition never
 * ran), makes the order due for the sweep, and runs reconciler passes as the background loop would. No worker
 * runs, so jobs stay where the tests can see them.
 */
const fixture = useTestServer({ GENERATION_ATTEMPTS: '3' });

const services = () => fixture.server.services;
const liveKey = () => `${fixture.server.prefix}schedule:live-orders`;
const scheduleKey = (name: string) => `${fixture.server.prefix}schedule:${name}`;

async function paidOrder(): Promise<{ token: string; orderId: string }> {
  const token = await login(fixture.server.url);
  const { orderId } = await createOrder(fixture.server.url, token);
  await sandboxPay(fixture.server.url, orderId);
  await waitForOrder(fixture.server.url, token, orderId, (o) => o.state === 'PAID');
  return { token, orderId };
}

/** The sweep looks at the order on the next pass (instead of RECOVERY_AFTER_MS from now). */
async function makeDue(orderId: string): Promise<void> {
  expect(await fixture.redis.zscore(liveKey(), orderId)).not.toBeNull();
  await fixture.redis.zadd(liveKey(), 0, orderId);
}

/** Runs reconciler passes until the order reaches `state`. */
async function sweepUntil(orderId: string, state: string): Promise<void> {
  await eventually(
    async () => {
      await services().reconciler.runOnce();
      return (await services().orderStore.get(orderId))?.state === state;
    },
    10_000,
    `order ${orderId} to reach ${state}`,
  );
}

async function dropJob(orderId: string): Promise<void> {
  await (await services().queue.queue.getJob(orderId))?.remove();
  expect(await services().queue.jobState(orderId)).toBe('unknown');
}

describe('recovery sweep', () => {
  it('refunds a FAILED order whose refund request was lost to a crash', async () => {
    const { orderId } = await paidOrder();
    const started = await services().orderStore.startGeneration(orderId, 3);
    expect(started.ok).toBe(true);
    // The worker failed the order, then died before requesting the refund.
    expect((await services().orderStore.transition(orderId, 'fail', { attempt: 1 })).ok).toBe(true);
    await makeDue(orderId);
    await sweepUntil(orderId, 'REFUNDED');
    const refund = await services().wxpay.queryRefund(`${orderId}-R1`);
    expect(refund.status).toBe('SUCCESS');
    // Final: the sweep no longer watches it (removed right after the final transition is journaled).
    await eventually(
      async () => (await fixture.redis.zscore(liveKey(), orderId)) === null,
      5_000,
      'the refunded order to leave the live-order index',
    );
  });

  it('follows a REFUNDING order whose refund was never scheduled', async () => {
    const { orderId } = await paidOrder();
    await services().orderStore.startGeneration(orderId, 3);
    await services().orderStore.transition(orderId, 'fail', { attempt: 1 });
    // The refund service moved the order to REFUNDING and died before scheduling the refund request.
    await services().orderStore.transition(orderId, 'request_refund', {
      fields: { outRefundNo: `${orderId}-R1`, refundReason: 'generation_failed' },
    });
    expect(await fixture.redis.zscore(scheduleKey('refund-checks'), orderId)).toBeNull();
    await makeDue(orderId);
    await sweepUntil(orderId, 'REFUNDED');
  });

  it('queues the job of a PAID order whose job was lost', async () => {
    const { orderId } = await paidOrder();
    await dropJob(orderId);
    await makeDue(orderId);
    await services().reconciler.runOnce();
    expect(await services().queue.jobState(orderId)).toBe('waiting');
    expect((await services().orderStore.get(orderId))?.state).toBe('PAID');
  });

  it('resumes a GENERATING order whose worker and job are gone, within the attempt budget', async () => {
    const { orderId } = await paidOrder();
    await services().orderStore.startGeneration(orderId, 3);
    await dropJob(orderId);
    await makeDue(orderId);
    await services().reconciler.runOnce();
    expect(await services().queue.jobState(orderId)).toBe('waiting');
    expect((await services().orderStore.get(orderId))?.state).toBe('GENERATING');
  });

  it('fails and refunds a GENERATING order whose attempts are spent', async () => {
    const { orderId } = await paidOrder();
    for (let i = 0; i < 3; i++)
      expect((await services().orderStore.startGeneration(orderId, 3)).ok).toBe(true);
    await dropJob(orderId);
    await makeDue(orderId);
    await sweepUntil(orderId, 'REFUNDED');
    expect((await services().orderStore.get(orderId))?.refundReason).toBe('generation_failed');
  });

  it('leaves alone an order whose job is still queued', async () => {
    const { orderId } = await paidOrder();
    await makeDue(orderId);
    await services().reconciler.runOnce();
    expect((await services().orderStore.get(orderId))?.state).toBe('PAID');
    expect(await services().queue.jobState(orderId)).toBe('waiting');
    // Looked at again later, not forgotten.
    expect(Number(await fixture.redis.zscore(liveKey(), orderId))).toBeGreaterThan(Date.now());
  });

  it('schedules the payment check of an unpaid order whose check was lost', async () => {
    const token = await login(fixture.server.url);
    const { orderId } = await createOrder(fixture.server.url, token);
    await fixture.redis.zrem(scheduleKey('payment-checks'), orderId);
    await makeDue(orderId);
    await services().reconciler.runOnce();
    expect(await fixture.redis.zscore(scheduleKey('payment-checks'), orderId)).not.toBeNull();
  });

  it('stops at the attempt budget: a worker starting one attempt too many fails the order instead', async () => {
    const { orderId } = await paidOrder();
    for (let i = 0; i < 3; i++) await services().orderStore.startGeneration(orderId, 3);
    const fourth = await services().orderStore.startGeneration(orderId, 3);
    expect(fourth).toEqual({ ok: false, state: 'FAILED', budgetSpent: true });
    expect((await services().orderStore.get(orderId))?.state).toBe('FAILED');
  });
});

describe('the sealed openid', () => {
  const handoverKey = (orderId: string) => `${fixture.server.prefix}order:{o:${orderId}}:notify-openid`;

  it('is erased by the transition into a final state (CLOSED)', async () => {
    const token = await login(fixture.server.url);
    const { orderId } = await createOrder(fixture.server.url, token);
    expect((await services().orderStore.get(orderId))?.sealedOpenid).toEqual(expect.any(String));
    await services().orderStore.transition(orderId, 'close');
    expect((await services().orderStore.get(orderId))?.sealedOpenid).toBeUndefined();
    expect(await fixture.redis.exists(handoverKey(orderId))).toBe(0);
  });

  it('is erased when an answer fails, and handed over briefly for the subscribe message when one completes', async () => {
    const failed = await paidOrder();
    await services().orderStore.startGeneration(failed.orderId, 3);
    await services().orderStore.transition(failed.orderId, 'fail', { attempt: 1 });
    expect((await services().orderStore.get(failed.orderId))?.sealedOpenid).toBeUndefined();

    const { orderId } = await paidOrder();
    const sealed = (await services().orderStore.get(orderId))?.sealedOpenid;
    await services().orderStore.startGeneration(orderId, 3);
    await services().orderStore.transition(orderId, 'complete', { attempt: 1 });
    expect((await services().orderStore.get(orderId))?.sealedOpenid).toBeUndefined();
    expect(await fixture.redis.get(handoverKey(orderId))).toBe(sealed);
    expect(await fixture.redis.ttl(handoverKey(orderId))).toBeGreaterThan(0);
  });
});
