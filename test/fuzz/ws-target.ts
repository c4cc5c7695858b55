import fc from 'fast-check';
import WebSocket from 'ws';
import {
  WS_PATH,
  WsClientMessageSchema,
  WsServerMessageSchema,
  type WsServerMessage,
} from '@tokentill/shared-types';
import { newOrderId } from '../../server/src/orders/order-id';
import { connectSocket, upgradeStatus } from '../integration/delivery/ws-client';
import { createOrder, login } from '../support/api-client';
import type { TestServer } from '../support/test-server';
import type { FuzzTarget } from './fuzz-runner';
import { expectAlive } from './fuzz-server';
import { buildText, hostileJson, invalidUtf8, textRecipe, type TextRecipe } from './hostile-values';

/** Cases in CI (FUZZ_CASES overrides it). */
export const WS_CI_CASES = 250;

/**
 * The gateway's limits (the defaults in server/src/delivery/ws-gateway.ts, which server.ts keeps): frames over
 * 4 KiB close the socket with 1009, more than 60 messages in 10 s with 1008, and a socket follows at most 10
 * orders at once.
 */
const MAX_FRAME_BYTES = 4096;
const MAX_MESSAGES = 60;
/** A wait for the server longer than this means it stopped answering: the case fails (a hang, not a speed check). */
const ANSWER_WAIT_MS = 10_000;
/** The sentinel socket is replaced after this many probes, so its own messages never reach the rate limit. */
const SENTINEL_PROBES = 40;

/** Which order an id names. */
type OrderRef =
  | { kind: 'own'; pick: number }
  | { kind: 'other-user' }
  | { kind: 'unknown' }
  | { kind: 'text'; text: TextRecipe }
  | { kind: 'json'; value: unknown }
  | { kind: 'absent' };

interface MessageRecipe {
  type: { value: unknown };
  orderId: OrderRef;
  after: { value: unknown } | { absent: true };
  extra: Record<string, unknown>;
}

type Frame =
  | { kind: 'message'; message: MessageRecipe }
  | { kind: 'text'; text: TextRecipe }
  | { kind: 'json'; value: unknown }
  | { kind: 'binary'; bytes: number[] }
  | { kind: 'invalid-utf8'; bytes: number[] }
  | { kind: 'huge'; bytes: number; binary: boolean }
  | { kind: 'flood'; count: number; message: MessageRecipe };

type Auth = 'header' | 'subprotocol' | 'none' | 'bad-token' | 'token-in-url';

interface WsCase {
  auth: Auth;
  frames: Frame[];
}

const orderRef: fc.Arbitrary<OrderRef> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('own' as const), pick: fc.nat(10) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'other-user' as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'unknown' as const }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('text' as const), text: textRecipe }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('json' as const), value: hostileJson }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'absent' as const }) },
);

const messageRecipe: fc.Arbitrary<MessageRecipe> = fc.record({
  type: fc.record({
    value: fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom('subscribe', 'unsubscribe') },
      {
        weight: 2,
        arbitrary: fc.constantFrom(
          'SUBSCRIBE',
          'subscribe ',
          'chunk',
          'error',
          'done',
          'ping',
          '',
          '__proto__',
        ),
      },
      { weight: 1, arbitrary: hostileJson },
    ),
  }),
  orderId: orderRef,
  after: fc.oneof(
    { weight: 2, arbitrary: fc.constant({ absent: true as const }) },
    {
      weight: 3,
      arbitrary: fc.record({
        value: fc.oneof(
          fc.nat(1_000),
          fc.constantFrom(-1, 0.5, 1e21, 2 ** 53, 2 ** 53 - 1, Number.MAX_VALUE, '1', '', null, true, []),
          hostileJson,
        ),
      }),
    },
  ),
  extra: fc.dictionary(fc.constantFrom('userKey', 'token', '__proto__', 'seq', 'limit'), hostileJson, {
    maxKeys: 2,
  }),
});

