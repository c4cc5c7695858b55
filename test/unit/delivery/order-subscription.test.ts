import type { WsServerMessage } from '@tokentill/shared-types';
import type { AnswerEntry, AnswerStreamStore } from '../../../server/src/delivery/answer-stream-store';
import { subscribeOrder } from '../../../server/src/delivery/order-subscription';
import type { EntryListener, StreamHub } from '../../../server/src/delivery/stream-hub';

/** An in-memory answer stream with a hub that pushes appended entries to listeners, like Redis + the reader. */
function fakeStream() {
  const entries: AnswerEntry[] = [];
  const listeners = new Set<EntryListener>();
  const answers: AnswerStreamStore = {
    append: async () => undefined,
    read: async (_orderId, after, limit = 10_000) => entries.filter((e) => e.seq > after).slice(0, limit),
  };
  const hub: StreamHub = {
    watch: (_orderId, _after, listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    watchedCount: 0,
    get listenerCount() {
      return listeners.size;
    },
    close: async () => undefined,
  };
  const push = (entry: Omit<AnswerEntry, 'seq'>) => {
    const full = { ...entry, seq: entries.length + 1 } as AnswerEntry;
    entries.push(full);
    for (const listener of listeners) listener(full);
  };
  return { answers, hub, push, listeners };
}

const flush = () => new Promise((r) => setImmediate(r));

describe('order subscription', () => {
  it('replays what came before, then follows live entries, each exactly once and in order', async () => {
    const stream = fakeStream();
    stream.push({ kind: 'state', state: 'PAID' } as never);
    stream.push({ kind: 'text', text: 'a' } as never);
    const sent: WsServerMessage[] = [];
    subscribeOrder('TT0000000001', 0, {
      ...stream,
      send: (m) => (sent.push(m), true),
      usageOf: async () => ({ promptTokens: 1, completionTokens: 2 }),
      onFinished: () => undefined,
    });
    // Live entries arrive while the catch-up read is still in flight.
    stream.push({ kind: 'text', text: 'b' } as never);
    await flush();
    stream.push({ kind: 'text', text: 'c' } as never);
    stream.push({ kind: 'state', state: 'COMPLETED' } as never);
    await flush();
    await flush();
    expect(sent.map((m) => (m.type === 'chunk' ? m.text : m.type === 'state' ? m.state : m.type))).toEqual([
      'PAID',
      'a',
      'b',
      'c',
      'COMPLETED',
      'done',
    ]);
  });

  it('stops sending to a socket that falls behind and catches it up from the store once it drains', async () => {
    const stream = fakeStream();
    let room = 3; // the socket's buffer takes three more messages, then reports it is full
    const sent: WsServerMessage[] = [];
    const subscription = subscribeOrder('TT0000000002', 0, {
      ...stream,
      send: (m) => (sent.push(m), --room > 0),
      usageOf: async () => ({ promptTokens: 0, completionTokens: 0 }),
      onFinished: () => undefined,
    });
    await flush();
    for (let i = 0; i < 1_000; i++) stream.push({ kind: 'text', text: `t${i} ` } as never);
    // While lagging, nothing more is queued for the socket: memory is bounded by what it already holds.
    expect(sent).toHaveLength(3);

    room = Infinity;
    subscription.resume();
    for (let i = 0; i < 10 && sent.length < 1_000; i++) await flush();
    const text = sent.flatMap((m) => (m.type === 'chunk' ? [m.text] : [])).join('');
    expect(text).toBe(Array.from({ length: 1_000 }, (_, i) => `t${i} `).join(''));
    const seqs = sent.flatMap((m) => (m.type === 'chunk' ? [m.seq] : []));
    expect(new Set(seqs).size).toBe(seqs.length);
  });

  it('sends a reset when the answer restarts and finishes on a final state', async () => {
    const stream = fakeStream();
    const finished: string[] = [];
    const sent: WsServerMessage[] = [];
    subscribeOrder('TT0000000003', 0, {
      ...stream,
      send: (m) => (sent.push(m), true),
      usageOf: async () => ({ promptTokens: 0, completionTokens: 0 }),
      onFinished: (_id, state) => finished.push(state),
    });
    await flush();
    stream.push({ kind: 'text', text: 'half an ans' } as never);
    stream.push({ kind: 'reset', reason: 'worker_restart' } as never);
    stream.push({ kind: 'state', state: 'FAILED' } as never);
    stream.push({ kind: 'state', state: 'REFUNDING' } as never);
    stream.push({ kind: 'state', state: 'REFUNDED' } as never);
    await flush();
    expect(sent.map((m) => m.type)).toEqual(['chunk', 'reset', 'state', 'state', 'state']);
    expect(finished).toEqual(['REFUNDED']);
    // After the final state the subscription stops listening.
    expect(stream.listeners.size).toBe(0);
  });
});
