/**
 * Real-HTTP harness for the sandbox tests: the emulator mounted in a Koa app on 127.0.0.1:0, a WeChat Pay client
 * configured as the server would be, and a notification receiver that verifies like a correct merchant.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

import Koa from 'koa';

import {
  NOTIFICATION_FAILURE_BODY,
  NotificationError,
  createWechatpayVerifier,
  createWxPayClient,
  openNotification,
  type NotificationErrorReason,
  type WxPayClient,
  type WxPayClientOptions,
  type WxPayNotification,
} from '../../../../server/src/payment/index.js';
import {
  createSandbox,
  loadOrCreateSandboxKeys,
  type Sandbox,
  type SandboxKeys,
  type SandboxOptions,
} from '../../../../server/src/sandbox/index.js';

/** A temporary keys directory, removed by `cleanup`. */
export async function tempKeys(): Promise<{ keys: SandboxKeys; dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tokentill-sandbox-'));
  const keys = await loadOrCreateSandboxKeys(path.join(dir, 'keys'));
  return { keys, dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function stop(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** One notification as the receiver saw it. */
export interface ReceivedNotification {
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** `performance.now()` at arrival. */
  arrivedAt: number;
  /** The verified, decrypted notification, when it passed. */
  notification?: WxPayNotification;
  /** Why verification/decryption failed, when it did. */
  reason?: NotificationErrorReason;
  /** The status answered. */
  status: number;
}

/** A merchant notify endpoint that verifies with `openNotification`, as the server's must. */
export interface NotifyReceiver {
  url: string;
  received: ReceivedNotification[];
  /**
   * Overrides the answer: return a status to send instead of the verifier's (204 when valid, else the
   * NotificationError's status). Called with the 0-based arrival index.
   */
  override: ((entry: ReceivedNotification, index: number) => number | undefined) | undefined;
  /** Milliseconds to wait before answering. */
  answerDelayMs: number;
  /** Resolves once `count` notifications arrived (rejects after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedNotification[]>;
  close(): Promise<void>;
}

/** Starts a receiver trusting the sandbox's WeChat Pay public key and APIv3 key. */
export async function startReceiver(keys: SandboxKeys): Promise<NotifyReceiver> {
  const verifier = createWechatpayVerifier({
    publicKeys: [{ id: keys.publicKeyId, pem: keys.wechatpayPublicKeyPem }],
  });
  const waiters: { count: number; resolve: () => void }[] = [];
  const receiver: NotifyReceiver = {
    url: '',
    received: [],
    override: undefined,
    answerDelayMs: 0,
    async waitFor(count, timeoutMs = 5_000) {
      if (receiver.received.length < count) {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(
            () => reject(new Error(`expected ${count} notifications, got ${receiver.received.length}`)),
            timeoutMs,
          );
          waiters.push({
            count,
            resolve: () => {
              clearTimeout(timer);
              resolve();
            },
          });
        });
      }
      return receiver.received;
    },
    close: () => stop(server),
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const entry: ReceivedNotification = {
        headers: req.headers,
        body: Buffer.concat(chunks),
        arrivedAt: performance.now(),
        status: 204,
      };
      try {
        entry.notification = openNotification(req.headers, entry.body, { verifier, apiV3Key: keys.apiV3Key });
      } catch (err) {
        if (!(err instanceof NotificationError)) throw err;
        entry.reason = err.reason;
        entry.status = err.httpStatus;
      }
      const index = receiver.received.length;
      entry.status = receiver.override?.(entry, index) ?? entry.status;
      receiver.received.push(entry);
      for (const waiter of waiters.filter((w) => receiver.received.length >= w.count)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
      setTimeout(() => {
        if (entry.status >= 200 && entry.status < 300) {
          res.writeHead(entry.status).end();
        } else {
          res.writeHead(entry.status, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify(NOTIFICATION_FAILURE_BODY));
        }
      }, receiver.answerDelayMs);
    });
  });
  receiver.url = `${await listen(server)}/api/pay/wxpay/notify`;
  return receiver;
}

