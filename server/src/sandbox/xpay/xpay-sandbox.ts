/**
 * The virtual-payment emulator, assembled: credentials, ledger and service, push deliverer, faults and routes.
 * `create-sandbox.ts` mounts its routers beside the WeChat Pay and WeChat API emulators and shares its timer scope,
 * so `settled()` and `close()` cover the pushes too.
 */
import type { Router } from '@koa/router';

import type { Logger } from '../../observability/logger.js';
import type { SandboxKeys } from '../sandbox-keys.js';
import type { TimerScope } from '../timer-scope.js';
import type { WechatService } from '../wechat/wechat-service.js';
import { xpayCredentialsOf, type XPaySandboxCredentials } from './xpay-credentials.js';
import type { XPaySandboxOrder, XPaySandboxRefund } from './xpay-ledger.js';
import {
  createXPayPushDeliverer,
  type XPayPushRecord,
  type XPayPushSettings,
} from './xpay-push-deliverer.js';
import { createXPayFaultStore, type XPayFaultList, type XPayFaultStore } from './xpay-push-faults.js';
import { createXPayRoutes } from './xpay-routes.js';
import { createXPayService, type XPayService } from './xpay-service.js';

/** Push settings at start (default: no URL, safe mode, JSON); `POST /sandbox/xpay/push-config` changes them. */
export type XPaySandboxOptions = Partial<XPayPushSettings>;

/** What `GET /sandbox/xpay/state` returns: no AppKeys, Token or AES key. */
export interface XPaySandboxState {
  offerId: string;
  push: XPayPushSettings;
  orders: XPaySandboxOrder[];
  refunds: Omit<XPaySandboxRefund, 'fingerprint' | 'flipBack'>[];
  pushes: XPayPushRecord[];
  faults: XPayFaultList;
}

export interface XPaySandbox {
  /** The settings the server needs (XPAY_OFFER_ID, XPAY_APP_KEY, …). Private: never log or serve them. */
  credentials: XPaySandboxCredentials;
  service: XPayService;
  faults: XPayFaultStore;
  pushSettings: { get(): XPayPushSettings; set(settings: XPayPushSettings): void };
  pushes(outTradeNo?: string): XPayPushRecord[];
  state(): XPaySandboxState;
  routers: Router[];
}

export interface CreateXPaySandboxOptions {
  keys: SandboxKeys;
  wechat: WechatService;
  scope: TimerScope;
  fetch: typeof globalThis.fetch;
  now: () => number;
  notifyScale: number;
  ackTimeoutMs: number;
  refundDelayMs: number;
  logger: Logger;
  settings?: XPaySandboxOptions;
}

export function createXPaySandbox(options: CreateXPaySandboxOptions): XPaySandbox {
  const credentials = xpayCredentialsOf(options.keys);
  let settings: XPayPushSettings = { mode: 'safe', format: 'json', ...options.settings };
  const pushSettings = {
    get: () => ({ ...settings }),
    set: (next: XPayPushSettings) => {
      settings = { ...next };
    },
  };
  const faults = createXPayFaultStore();
  const deliverer = createXPayPushDeliverer({
    credentials,
    settings: pushSettings.get,
    fetch: options.fetch,
    now: options.now,
    notifyScale: options.notifyScale,
    ackTimeoutMs: options.ackTimeoutMs,
    scope: options.scope,
    logger: options.logger,
  });
  const service = createXPayService({
    credentials,
    wechat: options.wechat,
    deliverer,
    faults,
    scope: options.scope,
    now: options.now,
    refundDelayMs: options.refundDelayMs,
    logger: options.logger,
  });
  const state = (): XPaySandboxState => ({
    offerId: credentials.offerId,
    push: pushSettings.get(),
    orders: service.ledger.orders().map((order) => structuredClone(order)),
    refunds: service.ledger
      .refunds()
      .map(({ fingerprint: _f, flipBack: _b, ...refund }) => structuredClone(refund)),
    pushes: deliverer.list(),
    faults: faults.list(),
  });
  const routers = createXPayRoutes({
    credentials,
    service,
    wechat: options.wechat,
    deliverer,
    faults,
    pushSettings,
    state,
    logger: options.logger,
  });
  return {
    credentials,
    service,
    faults,
    pushSettings,
    pushes: (outTradeNo) => deliverer.list(outTradeNo),
    state,
    routers,
  };
}
