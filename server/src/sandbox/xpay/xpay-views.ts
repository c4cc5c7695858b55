/**
 * What the emulated WeChat sends about its ledger: query_order's `order` objects and the push messages, with
 * WeChat's field names.
 */
import type { XPaySandboxCredentials } from './xpay-credentials.js';
import type { XPaySandboxOrder, XPaySandboxRefund } from './xpay-ledger.js';

/** The fixed sender openid of WeChat's pushes. */
export const WECHAT_PUSH_SENDER = 'oKVs55Aa0Q-DJVMEwUsR8BvPXVTw';

const envType = (env: 0 | 1) => (env === 0 ? 1 : 2);

/** query_order → order, for a payment. */
export function paymentOrderView(order: XPaySandboxOrder): Record<string, unknown> {
  return {
    order_id: order.orderId,
    create_time: order.createTime,
    update_time: order.updateTime,
    status: order.status,
    biz_type: 0,
    order_fee: order.orderFee,
    coupon_fee: 0,
    paid_fee: order.paidFee,
    order_type: 0,
    refund_fee: order.refundFee,
    paid_time: order.paidTime,
    ...(order.provideTime !== undefined ? { provide_time: order.provideTime } : {}),
    biz_meta: '',
    env_type: envType(order.env),
    token: '',
    left_fee: order.leftFee,
    wx_order_id: order.wxOrderId,
    channel_order_id: order.channelOrderId,
    ...(order.wxpay ? { wxpay_order_id: order.wxpay.transactionId } : {}),
    sett_time: 0,
    sett_state: 0,
  };
}

/** query_order → order, for a refund (`order_type` 1), with the status the caller decided to report. */
export function refundOrderView(
  refund: XPaySandboxRefund,
  order: XPaySandboxOrder,
  status: number,
): Record<string, unknown> {
  return {
    order_id: refund.refundOrderId,
    create_time: refund.createTime,
    update_time: refund.updateTime,
    status,
    biz_type: 0,
    order_fee: order.orderFee,
    coupon_fee: 0,
    paid_fee: order.paidFee,
    order_type: 1,
    refund_fee: refund.refundFee,
    paid_time: order.paidTime,
    biz_meta: refund.bizMeta,
    env_type: envType(refund.env),
    token: '',
    left_fee: order.leftFee,
    wx_order_id: refund.wxRefundId,
    channel_order_id: order.channelOrderId,
    sett_time: 0,
    sett_state: 0,
  };
}

function header(credentials: XPaySandboxCredentials, nowS: number, event: string) {
  return {
    ToUserName: credentials.originalId,
    FromUserName: WECHAT_PUSH_SENDER,
    CreateTime: nowS,
    MsgType: 'event',
    Event: event,
  };
}

/** xpay_goods_deliver_notify. */
export function deliverMessage(credentials: XPaySandboxCredentials, order: XPaySandboxOrder, nowS: number) {
  return {
    ...header(credentials, nowS, 'xpay_goods_deliver_notify'),
    OpenId: order.openid,
    OutTradeNo: order.orderId,
    Env: order.env,
    ...(order.wxpay
      ? {
          WeChatPayInfo: {
            MchOrderNo: order.wxpay.mchOrderNo,
            TransactionId: order.wxpay.transactionId,
            PaidTime: order.paidTime,
          },
        }
      : {}),
    GoodsInfo: {
      ProductId: order.productId,
      Quantity: order.quantity,
      OrigPrice: order.orderFee,
      ActualPrice: order.paidFee,
      Attach: order.attach,
    },
  };
}

/** xpay_refund_notify for a refund we started, or (refund undefined) for an App Store refund. */
export function refundMessage(
  credentials: XPaySandboxCredentials,
  order: XPaySandboxOrder,
  refund: { wxRefundId: string; refundOrderId: string; refundFee: number; startS: number; succS: number },
  nowS: number,
  retry: number,
) {
  return {
    ...header(credentials, nowS, 'xpay_refund_notify'),
    OpenId: order.openid,
    WxRefundId: refund.wxRefundId,
    MchRefundId: refund.refundOrderId,
    WxOrderId: order.wxOrderId,
    MchOrderId: order.orderId,
    RefundFee: refund.refundFee,
    RetCode: 0,
    RetMsg: 'success',
    RefundStartTimestamp: refund.startS,
    RefundSuccTimestamp: refund.succS,
    WxpayRefundTransactionId: order.wxpay ? `5030${refund.wxRefundId.slice(-16)}` : '',
    RetryTimes: retry,
  };
}

/** xpay_complaint_notify. */
export function complaintMessage(
  credentials: XPaySandboxCredentials,
  order: XPaySandboxOrder,
  requestId: string,
  nowS: number,
  retry: number,
) {
  return {
    ...header(credentials, nowS, 'xpay_complaint_notify'),
    OpenId: order.openid,
    WxOrderId: order.wxOrderId,
    MchOrderId: order.orderId,
    ComplaintTime: nowS,
    RetryTimes: retry,
    RequestId: requestId,
  };
}

/** xpay_subscribe_ios_refund_query_notify. `pay_order_id` is our order id, as in refund_order's answer. */
export function iosInquiryMessage(
  credentials: XPaySandboxCredentials,
  order: XPaySandboxOrder,
  reason: string,
  nowS: number,
) {
  return {
    ...header(credentials, nowS, 'xpay_subscribe_ios_refund_query_notify'),
    OpenId: order.openid,
    refund_time: nowS,
    order_time: order.paidTime,
    channel_bill: order.channelOrderId,
    bundleid: 'com.tencent.xin',
    product_id: order.productId,
    p_count: order.quantity,
    refund_request_reason: reason,
    provide_status: order.status === 4 ? 1 : 0,
    pay_order_id: order.orderId,
  };
}