const frame: fc.Arbitrary<Frame> = fc.oneof(
  { weight: 10, arbitrary: fc.record({ kind: fc.constant('message' as const), message: messageRecipe }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('text' as const), text: textRecipe }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('json' as const), value: hostileJson }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('binary' as const),
      bytes: fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 64 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('invalid-utf8' as const), bytes: invalidUtf8 }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('huge' as const),
      bytes: fc.oneof(
        fc.constantFrom(4096, 4097, 65_536, 1_000_000),
        fc.integer({ min: 3_000, max: 200_000 }),
      ),
      binary: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('flood' as const),
      count: fc.integer({ min: 20, max: 150 }),
      message: messageRecipe,
    }),
  },
);

const wsCase: fc.Arbitrary<WsCase> = fc.record({
  auth: fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom('header' as const, 'subprotocol' as const) },
    { weight: 1, arbitrary: fc.constantFrom('none' as const, 'bad-token' as const, 'token-in-url' as const) },
  ),
  frames: fc.array(frame, { minLength: 1, maxLength: 8 }),
});

/** One data frame as it goes on the wire. */
interface WireFrame {
  data: Buffer;
  binary: boolean;
}

const isUtf8 = (bytes: Buffer) => {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
};

/** Whether the server must take a frame as a subscribe/unsubscribe (else it answers a protocol error). */
function isClientMessage(f: WireFrame): boolean {
  if (f.binary) return false;
  try {
    return WsClientMessageSchema.safeParse(JSON.parse(f.data.toString('utf8'))).success;
  } catch {
    return false;
  }
}

/**
 * How the server must end up treating a run of frames, in order: the first frame over the size limit closes the
 * socket with 1009, the first text frame that is not UTF-8 with 1007, and the message past the rate limit with
 * 1008; until then each frame that is not a client message gets one VALIDATION_FAILED error.
 */
function expectedOutcome(frames: WireFrame[]): { close?: number; messages: number; protocolErrors: number } {
  let messages = 0;
  let protocolErrors = 0;
  for (const f of frames) {
    if (f.data.length > MAX_FRAME_BYTES) return { close: 1009, messages, protocolErrors };
    if (!f.binary && !isUtf8(f.data)) return { close: 1007, messages, protocolErrors };
    messages += 1;
    if (messages > MAX_MESSAGES) return { close: 1008, messages, protocolErrors };
    if (!isClientMessage(f)) protocolErrors += 1;
  }
  return { messages, protocolErrors };
}

/** A socket's record: what the server sent, and how it ended. */
class Recorder {
  readonly messages: WsServerMessage[] = [];
  readonly problems: string[] = [];
  closed: { code: number; reason: string } | undefined;
  private pongs = 0;
  private readonly waiters = new Set<() => void>();

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      const parsed = isBinary
        ? undefined
        : WsServerMessageSchema.safeParse(
            (() => {
              try {
                return JSON.parse(data.toString('utf8')) as unknown;
              } catch {
                return undefined;
              }
            })(),
          );
      if (parsed?.success) this.messages.push(parsed.data);
      else
        this.problems.push(
          `the server sent a frame outside the protocol: ${data.toString('utf8').slice(0, 200)}`,
        );
      this.wake();
    });
    ws.on('close', (code: number, reason: Buffer) => {
      this.closed = { code, reason: reason.toString('utf8') };
      this.wake();
    });
    ws.on('pong', () => {
      this.pongs += 1;
      this.wake();
    });
    ws.on('error', () => undefined); // the close event carries what matters
  }

  private wake(): void {
    for (const wake of this.waiters) wake();
  }

  /** Resolves once `done()` holds; the socket is terminated and the case failed if the server goes silent. */
  until(done: () => boolean, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!done()) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        this.ws.terminate();
        reject(new Error(`no answer from the server while waiting for ${what}`));
      }, ANSWER_WAIT_MS);
      this.waiters.add(check);
      check();
    });
  }

  /** A ping's pong (the server has handled every frame sent before it), or the socket's close. */
  async flushed(): Promise<'pong' | 'closed'> {
    if (this.closed) return 'closed';
    const before = this.pongs;
    this.ws.ping();
    await this.until(() => this.pongs > before || this.closed !== undefined, 'a pong');
    return this.pongs > before ? 'pong' : 'closed';
  }

  /** Subscribes to an order nobody has and waits for the server's refusal: proof the socket is still served. */
  async probe(): Promise<void> {
    const orderId = newOrderId();
    this.ws.send(JSON.stringify({ type: 'subscribe', orderId }));
    await this.until(
      () =>
        this.closed !== undefined || this.messages.some((m) => m.type === 'error' && m.orderId === orderId),
      'the answer to a probe subscribe',
    );
    const answer = this.messages.find((m) => m.type === 'error' && m.orderId === orderId);
    if (!answer) throw new Error(`the socket closed (${this.closed?.code}) instead of answering a subscribe`);
    if (answer.type === 'error' && answer.code !== 'NOT_FOUND' && answer.code !== 'RATE_LIMITED') {
      throw new Error(`a subscribe to an unknown order was answered ${answer.code}`);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.ws.close(1000);
    await this.until(() => this.closed !== undefined, 'the close handshake');
  }
}

