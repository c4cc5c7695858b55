/**
 * Real-HTTP harness for the virtual-payment sandbox: a push endpoint that verifies like the server's must
 * (openXPayPush), an xpay client configured as the server would be, WeChat logins that keep their session_key, and
 * a Mini Program stand-in that builds `wx.requestVirtualPayment` parameters and "pays" through the sandbox.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { createWeChatApiClient } from '../../../../server/src/wechat/index.js';
import {
  PushError,
  buildGoodsPaymentParams,
  createXPayClient,
  iosRefundQueryContent,
  openXPayPush,
  pushAck,
  pushRefusal,
  replyWithContent,
  resolvePushConfig,
  type GoodsPaymentInput,
  type IosRefundQueryAnswer,
  type IosRefundQueryEnvelope,
  type PushErrorReason,
  type PushFormat,
  type PushMode,
  type VirtualPaymentParams,
  type XPayAppKeys,
  type XPayClient,
  type XPayClientOptions,
  type XPayEvent,
} from '../../../../server/src/xpay/index.js';
import type { SandboxHarness } from '../../sandbox/support/sandbox-harness.js';

/** One push as the endpoint saw it. */
export interface ReceivedPush {
  query: Record<string, string>;
  body: string;
  event?: XPayEvent;
  format?: PushFormat;
  encrypted?: boolean;
  reason?: PushErrorReason;
  status: number;
  reply: string;
}

/** What the endpoint answers instead of its verdict (index = 0-based arrival number). */
export type PushOverride = (
  entry: ReceivedPush,
  index: number,
) => { status: number; body: string } | undefined;

export interface PushEndpoint {
  url: string;
  received: ReceivedPush[];
  /** The console mode the endpoint expects. */
  mode: PushMode;
  override: PushOverride | undefined;
  /** The merchant's answer to Apple's refund inquiry. */
  iosAnswer: IosRefundQueryAnswer;
  iosEnvelope: IosRefundQueryEnvelope;
  events(): XPayEvent[];
  close(): Promise<void>;
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Starts a push endpoint trusting the sandbox's push Token and EncodingAESKey. */
export async function startPushEndpoint(h: SandboxHarness): Promise<PushEndpoint> {
  const { credentials } = h.sandbox.xpay;
  const endpoint: PushEndpoint = {
    url: '',
    received: [],
    mode: 'safe',
    override: undefined,
    iosAnswer: { result_code: 1, result_info: 'delivered', evidence: 'the answer was read in full' },
    iosEnvelope: 'wrapped',
    events: () => endpoint.received.flatMap((r) => (r.event ? [r.event] : [])),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks);
      const query = Object.fromEntries(new URL(req.url ?? '/', 'http://x').searchParams);
      const entry: ReceivedPush = { query, body: rawBody.toString('utf8'), status: 200, reply: '' };
      const config = resolvePushConfig({
        token: credentials.pushToken,
        encodingAesKey: credentials.pushAesKey,
        appid: credentials.appid,
        mode: endpoint.mode,
      });
      let contentType = 'application/json';
      try {
        const { push, event } = openXPayPush({ query, rawBody }, config);
        Object.assign(entry, { event, format: push.format, encrypted: push.encrypted });
        const reply =
          event.Event === 'xpay_subscribe_ios_refund_query_notify'
            ? replyWithContent(push, iosRefundQueryContent(endpoint.iosAnswer, endpoint.iosEnvelope), config)
            : pushAck(push.format);
        entry.reply = reply.body;
        contentType = reply.contentType;
      } catch (err) {
        if (!(err instanceof PushError)) throw err;
        entry.reason = err.reason;
        entry.status = err.httpStatus;
        entry.reply = pushRefusal(undefined, err.reason).body;
      }
      const override = endpoint.override?.(entry, endpoint.received.length);
      if (override) Object.assign(entry, { status: override.status, reply: override.body });
      endpoint.received.push(entry);
      res.writeHead(entry.status, { 'Content-Type': contentType }).end(entry.reply);
    });
  });
  endpoint.url = `${await listen(server)}/api/wechat/push`;
  return endpoint;
}

/** A logged-in user: the openid and the session_key of the latest login. */
export interface SandboxUser {
  openid: string;
  sessionKey: string;
}

