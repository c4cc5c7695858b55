/**
 * HTTP face of the emulated virtual payment: WeChat's `/xpay/*` server API under the WeChat API emulator's base
 * (`/sandbox/wechat/xpay/<api>`, answered as WeChat does: HTTP 200 with `{errcode, errmsg}`), and the sandbox's
 * own controls under `/sandbox/xpay` (play the user paying, push settings, faults, Apple's refund inquiry, a
 * complaint, state).
 */
import { Router, type RouterContext } from '@koa/router';

import type { Logger } from '../../observability/logger.js';
import { ControlError, controlRoute, readControlJson } from '../control-route.js';
import { rawBodyOf } from '../raw-body.js';
import { identityOfCode } from '../wechat/wechat-identity.js';
import { WECHAT_SANDBOX_PREFIX } from '../wechat/wechat-routes.js';
import { WechatApiError, type WechatService } from '../wechat/wechat-service.js';
import { VirtualPaymentFailure } from './virtual-payment-failure.js';
import type { XPaySandboxCredentials } from './xpay-credentials.js';
import type { XPayPlatform } from './xpay-ledger.js';
import type { XPayPushDeliverer, XPayPushSettings } from './xpay-push-deliverer.js';
import { parseXPayFaultRequest, type XPayFaultStore } from './xpay-push-faults.js';
import type { AppleDecision, XPayService } from './xpay-service.js';

/** Where the emulated `/xpay/*` API lives: `WECHAT_API_BASE` + `/xpay/<api>`. */
export const XPAY_SANDBOX_API_PREFIX = `${WECHAT_SANDBOX_PREFIX}/xpay`;
/** The sandbox's own xpay controls. */
export const XPAY_SANDBOX_CONTROL_PREFIX = '/sandbox/xpay';

export interface XPayRoutesOptions {
  credentials: XPaySandboxCredentials;
  service: XPayService;
  wechat: WechatService;
  deliverer: XPayPushDeliverer;
  faults: XPayFaultStore;
  pushSettings: { get(): XPayPushSettings; set(settings: XPayPushSettings): void };
  state: () => unknown;
  logger: Logger;
}

const PLATFORMS: readonly XPayPlatform[] = ['android', 'ios', 'windows', 'harmony'];
const DECISIONS: readonly AppleDecision[] = ['follow', 'refund', 'decline'];

function openidOf(body: Record<string, unknown>, wechat: WechatService): string {
  const { openid, identity, code } = body;
  if (typeof openid === 'string' && openid !== '') return openid;
  if (typeof identity === 'string' && identity !== '') return wechat.openidFor(identity);
  if (typeof code === 'string' && code !== '') return wechat.openidFor(identityOfCode(code));
  throw new ControlError(400, 'BAD_REQUEST', 'Give the paying user as openid, identity or code');
}

function outTradeNoOf(body: Record<string, unknown>): string {
  const no = body['out_trade_no'];
  if (typeof no !== 'string' || no === '') throw new ControlError(400, 'BAD_REQUEST', 'Give out_trade_no');
  return no;
}

/** Validates `POST /sandbox/xpay/push-config`. */
export function parsePushSettings(
  body: Record<string, unknown>,
  current: XPayPushSettings,
): XPayPushSettings {
  const next: XPayPushSettings = { ...current };
  for (const [key, value] of Object.entries(body)) {
    if (key === 'url') {
      if (value === null) {
        delete next.url;
        continue;
      }
      let url: URL | undefined;
      try {
        url = new URL(String(value));
      } catch {
        url = undefined;
      }
      if (typeof value !== 'string' || !url || !/^https?:$/.test(url.protocol)) {
        throw new TypeError('url must be an http(s) URL, or null to stop pushing');
      }
      next.url = value;
    } else if (key === 'mode') {
      if (value !== 'plaintext' && value !== 'compatible' && value !== 'safe') {
        throw new TypeError('mode must be plaintext, compatible or safe');
      }
      next.mode = value;
    } else if (key === 'format') {
      if (value !== 'json' && value !== 'xml') throw new TypeError('format must be json or xml');
      next.format = value;
    } else {
      throw new TypeError(`Unknown push setting "${key}"; expected url, mode, format`);
    }
  }
  return next;
}

