/**
 * The sandbox: WeChat Pay APIv3 and WeChat server API emulators plus their control API, as one Koa middleware
 * for everything under `/sandbox/`. It speaks the real wire protocols (RSA signatures, AES-256-GCM), so the server
 * reaches it through the same clients and configuration it uses for WeChat.
 */
import type { Router } from '@koa/router';
import type Koa from 'koa';

import type { Transaction } from '../payment/index.js';
import { createLogger, type Logger } from '../observability/logger.js';
import { createControlRoutes } from './control-routes.js';
import { BodyTooLargeError, readRawBody, rememberRawBody } from './raw-body.js';
import type { SandboxKeys } from './sandbox-keys.js';
import { createTimerScope } from './timer-scope.js';
import { WECHAT_SANDBOX_PREFIX, createWechatRoutes } from './wechat/wechat-routes.js';
import { createWechatService, type SubscribeGrant, type WechatService } from './wechat/wechat-service.js';
import { createBillFaultRoutes } from './wxpay/bill-fault-routes.js';
import { createBillFaultStore, type BillFaultStore } from './wxpay/bill-faults.js';
import { createBillService } from './wxpay/bill-service.js';
import { createNotificationDeliverer, type DeliveryRecord } from './wxpay/notification-deliverer.js';
import { createFaultStore, type FaultList, type FaultStore } from './wxpay/notification-faults.js';
import type { SandboxOrder, SandboxRefund } from './wxpay/wxpay-ledger.js';
import { WXPAY_SANDBOX_PREFIX, createWxPayRoutes, replyWxPayNotFound } from './wxpay/wxpay-routes.js';
import { createWxPayService, type PayTarget, type WxPayService } from './wxpay/wxpay-service.js';
import { XPAY_SANDBOX_API_PREFIX } from './xpay/xpay-routes.js';
import { createXPaySandbox, type XPaySandbox, type XPaySandboxOptions } from './xpay/xpay-sandbox.js';

/** Every path the sandbox answers starts with this. */
export const SANDBOX_PREFIX = '/sandbox';

/** Options for {@link createSandbox}. */
export interface SandboxOptions {
  /** From `loadOrCreateSandboxKeys(dir)`; the server must be configured with the same keys. */
  keys: SandboxKeys;
  /**
   * Factor applied to WeChat's notification retry schedule (15s/15s/30s/3m/…/6h) and to the refund processing
   * time: 1 is real time, 0.001 turns 15 s into 15 ms for tests. Default 1.
   */
  notifyScale?: number;
  /** How long a notify endpoint has to answer before the attempt counts as failed, in ms. Default 5000 (WeChat's). */
  ackTimeoutMs?: number;
  /** How long a refund stays PROCESSING before SUCCESS, in ms. Default 5000 × notifyScale. */
  refundDelayMs?: number;
  /** Clock in ms since the epoch (signature timestamps, success times, token expiry). Default `Date.now`. */
  now?: () => number;
  /** Used to deliver notifications. Default `globalThis.fetch`. */
  fetch?: typeof globalThis.fetch;
  /** Default: silent. */
  logger?: Logger;
  /** Largest request body accepted, in bytes. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Virtual payment: where and how to push (default: no push URL, safe mode, JSON). */
  xpay?: XPaySandboxOptions;
}

/** What `GET /sandbox/state` returns: everything but keys and secrets. */
export interface SandboxState {
  merchant: { appid: string; mchid: string; merchantSerial: string; publicKeyId: string };
  orders: Omit<SandboxOrder, 'fingerprint'>[];
  refunds: SandboxRefund[];
  deliveries: DeliveryRecord[];
  faults: FaultList;
  wechat: { grants: SubscribeGrant[]; messageCount: number };
}

