/**
 * The virtual-payment events of the message push, as typed objects with WeChat's own field names (the guide's
 * 消息推送 section). Keys are matched case-insensitively (some SDKs write `openid`/`WechatPayInfo`) but returned
 * in the documented spelling; numbers may come as JSON numbers or as XML text. Fields the product acts on are
 * required; the rest are passed through when present.
 * https://developers.weixin.qq.com/miniprogram/dev/platform-capabilities/business-capabilities/virtual-payment.html
 */
import { PushError } from './push-errors.js';
import { isXPayEnv, type XPayEnv } from './xpay-env.js';

/** Fields every push carries. */
export interface PushHeader {
  /** The Mini Program's original id (原始ID, `gh_…`). */
  ToUserName: string;
  /** WeChat's fixed sender openid. */
  FromUserName: string;
  /** Unix seconds. */
  CreateTime: number;
  MsgType: string;
}

/** Present for WeChat Pay purchases; absent for other channels (Apple). */
export interface WeChatPayInfo {
  /** 微信支付商户单号. */
  MchOrderNo: string;
  /** 微信支付订单号. */
  TransactionId: string;
  /** Unix seconds. */
  PaidTime: number;
}

export interface GoodsInfo {
  ProductId: string;
  Quantity: number;
  /** Fen. */
  OrigPrice: number;
  /** Fen actually paid. */
  ActualPrice: number;
  /** The signData `attach`, passed through. */
  Attach: string;
}

/** Group-buying details (拼团); passed through as sent. */
export type TeamInfo = Record<string, unknown>;

/** `xpay_goods_deliver_notify`: an item was paid for; deliver it (once) and acknowledge. */
export interface GoodsDeliverNotify extends PushHeader {
  Event: 'xpay_goods_deliver_notify';
  OpenId: string;
  /** Our outTradeNo. */
  OutTradeNo: string;
  Env: XPayEnv;
  WeChatPayInfo?: WeChatPayInfo;
  GoodsInfo: GoodsInfo;
  TeamInfo?: TeamInfo;
}

/** `xpay_refund_notify`: the result of a refund (ours, or an App Store refund on iOS). */
export interface RefundNotify extends PushHeader {
  Event: 'xpay_refund_notify';
  OpenId: string;
  /** WeChat's refund order id. */
  WxRefundId: string;
  /** Our refund_order_id; empty for a refund we did not start (an App Store refund on iOS). */
  MchRefundId: string;
  WxOrderId: string;
  /** Our order id (outTradeNo). */
  MchOrderId: string;
  /** Fen. */
  RefundFee: number;
  /** 0 = refunded. */
  RetCode: number;
  RetMsg: string;
  RefundStartTimestamp?: number;
  RefundSuccTimestamp?: number;
  WxpayRefundTransactionId?: string;
  /** 0 on the first push; WeChat retries at 2, 4, 8, 16… up to 15 times. */
  RetryTimes?: number;
  TeamInfo?: TeamInfo;
}

/** `xpay_complaint_notify`: a user complained about an order. */
export interface ComplaintNotify extends PushHeader {
  Event: 'xpay_complaint_notify';
  OpenId: string;
  WxOrderId: string;
  MchOrderId: string;
  ComplaintTime?: number;
  RetryTimes?: number;
  RequestId: string;
}

/**
 * `xpay_subscribe_ios_refund_query_notify`: Apple asks whether to refund an iOS purchase. Answer within 3 s
 * (three tries; no answer means "uncertain"), encrypted in safe mode (see push-reply.ts). Field names as WeChat
 * gives them, in snake case.
 */
export interface IosRefundQueryNotify extends PushHeader {
  Event: 'xpay_subscribe_ios_refund_query_notify';
  OpenId?: string;
  refund_time?: number;
  order_time?: number;
  channel_bill?: string;
  bundleid?: string;
  product_id?: string;
  p_count?: number;
  refund_request_reason?: string;
  /** 0 not delivered, 1 delivered, 2 delivering. */
  provide_status: 0 | 1 | 2;
  pay_order_id: string;
}

