import { WS_CLOSE_CODES, type WsServerMessage } from '@tokentill/shared-types';
import { setAppVisible } from '../../../miniprogram/src/services/app-visibility';
import { SESSION_STORAGE_KEY } from '../../../miniprogram/src/services/session';
import { SocketClient, socketClient, socketUrl } from '../../../miniprogram/src/services/socket';
import { storage } from '../mocks/taro';
import { storedSession } from '../support/api';
import { FakeSocketTask, flushPromises, installFakeSockets } from '../support/fake-socket';

const ORDER_A = 'order-aaaa-0001';
const ORDER_B = 'order-bbbb-0002';

/**
 * A client whose sockets the test drives; `random` 0 makes every backoff exactly half its ceiling. The session
 * token is `tok-1`; a renewal (a new login) gives `tok-2`, `tok-3`, …
 */
function makeClient() {
  const tasks: FakeSocketTask[] = [];
  let logins = 1;
  const renewToken = jest.fn(async (_stale: string) => `tok-${++logins}`);
  const client = new SocketClient({
    connect: async ({ url, token }) => {
      const task = new FakeSocketTask(url, { Authorization: `Bearer ${token}` });
      tasks.push(task);
      return task;
    },
    url: () => 'ws://test/ws',
    token: async () => 'tok-1',
    renewToken,
    random: () => 0,
    baseDelayMs: 500,
  });
  return { client, tasks, renewToken };
}

function recorder() {
  const messages: WsServerMessage[] = [];
  const onUnavailable = jest.fn();
  return {
    messages,
    onUnavailable,
    handlers: { onMessage: (m: WsServerMessage) => messages.push(m), onUnavailable },
  };
}

const chunk = (orderId: string, seq: number, text: string) => ({ type: 'chunk', orderId, seq, text });

