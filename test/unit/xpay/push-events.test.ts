import { PushError, openXPayPush, parseXPayEvent, type XPayEvent } from '../../../server/src/xpay/index.js';
import { NOW, NOW_S, configFor, deliverMessage, requestOf, sealed } from './support/push-fixtures.js';

function malformed(message: Record<string, unknown>): string {
  try {
    parseXPayEvent(message);
  } catch (err) {
    if (err instanceof PushError && err.reason === 'malformed_event') return err.message;
    throw err;
  }
  throw new Error('expected a malformed_event');
}

const header = {
  ToUserName: 'gh_0123456789ab',
  FromUserName: 'oKVs55Aa0Q-DJVMEwUsR8BvPXVTw',
  CreateTime: NOW_S,
  MsgType: 'event',
};

describe('xpay events', () => {
  test('a goods delivery reads the same from JSON numbers and from XML text', () => {
    const fromJson = openXPayPush(
      requestOf(sealed(deliverMessage(), { format: 'json' })),
      configFor(),
      NOW,
    ).event;
    const fromXml = openXPayPush(
      requestOf(sealed(deliverMessage(), { format: 'xml' })),
      configFor(),
      NOW,
    ).event;
    expect(fromXml).toEqual(fromJson);
    expect(fromJson).toEqual<XPayEvent>({
      ...header,
      Event: 'xpay_goods_deliver_notify',
      OpenId: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
      OutTradeNo: 'TTm5x1k2a0123456789abcdef',
      Env: 1,
      WeChatPayInfo: {
        MchOrderNo: 'xpay_mch_0001',
        TransactionId: '4200002345202607195555555555',
        PaidTime: NOW_S - 2,
      },
      GoodsInfo: {
        ProductId: 'answer_standard',
        Quantity: 1,
        OrigPrice: 100,
        ActualPrice: 100,
        Attach: 'tier:standard',
      },
    });
  });

  test("SDK spellings (openid, WechatPayInfo, env) are read, and returned in WeChat's documented spelling", () => {
    const { OpenId, WeChatPayInfo, Env, ...rest } = deliverMessage();
    const event = parseXPayEvent({ ...rest, openid: OpenId, WechatPayInfo: WeChatPayInfo, env: Env });
    expect(event).toMatchObject({ OpenId, WeChatPayInfo, Env });
    expect(event).not.toHaveProperty('openid');
  });

  test('an Apple (iOS) purchase has no WeChatPayInfo, and that is fine', () => {
    const { WeChatPayInfo: _w, ...apple } = deliverMessage({ Env: 0 });
    const event = parseXPayEvent(apple);
    expect(event).not.toHaveProperty('WeChatPayInfo');
    expect(event).toMatchObject({ Env: 0 });
  });

  test.each([
    ['GoodsInfo is missing', { GoodsInfo: undefined }, /GoodsInfo is missing/],
    [
      'GoodsInfo.ActualPrice is text',
      { GoodsInfo: { ProductId: 'p', Quantity: 1, OrigPrice: 1, ActualPrice: '1.00' } },
      /GoodsInfo\.ActualPrice is not a whole number/,
    ],
    ['OutTradeNo is empty', { OutTradeNo: '' }, /OutTradeNo is missing/],
    ['Env is 2', { Env: 2 }, /Env 2/],
    ['OpenId is an object', { OpenId: { x: 1 } }, /OpenId is not a string/],
  ])('a delivery is malformed when %s', (_label, change, message) => {
    const body = Object.fromEntries(
      Object.entries(deliverMessage(change)).filter(([, v]) => v !== undefined),
    );
    expect(malformed(body)).toMatch(message);
  });

  test('the same field under two capitalisations is ambiguous and refused', () => {
    expect(malformed({ ...deliverMessage(), openid: 'oOther' })).toMatch(/twice/);
  });

  test('a refund result', () => {
    const event = parseXPayEvent({
      ...header,
      Event: 'xpay_refund_notify',
      OpenId: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
      WxRefundId: 'wxr_1',
      MchRefundId: 'TTm5x1k2a-R1',
      WxOrderId: 'wxo_1',
      MchOrderId: 'TTm5x1k2a0123456789abcdef',
      RefundFee: '100',
      RetCode: '0',
      RetMsg: 'success',
      RefundStartTimestamp: NOW_S - 5,
      RefundSuccTimestamp: NOW_S,
      WxpayRefundTransactionId: '50300000000000000001',
      RetryTimes: 0,
    });
    expect(event).toMatchObject({
      Event: 'xpay_refund_notify',
      RefundFee: 100,
      RetCode: 0,
      MchRefundId: 'TTm5x1k2a-R1',
    });
  });

  test('a complaint', () => {
    const event = parseXPayEvent({
      ...header,
      Event: 'xpay_complaint_notify',
      OpenId: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
      WxOrderId: 'wxo_1',
      MchOrderId: 'TTm5x1k2a0123456789abcdef',
      ComplaintTime: NOW_S,
      RetryTimes: 1,
      RequestId: 'req-1',
    });
    expect(event).toMatchObject({ Event: 'xpay_complaint_notify', RequestId: 'req-1', RetryTimes: 1 });
  });

  test('an iOS refund inquiry, with its snake-case fields', () => {
    const inquiry = {
      ...header,
      Event: 'xpay_subscribe_ios_refund_query_notify',
      refund_time: NOW_S,
      order_time: NOW_S - 3600,
      channel_bill: '2000000123456789',
      bundleid: 'com.tencent.xin',
      product_id: 'answer_standard',
      p_count: 1,
      refund_request_reason: 'unintended purchase',
      provide_status: 1,
      pay_order_id: 'TTm5x1k2a0123456789abcdef',
    };
    expect(parseXPayEvent(inquiry)).toMatchObject({ provide_status: 1, pay_order_id: inquiry.pay_order_id });
    expect(malformed({ ...inquiry, provide_status: 3 })).toMatch(/provide_status 3/);
  });

  test('anything that is not a known xpay event is unsupported', () => {
    for (const message of [
      { ...header, Event: 'xpay_coin_pay_notify' },
      { ...header, MsgType: 'text', Content: 'hi' },
      { ...header, MsgType: 'event' },
    ]) {
      expect(() => parseXPayEvent(message)).toThrow(expect.objectContaining({ reason: 'unsupported_event' }));
    }
  });
});