/** Every virtual-payment event this module understands. */
export type XPayEvent = GoodsDeliverNotify | RefundNotify | ComplaintNotify | IosRefundQueryNotify;
export type XPayEventName = XPayEvent['Event'];

export const XPAY_EVENT_NAMES: readonly XPayEventName[] = Object.freeze([
  'xpay_goods_deliver_notify',
  'xpay_refund_notify',
  'xpay_complaint_notify',
  'xpay_subscribe_ios_refund_query_notify',
]);

/** Reads fields by name, ignoring case; each reader throws `malformed_event` naming the field. */
class Fields {
  private readonly byLowerName = new Map<string, unknown>();
  constructor(
    source: Record<string, unknown>,
    private readonly where: string,
  ) {
    for (const [key, value] of Object.entries(source)) {
      const lower = key.toLowerCase();
      // The same field twice under two spellings is ambiguous: refuse rather than pick one.
      if (this.byLowerName.has(lower)) throw this.fail(key, 'appears twice with different capitalisation');
      this.byLowerName.set(lower, value);
    }
  }

  private fail(name: string, problem: string): PushError {
    return new PushError('malformed_event', `${this.where}${name} ${problem}`);
  }

  raw(name: string): unknown {
    return this.byLowerName.get(name.toLowerCase());
  }

  optionalString(name: string): string | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    if (typeof value === 'string') return value;
    if (Number.isSafeInteger(value)) return String(value);
    throw this.fail(name, 'is not a string');
  }

  string(name: string): string {
    const value = this.optionalString(name);
    if (value === undefined || value === '') throw this.fail(name, 'is missing');
    return value;
  }

  optionalInt(name: string): number | undefined {
    const value = this.raw(name);
    if (value === undefined || value === '') return undefined;
    if (Number.isSafeInteger(value)) return value as number;
    if (typeof value === 'string' && /^-?\d{1,15}$/.test(value.trim())) return Number(value.trim());
    throw this.fail(name, 'is not a whole number');
  }

  int(name: string): number {
    const value = this.optionalInt(name);
    if (value === undefined) throw this.fail(name, 'is missing');
    return value;
  }

  optionalObject(name: string): Fields | undefined {
    const value = this.raw(name);
    if (value === undefined || value === '') return undefined;
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw this.fail(name, 'is not an object');
    return new Fields(value as Record<string, unknown>, `${this.where}${name}.`);
  }

  object(name: string): Fields {
    const value = this.optionalObject(name);
    if (!value) throw this.fail(name, 'is missing');
    return value;
  }

  passThrough(name: string): Record<string, unknown> | undefined {
    const value = this.raw(name);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  }
}

const defined = <T extends object>(value: T): T =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;

function header(fields: Fields): PushHeader {
  return {
    ToUserName: fields.string('ToUserName'),
    FromUserName: fields.optionalString('FromUserName') ?? '',
    CreateTime: fields.int('CreateTime'),
    MsgType: fields.string('MsgType'),
  };
}

function goodsDeliver(fields: Fields): GoodsDeliverNotify {
  const env = fields.int('Env');
  if (!isXPayEnv(env)) throw new PushError('malformed_event', `Env ${env} is neither 0 nor 1`);
  const pay = fields.optionalObject('WeChatPayInfo');
  const goods = fields.object('GoodsInfo');
  const teamInfo = fields.passThrough('TeamInfo');
  return defined({
    ...header(fields),
    Event: 'xpay_goods_deliver_notify' as const,
    OpenId: fields.string('OpenId'),
    OutTradeNo: fields.string('OutTradeNo'),
    Env: env,
    WeChatPayInfo: pay
      ? {
          MchOrderNo: pay.optionalString('MchOrderNo') ?? '',
          TransactionId: pay.optionalString('TransactionId') ?? '',
          PaidTime: pay.optionalInt('PaidTime') ?? 0,
        }
      : undefined,
    GoodsInfo: {
      ProductId: goods.string('ProductId'),
      Quantity: goods.int('Quantity'),
      OrigPrice: goods.int('OrigPrice'),
      ActualPrice: goods.int('ActualPrice'),
      Attach: goods.optionalString('Attach') ?? '',
    },
    TeamInfo: teamInfo,
  });
}

