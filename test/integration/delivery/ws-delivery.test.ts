import { apiClient, createOrder, login, sandboxPay, waitForOrder } from '../../support/api-client';
import { useTestServer } from '../../support/test-server';
import { expectedMockAnswer } from '../../../server/src/mock-model';
import { assembled, connectSocket, openSocket, upgradeStatus } from './ws-client';

/** Delivery over the real /ws endpoint: the real server, worker, mock model and Redis. */
// A paced model so sockets can join and leave mid-answer.
const fixture = useTestServer(
  { SANDBOX_MODEL_TOKENS_PER_SECOND: '200', SANDBOX_MODEL_TTFT_MS: '20' },
  { background: true },
);

const system = { role: 'system' as const, content: '你是一个简洁、可靠的助手。' };
const expected = (prompt: string) =>
  expectedMockAnswer([system, { role: 'user', content: prompt }], 'mock-fast', 1024);

async function paidOrder(prompt: string) {
  const token = await login(fixture.server.url);
  const { orderId } = await createOrder(fixture.server.url, token, { prompt });
  return { token, orderId, pay: () => sandboxPay(fixture.server.url, orderId) };
}

describe('WebSocket delivery', () => {
  it('refuses an upgrade without a valid session token with 401', async () => {
    for (const token of [undefined, 'not-a-real-token-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa']) {
      for (const carrier of ['header', 'subprotocol'] as const) {
        expect(await upgradeStatus(connectSocket(fixture.server.url, token, carrier))).toBe(401);
      }
    }
  });

  it('streams a paid order live: states, every chunk once and in order, then done', async () => {
    const prompt = '给我讲一个关于猫的笑话';
    const { token, orderId, pay } = await paidOrder(prompt);
    const socket = await openSocket(fixture.server.url, token);
    socket.send({ type: 'subscribe', orderId, after: 0 });
    await pay();
    const done = await socket.waitFor((m) => m.type === 'done' && m.orderId === orderId);
    expect(done).toMatchObject({
      usage: { promptTokens: expect.any(Number), completionTokens: expect.any(Number) },
    });
    const states = socket.messages.flatMap((m) => (m.type === 'state' ? [m.state] : []));
    expect(states).toEqual(['PAID', 'GENERATING', 'COMPLETED']);
    const seqs = socket.messages.flatMap((m) => (m.type === 'chunk' ? [m.seq] : []));
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(assembled(socket.messages, orderId)).toBe(expected(prompt));
    await socket.close();
  });

  it('resumes after a disconnect from the last seq: every chunk exactly once, in order', async () => {
    const prompt = '详细说说怎么泡一壶好茶';
    const { token, orderId, pay } = await paidOrder(prompt);
    const first = await openSocket(fixture.server.url, token);
    first.send({ type: 'subscribe', orderId, after: 0 });
    await pay();
    await first.waitFor((m) => m.type === 'chunk' && m.orderId === orderId);
    // The app goes to the background: the socket drops mid-answer.
    first.ws.terminate();
    const received = first.messages.slice();
    const lastSeq = Math.max(...received.flatMap((m) => (m.type === 'chunk' ? [m.seq] : [0])));

    const second = await openSocket(fixture.server.url, token);
    second.send({ type: 'subscribe', orderId, after: lastSeq });
    await second.waitFor((m) => m.type === 'done' && m.orderId === orderId);
    const all = [...received, ...second.messages];
    const chunkSeqs = all.flatMap((m) => (m.type === 'chunk' ? [m.seq] : []));
    expect(new Set(chunkSeqs).size).toBe(chunkSeqs.length);
    expect(chunkSeqs).toEqual([...chunkSeqs].sort((a, b) => a - b));
    expect(assembled(all, orderId)).toBe(expected(prompt));
    await second.close();
  });

  it('gives a client that subscribes after completion the whole answer', async () => {
    const prompt = '一句话解释光合作用';
    const { token, orderId, pay } = await paidOrder(prompt);
    await pay();
    await waitForOrder(fixture.server.url, token, orderId, (o) => o.state === 'COMPLETED', 10_000);
    const socket = await openSocket(fixture.server.url, token);
    socket.send({ type: 'subscribe', orderId, after: 0 });
    await socket.waitFor((m) => m.type === 'done');
    expect(assembled(socket.messages, orderId)).toBe(expected(prompt));
    await socket.close();
  });

  it('does not let a user read another user’s order', async () => {
    const { orderId, pay } = await paidOrder('别人的问题');
    await pay();
    const intruder = await openSocket(fixture.server.url, await login(fixture.server.url));
    intruder.send({ type: 'subscribe', orderId, after: 0 });
    expect(await intruder.waitFor((m) => m.type === 'error')).toEqual({
      type: 'error',
      orderId,
      code: 'NOT_FOUND',
      message: 'No such order.',
    });
    await new Promise((r) => setTimeout(r, 200));
    expect(intruder.messages.some((m) => m.type === 'chunk')).toBe(false);
    await intruder.close();
  });

  it('follows several orders on one socket', async () => {
    const token = await login(fixture.server.url);
    const prompts = ['第一个问题', '第二个问题'];
    const orders = [];
    for (const prompt of prompts)
      orders.push((await createOrder(fixture.server.url, token, { prompt })).orderId);
    const socket = await openSocket(fixture.server.url, token);
    for (const orderId of orders) socket.send({ type: 'subscribe', orderId, after: 0 });
    await Promise.all(orders.map((orderId) => sandboxPay(fixture.server.url, orderId)));
    for (const [i, orderId] of orders.entries()) {
      await socket.waitFor((m) => m.type === 'done' && m.orderId === orderId);
      expect(assembled(socket.messages, orderId)).toBe(expected(prompts[i]!));
    }
    await socket.close();
  });

  it('answers a malformed message with an error and disconnects a client that floods', async () => {
    const socket = await openSocket(fixture.server.url, await login(fixture.server.url));
    socket.send({ type: 'subscribe', orderId: '!!' });
    expect(await socket.waitFor((m) => m.type === 'error')).toMatchObject({ code: 'VALIDATION_FAILED' });
    const closed = new Promise<number>((resolve) => socket.ws.once('close', (code) => resolve(code)));
    for (let i = 0; i < 100; i++) socket.send({ type: 'unsubscribe', orderId: 'TT00000000' });
    expect(await closed).toBe(1008);
  });

  it('serves the same chunks to a polling client', async () => {
    const prompt = '轮询也能拿到答案吗';
    const { token, orderId, pay } = await paidOrder(prompt);
    await pay();
    const order = await waitForOrder(
      fixture.server.url,
      token,
      orderId,
      (o) => o.state === 'COMPLETED',
      10_000,
    );
    const socket = await openSocket(fixture.server.url, token);
    socket.send({ type: 'subscribe', orderId, after: 0 });
    await socket.waitFor((m) => m.type === 'done');
    const fromSocket = socket.messages.flatMap((m) =>
      m.type === 'chunk' ? [{ seq: m.seq, text: m.text }] : [],
    );
    expect(order.chunks).toEqual(fromSocket);
    const polled = await apiClient(fixture.server.url, token).get(`/api/orders/${orderId}?after=0`);
    expect(polled.body.chunks).toEqual(fromSocket);
    await socket.close();
  });
});