describe('SocketClient', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('carries every order on one socket, subscribing each with the seq it already has', async () => {
    const { client, tasks } = makeClient();
    client.subscribe(ORDER_A, 0, recorder().handlers);
    client.subscribe(ORDER_B, 7, recorder().handlers);
    await flushPromises();

    expect(tasks).toHaveLength(1);
    tasks[0]!.open();

    expect(tasks[0]!.sent).toEqual([
      { type: 'subscribe', orderId: ORDER_A, after: 0 },
      { type: 'subscribe', orderId: ORDER_B, after: 7 },
    ]);
    expect(client.isOpen).toBe(true);
  });

  it('drops duplicate chunks (seq at or below the last seen) and frames that are not the protocol', async () => {
    const { client, tasks } = makeClient();
    const a = recorder();
    client.subscribe(ORDER_A, 0, a.handlers);
    await flushPromises();
    const task = tasks[0]!;
    task.open();

    task.receive(chunk(ORDER_A, 1, '你'));
    task.receive(chunk(ORDER_A, 2, '好'));
    task.receive(chunk(ORDER_A, 2, '好')); // duplicate frame
    task.receive(chunk(ORDER_A, 1, '你')); // late replay
    task.receive('not json');
    task.receive({ type: 'chunk', orderId: ORDER_A, seq: 'three', text: 'x' }); // fails the schema
    task.receive({ type: 'chunk', orderId: 'order-unknown-9', seq: 3, text: 'x' }); // not subscribed
    task.receive({ type: 'state', orderId: ORDER_A, state: 'GENERATING' });

    expect(a.messages).toEqual([
      chunk(ORDER_A, 1, '你'),
      chunk(ORDER_A, 2, '好'),
      { type: 'state', orderId: ORDER_A, state: 'GENERATING' },
    ]);
  });

  it('reconnects after a drop with backoff and resubscribes every order after its last seq', async () => {
    const { client, tasks } = makeClient();
    const a = recorder();
    client.subscribe(ORDER_A, 0, a.handlers);
    client.subscribe(ORDER_B, 0, recorder().handlers);
    await flushPromises();
    tasks[0]!.open();
    tasks[0]!.receive(chunk(ORDER_A, 1, 'a'));
    tasks[0]!.receive(chunk(ORDER_A, 2, 'b'));
    tasks[0]!.receive(chunk(ORDER_B, 1, 'x'));

    tasks[0]!.drop();
    expect(client.isOpen).toBe(false);
    // First reconnect: ceiling 500 ms, jitter (random 0) halves it.
    await jest.advanceTimersByTimeAsync(249);
    expect(tasks).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(tasks).toHaveLength(2);

    tasks[1]!.open();
    expect(tasks[1]!.sent).toEqual([
      { type: 'subscribe', orderId: ORDER_A, after: 2 },
      { type: 'subscribe', orderId: ORDER_B, after: 1 },
    ]);
    // The server replays from `after`; anything older would be dropped anyway.
    tasks[1]!.receive(chunk(ORDER_A, 2, 'b'));
    tasks[1]!.receive(chunk(ORDER_A, 3, 'c'));
    expect(a.messages.map((m) => (m.type === 'chunk' ? m.text : m.type))).toEqual(['a', 'b', 'c']);
  });

  it('backs off exponentially with jitter between failed connects', async () => {
    const tasks: FakeSocketTask[] = [];
    const client = new SocketClient({
      connect: async ({ url }) => {
        const task = new FakeSocketTask(url);
        tasks.push(task);
        return task;
      },
      url: () => 'ws://test/ws',
      token: async () => 'tok-1',
      random: () => 1, // the top of the jitter range: the full ceiling
      maxConnectFailures: 10,
    });
    client.subscribe(ORDER_A, 0, recorder().handlers);
    await flushPromises();

    const delays: number[] = [];
    for (let attempt = 0; attempt < 4; attempt++) {
      tasks[attempt]!.fail();
      let waited = 0;
      while (tasks.length === attempt + 1) {
        await jest.advanceTimersByTimeAsync(100);
        waited += 100;
      }
      delays.push(waited);
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000]);
  });

  it('applies a reset once and passes it on, so the subscriber can discard the text before it', async () => {
    const { client, tasks } = makeClient();
    const a = recorder();
    client.subscribe(ORDER_A, 0, a.handlers);
    await flushPromises();
    tasks[0]!.open();
    tasks[0]!.receive(chunk(ORDER_A, 1, 'first try'));
    const reset = { type: 'reset', orderId: ORDER_A, seq: 2, reason: 'provider failed' };
    tasks[0]!.receive(reset);
    tasks[0]!.receive(reset);

    expect(a.messages).toEqual([chunk(ORDER_A, 1, 'first try'), reset]);
  });

  it('closes the socket when the app is hidden and reconnects with the last seq when it shows again', async () => {
    storage.clear();
    storage.set(SESSION_STORAGE_KEY, storedSession('tok-socket'));
    const tasks = installFakeSockets();
    const a = recorder();
    const unsubscribe = socketClient.subscribe(ORDER_A, 0, a.handlers);
    try {
      await flushPromises();
      expect(tasks).toHaveLength(1);
      // The token travels in a header (wx.connectSocket), never in the URL.
      expect(tasks[0]!.url).toMatch(/\/ws$/);
      expect(tasks[0]!.header).toEqual({ Authorization: 'Bearer tok-socket' });
      tasks[0]!.open();
      tasks[0]!.receive(chunk(ORDER_A, 1, 'a'));
      tasks[0]!.receive(chunk(ORDER_A, 2, 'b'));

      setAppVisible(false);
      expect(tasks[0]!.closedByClient).toBe(true);
      expect(socketClient.isOpen).toBe(false);
      await jest.advanceTimersByTimeAsync(60_000);
      expect(tasks).toHaveLength(1); // no reconnect while hidden

      setAppVisible(true);
      await flushPromises();
      expect(tasks).toHaveLength(2);
      tasks[1]!.open();
      expect(tasks[1]!.sent).toEqual([{ type: 'subscribe', orderId: ORDER_A, after: 2 }]);
    } finally {
      unsubscribe();
      setAppVisible(true);
    }
  });

  it('tells subscribers to poll after 3 failed connects in a row, and stops trying', async () => {
    const { client, tasks } = makeClient();
    const a = recorder();
    client.subscribe(ORDER_A, 0, a.handlers);
    await flushPromises();

    tasks[0]!.fail();
    await jest.advanceTimersByTimeAsync(1_000);
    tasks[1]!.fail();
    await jest.advanceTimersByTimeAsync(2_000);
    expect(a.onUnavailable).not.toHaveBeenCalled();
    tasks[2]!.fail();

    expect(a.onUnavailable).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(60_000);
    expect(tasks).toHaveLength(3);
  });

  it('counts a connect that never opens as failed after the connect timeout', async () => {
    const { client, tasks } = makeClient();
    client.subscribe(ORDER_A, 0, recorder().handlers);
    await flushPromises();

    await jest.advanceTimersByTimeAsync(10_000);
    expect(tasks[0]!.closedByClient).toBe(true);
    await jest.advanceTimersByTimeAsync(500);
    expect(tasks).toHaveLength(2);
  });

  it('logs in again when the server ends the session (4401) and reconnects with the new token', async () => {
    const { client, tasks, renewToken } = makeClient();
    const a = recorder();
    client.subscribe(ORDER_A, 0, a.handlers);
    await flushPromises();
    tasks[0]!.open();
    tasks[0]!.receive(chunk(ORDER_A, 1, 'a'));

    tasks[0]!.closeByServer(WS_CLOSE_CODES.SESSION_ENDED, 'session ended: log in again');
    await jest.advanceTimersByTimeAsync(250);

    expect(renewToken).toHaveBeenCalledTimes(1);
    expect(renewToken).toHaveBeenCalledWith('tok-1');
    expect(tasks).toHaveLength(2);
    expect(tasks[1]!.header).toEqual({ Authorization: 'Bearer tok-2' });
    tasks[1]!.open();
    expect(tasks[1]!.sent).toEqual([{ type: 'subscribe', orderId: ORDER_A, after: 1 }]);
    expect(a.onUnavailable).not.toHaveBeenCalled();

    // An ordinary drop later reconnects with the session's token again, without another login.
    tasks[1]!.drop();
    await jest.advanceTimersByTimeAsync(250);
    expect(tasks).toHaveLength(3);
    expect(renewToken).toHaveBeenCalledTimes(1);
  });

  it('polls instead of reconnecting when the server closed the socket as one too many (4409)', async () => {
    const { client, tasks } = makeClient();
    const a = recorder();
    client.subscribe(ORDER_A, 0, a.handlers);
    await flushPromises();
    tasks[0]!.open();

    tasks[0]!.closeByServer(WS_CLOSE_CODES.REPLACED);

    expect(a.onUnavailable).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(60_000);
    expect(tasks).toHaveLength(1);
  });

  it('unsubscribes an order, and closes the socket when the last order leaves', async () => {
    const { client, tasks } = makeClient();
    const stopA = client.subscribe(ORDER_A, 0, recorder().handlers);
    const stopB = client.subscribe(ORDER_B, 0, recorder().handlers);
    await flushPromises();
    tasks[0]!.open();

    stopA();
    expect(tasks[0]!.sent).toContainEqual({ type: 'unsubscribe', orderId: ORDER_A });
    expect(tasks[0]!.closedByClient).toBe(false);

    stopB();
    expect(tasks[0]!.closedByClient).toBe(true);
    await jest.advanceTimersByTimeAsync(60_000);
    expect(tasks).toHaveLength(1);
  });
});

describe('socketUrl', () => {
  const original = process.env.TARO_APP_WS_BASE;
  afterAll(() => {
    process.env.TARO_APP_WS_BASE = original;
  });

  it('appends /ws to the configured base, and no token', () => {
    process.env.TARO_APP_WS_BASE = 'wss://api.example.com/';
    expect(socketUrl()).toBe('wss://api.example.com/ws');
  });

  it('derives ws(s)://host from the page when no base is configured (H5)', () => {
    process.env.TARO_APP_WS_BASE = '';
    expect(socketUrl()).toBe(`ws://${window.location.host}/ws`);
  });
});
