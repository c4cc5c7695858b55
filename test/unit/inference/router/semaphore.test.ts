import { createSemaphore } from '../../../../server/src/inference/router';

describe('semaphore', () => {
  it('grants up to the limit at once and queues the rest in arrival order', async () => {
    const semaphore = createSemaphore(2);
    const order: string[] = [];
    const a = await semaphore.acquire();
    const b = await semaphore.acquire();
    const c = semaphore.acquire().then((release) => (order.push('c'), release));
    const d = semaphore.acquire().then((release) => (order.push('d'), release));
    expect([semaphore.active, semaphore.waiting]).toEqual([2, 2]);
    b();
    b(); // releasing twice gives back one slot only
    (await c)();
    a();
    (await d)();
    expect(order).toEqual(['c', 'd']);
    expect([semaphore.active, semaphore.waiting]).toEqual([0, 0]);
  });

  it('drops a waiter whose signal aborts, without taking its slot', async () => {
    const semaphore = createSemaphore(1);
    const held = await semaphore.acquire();
    const controller = new AbortController();
    const waiting = semaphore.acquire(controller.signal);
    controller.abort(new Error('shutdown'));
    await expect(waiting).rejects.toThrow('shutdown');
    expect(semaphore.waiting).toBe(0);
    held();
    expect(semaphore.active).toBe(0);
  });

  it('refuses at once when the signal is already aborted', async () => {
    const semaphore = createSemaphore(1);
    await expect(semaphore.acquire(AbortSignal.abort(new Error('gone')))).rejects.toThrow('gone');
    expect(semaphore.active).toBe(0);
  });

  it('rejects a limit below 1', () => {
    expect(() => createSemaphore(0)).toThrow(RangeError);
  });
});
