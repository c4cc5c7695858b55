/**
 * The emulated virtual payment: the user paying (as `wx.requestVirtualPayment` would), the `/xpay/*` server API,
 * and the pushes that follow, over the xpay ledger. HTTP lives in xpay-routes.ts; this is what it (and tests)
 * call.
 */
import { randomBytes } from 'node:crypto';

import type { Logger } from '../../observability/logger.js';
import {
  XPAY_ERRCODES,
  isRefundOrderId,
  isRefundReason,
  isRequestSource,
  type XPayEnv,
} from '../../xpay/index.js';
import type { TimerScope } from '../timer-scope.js';
import { WechatApiError, type WechatService } from '../wechat/wechat-service.js';
import { checkVirtualPayment } from './virtual-payment-checks.js';
import { VirtualPaymentFailure } from './virtual-payment-failure.js';
import { authenticateXPayCall, type XPayApiRequest } from './xpay-api-auth.js';
import type { XPaySandboxCredentials } from './xpay-credentials.js';
import {
  createXPayLedger,
  type XPayLedger,
  type XPayPlatform,
  type XPaySandboxOrder,
} from './xpay-ledger.js';
import type { XPayPushDeliverer, XPayPushRecord } from './xpay-push-deliverer.js';
import type { XPayFaultStore } from './xpay-push-faults.js';
import {
  complaintMessage,
  deliverMessage,
  iosInquiryMessage,
  paymentOrderView,
  refundMessage,
  refundOrderView,
} from './xpay-views.js';

export interface XPayServiceOptions {
  credentials: XPaySandboxCredentials;
  wechat: WechatService;
  deliverer: XPayPushDeliverer;
  faults: XPayFaultStore;
  scope: TimerScope;
  now: () => number;
  /** How long a refund stays under way before it succeeds, in ms. */
  refundDelayMs: number;
  logger: Logger;
}

/** The user's side of `wx.requestVirtualPayment`. */
export interface PayInput {
  openid: string;
  mode: unknown;
  signData: unknown;
  paySig: unknown;
  signature: unknown;
  /** Default android (WeChat Pay); ios goes through Apple: production env only, ¥1 minimum, no WeChatPayInfo. */
  platform?: XPayPlatform;
}

/** What Apple decides after asking the merchant: follow the merchant's suggestion (default), refund or decline. */
export type AppleDecision = 'follow' | 'refund' | 'decline';

export interface XPayService {
  readonly ledger: XPayLedger;
  /** @throws VirtualPaymentFailure */
  pay(input: PayInput): Record<string, unknown>;
  /** The `/xpay/<api>` call; @throws WechatApiError (answered as `{errcode, errmsg}`). */
  callApi(request: XPayApiRequest): Record<string, unknown>;
  /** Apple asks the merchant about a refund of an iOS order; then decides. @throws TypeError for a bad order. */
  askIosRefund(outTradeNo: string, decision: AppleDecision, reason: string): XPayPushRecord;
  /** A user complains about an order. @throws TypeError for an unknown order. */
  complain(outTradeNo: string): XPayPushRecord;
}

const API_NAMES = ['query_order', 'notify_provide_goods', 'refund_order', 'query_user_balance'] as const;
export type XPaySandboxApi = (typeof API_NAMES)[number];
export const XPAY_SANDBOX_APIS: readonly string[] = API_NAMES;

/** ¥1, Apple's smallest price. */
const IOS_MINIMUM_FEN = 100;

function param(message: string): WechatApiError {
  return new WechatApiError(XPAY_ERRCODES.INVALID_PARAMETER, message);
}