async function open(ws: WebSocket): Promise<Recorder> {
  const recorder = new Recorder(ws);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) =>
      reject(new Error(`the upgrade was refused with ${res.statusCode}`)),
    );
    ws.once('error', reject);
  });
  return recorder;
}

/**
 * The `/ws` protocol under fuzz: authenticated sockets (header or subprotocol token, as the clients send it) fed
 * runs of frames (subscribe/unsubscribe with random orderIds and `after` values, other JSON, text that is not
 * JSON, binary, invalid UTF-8, frames over the size limit, floods), and refused upgrades. Oracle: every frame the
 * server sends is a protocol message; each frame that is not a client message gets exactly one VALIDATION_FAILED
 * error; a socket closes only with the code its frames call for (1009, 1007, 1008) and otherwise stays served;
 * upgrades without a valid token are refused with 401; a sentinel socket of another user keeps working throughout.
 */
export async function wsTarget(server: TestServer): Promise<FuzzTarget<WsCase> & { close(): Promise<void> }> {
  const token = await login(server.url, 'fuzz-listener');
  const own = [
    (await createOrder(server.url, token)).orderId,
    (await createOrder(server.url, token)).orderId,
  ];
  const othersOrder = (await createOrder(server.url, await login(server.url, 'fuzz-stranger'))).orderId;
  const sentinelToken = await login(server.url, 'fuzz-sentinel');
  let sentinel = await open(connectSocket(server.url, sentinelToken));
  let sentinelProbes = 0;

  const idOf = (ref: OrderRef): unknown => {
    switch (ref.kind) {
      case 'own':
        return own[ref.pick % own.length];
      case 'other-user':
        return othersOrder;
      case 'unknown':
        return newOrderId();
      case 'text':
        return buildText(ref.text);
      case 'json':
        return ref.value;
      case 'absent':
        return undefined;
    }
  };
  const messageOf = (m: MessageRecipe): Buffer =>
    Buffer.from(
      JSON.stringify({
        ...m.extra,
        type: m.type.value,
        orderId: idOf(m.orderId),
        ...('value' in m.after ? { after: m.after.value } : {}),
      }),
    );
  const wire = (f: Frame): WireFrame[] => {
    switch (f.kind) {
      case 'message':
        return [{ data: messageOf(f.message), binary: false }];
      case 'text':
        return [{ data: Buffer.from(buildText(f.text)), binary: false }];
      case 'json':
        return [{ data: Buffer.from(JSON.stringify(f.value) ?? 'null'), binary: false }];
      case 'binary':
        return [{ data: Buffer.from(f.bytes), binary: true }];
      case 'invalid-utf8':
        return [{ data: Buffer.from(f.bytes), binary: false }];
      case 'huge':
        return [{ data: Buffer.alloc(f.bytes, f.binary ? 0xab : 0x61), binary: f.binary }];
      case 'flood':
        return Array.from({ length: f.count }, () => ({ data: messageOf(f.message), binary: false }));
    }
  };

  async function refusedUpgrade(auth: Auth): Promise<void> {
    const url = `${server.url.replace(/^http/, 'ws')}${WS_PATH}`;
    const ws =
      auth === 'none'
        ? connectSocket(server.url, undefined)
        : auth === 'bad-token'
          ? connectSocket(server.url, `x${token}`)
          : new WebSocket(`${url}?token=${encodeURIComponent(token)}`, {
              headers: { authorization: `Bearer ${token}` },
            });
    const status = await upgradeStatus(ws);
    if (status !== 401) throw new Error(`an upgrade with ${auth} was answered ${status}, not 401`);
  }

  return {
    name: 'websocket',
    testFile: 'test/fuzz/websocket.test.ts',
    ciCases: WS_CI_CASES,
    input: wsCase,
    async run(c) {
      if (c.auth !== 'header' && c.auth !== 'subprotocol') return refusedUpgrade(c.auth);
      const frames = c.frames.flatMap(wire);
      const expected = expectedOutcome(frames);
      const socket = await open(connectSocket(server.url, token, c.auth));
      try {
        for (const f of frames) socket.ws.send(f.data, { binary: f.binary });
        const flushed = await socket.flushed();
        const problems = [...socket.problems];
        if (expected.close === 1009 || expected.close === 1007) {
          await socket.until(() => socket.closed !== undefined, `the close (${expected.close})`);
          // A client still writing a large frame when the server cuts it may see the connection reset (1006).
          const allowed = expected.close === 1009 ? [1009, 1006] : [1007];
          if (!allowed.includes(socket.closed?.code ?? 0)) {
            problems.push(`closed with ${socket.closed?.code} after frames that call for ${expected.close}`);
          }
        } else if (flushed === 'closed' && socket.closed?.code !== expected.close) {
          // A flood may escape 1008 only if its messages straddled the limiter's 10 s window; nothing else closes.
          problems.push(
            `closed with ${socket.closed?.code} "${socket.closed?.reason}" after frames that call for none`,
          );
        }
        if (flushed === 'pong' && expected.close === undefined) {
          const errors = socket.messages.filter((m) => m.type === 'error' && m.orderId === undefined);
          const invalid = errors.filter((m) => m.type === 'error' && m.code === 'VALIDATION_FAILED').length;
          if (invalid !== expected.protocolErrors || errors.length !== invalid) {
            problems.push(
              `${expected.protocolErrors} frame(s) outside the protocol got ${invalid} VALIDATION_FAILED ` +
                `and ${errors.length - invalid} other error(s)`,
            );
          }
          if (expected.messages < MAX_MESSAGES) await socket.probe();
        }
        const internal = socket.messages.filter((m) => m.type === 'error' && m.code === 'INTERNAL');
        if (internal.length > 0) problems.push(`${internal.length} subscribe(s) failed with INTERNAL`);
        if (problems.length > 0) throw new Error(problems.join('; '));
      } finally {
        await socket.close().catch(() => socket.ws.terminate());
      }
    },
    async checkpoint() {
      await expectAlive(server.url);
      if (sentinel.closed)
        throw new Error(`the sentinel socket of another user was closed (${sentinel.closed.code})`);
      if (++sentinelProbes > SENTINEL_PROBES) {
        await sentinel.close();
        sentinel = await open(connectSocket(server.url, sentinelToken));
        sentinelProbes = 1;
      }
      await sentinel.probe();
    },
    close: () => sentinel.close(),
  };
}
