/**
 * Shapes of the `/xpay/*` server API answers TokenTill reads, with WeChat's field names
 * (https://developers.weixin.qq.com/miniprogram/dev/server/API/VirtualPayment/ and the virtual-payment guide).
 */

/** `query_order` → `order.status`. */
export const XPAY_ORDER_STATUS = Object.freeze({
  /** 初始化. */
  INITIALISED: 0,
  /** 创建成功 (for a refund order: the refund is under way). */
  CREATED: 1,
  /** 已支付待发货: paid, not yet delivered. */
  PAID: 2,
  /** 发货中. */
  PROVIDING: 3,
  /** 已发货: delivered (the push was acknowledged, or notify_provide_goods was called). */
  PROVIDED: 4,
  /** 已退款. */
  REFUNDED: 5,
  /** 已关闭. */
  CLOSED: 6,
  /** 退款失败. */
  REFUND_FAILED: 7,
  /** 用户退款完成 (e.g. refunded by Apple). */
  USER_REFUNDED: 8,
  /** 回收广告金完成. */
  AD_FUNDS_RECOVERED: 9,
  /** 分账回退完成. */
  PROFIT_SHARING_REVERSED: 10,
} as const);

export type XPayOrderStatus = (typeof XPAY_ORDER_STATUS)[keyof typeof XPAY_ORDER_STATUS];

/** `query_order` → `order`, for cash orders (payments, `order_type` 0, and refunds, `order_type` 1). */
export interface XPayOrder {
  /** Our id: the outTradeNo of a payment, the refund_order_id of a refund. */
  order_id: string;
  /** Unix seconds. */
  create_time?: number;
  update_time?: number;
  /** See {@link XPAY_ORDER_STATUS}; other values may appear and are passed through. */
  status: number;
  /** 0 = short series (the only documented business type). */
  biz_type?: number;
  /** Fen. */
  order_fee?: number;
  coupon_fee?: number;
  paid_fee?: number;
  /** 0 payment, 1 refund. */
  order_type?: number;
  refund_fee?: number;
  paid_time?: number;
  provide_time?: number;
  biz_meta?: string;
  /** 1 production, 2 sandbox: not the `env` coding (see envOfEnvType). */
  env_type?: number;
  token?: string;
  /** Fen still refundable. */
  left_fee?: number;
  /** WeChat's id of this order. */
  wx_order_id?: string;
  /** The merchant order number shown to the user. */
  channel_order_id?: string;
  /** The WeChat Pay transaction id. */
  wxpay_order_id?: string;
  sett_time?: number;
  /** 0/3 not settled, 1 settling, 2 settled. */
  sett_state?: number;
  platform_fee_fen?: number;
  cps_fee_fen?: number;
}

/** `refund_order`'s answer: the refund was *started*; its result comes by push or `query_order`. */
export interface RefundOrderResult {
  refund_order_id: string;
  refund_wx_order_id?: string;
  pay_order_id?: string;
  pay_wx_order_id?: string;
  /**
   * True when WeChat answered 268490004 (重复操作): this refund_order_id was already accepted, by an earlier
   * attempt whose answer was lost. Nothing new was started; follow the refund as usual.
   */
  duplicate: boolean;
}

/** `query_user_balance`'s answer (coins; TokenTill sells items, so it reads zero unless coins are used). */
export interface XPayUserBalance {
  balance: number;
  present_balance: number;
  sum_save: number;
  sum_present: number;
  sum_balance: number;
  sum_cost: number;
  first_save_flag: boolean;
}

const isInt = (value: unknown): value is number => Number.isSafeInteger(value);
const optional = (value: unknown, check: (v: unknown) => boolean) => value === undefined || check(value);

/** True when `value` has an order's required fields with the right types (extra fields are fine). */
export function isXPayOrder(value: unknown): value is XPayOrder {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const order = value as Record<string, unknown>;
  const ints = [
    'order_type',
    'create_time',
    'update_time',
    'biz_type',
    'order_fee',
    'coupon_fee',
    'paid_fee',
    'refund_fee',
    'paid_time',
    'provide_time',
    'env_type',
    'left_fee',
    'sett_time',
    'sett_state',
    'platform_fee_fen',
    'cps_fee_fen',
  ];
  const strings = ['biz_meta', 'token', 'wx_order_id', 'channel_order_id', 'wxpay_order_id'];
  return (
    typeof order['order_id'] === 'string' &&
    order['order_id'] !== '' &&
    isInt(order['status']) &&
    ints.every((k) => optional(order[k], isInt)) &&
    strings.every((k) => optional(order[k], (v) => typeof v === 'string'))
  );
}