export function createXPayRoutes(options: XPayRoutesOptions): Router[] {
  const { credentials, service, wechat, deliverer, faults, pushSettings, logger } = options;

  const api = new Router({ prefix: XPAY_SANDBOX_API_PREFIX, sensitive: true });
  api.post('/:api', (ctx: RouterContext) => {
    ctx.status = 200;
    try {
      const result = service.callApi({
        api: ctx.params['api'] ?? '',
        query: ctx.query,
        rawBody: rawBodyOf(ctx),
      });
      ctx.body = { errcode: 0, errmsg: 'ok', ...result };
    } catch (err) {
      if (!(err instanceof WechatApiError))
        logger.error({ err, path: ctx.path }, 'sandbox xpay handler failed');
      ctx.body =
        err instanceof WechatApiError ? err.toBody() : new WechatApiError(-1, 'system error').toBody();
    }
  });

  const control = new Router({ prefix: XPAY_SANDBOX_CONTROL_PREFIX, sensitive: true });
  const route = (handler: Parameters<typeof controlRoute>[1]) => controlRoute(logger, handler);

  control.get(
    '/',
    route(() => ({
      description: 'TokenTill sandbox: WeChat virtual payment (xpay) emulator',
      apiBase: XPAY_SANDBOX_API_PREFIX,
      apis: ['query_order', 'notify_provide_goods', 'refund_order', 'query_user_balance'],
      offerId: credentials.offerId,
      appid: credentials.appid,
      originalId: credentials.originalId,
      push: pushSettings.get(),
      control: [
        'POST /sandbox/xpay/pay',
        'GET|POST /sandbox/xpay/push-config',
        'GET|POST|DELETE /sandbox/xpay/faults',
        'POST /sandbox/xpay/ios-refund-query',
        'POST /sandbox/xpay/complaint',
        'GET /sandbox/xpay/pushes?out_trade_no=',
        'GET /sandbox/xpay/state',
      ],
    })),
  );

  // The user confirms wx.requestVirtualPayment: checked as WeChat's client does, then paid and pushed. A refusal
  // is answered like the Mini Program's fail callback: HTTP 400 with {errCode, errMsg}.
  control.post('/pay', async (ctx) => {
    let failure: VirtualPaymentFailure | undefined;
    await route((c) => {
      const body = readControlJson(c);
      const platform = body['platform'] ?? 'android';
      if (!PLATFORMS.includes(platform as XPayPlatform)) {
        throw new ControlError(400, 'BAD_REQUEST', `platform must be one of ${PLATFORMS.join(', ')}`);
      }
      try {
        const order = service.pay({
          openid: openidOf(body, wechat),
          mode: body['mode'],
          signData: body['signData'],
          paySig: body['paySig'],
          signature: body['signature'],
          platform: platform as XPayPlatform,
        });
        return { errMsg: 'requestVirtualPayment:ok', order };
      } catch (err) {
        if (!(err instanceof VirtualPaymentFailure)) throw err;
        failure = err;
        return {};
      }
    })(ctx);
    if (failure) {
      ctx.status = 400;
      ctx.body = failure.toBody();
    }
  });

  control.get(
    '/push-config',
    route(() => pushSettings.get()),
  );
  control.post(
    '/push-config',
    route((ctx) => {
      pushSettings.set(parsePushSettings(readControlJson(ctx), pushSettings.get()));
      return pushSettings.get();
    }),
  );

  control.get(
    '/faults',
    route(() => faults.list()),
  );
  control.post(
    '/faults',
    route((ctx) => {
      const { fault, outTradeNo } = parseXPayFaultRequest(readControlJson(ctx));
      faults.set(fault, outTradeNo);
      return { scope: outTradeNo ?? 'global', fault };
    }),
  );
  control.delete(
    '/faults',
    route((ctx) => {
      const no = ctx.query['out_trade_no'];
      faults.clear(typeof no === 'string' && no !== '' ? no : undefined);
      return null;
    }),
  );

  control.post(
    '/ios-refund-query',
    route((ctx) => {
      const body = readControlJson(ctx);
      const decision = body['apple_decision'] ?? 'follow';
      if (!DECISIONS.includes(decision as AppleDecision)) {
        throw new ControlError(400, 'BAD_REQUEST', `apple_decision must be one of ${DECISIONS.join(', ')}`);
      }
      const reason =
        typeof body['reason'] === 'string' ? body['reason'] : 'the user asked Apple for a refund';
      return { push: service.askIosRefund(outTradeNoOf(body), decision as AppleDecision, reason) };
    }),
  );
  control.post(
    '/complaint',
    route((ctx) => ({ push: service.complain(outTradeNoOf(readControlJson(ctx))) })),
  );

  control.get(
    '/pushes',
    route((ctx) => {
      const no = ctx.query['out_trade_no'];
      return { pushes: deliverer.list(typeof no === 'string' && no !== '' ? no : undefined) };
    }),
  );
  control.get(
    '/state',
    route(() => options.state()),
  );
  return [api, control];
}
