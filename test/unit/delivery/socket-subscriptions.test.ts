import type { WsServerMessage } from '@tokentill/shared-types';
import { createSocketSubscriptions } from '../../../server/src/delivery/socket-subscriptions';
import type { OrderSubscription } from '../../../server/src/delivery/order-subscription';

/** Subscriptions with ownership lookups the test answers, recording what was opened and closed. */
function harness(maxSubscriptions = 10) {
  const lookups: { orderId: string; answer(owns: boolean): void; fail(err: Error): void }[] = [];
  const opened: { orderId: string; after: number; closed: boolean; finish(): void }[] = [];
  const sent: WsServerMessage[] = [];
  const subscriptions = createSocketSubscriptions({
    maxSubscriptions,
    ownsOrder: (orderId) =>
      new Promise((resolve, reject) => lookups.push({ orderId, answer: resolve, fail: reject })),
    open: (orderId, after, onFinished) => {
      // Like a real subscription: it closes itself on reaching a final state, then reports it.
      const record = {
        orderId,
        after,
        closed: false,
        finish: () => {
          record.closed = true;
          onFinished('COMPLETED');
        },
      };
      opened.push(record);
      const subscription: OrderSubscription = {
        lastSeq: after,
        resume: () => undefined,
        close: () => void (record.closed = true),
      };
      return subscription;
    },
    send: (message) => void sent.push(message),
  });
  const live = () => opened.filter((o) => !o.closed);
  return { subscriptions, lookups, opened, sent, live };
}

describe('socket subscriptions', () => {
  it('opens only the newest of concurrent subscribes for one order', async () => {
    const h = harness();
    const done = [0, 3, 5].map((after) => h.subscriptions.subscribe('TT0000000001', after));
    for (const lookup of h.lookups) lookup.answer(true);
    await Promise.all(done);

    expect(h.opened.map((o) => o.after)).toEqual([5]);
    expect(h.subscriptions.size).toBe(1);
  });

  it('closes the live subscription when the same order is subscribed again', async () => {
    const h = harness();
    const first = h.subscriptions.subscribe('TT0000000001', 0);
    h.lookups[0]!.answer(true);
    await first;
    const second = h.subscriptions.subscribe('TT0000000001', 4);
    h.lookups[1]!.answer(true);
    await second;

    expect(h.opened.map((o) => [o.after, o.closed])).toEqual([
      [0, true],
      [4, false],
    ]);
  });

  it('counts pending subscriptions against the limit', async () => {
    const h = harness(2);
    const done = ['TT0000000001', 'TT0000000002', 'TT0000000003'].map((id) =>
      h.subscriptions.subscribe(id, 0),
    );
    expect(h.sent).toEqual([expect.objectContaining({ orderId: 'TT0000000003', code: 'RATE_LIMITED' })]);
    for (const lookup of h.lookups) lookup.answer(true);
    await Promise.all(done);
    expect(h.live().map((o) => o.orderId)).toEqual(['TT0000000001', 'TT0000000002']);
  });

  it('answers NOT_FOUND for an order the user does not own and frees its place', async () => {
    const h = harness(1);
    const done = h.subscriptions.subscribe('TT0000000001', 0);
    h.lookups[0]!.answer(false);
    await done;
    expect(h.sent).toEqual([
      { type: 'error', orderId: 'TT0000000001', code: 'NOT_FOUND', message: 'No such order.' },
    ]);
    expect(h.subscriptions.size).toBe(0);
  });

  it('drops a subscribe whose socket closed or that was unsubscribed during the lookup', async () => {
    const h = harness();
    const unsubscribed = h.subscriptions.subscribe('TT0000000001', 0);
    h.subscriptions.unsubscribe('TT0000000001');
    h.lookups[0]!.answer(true);
    await unsubscribed;
    const pending = h.subscriptions.subscribe('TT0000000002', 0);
    h.subscriptions.close();
    h.lookups[1]!.answer(true);
    await pending;
    await h.subscriptions.subscribe('TT0000000003', 0);

    expect(h.opened).toEqual([]);
    expect(h.sent).toEqual([]);
    expect(h.lookups).toHaveLength(2);
  });

  it('closes every live subscription on close, and forgets one that finished', async () => {
    const h = harness();
    const done = ['TT0000000001', 'TT0000000002'].map((id) => h.subscriptions.subscribe(id, 0));
    for (const lookup of h.lookups) lookup.answer(true);
    await Promise.all(done);
    h.opened[0]!.finish();
    expect(h.subscriptions.size).toBe(1);
    h.subscriptions.close();
    expect(h.live()).toEqual([]);
    expect(h.subscriptions.size).toBe(0);
  });

  it('rejects when the lookup fails, freeing the place, unless a newer subscribe replaced it', async () => {
    const h = harness();
    const failing = h.subscriptions.subscribe('TT0000000001', 0);
    h.lookups[0]!.fail(new Error('redis down'));
    await expect(failing).rejects.toThrow('redis down');
    expect(h.subscriptions.size).toBe(0);

    const replaced = h.subscriptions.subscribe('TT0000000002', 0);
    const newer = h.subscriptions.subscribe('TT0000000002', 2);
    h.lookups[1]!.fail(new Error('redis down'));
    await expect(replaced).resolves.toBeUndefined();
    h.lookups[2]!.answer(true);
    await newer;
    expect(h.live().map((o) => o.after)).toEqual([2]);
  });
});
