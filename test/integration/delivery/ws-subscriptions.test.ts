import { WS_CLOSE_CODES, type WsServerMessage } from '@tokentill/shared-types';
import { eventually } from '../../support/api-client';
import { useTestRedis } from '../../support/test-redis';
import { startGateway, type GatewayHarness } from './gateway-harness';
import { openSocket, type TestSocket } from './ws-client';

/**
 * Subscriptions of one socket against the real gateway, stream hub and Redis, with the ownership lookups held
 * by the test so concurrent subscribes interleave exactly as chosen.
 */
const testRedis = useTestRedis();
const ALICE = { userKey: 'alice', sessionId: 'session-alice' };
const TOKEN = 'token-alice';

let harness: GatewayHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function start(options: Parameters<typeof startGateway>[2] = {}) {
  harness = await startGateway(testRedis, { [TOKEN]: ALICE }, { holdLookups: true, ...options });
  return harness;
}

const chunksOf = (socket: TestSocket, orderId: string) =>
  socket.messages.flatMap((m) => (m.type === 'chunk' && m.orderId === orderId ? [m.seq] : []));
const count = (socket: TestSocket, predicate: (m: WsServerMessage) => boolean) =>
  socket.messages.filter(predicate).length;
const text = (n: number) => Array.from({ length: n }, (_, i) => ({ text: `t${i + 1}` }));

