/**
 * The sandbox's control API: play the user paying, inject notification faults, and inspect what the emulator
 * holds. These are not WeChat endpoints; the H5 build and the tests call them.
 */
import { Router } from '@koa/router';

import { buildPaySignMessage, verifySha256Rsa } from '../payment/index.js';
import type { Logger } from '../observability/logger.js';
import { ControlError, controlRoute, readControlJson } from './control-route.js';
import type { SandboxKeys } from './sandbox-keys.js';
import type { NotificationDeliverer } from './wxpay/notification-deliverer.js';
import { parseFaultRequest, type FaultStore } from './wxpay/notification-faults.js';
import { WxPayReplyError } from './wxpay/wxpay-reply-error.js';
import type { PayTarget, WxPayService } from './wxpay/wxpay-service.js';

/** What the control routes act on. */
export interface ControlRoutesOptions {
  keys: SandboxKeys;
  wxpay: WxPayService;
  deliverer: NotificationDeliverer;
  faults: FaultStore;
  /** The `GET /sandbox/state` snapshot. */
  state: () => unknown;
  logger: Logger;
}

/**
 * Reads the order to pay from `{out_trade_no}`, `{prepay_id}`, or the `wx.requestPayment` parameters
 * (`{timeStamp, nonceStr, package, signType, paySign}`), whose paySign is then checked like WeChat's client does:
 * RSA over `appId\ntimeStamp\nnonceStr\npackage\n` with the merchant key.
 */
function payTargetOf(body: Record<string, unknown>, keys: SandboxKeys): PayTarget {
  const { out_trade_no: outTradeNo, prepay_id: prepayId, package: pkg, paySign } = body;
  if (typeof outTradeNo === 'string' && outTradeNo !== '') return { outTradeNo };
  if (typeof prepayId === 'string' && prepayId !== '') return { prepayId };
  if (typeof pkg === 'string' && pkg.startsWith('prepay_id=')) {
    const { timeStamp, nonceStr, signType } = body;
    if (typeof paySign !== 'string' || typeof timeStamp !== 'string' || typeof nonceStr !== 'string') {
      throw new ControlError(
        400,
        'BAD_REQUEST',
        'requestPayment parameters need timeStamp, nonceStr and paySign',
      );
    }
    if (signType !== 'RSA')
      throw new WxPayReplyError(400, 'SIGN_ERROR', `signType must be "RSA", got ${String(signType)}`);
    const message = buildPaySignMessage(keys.appid, timeStamp, nonceStr, pkg);
    if (!verifySha256Rsa(message, paySign, keys.merchantPublicKey)) {
      throw new WxPayReplyError(
        400,
        'SIGN_ERROR',
        'paySign does not verify over appId\\ntimeStamp\\nnonceStr\\npackage\\n',
        {
          expected_message: message,
        },
      );
    }
    return { prepayId: pkg.slice('prepay_id='.length) };
  }
  throw new ControlError(
    400,
    'BAD_REQUEST',
    'Give out_trade_no, prepay_id, or the wx.requestPayment parameters',
  );
}

/** Routes under `/sandbox` that are not WeChat's. */
export function createControlRoutes(options: ControlRoutesOptions): Router {
  const { keys, wxpay, deliverer, faults, logger } = options;
  const router = new Router({ prefix: '/sandbox', sensitive: true });
  const route = (handler: Parameters<typeof controlRoute>[1]) => controlRoute(logger, handler);

  router.get(
    '/',
    route(() => ({
      description: 'TokenTill sandbox: WeChat Pay APIv3 and WeChat server API emulator',
      wxpayApiBase: '/sandbox/wxpay',
      wechatApiBase: '/sandbox/wechat',
      merchant: {
        appid: keys.appid,
        mchid: keys.mchid,
        merchantSerial: keys.merchantSerial,
        publicKeyId: keys.publicKeyId,
      },
      control: [
        'POST /sandbox/pay',
        'GET|POST|DELETE /sandbox/faults',
        'GET|POST|DELETE /sandbox/bill-faults',
        'GET /sandbox/state',
        'GET /sandbox/deliveries?out_trade_no=',
        'GET /sandbox/breakers',
        'POST|GET /sandbox/wechat/subscribe-grants',
        'GET|DELETE /sandbox/wechat/messages',
        'GET /sandbox/wechat/openid?identity=',
      ],
    })),
  );

  // The user confirms payment in WeChat: the order is paid and its notification sent.
  router.post(
    '/pay',
    route((ctx) => ({ transaction: wxpay.pay(payTargetOf(readControlJson(ctx), keys)) })),
  );

  router.get(
    '/faults',
    route(() => faults.list()),
  );
  router.post(
    '/faults',
    route((ctx) => {
      const { fault, outTradeNo } = parseFaultRequest(readControlJson(ctx));
      faults.set(fault, outTradeNo);
      return { scope: outTradeNo ?? 'global', fault };
    }),
  );
  router.delete(
    '/faults',
    route((ctx) => {
      const no = ctx.query['out_trade_no'];
      faults.clear(typeof no === 'string' && no !== '' ? no : undefined);
      return null;
    }),
  );

  router.get(
    '/deliveries',
    route((ctx) => {
      const no = ctx.query['out_trade_no'];
      return { deliveries: deliverer.list(typeof no === 'string' && no !== '' ? no : undefined) };
    }),
  );
  router.get(
    '/state',
    route(() => options.state()),
  );
  return router;
}