let codes = 0;
/** Logs `identity` in through the emulated code2Session, keeping the session_key (a new one per login). */
export async function login(h: SandboxHarness, identity: string): Promise<SandboxUser> {
  codes += 1;
  const query = new URLSearchParams({
    appid: h.keys.appid,
    secret: h.keys.appSecret,
    js_code: `${identity}.${codes}`,
    grant_type: 'authorization_code',
  });
  const answer = (await (await fetch(`${h.wechatBase}/sns/jscode2session?${query}`)).json()) as Record<
    string,
    string
  >;
  return { openid: answer['openid']!, sessionKey: answer['session_key']! };
}

/** The sandbox's AppKeys as the server would be configured with them. */
export function appKeysOf(h: SandboxHarness): XPayAppKeys {
  const { credentials } = h.sandbox.xpay;
  return { production: credentials.appKey, sandbox: credentials.sandboxAppKey };
}

/** An xpay client configured like the server's, against the sandbox (no retries unless asked). */
export function xpayClient(h: SandboxHarness, overrides: Partial<XPayClientOptions> = {}): XPayClient {
  const wechat = createWeChatApiClient({
    appid: h.keys.appid,
    appsecret: h.keys.appSecret,
    apiBase: h.wechatBase,
  });
  return createXPayClient({
    appKeys: appKeysOf(h),
    accessToken: {
      get: async () => (await wechat.stableToken()).accessToken,
      refresh: async () => (await wechat.stableToken(true)).accessToken,
    },
    apiBase: h.wechatBase,
    maxRetries: 0,
    ...overrides,
  });
}

let orders = 0;
/** A fresh outTradeNo (8–32 of the xpay alphabet). */
export function newOutTradeNo(prefix = 'XP'): string {
  orders += 1;
  return `${prefix}${Date.now().toString(36)}${orders}`.slice(0, 32);
}

/** The parameters of a 1-yuan item in the sandbox env, for `user`. */
export function paymentParams(
  h: SandboxHarness,
  user: SandboxUser,
  input: Partial<GoodsPaymentInput> = {},
  keys: { appKeys?: XPayAppKeys; sessionKey?: string } = {},
): VirtualPaymentParams {
  return buildGoodsPaymentParams(
    {
      offerId: h.sandbox.xpay.credentials.offerId,
      env: 1,
      productId: 'answer_standard',
      goodsPrice: 100,
      outTradeNo: newOutTradeNo(),
      attach: 'tier:standard',
      ...input,
    },
    { appKeys: keys.appKeys ?? appKeysOf(h), sessionKey: keys.sessionKey ?? user.sessionKey },
  );
}

/** The user confirms the payment sheet: `POST /sandbox/xpay/pay`. */
export function pay(
  h: SandboxHarness,
  user: SandboxUser,
  params: Record<string, unknown>,
  platform?: string,
): Promise<{ status: number; json: any }> {
  return h.call('POST', '/sandbox/xpay/pay', {
    openid: user.openid,
    ...params,
    ...(platform ? { platform } : {}),
  });
}

/** Points the sandbox's pushes at `endpoint` in the given mode and format. */
export async function configurePush(
  h: SandboxHarness,
  endpoint: PushEndpoint,
  mode: PushMode = 'safe',
  format: PushFormat = 'json',
): Promise<void> {
  endpoint.mode = mode;
  const response = await h.call('POST', '/sandbox/xpay/push-config', { url: endpoint.url, mode, format });
  expect(response.status).toBe(200);
}

/** The order id of a payment's signData. */
export function outTradeNoOf(params: VirtualPaymentParams): string {
  return (JSON.parse(params.signData) as { outTradeNo: string }).outTradeNo;
}

/**
 * The file's fixture on top of useSandbox(): a push endpoint per test, configured as the sandbox's push URL
 * (safe mode, JSON), closed after the test.
 */
export function usePushEndpoint(h: SandboxHarness): { current: PushEndpoint } {
  const holder = {} as { current: PushEndpoint };
  beforeEach(async () => {
    holder.current = await startPushEndpoint(h);
    await configurePush(h, holder.current);
  });
  afterEach(async () => {
    await holder.current?.close();
  });
  return holder;
}