/** A running sandbox. */
export interface Sandbox {
  /**
   * Handles every request under `/sandbox/` and calls `next()` for any other path. It reads the raw body itself,
   * so mount it before any body parser.
   */
  middleware: Koa.Middleware;
  /** The emulated WeChat Pay (ledger, `pay()`, …), for tests and in-process callers. */
  wxpay: WxPayService;
  /** The emulated WeChat server API (`openidFor()`, `grantSubscribe()`, `messages()`, …). */
  wechat: WechatService;
  /** The emulated virtual payment (`credentials`, `service`, `pushes()`, …). */
  xpay: XPaySandbox;
  /** Notification faults (what `/sandbox/faults` edits). */
  faults: FaultStore;
  /** Trade bill faults (what `/sandbox/bill-faults` edits). */
  billFaults: BillFaultStore;
  /** Plays the user confirming payment; same as `POST /sandbox/pay`. */
  pay(target: PayTarget): Transaction;
  /** Snapshot of orders, refunds, deliveries, faults and grants (no keys or secrets). */
  state(): SandboxState;
  /** Delivery log, optionally of one order. */
  deliveries(outTradeNo?: string): DeliveryRecord[];
  /**
   * Resolves when no notification attempt or refund settlement is pending or in flight. With a failing receiver
   * this waits through the whole (scaled) retry schedule.
   */
  settled(): Promise<void>;
  /** Cancels pending notifications and refund timers and aborts requests in flight. Idempotent. */
  close(): Promise<void>;
}

const DEFAULT_ACK_TIMEOUT_MS = 5_000;
const REFUND_PROCESSING_MS = 5_000;
const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/** Paths called from browsers (the H5 build) get permissive CORS; the emulated WeChat APIs are server-to-server. */
function isControlPath(path: string): boolean {
  return !(
    path.startsWith(`${WXPAY_SANDBOX_PREFIX}/`) ||
    path.startsWith(`${XPAY_SANDBOX_API_PREFIX}/`) ||
    path.startsWith(`${WECHAT_SANDBOX_PREFIX}/sns/`) ||
    path.startsWith(`${WECHAT_SANDBOX_PREFIX}/cgi-bin/`)
  );
}

/**
 * Creates the sandbox.
 *
 * @throws RangeError for a non-positive notifyScale or ackTimeoutMs.
 */