/** A running sandbox with its HTTP server, a receiver and a client. */
export interface SandboxHarness {
  keys: SandboxKeys;
  sandbox: Sandbox;
  origin: string;
  wxpayBase: string;
  wechatBase: string;
  receiver: NotifyReceiver;
  /** A client configured like the server's (public-key mode, no client retries). */
  client: WxPayClient;
  /** Another client, with overrides (e.g. a different merchant key). */
  clientWith(overrides: Partial<WxPayClientOptions>): WxPayClient;
  /** POST/GET JSON to a sandbox path (`/sandbox/...`). */
  call(method: string, pathAndQuery: string, body?: unknown): Promise<{ status: number; json: any }>;
  close(): Promise<void>;
}

/** Starts the emulator (notifyScale 0.001 by default) on a free port, plus a receiver. */
export async function startSandbox(
  keys: SandboxKeys,
  options: Partial<Omit<SandboxOptions, 'keys'>> = {},
): Promise<SandboxHarness> {
  const sandbox = createSandbox({ keys, notifyScale: 0.001, ...options });
  const app = new Koa();
  app.use(sandbox.middleware);
  app.use((ctx) => {
    ctx.status = 418; // proves non-sandbox paths fall through
    ctx.body = { fellThrough: true };
  });
  const server = createServer(app.callback());
  const origin = await listen(server);
  const receiver = await startReceiver(keys);
  const verifier = createWechatpayVerifier({
    publicKeys: [{ id: keys.publicKeyId, pem: keys.wechatpayPublicKeyPem }],
  });
  const base: WxPayClientOptions = {
    mchid: keys.mchid,
    appid: keys.appid,
    merchantSerial: keys.merchantSerial,
    merchantPrivateKey: keys.merchantPrivateKey,
    wechatpaySerial: keys.publicKeyId,
    verifier,
    apiBase: `${origin}/sandbox/wxpay`,
    maxRetries: 0,
  };
  return {
    keys,
    sandbox,
    origin,
    wxpayBase: `${origin}/sandbox/wxpay`,
    wechatBase: `${origin}/sandbox/wechat`,
    receiver,
    client: createWxPayClient(base),
    clientWith: (overrides) => createWxPayClient({ ...base, ...overrides }),
    async call(method, pathAndQuery, body) {
      const response = await fetch(`${origin}${pathAndQuery}`, {
        method,
        headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, json: text === '' ? undefined : JSON.parse(text) };
    },
    async close() {
      await sandbox.close();
      await Promise.all([stop(server), receiver.close()]);
    },
  };
}

let counter = 0;
/** A fresh out_trade_no (6–32 of [0-9A-Za-z_-|*]), unique within the run. */
export function newOutTradeNo(prefix = 'T'): string {
  counter += 1;
  return `${prefix}${Date.now().toString(36)}${counter}`.slice(0, 32);
}

/**
 * The sandbox suites' fixture: sandbox keys generated once per file (the slow part), a fresh emulator + receiver
 * + client for every test, everything closed and deleted after. Returns a stand-in for the current test's
 * harness, so a file reads `const h = useSandbox()` and uses `h.client`, `h.keys`, … inside its tests.
 * `options` is read when each test's sandbox starts (so it may close over a clock the test sets).
 */
export function useSandbox(
  options: () => Partial<Omit<SandboxOptions, 'keys'>> = () => ({}),
): SandboxHarness {
  let temp: Awaited<ReturnType<typeof tempKeys>> | undefined;
  let current: SandboxHarness | undefined;
  beforeAll(async () => {
    temp = await tempKeys();
  });
  afterAll(async () => {
    await temp?.cleanup();
  });
  beforeEach(async () => {
    current = await startSandbox(temp!.keys, options());
  });
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return new Proxy({} as SandboxHarness, {
    get(_target, property) {
      if (!current)
        throw new Error('the sandbox harness exists only inside a test (it starts in beforeEach)');
      return Reflect.get(current, property);
    },
  });
}