describe('WebSocket subscriptions', () => {
  it('keeps one subscription per order when five subscribes race: every chunk once, one done', async () => {
    const gw = await start();
    const orderId = 'TT0000000001';
    await gw.append(orderId, ...text(4));
    const socket = await openSocket(gw.url, TOKEN);
    for (let i = 0; i < 5; i++) socket.send({ type: 'subscribe', orderId, after: 0 });
    await eventually(() => gw.held.length === 5, 5_000, 'five ownership lookups');
    for (const lookup of gw.held.splice(0)) lookup.answer(true);
    await socket.waitFor((m) => m.type === 'chunk' && m.seq === 4);
    expect(gw.hub.listenerCount).toBe(1);

    await gw.append(orderId, ...text(4), { state: 'COMPLETED' });
    await socket.waitFor((m) => m.type === 'done');
    await eventually(() => gw.hub.listenerCount === 0, 5_000, 'the finished subscription to leave the hub');

    expect(chunksOf(socket, orderId)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(count(socket, (m) => m.type === 'done')).toBe(1);
    await socket.close();
  });

  it('closes pending and live subscriptions with their socket: no hub listener is left', async () => {
    const gw = await start();
    const live = 'TT0000000002';
    const pending = 'TT0000000003';
    await gw.append(live, ...text(1));
    const socket = await openSocket(gw.url, TOKEN);
    for (let i = 0; i < 3; i++) socket.send({ type: 'subscribe', orderId: live, after: 0 });
    await eventually(() => gw.held.length === 3, 5_000, 'three ownership lookups');
    for (const lookup of gw.held.splice(0)) lookup.answer(true);
    await socket.waitFor((m) => m.type === 'chunk' && m.orderId === live);
    socket.send({ type: 'subscribe', orderId: pending, after: 0 });
    await eventually(() => gw.held.length === 1, 5_000, 'the second order’s lookup');

    await socket.close();
    await eventually(() => gw.gateway.clientCount === 0, 5_000, 'the server to see the close');
    // The lookup of the closed socket answers late: nothing may start from it.
    gw.held.splice(0)[0]!.answer(true);
    await eventually(() => gw.hub.listenerCount === 0, 5_000, 'every hub listener to be gone');
    expect(gw.hub.watchedCount).toBe(0);
  });

  it('holds the per-socket limit across concurrent ownership lookups', async () => {
    const gw = await start({ maxSubscriptions: 3 });
    const orders = ['TT0000000011', 'TT0000000012', 'TT0000000013', 'TT0000000014', 'TT0000000015'];
    for (const orderId of orders) await gw.append(orderId, ...text(1), { state: 'COMPLETED' });
    const socket = await openSocket(gw.url, TOKEN);
    for (const orderId of orders) socket.send({ type: 'subscribe', orderId, after: 0 });
    // Every subscribe is answered one way or the other: a lookup to run, or a refusal.
    await eventually(
      () => gw.held.length + count(socket, (m) => m.type === 'error') === orders.length,
      5_000,
      'every subscribe to be looked up or refused',
    );
    for (const lookup of gw.held.splice(0)) lookup.answer(true);
    await eventually(
      () => count(socket, (m) => m.type === 'done' || m.type === 'error') === orders.length,
      5_000,
      'a done or an error for every order',
    );

    expect(count(socket, (m) => m.type === 'done')).toBe(3);
    const refused = socket.messages.filter((m) => m.type === 'error');
    expect(refused).toHaveLength(2);
    expect(refused.every((m) => m.type === 'error' && m.code === 'RATE_LIMITED')).toBe(true);
    await socket.close();
  });

  it('lets an unsubscribe sent during the ownership lookup win', async () => {
    const gw = await start();
    const dropped = 'TT0000000021';
    const kept = 'TT0000000022';
    await gw.append(dropped, ...text(2), { state: 'COMPLETED' });
    await gw.append(kept, ...text(2), { state: 'COMPLETED' });
    const socket = await openSocket(gw.url, TOKEN);
    socket.send({ type: 'subscribe', orderId: dropped, after: 0 });
    socket.send({ type: 'unsubscribe', orderId: dropped });
    await eventually(() => gw.held.length === 1, 5_000, 'the lookup');
    gw.held.splice(0)[0]!.answer(true);
    // A later order on the same socket, seen through to its end, shows the socket went on working.
    socket.send({ type: 'subscribe', orderId: kept, after: 0 });
    await eventually(() => gw.held.length === 1, 5_000, 'the second lookup');
    gw.held.splice(0)[0]!.answer(true);
    await socket.waitFor((m) => m.type === 'done' && m.orderId === kept);

    expect(socket.messages.some((m) => 'orderId' in m && m.orderId === dropped)).toBe(false);
    expect(gw.hub.listenerCount).toBe(0);
    await socket.close();
  });

  it('lets a resubscribe with a new `after` replace the live subscription without duplicates', async () => {
    const gw = await start({ holdLookups: false });
    const orderId = 'TT0000000031';
    await gw.append(orderId, ...text(3));
    const socket = await openSocket(gw.url, TOKEN);
    socket.send({ type: 'subscribe', orderId, after: 0 });
    await socket.waitFor((m) => m.type === 'chunk' && m.seq === 3);
    socket.messages.length = 0;

    socket.send({ type: 'subscribe', orderId, after: 1 });
    await socket.waitFor((m) => m.type === 'chunk' && m.seq === 3);
    await gw.append(orderId, ...text(1), { state: 'COMPLETED' });
    await socket.waitFor((m) => m.type === 'done');

    expect(chunksOf(socket, orderId)).toEqual([2, 3, 4]);
    expect(count(socket, (m) => m.type === 'done')).toBe(1);
    await eventually(() => gw.hub.listenerCount === 0, 5_000, 'the subscription to leave the hub');
    await socket.close();
  });

  it('closes the sockets of a session that is no longer live at the next heartbeat', async () => {
    let live = true;
    const gw = await start({
      holdLookups: false,
      heartbeatMs: 50,
      isSessionLive: async (sessionId) => sessionId !== ALICE.sessionId || live,
    });
    const socket = await openSocket(gw.url, TOKEN);
    const closed = new Promise<number>((resolve) => socket.ws.once('close', (code) => resolve(code)));
    live = false;
    expect(await closed).toBe(WS_CLOSE_CODES.SESSION_ENDED);
  });
});
