import type { OrderView } from '@tokentill/shared-types';
import { setAppVisible } from '../../../miniprogram/src/services/app-visibility';
import { acquireTracker } from '../../../miniprogram/src/services/order-tracker';
import { SESSION_STORAGE_KEY } from '../../../miniprogram/src/services/session';
import { emitNetworkStatus, storage } from '../mocks/taro';
import { envelope, mockApi, storedSession, type ApiCall } from '../support/api';
import { flushPromises, installFakeSockets } from '../support/fake-socket';

const ORDER = 'order-track-0001';

function orderView(patch: Partial<OrderView>): OrderView {
  return {
    orderId: ORDER,
    state: 'GENERATING',
    tier: 'basic',
    tierTitle: '基础',
    priceFen: 10,
    prompt: '你好',
    createdAt: '2025-01-01T00:00:00.000Z',
    updatedAt: '2025-01-01T00:00:00.000Z',
    ...patch,
  };
}

const afterOf = (call: ApiCall) => Number(new URL(call.path, 'http://x').searchParams.get('after'));

describe('order tracker (socket first, polling fallback)', () => {
  const releases: (() => void)[] = [];

  beforeEach(() => {
    jest.useFakeTimers();
    storage.clear();
    storage.set(SESSION_STORAGE_KEY, storedSession('tok'));
  });

  afterEach(() => {
    releases.splice(0).forEach((release) => release());
    jest.useRealTimers();
  });

  function track() {
    const { tracker, release } = acquireTracker(ORDER);
    releases.push(release);
    tracker.start();
    return tracker;
  }

  it('builds the answer from socket chunks once each and restarts it at a reset', async () => {
    const sockets = installFakeSockets();
    mockApi({});
    const tracker = track();
    await flushPromises();
    const socket = sockets[0]!;
    socket.open();
    expect(socket.sent).toEqual([{ type: 'subscribe', orderId: ORDER, after: 0 }]);

    socket.receive({ type: 'state', orderId: ORDER, state: 'PAID' });
    socket.receive({ type: 'chunk', orderId: ORDER, seq: 1, text: 'Hello' });
    socket.receive({ type: 'chunk', orderId: ORDER, seq: 2, text: ' wor' });
    socket.receive({ type: 'chunk', orderId: ORDER, seq: 2, text: ' wor' });
    expect(tracker.getSnapshot()).toMatchObject({ state: 'GENERATING', text: 'Hello wor', lastSeq: 2 });

    socket.receive({ type: 'reset', orderId: ORDER, seq: 3, reason: 'provider failed' });
    expect(tracker.getSnapshot().text).toBe('');
    socket.receive({ type: 'chunk', orderId: ORDER, seq: 4, text: 'Hi there' });
    socket.receive({ type: 'state', orderId: ORDER, state: 'COMPLETED' });
    socket.receive({ type: 'done', orderId: ORDER, usage: { promptTokens: 3, completionTokens: 2 } });

    expect(tracker.getSnapshot()).toMatchObject({
      state: 'COMPLETED',
      text: 'Hi there',
      lastSeq: 4,
      usage: { promptTokens: 3, completionTokens: 2 },
      via: 'none',
    });
    // Done: the order is unsubscribed and, being the only one, the socket closed.
    expect(socket.sent).toContainEqual({ type: 'unsubscribe', orderId: ORDER });
    expect(socket.closedByClient).toBe(true);
  });

  it('falls back to polling GET /api/orders/:id?after=N every second after 3 failed connects', async () => {
    const sockets = installFakeSockets();
    const calls = mockApi({
      'GET /api/orders/*': [
        { status: 200, body: orderView({ chunks: [{ seq: 1, text: '一' }] }) },
        // The server answers from `after`; an overlapping chunk is still shown once.
        {
          status: 200,
          body: orderView({
            chunks: [
              { seq: 1, text: '一' },
              { seq: 2, text: '二' },
            ],
          }),
        },
        { status: 503, body: envelope('NOT_READY') },
        {
          status: 200,
          body: orderView({
            state: 'COMPLETED',
            chunks: [{ seq: 3, text: '三' }],
            usage: { promptTokens: 1, completionTokens: 3, costFen: 1 },
          }),
        },
      ],
    });
    const tracker = track();
    await flushPromises();
    sockets[0]!.fail();
    await jest.advanceTimersByTimeAsync(1_000);
    sockets[1]!.fail();
    await jest.advanceTimersByTimeAsync(2_000);
    expect(calls).toHaveLength(0);
    sockets[2]!.fail();
    await flushPromises();

    expect(tracker.getSnapshot().via).toBe('polling');
    expect(calls).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(calls).toHaveLength(2);
    expect(tracker.getSnapshot().text).toBe('一二');
    await jest.advanceTimersByTimeAsync(1_000); // the 503: retried after a longer pause
    expect(calls).toHaveLength(3);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(calls).toHaveLength(3);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(calls).toHaveLength(4);

    expect(calls.map(afterOf)).toEqual([0, 1, 2, 2]);
    expect(tracker.getSnapshot()).toMatchObject({ state: 'COMPLETED', text: '一二三', via: 'none' });
    await jest.advanceTimersByTimeAsync(10_000);
    expect(calls).toHaveLength(4); // final: polling stopped
  });

  it('polls instead when the server reports an error about the order over the socket', async () => {
    const sockets = installFakeSockets();
    const calls = mockApi({
      'GET /api/orders/*': { status: 200, body: orderView({ state: 'REFUNDED', chunks: [] }) },
    });
    const tracker = track();
    await flushPromises();
    sockets[0]!.open();
    sockets[0]!.receive({ type: 'error', orderId: ORDER, code: 'NOT_READY', message: 'stream unavailable' });
    await flushPromises();

    expect(calls).toHaveLength(1);
    expect(tracker.getSnapshot()).toMatchObject({ state: 'REFUNDED', via: 'none' });
  });

  it('stops with the error when polling is told the order does not exist', async () => {
    const sockets = installFakeSockets();
    mockApi({ 'GET /api/orders/*': { status: 404, body: envelope('NOT_FOUND') } });
    const tracker = track();
    await flushPromises();
    sockets[0]!.open();
    sockets[0]!.receive({ type: 'error', orderId: ORDER, code: 'NOT_FOUND', message: 'No such order.' });
    await flushPromises();

    expect(tracker.getSnapshot()).toMatchObject({ error: { code: 'NOT_FOUND' }, via: 'none' });
  });

  it('holds polling while the app is hidden and resumes when it shows', async () => {
    const sockets = installFakeSockets();
    const calls = mockApi({ 'GET /api/orders/*': { status: 200, body: orderView({ chunks: [] }) } });
    track();
    await flushPromises();
    sockets[0]!.open();
    sockets[0]!.receive({ type: 'error', orderId: ORDER, code: 'NOT_READY', message: 'x' });
    await flushPromises();
    expect(calls).toHaveLength(1);

    setAppVisible(false);
    await jest.advanceTimersByTimeAsync(30_000);
    expect(calls).toHaveLength(1);
    setAppVisible(true);
    await flushPromises();
    expect(calls).toHaveLength(2);
  });

  it('catches up over HTTP when the socket stays silent, without repeating what it has', async () => {
    const sockets = installFakeSockets();
    const calls = mockApi({
      'GET /api/orders/*': {
        status: 200,
        body: orderView({
          chunks: [
            { seq: 1, text: 'a' },
            { seq: 2, text: 'b' },
          ],
        }),
      },
    });
    const tracker = track();
    await flushPromises();
    sockets[0]!.open();
    sockets[0]!.receive({ type: 'chunk', orderId: ORDER, seq: 1, text: 'a' });

    await jest.advanceTimersByTimeAsync(15_000);

    expect(calls.map(afterOf)).toEqual([1]);
    expect(tracker.getSnapshot()).toMatchObject({ text: 'ab', lastSeq: 2, via: 'socket' });
    sockets[0]!.receive({ type: 'chunk', orderId: ORDER, seq: 2, text: 'b' });
    expect(tracker.getSnapshot().text).toBe('ab');
  });

  it('says the answer was restarted when a reset discards its text', async () => {
    const sockets = installFakeSockets();
    mockApi({});
    const tracker = track();
    await flushPromises();
    sockets[0]!.open();
    sockets[0]!.receive({ type: 'chunk', orderId: ORDER, seq: 1, text: '前半' });
    expect(tracker.getSnapshot().restarted).toBe(false);

    sockets[0]!.receive({ type: 'reset', orderId: ORDER, seq: 2, reason: 'provider failed' });

    expect(tracker.getSnapshot()).toMatchObject({ text: '', restarted: true });
  });

  it('reads as reconnecting while the device is offline, and catches up over HTTP once it is back', async () => {
    const sockets = installFakeSockets();
    const calls = mockApi({
      'GET /api/orders/*': {
        status: 200,
        body: orderView({
          chunks: [
            { seq: 2, text: '后来' },
            { seq: 3, text: '的' },
          ],
        }),
      },
    });
    const tracker = track();
    await flushPromises();
    sockets[0]!.open();
    sockets[0]!.receive({ type: 'chunk', orderId: ORDER, seq: 1, text: '先前' });

    emitNetworkStatus(false);
    expect(tracker.getSnapshot().reconnecting).toBe(true);
    expect(calls).toHaveLength(0);

    emitNetworkStatus(true);
    await flushPromises();
    expect(calls.map(afterOf)).toEqual([1]);
    expect(tracker.getSnapshot()).toMatchObject({ text: '先前后来的', lastSeq: 3, reconnecting: false });
  });

  it('reads as reconnecting when the socket goes silent mid-answer, until it speaks again', async () => {
    const sockets = installFakeSockets();
    mockApi({ 'GET /api/orders/*': { status: 200, body: orderView({ chunks: [] }) } });
    const tracker = track();
    await flushPromises();
    sockets[0]!.open();
    sockets[0]!.receive({ type: 'chunk', orderId: ORDER, seq: 1, text: '一' });
    expect(tracker.getSnapshot().reconnecting).toBe(false);

    await jest.advanceTimersByTimeAsync(10_000);
    expect(tracker.getSnapshot().reconnecting).toBe(true);

    sockets[0]!.receive({ type: 'chunk', orderId: ORDER, seq: 2, text: '二' });
    expect(tracker.getSnapshot()).toMatchObject({ text: '一二', reconnecting: false });
  });

  it('reads as reconnecting as soon as the socket drops while online, until it is back and resubscribed', async () => {
    const sockets = installFakeSockets();
    mockApi({ 'GET /api/orders/*': { status: 200, body: orderView({ chunks: [] }) } });
    const tracker = track();
    await flushPromises();
    sockets[0]!.open();
    sockets[0]!.receive({ type: 'chunk', orderId: ORDER, seq: 1, text: '一' });
    expect(tracker.getSnapshot().reconnecting).toBe(false);

    sockets[0]!.drop();
    expect(tracker.getSnapshot().reconnecting).toBe(true); // at once, not after a silence

    await jest.advanceTimersByTimeAsync(1_000); // the reconnect backoff
    await flushPromises();
    sockets[1]!.open();
    expect(sockets[1]!.sent).toEqual([{ type: 'subscribe', orderId: ORDER, after: 1 }]);
    expect(tracker.getSnapshot().reconnecting).toBe(false);
  });

  it('never moves the state backwards when sources disagree', async () => {
    installFakeSockets();
    mockApi({});
    const tracker = track();
    tracker.applyView({ state: 'GENERATING' });
    tracker.applyView({ state: 'CREATED' }); // a late /confirm answer
    expect(tracker.getSnapshot().state).toBe('GENERATING');
  });
});