export function createSandbox(options: SandboxOptions): Sandbox {
  const { keys } = options;
  const notifyScale = options.notifyScale ?? 1;
  if (!(notifyScale > 0)) throw new RangeError(`notifyScale must be positive, got ${notifyScale}`);
  const ackTimeoutMs = options.ackTimeoutMs ?? DEFAULT_ACK_TIMEOUT_MS;
  if (!(ackTimeoutMs > 0)) throw new RangeError(`ackTimeoutMs must be positive, got ${ackTimeoutMs}`);
  const now = options.now ?? Date.now;
  const logger = (options.logger ?? createLogger({ level: 'silent' })).child({ component: 'sandbox' });
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;

  const scope = createTimerScope((err) => logger.error({ err }, 'sandbox background task failed'));
  const faults = createFaultStore();
  const deliverer = createNotificationDeliverer({
    key: { publicKeyId: keys.publicKeyId, privateKey: keys.wechatpayPrivateKey },
    apiV3Key: keys.apiV3Key,
    fetch: options.fetch ?? globalThis.fetch,
    now,
    notifyScale,
    ackTimeoutMs,
    scope,
    logger,
  });
  const wxpay = createWxPayService({
    keys,
    now,
    refundDelayMs: options.refundDelayMs ?? Math.round(REFUND_PROCESSING_MS * notifyScale),
    deliverer,
    faults,
    scope,
    logger,
  });
  const wechat = createWechatService({ keys, now, logger });
  const billFaults = createBillFaultStore();
  const bills = createBillService({ ledger: wxpay.ledger, faults: billFaults, now });
  const xpay = createXPaySandbox({
    keys,
    wechat,
    scope,
    fetch: options.fetch ?? globalThis.fetch,
    now,
    notifyScale,
    ackTimeoutMs,
    refundDelayMs: options.refundDelayMs ?? Math.round(REFUND_PROCESSING_MS * notifyScale),
    logger,
    ...(options.xpay ? { settings: options.xpay } : {}),
  });

  const state = (): SandboxState => ({
    merchant: {
      appid: keys.appid,
      mchid: keys.mchid,
      merchantSerial: keys.merchantSerial,
      publicKeyId: keys.publicKeyId,
    },
    orders: wxpay.ledger.orders().map(({ fingerprint: _fingerprint, ...order }) => structuredClone(order)),
    refunds: wxpay.ledger.refunds().map((refund) => structuredClone(refund)),
    deliveries: deliverer.list(),
    faults: faults.list(),
    wechat: { grants: wechat.grants(), messageCount: wechat.messages().length },
  });

  const routers: Router[] = [
    createWxPayRoutes({ keys, service: wxpay, now, logger, bills }),
    createWechatRoutes(wechat, logger),
    createControlRoutes({ keys, wxpay, deliverer, faults, state, logger }),
    createBillFaultRoutes({ keys, wxpay, notificationFaults: faults, billFaults, logger }),
    ...xpay.routers,
  ];
  const chain = routers.map((router) => router.routes() as unknown as Koa.Middleware);

  const notFound = async (ctx: Koa.Context) => {
    const methodNotAllowed = routers.some((router) => {
      const match = router.match(ctx.path, ctx.method);
      return match.path.length > 0 && !match.route;
    });
    if (ctx.path.startsWith(`${WXPAY_SANDBOX_PREFIX}/`)) {
      await replyWxPayNotFound(ctx, keys, now(), methodNotAllowed);
    } else if (!isControlPath(ctx.path)) {
      // WeChat's answer to an unknown API path (e.g. jsCode2session with the wrong case).
      ctx.status = 200;
      ctx.body = { errcode: 40066, errmsg: 'invalid url' };
    } else {
      ctx.status = methodNotAllowed ? 405 : 404;
      ctx.body = {
        code: methodNotAllowed ? 'METHOD_NOT_ALLOWED' : 'NOT_FOUND',
        message: `No sandbox endpoint ${ctx.method} ${ctx.path}; GET /sandbox/ lists them`,
      };
    }
  };
  const dispatch = (ctx: Koa.Context, index: number): Promise<void> => {
    const handler = chain[index];
    return handler ? Promise.resolve(handler(ctx, () => dispatch(ctx, index + 1))) : notFound(ctx);
  };

  const middleware: Koa.Middleware = async (ctx, next) => {
    if (ctx.path !== SANDBOX_PREFIX && !ctx.path.startsWith(`${SANDBOX_PREFIX}/`)) return next();
    if (scope.closed) {
      ctx.status = 503;
      ctx.body = { code: 'SANDBOX_CLOSED', message: 'The sandbox is shutting down' };
      return;
    }
    if (isControlPath(ctx.path)) {
      ctx.set('Access-Control-Allow-Origin', '*');
      if (ctx.method === 'OPTIONS') {
        ctx.set('Access-Control-Allow-Methods', 'GET, POST, DELETE, OPTIONS');
        ctx.set('Access-Control-Allow-Headers', 'Content-Type');
        ctx.set('Access-Control-Max-Age', '600');
        ctx.status = 204;
        return;
      }
    }
    if ((ctx.request as { body?: unknown }).body !== undefined) {
      // A body parser ran first: the exact bytes are gone and every merchant signature would fail confusingly.
      logger.error('sandbox middleware is mounted after a body parser; mount it before');
      ctx.status = 500;
      ctx.body = {
        code: 'SANDBOX_MISCONFIGURED',
        message: 'Mount the sandbox middleware before the body parser',
      };
      return;
    }
    try {
      rememberRawBody(ctx, await readRawBody(ctx.req, maxBodyBytes));
    } catch (err) {
      if (!(err instanceof BodyTooLargeError)) throw err;
      ctx.status = 413;
      ctx.body = { code: 'PAYLOAD_TOO_LARGE', message: err.message };
      return;
    }
    await dispatch(ctx, 0);
  };

  return {
    middleware,
    wxpay,
    wechat,
    xpay,
    faults,
    billFaults,
    pay: (target) => wxpay.pay(target),
    state,
    deliveries: (outTradeNo) => deliverer.list(outTradeNo),
    settled: () => scope.idle(),
    close: () => scope.close(),
  };
}
