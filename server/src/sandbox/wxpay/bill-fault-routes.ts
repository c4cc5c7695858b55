/**
 * `/sandbox/bill-faults`: arm differences between the emulated WeChat Pay's trade bill and the merchant's ledger.
 * `extra_payment` is not a bill fault but a real payment the merchant never hears of: an order is placed and
 * paid in the emulator with its notification dropped, so WeChat Pay's bill and query API both know it.
 */
import { randomBytes } from 'node:crypto';

import { Router } from '@koa/router';

import type { Logger } from '../../observability/logger.js';
import { ControlError, controlRoute, readControlJson } from '../control-route.js';
import type { SandboxKeys } from '../sandbox-keys.js';
import { parseBillFault, type BillFaultStore } from './bill-faults.js';
import type { FaultStore } from './notification-faults.js';
import type { WxPayService } from './wxpay-service.js';

export interface BillFaultRoutesOptions {
  keys: SandboxKeys;
  wxpay: WxPayService;
  /** Notification faults: the extra payment's notification is dropped through them. */
  notificationFaults: FaultStore;
  billFaults: BillFaultStore;
  logger: Logger;
}

/** An out_trade_no in TokenTill's own format (`TT` + base-36 time + 16 hex), so it looks like a lost order. */
const orderLikeId = () =>
  `TT${Date.now().toString(36).toUpperCase()}${randomBytes(8).toString('hex').toUpperCase()}`;

export function createBillFaultRoutes(options: BillFaultRoutesOptions): Router {
  const { keys, wxpay, notificationFaults, billFaults, logger } = options;
  const router = new Router({ prefix: '/sandbox', sensitive: true });
  const route = (handler: Parameters<typeof controlRoute>[1]) => controlRoute(logger, handler);

  router.get(
    '/bill-faults',
    route(() => ({ faults: billFaults.list() })),
  );
  router.post(
    '/bill-faults',
    route((ctx) => {
      const body = readControlJson(ctx);
      if (body['kind'] !== 'extra_payment') {
        const fault = parseBillFault(body);
        billFaults.add(fault);
        return { fault };
      }
      const { out_trade_no: given, amount_fen: amount = 990, kind: _kind, ...rest } = body;
      if (Object.keys(rest).length > 0 || (given !== undefined && typeof given !== 'string')) {
        throw new ControlError(
          400,
          'BAD_REQUEST',
          'extra_payment takes out_trade_no (optional) and amount_fen',
        );
      }
      if (!Number.isSafeInteger(amount) || (amount as number) < 1) {
        throw new ControlError(400, 'BAD_REQUEST', 'amount_fen must be a positive integer number of fen');
      }
      const outTradeNo = given ?? orderLikeId();
      wxpay.placeOrder(
        {
          appid: keys.appid,
          mchid: keys.mchid,
          description: 'TokenTill 沙箱: 商户未知的支付',
          out_trade_no: outTradeNo,
          notify_url: 'https://sandbox.invalid/never-notified',
          amount: { total: amount, currency: 'CNY' },
          payer: { openid: `o_sandbox_${randomBytes(6).toString('hex')}` },
        },
        keys.mchid,
      );
      notificationFaults.set({ drop: true }, outTradeNo);
      const transaction = wxpay.pay({ outTradeNo });
      return { transaction };
    }),
  );
  router.delete(
    '/bill-faults',
    route(() => {
      billFaults.clear();
      return null;
    }),
  );
  return router;
}