export function createXPayService(options: XPayServiceOptions): XPayService {
  const { credentials, wechat, deliverer, faults, scope, now, logger } = options;
  const ledger = createXPayLedger();
  const nowS = () => Math.floor(now() / 1000);

  const pushDelivery = (order: XPaySandboxOrder) =>
    deliverer.deliver(
      deliverMessage(credentials, order, nowS()),
      { kind: 'ack', outTradeNo: order.orderId },
      faults.take(order.orderId),
      (record) => {
        if (record.state === 'delivered') ledger.markProvided(order, nowS());
      },
    );

  /** The order a server API body names (order_id or wx_order_id), in the call's env. */
  const orderOf = (body: Record<string, unknown>, env: XPayEnv): XPaySandboxOrder => {
    const orderId = typeof body['order_id'] === 'string' ? body['order_id'] : undefined;
    const wxOrderId = typeof body['wx_order_id'] === 'string' ? body['wx_order_id'] : undefined;
    if (orderId === undefined && wxOrderId === undefined) throw param('order_id or wx_order_id is required');
    const order = ledger.findOrder({ orderId, wxOrderId });
    // Production and sandbox are separate books: an order of the other env does not exist here.
    if (!order || order.env !== env) throw param('order not exist');
    return order;
  };

  const checkOpenid = (body: Record<string, unknown>, order: XPaySandboxOrder) => {
    if (body['openid'] !== order.openid)
      throw new WechatApiError(XPAY_ERRCODES.INVALID_OPENID, 'openid error');
  };

  const settleRefund = (refundOrderId: string) => {
    const refund = ledger.findRefund(refundOrderId);
    const order = refund && ledger.findOrder({ orderId: refund.orderId });
    if (!refund || !order || refund.status !== 1) return;
    ledger.settleRefund(refund, nowS());
    const fault = faults.take(order.orderId);
    if (fault?.refundFlipBack) refund.flipBack = 2;
    logger.debug({ refundOrderId, outTradeNo: order.orderId }, 'sandbox xpay refund succeeded');
    const facts = {
      wxRefundId: refund.wxRefundId,
      refundOrderId,
      refundFee: refund.refundFee,
      startS: refund.createTime,
      succS: refund.succTime ?? nowS(),
    };
    deliverer.deliver(
      (retry) => refundMessage(credentials, order, facts, nowS(), retry),
      { kind: 'ack', outTradeNo: order.orderId, refundOrderId },
      fault,
    );
  };

  /** The refund's status as query_order reports it; the flip-back fault answers 5, then 1 once, then 5. */
  const reportedRefundStatus = (refundOrderId: string): number => {
    const refund = ledger.findRefund(refundOrderId)!;
    if (refund.flipBack === undefined || refund.flipBack === 0) return refund.status;
    refund.flipBack -= 1;
    return refund.flipBack === 0 ? 1 : refund.status;
  };

  const apis: Record<XPaySandboxApi, (request: XPayApiRequest) => Record<string, unknown>> = {
    query_order(request) {
      const { body, env } = authenticateXPayCall(request, {}, credentials, wechat);
      const refund = typeof body['order_id'] === 'string' ? ledger.findRefund(body['order_id']) : undefined;
      if (refund && refund.env === env) {
        if (body['openid'] !== refund.openid)
          throw new WechatApiError(XPAY_ERRCODES.INVALID_OPENID, 'openid error');
        const order = ledger.findOrder({ orderId: refund.orderId })!;
        return { order: refundOrderView(refund, order, reportedRefundStatus(refund.refundOrderId)) };
      }
      const order = orderOf(body, env);
      checkOpenid(body, order);
      return { order: paymentOrderView(order) };
    },

    notify_provide_goods(request) {
      const { body, env } = authenticateXPayCall(request, { paySigOptional: true }, credentials, wechat);
      const order = orderOf(body, env);
      if (order.status === 4)
        throw new WechatApiError(XPAY_ERRCODES.DUPLICATE_OPERATION, 'repeated operation');
      if (order.status !== 2 && order.status !== 3)
        throw param(`order status ${order.status} cannot be provided`);
      ledger.markProvided(order, nowS());
      return {};
    },

    refund_order(request) {
      const { body, env } = authenticateXPayCall(request, {}, credentials, wechat);
      const order = orderOf(body, env);
      checkOpenid(body, order);
      const refundOrderId = body['refund_order_id'];
      if (!isRefundOrderId(refundOrderId)) throw param('refund_order_id invalid');
      const { left_fee: leftFee, refund_fee: refundFee } = body;
      if (!Number.isSafeInteger(leftFee) || !Number.isSafeInteger(refundFee))
        throw param('left_fee or refund_fee invalid');
      if (!isRefundReason(body['refund_reason'])) throw param('refund_reason invalid');
      if (!isRequestSource(body['req_from'])) throw param('req_from invalid');
      const bizMeta = body['biz_meta'] ?? '';
      if (typeof bizMeta !== 'string' || Buffer.byteLength(bizMeta) > 1024) throw param('biz_meta invalid');
      const fingerprint = JSON.stringify([
        order.orderId,
        leftFee,
        refundFee,
        body['refund_reason'],
        body['req_from'],
      ]);

      const existing = ledger.findRefund(refundOrderId);
      if (existing) {
        if (existing.fingerprint !== fingerprint) throw param('refund_order_id used with other parameters');
        if (existing.status === 1) {
          throw new WechatApiError(XPAY_ERRCODES.REFUND_IN_PROGRESS, 'refund in progress, retry later');
        }
        throw new WechatApiError(XPAY_ERRCODES.DUPLICATE_OPERATION, 'repeated operation');
      }
      if (![2, 3, 4].includes(order.status)) throw param(`order status ${order.status} cannot be refunded`);
      if (leftFee !== order.leftFee)
        throw new WechatApiError(XPAY_ERRCODES.LEFT_FEE_MISMATCH, 'left_fee mismatch');
      if ((refundFee as number) <= 0 || (refundFee as number) > order.leftFee)
        throw param('refund_fee invalid');
      const refund = ledger.addRefund({
        refundOrderId,
        orderId: order.orderId,
        openid: order.openid,
        env,
        refundFee: refundFee as number,
        bizMeta,
        refundReason: body['refund_reason'] as string,
        reqFrom: body['req_from'] as string,
        createTime: nowS(),
        fingerprint,
      });
      scope.after(options.refundDelayMs, () => settleRefund(refund.refundOrderId));
      return {
        refund_order_id: refund.refundOrderId,
        refund_wx_order_id: refund.wxRefundId,
        pay_order_id: order.orderId,
        pay_wx_order_id: order.wxOrderId,
      };
    },

    query_user_balance(request) {
      authenticateXPayCall(request, { userSignature: true }, credentials, wechat);
      // Item purchases only: no coin is published in the sandbox, so every balance is zero.
      return {
        balance: 0,
        present_balance: 0,
        sum_save: 0,
        sum_present: 0,
        sum_balance: 0,
        sum_cost: 0,
        first_save_flag: false,
      };
    },
  };

  const paidIosOrder = (outTradeNo: string): XPaySandboxOrder => {
    const order = ledger.findOrder({ orderId: outTradeNo });
    if (!order) throw new TypeError(`No xpay order ${outTradeNo}`);
    if (order.platform !== 'ios') throw new TypeError('Apple refund inquiries concern iOS orders only');
    if (![2, 3, 4].includes(order.status))
      throw new TypeError(`Order ${outTradeNo} is not paid and unrefunded`);
    return order;
  };

  return {
    ledger,

    pay(input) {
      const platform = input.platform ?? 'android';
      const checked = checkVirtualPayment(input, credentials, wechat.sessionKeysOf(input.openid));
      if (platform === 'ios' && checked.env !== 0) {
        throw new VirtualPaymentFailure(-1, 'PAYMENT_ILLEGAL_IN_SANDBOX (Apple pays in production only)');
      }
      const paidFee = checked.paidUnitPrice * checked.quantity;
      if (platform === 'ios' && paidFee < IOS_MINIMUM_FEN) {
        throw new VirtualPaymentFailure(-1, 'the smallest iOS payment is 1 yuan');
      }
      if (ledger.hasOrder(checked.outTradeNo)) {
        throw new VirtualPaymentFailure(-15002, 'outTradeNo has been used');
      }
      const at = nowS();
      const order = ledger.addPaidOrder({
        orderId: checked.outTradeNo,
        openid: input.openid,
        env: checked.env,
        mode: 'short_series_goods',
        productId: checked.productId,
        quantity: checked.quantity,
        unitPrice: checked.unitPrice,
        orderFee: checked.unitPrice * checked.quantity,
        paidFee,
        attach: checked.attach,
        platform,
        createTime: at,
        paidTime: at,
      });
      logger.debug({ outTradeNo: order.orderId }, 'sandbox xpay order paid');
      pushDelivery(order);
      return paymentOrderView(order);
    },

    callApi(request) {
      const handler = (apis as Record<string, ((r: XPayApiRequest) => Record<string, unknown>) | undefined>)[
        request.api
      ];
      if (!handler) throw new WechatApiError(40066, 'invalid url');
      return handler(request);
    },

    askIosRefund(outTradeNo, decision, reason) {
      const order = paidIosOrder(outTradeNo);
      return deliverer.deliver(
        iosInquiryMessage(credentials, order, reason, nowS()),
        { kind: 'ios_inquiry', outTradeNo },
        faults.take(outTradeNo),
        (record) => {
          // No answer within three tries counts as "uncertain", which Apple treats as no objection here.
          const merchantSaysRefund = record.answer === undefined || record.answer.result_code === 0;
          const refund = decision === 'refund' || (decision === 'follow' && merchantSaysRefund);
          if (!refund || ![2, 3, 4].includes(order.status)) return;
          const fee = order.leftFee;
          ledger.refundByUser(order, nowS());
          const facts = {
            wxRefundId: `xpayrefund${randomBytes(8).toString('hex')}`,
            refundOrderId: '',
            refundFee: fee,
            startS: nowS(),
            succS: nowS(),
          };
          deliverer.deliver(
            (retry) => refundMessage(credentials, order, facts, nowS(), retry),
            { kind: 'ack', outTradeNo },
            undefined,
          );
        },
      );
    },

    complain(outTradeNo) {
      const order = ledger.findOrder({ orderId: outTradeNo });
      if (!order) throw new TypeError(`No xpay order ${outTradeNo}`);
      const requestId = `complaint-${randomBytes(8).toString('hex')}`;
      return deliverer.deliver(
        (retry) => complaintMessage(credentials, order, requestId, nowS(), retry),
        { kind: 'ack', outTradeNo },
        faults.take(outTradeNo),
      );
    },
  };
}
