/**
 * The emulator's book of virtual-payment orders and refunds: what query_order reports and what the pushes say.
 * State changes only through the functions here, which enforce WeChat's rules (one outTradeNo per order, refunds
 * within what is left, one refund per refund_order_id).
 */
import type { XPayEnv } from '../../xpay/index.js';
import { randomDigits } from '../sandbox-ids.js';

/** Where the user paid: Android/HarmonyOS/Windows go through WeChat Pay, iOS through Apple. */
export type XPayPlatform = 'android' | 'ios' | 'windows' | 'harmony';

export interface XPaySandboxOrder {
  /** Our outTradeNo. */
  orderId: string;
  wxOrderId: string;
  openid: string;
  env: XPayEnv;
  mode: 'short_series_goods';
  productId: string;
  quantity: number;
  /** Unit price in fen (goodsPrice). */
  unitPrice: number;
  /** goodsPrice × quantity. */
  orderFee: number;
  /** What the user paid: (activitySellingPrice ?? goodsPrice) × quantity. */
  paidFee: number;
  leftFee: number;
  refundFee: number;
  attach: string;
  platform: XPayPlatform;
  /** 2 paid, 4 delivered, 5 refunded, 8 refunded by the user (Apple). */
  status: number;
  /** Unix seconds. */
  createTime: number;
  updateTime: number;
  paidTime: number;
  provideTime?: number;
  /** WeChat Pay's numbers; absent for Apple purchases. */
  wxpay?: { mchOrderNo: string; transactionId: string };
  channelOrderId: string;
}

export interface XPaySandboxRefund {
  refundOrderId: string;
  wxRefundId: string;
  orderId: string;
  openid: string;
  env: XPayEnv;
  refundFee: number;
  bizMeta: string;
  refundReason: string;
  reqFrom: string;
  /** 1 under way, 5 refunded. */
  status: number;
  createTime: number;
  updateTime: number;
  succTime?: number;
  /** The request's fingerprint: the same refund_order_id with other parameters is refused. */
  fingerprint: string;
  /** Queries still to answer "refunded" (first) then "under way" (second): the refundFlipBack fault. */
  flipBack?: number;
}

export interface XPayLedger {
  orders(): XPaySandboxOrder[];
  refunds(): XPaySandboxRefund[];
  hasOrder(orderId: string): boolean;
  findOrder(ref: { orderId?: string; wxOrderId?: string }): XPaySandboxOrder | undefined;
  findRefund(refundOrderId: string): XPaySandboxRefund | undefined;
  addPaidOrder(
    order: Omit<
      XPaySandboxOrder,
      'wxOrderId' | 'channelOrderId' | 'status' | 'leftFee' | 'refundFee' | 'wxpay' | 'updateTime'
    >,
  ): XPaySandboxOrder;
  markProvided(order: XPaySandboxOrder, nowS: number): void;
  addRefund(refund: Omit<XPaySandboxRefund, 'wxRefundId' | 'status' | 'updateTime'>): XPaySandboxRefund;
  /** Settles a refund: the refund order becomes 5 and the payment's left fee drops (5 when nothing is left). */
  settleRefund(refund: XPaySandboxRefund, nowS: number): void;
  /** An App Store refund of the whole order (status 8). */
  refundByUser(order: XPaySandboxOrder, nowS: number): void;
}

const MAX_ORDERS = 10_000;

function beijingDate(nowS: number): string {
  return new Date((nowS + 8 * 3600) * 1000).toISOString().slice(0, 10).replaceAll('-', '');
}

export function createXPayLedger(): XPayLedger {
  const orders = new Map<string, XPaySandboxOrder>();
  const byWxId = new Map<string, XPaySandboxOrder>();
  const refunds = new Map<string, XPaySandboxRefund>();

  return {
    orders: () => [...orders.values()],
    refunds: () => [...refunds.values()],
    hasOrder: (orderId) => orders.has(orderId),
    findOrder: ({ orderId, wxOrderId }) =>
      orderId !== undefined
        ? orders.get(orderId)
        : wxOrderId !== undefined
          ? byWxId.get(wxOrderId)
          : undefined,
    findRefund: (refundOrderId) => refunds.get(refundOrderId),

    addPaidOrder(input) {
      const date = beijingDate(input.createTime);
      const order: XPaySandboxOrder = {
        ...input,
        wxOrderId: `xpay${date}${randomDigits(16)}`,
        channelOrderId: `${date}${randomDigits(14)}`,
        status: 2,
        leftFee: input.paidFee,
        refundFee: 0,
        updateTime: input.paidTime,
        ...(input.platform === 'ios'
          ? {}
          : {
              wxpay: {
                mchOrderNo: `xpay_mch_${randomDigits(18)}`,
                transactionId: `4200${randomDigits(6)}${date}${randomDigits(10)}`,
              },
            }),
      };
      orders.set(order.orderId, order);
      byWxId.set(order.wxOrderId, order);
      if (orders.size > MAX_ORDERS) {
        const oldest = orders.values().next().value as XPaySandboxOrder;
        orders.delete(oldest.orderId);
        byWxId.delete(oldest.wxOrderId);
      }
      return order;
    },

    markProvided(order, nowS) {
      if (order.status !== 2 && order.status !== 3) return;
      order.status = 4;
      order.provideTime = nowS;
      order.updateTime = nowS;
    },

    addRefund(input) {
      const refund: XPaySandboxRefund = {
        ...input,
        wxRefundId: `xpayrefund${beijingDate(input.createTime)}${randomDigits(12)}`,
        status: 1,
        updateTime: input.createTime,
      };
      refunds.set(refund.refundOrderId, refund);
      return refund;
    },

    settleRefund(refund, nowS) {
      if (refund.status !== 1) return;
      const order = orders.get(refund.orderId);
      refund.status = 5;
      refund.succTime = nowS;
      refund.updateTime = nowS;
      if (order) {
        order.leftFee -= refund.refundFee;
        order.refundFee += refund.refundFee;
        order.updateTime = nowS;
        if (order.leftFee === 0) order.status = 5;
      }
    },

    refundByUser(order, nowS) {
      order.refundFee += order.leftFee;
      order.leftFee = 0;
      order.status = 8;
      order.updateTime = nowS;
    },
  };
}