function refund(fields: Fields): RefundNotify {
  return defined({
    ...header(fields),
    Event: 'xpay_refund_notify' as const,
    OpenId: fields.string('OpenId'),
    WxRefundId: fields.optionalString('WxRefundId') ?? '',
    MchRefundId: fields.optionalString('MchRefundId') ?? '',
    WxOrderId: fields.optionalString('WxOrderId') ?? '',
    MchOrderId: fields.string('MchOrderId'),
    RefundFee: fields.int('RefundFee'),
    RetCode: fields.int('RetCode'),
    RetMsg: fields.optionalString('RetMsg') ?? '',
    RefundStartTimestamp: fields.optionalInt('RefundStartTimestamp'),
    RefundSuccTimestamp: fields.optionalInt('RefundSuccTimestamp'),
    WxpayRefundTransactionId: fields.optionalString('WxpayRefundTransactionId'),
    RetryTimes: fields.optionalInt('RetryTimes'),
    TeamInfo: fields.passThrough('TeamInfo'),
  });
}

function complaint(fields: Fields): ComplaintNotify {
  return defined({
    ...header(fields),
    Event: 'xpay_complaint_notify' as const,
    OpenId: fields.string('OpenId'),
    WxOrderId: fields.optionalString('WxOrderId') ?? '',
    MchOrderId: fields.string('MchOrderId'),
    ComplaintTime: fields.optionalInt('ComplaintTime'),
    RetryTimes: fields.optionalInt('RetryTimes'),
    RequestId: fields.string('RequestId'),
  });
}

function iosRefundQuery(fields: Fields): IosRefundQueryNotify {
  const provideStatus = fields.int('provide_status');
  if (provideStatus !== 0 && provideStatus !== 1 && provideStatus !== 2) {
    throw new PushError('malformed_event', `provide_status ${provideStatus} is not 0, 1 or 2`);
  }
  return defined({
    ...header(fields),
    Event: 'xpay_subscribe_ios_refund_query_notify' as const,
    OpenId: fields.optionalString('OpenId'),
    refund_time: fields.optionalInt('refund_time'),
    order_time: fields.optionalInt('order_time'),
    channel_bill: fields.optionalString('channel_bill'),
    bundleid: fields.optionalString('bundleid'),
    product_id: fields.optionalString('product_id'),
    p_count: fields.optionalInt('p_count'),
    refund_request_reason: fields.optionalString('refund_request_reason'),
    provide_status: provideStatus,
    pay_order_id: fields.string('pay_order_id'),
  });
}

/**
 * Types a verified push message as an xpay event.
 *
 * @throws PushError `unsupported_event` for any other event (or a message that is not an event), and
 *   `malformed_event` naming the field when a known event lacks one or has one of the wrong type.
 */
export function parseXPayEvent(message: Record<string, unknown>): XPayEvent {
  const fields = new Fields(message, '');
  const msgType = fields.optionalString('MsgType');
  const event = fields.optionalString('Event');
  if (msgType !== 'event' || event === undefined) {
    throw new PushError('unsupported_event', `Not an event push (MsgType ${String(msgType)})`);
  }
  switch (event) {
    case 'xpay_goods_deliver_notify':
      return goodsDeliver(fields);
    case 'xpay_refund_notify':
      return refund(fields);
    case 'xpay_complaint_notify':
      return complaint(fields);
    case 'xpay_subscribe_ios_refund_query_notify':
      return iosRefundQuery(fields);
    default:
      throw new PushError('unsupported_event', `Event ${event.slice(0, 64)} is not a virtual-payment event`);
  }
}
