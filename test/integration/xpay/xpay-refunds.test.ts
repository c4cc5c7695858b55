import {
  XPAY_ORDER_STATUS,
  XPayApiError,
  type RefundNotify,
  type RefundOrderInput,
} from '../../../server/src/xpay/index.js';
import { startSandbox, useSandbox, type SandboxHarness } from '../sandbox/support/sandbox-harness.js';
import {
  login,
  outTradeNoOf,
  pay,
  paymentParams,
  usePushEndpoint,
  xpayClient,
  type SandboxUser,
} from './support/xpay-harness.js';

const h = useSandbox(() => ({ notifyScale: 0.001 }));
const endpoint = usePushEndpoint(h);

/** A delivered 3-yuan order of a fresh user, on `at` (default: this test's sandbox). */
async function paidOrder(
  at: SandboxHarness = h,
  platform?: string,
): Promise<{ user: SandboxUser; outTradeNo: string }> {
  const user = await login(at, 'nina');
  const params = paymentParams(at, user, { goodsPrice: 300, ...(platform === 'ios' ? { env: 0 } : {}) });
  expect((await pay(at, user, { ...params }, platform)).status).toBe(200);
  await at.sandbox.settled();
  return { user, outTradeNo: outTradeNoOf(params) };
}

function refundInput(
  user: SandboxUser,
  outTradeNo: string,
  overrides: Partial<RefundOrderInput> = {},
): RefundOrderInput {
  return {
    openid: user.openid,
    env: 1,
    order: { orderId: outTradeNo },
    refundOrderId: `${outTradeNo.slice(0, 26)}-R1`,
    leftFee: 300,
    refundFee: 300,
    refundReason: '3',
    reqFrom: '3',
    ...overrides,
  };
}

async function rejection(promise: Promise<unknown>): Promise<XPayApiError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof XPayApiError) return err;
    throw err;
  }
  throw new Error('expected an XPayApiError');
}

describe('xpay sandbox: refunds', () => {
  test('refund_order starts a refund; the refund push follows and query_order reports it done', async () => {
    const { user, outTradeNo } = await paidOrder();
    const client = xpayClient(h);
    const input = refundInput(user, outTradeNo, { bizMeta: 'the model failed' });
    const started = await client.refundOrder(input);
    expect(started).toMatchObject({
      refund_order_id: input.refundOrderId,
      pay_order_id: outTradeNo,
      duplicate: false,
    });
    await h.sandbox.settled();

    const refundPush = endpoint.current
      .events()
      .find((e) => e.Event === 'xpay_refund_notify') as RefundNotify;
    expect(refundPush).toMatchObject({
      MchRefundId: input.refundOrderId,
      MchOrderId: outTradeNo,
      WxRefundId: started.refund_wx_order_id,
      RefundFee: 300,
      RetCode: 0,
      RetryTimes: 0,
    });
    const refund = await client.queryRefund({
      openid: user.openid,
      env: 1,
      refundOrderId: input.refundOrderId,
    });
    expect(refund).toMatchObject({
      order_type: 1,
      status: XPAY_ORDER_STATUS.REFUNDED,
      refund_fee: 300,
      biz_meta: 'the model failed',
    });
    const payment = await client.queryOrder({ openid: user.openid, env: 1, order: { orderId: outTradeNo } });
    expect(payment).toMatchObject({ status: XPAY_ORDER_STATUS.REFUNDED, left_fee: 0, refund_fee: 300 });

    // The same refund_order_id again, after it succeeded: already done, never refunded twice.
    expect(await client.refundOrder(input)).toEqual({
      refund_order_id: input.refundOrderId,
      duplicate: true,
    });
  });

  test('a repeat while the refund is under way is 268490014; other parameters under the same id are refused', async () => {
    const slow = await startSandbox(h.keys, { notifyScale: 0.001, refundDelayMs: 600_000 });
    try {
      const { user, outTradeNo } = await paidOrder(slow);
      const client = xpayClient(slow);
      const input = refundInput(user, outTradeNo);
      await client.refundOrder(input);
      expect(await rejection(client.refundOrder(input))).toMatchObject({ code: 'REFUND_IN_PROGRESS' });
      expect(await rejection(client.refundOrder({ ...input, refundFee: 100 }))).toMatchObject({
        code: 'INVALID_PARAMETER',
      });
      const refund = await client.queryRefund({
        openid: user.openid,
        env: 1,
        refundOrderId: input.refundOrderId,
      });
      expect(refund.status).toBe(XPAY_ORDER_STATUS.CREATED);
    } finally {
      await slow.close();
    }
  });

  test('partial refunds must name the real left_fee (268490016 otherwise) and stay within it', async () => {
    const { user, outTradeNo } = await paidOrder();
    const client = xpayClient(h);
    await client.refundOrder(
      refundInput(user, outTradeNo, { refundOrderId: `${outTradeNo}-a`.slice(-32), refundFee: 100 }),
    );
    await h.sandbox.settled();
    const stale = refundInput(user, outTradeNo, {
      refundOrderId: `${outTradeNo}-b`.slice(-32),
      refundFee: 100,
    });
    expect(await rejection(client.refundOrder(stale))).toMatchObject({ code: 'LEFT_FEE_MISMATCH' });
    const left = (await client.queryOrder({ openid: user.openid, env: 1, order: { orderId: outTradeNo } }))
      .left_fee;
    expect(left).toBe(200);
    await client.refundOrder({ ...stale, leftFee: 200, refundFee: 200 });
    await h.sandbox.settled();
    expect(
      (await client.queryOrder({ openid: user.openid, env: 1, order: { orderId: outTradeNo } })).status,
    ).toBe(XPAY_ORDER_STATUS.REFUNDED);
  });

  test('refund status flip-back: refunded, then reported under way once more, then refunded again', async () => {
    const { user, outTradeNo } = await paidOrder();
    await h.call('POST', '/sandbox/xpay/faults', { out_trade_no: outTradeNo, refundFlipBack: true });
    const client = xpayClient(h);
    const input = refundInput(user, outTradeNo);
    await client.refundOrder(input);
    await h.sandbox.settled();
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      statuses.push(
        (await client.queryRefund({ openid: user.openid, env: 1, refundOrderId: input.refundOrderId }))
          .status,
      );
    }
    expect(statuses).toEqual([
      XPAY_ORDER_STATUS.REFUNDED,
      XPAY_ORDER_STATUS.CREATED,
      XPAY_ORDER_STATUS.REFUNDED,
    ]);
  });
});

describe('xpay sandbox: Apple refund inquiries and complaints', () => {
  test('the endpoint answers the inquiry encrypted; declining keeps the order', async () => {
    const { user, outTradeNo } = await paidOrder(h, 'ios');
    const asked = await h.call('POST', '/sandbox/xpay/ios-refund-query', { out_trade_no: outTradeNo });
    expect(asked.status).toBe(200);
    await h.sandbox.settled();

    const inquiry = endpoint.current.received.find(
      (r) => r.event?.Event === 'xpay_subscribe_ios_refund_query_notify',
    );
    expect(inquiry).toMatchObject({ status: 200, encrypted: true });
    expect(inquiry!.event).toMatchObject({
      pay_order_id: outTradeNo,
      provide_status: 1,
      product_id: 'answer_standard',
    });
    expect(JSON.parse(inquiry!.reply)).toHaveProperty('Encrypt');

    const push = h.sandbox.xpay
      .pushes(outTradeNo)
      .find((p) => p.event === 'xpay_subscribe_ios_refund_query_notify');
    expect(push).toMatchObject({ state: 'delivered', answer: { result_code: 1 }, answerEnvelope: 'wrapped' });
    const order = await xpayClient(h).queryOrder({
      openid: user.openid,
      env: 0,
      order: { orderId: outTradeNo },
    });
    expect(order.status).toBe(XPAY_ORDER_STATUS.PROVIDED);
  });

  test('suggesting the refund (bare answer) lets Apple refund: status 8 and a refund push without our refund id', async () => {
    const { user, outTradeNo } = await paidOrder(h, 'ios');
    endpoint.current.iosAnswer = { result_code: 0, result_info: 'not delivered' };
    endpoint.current.iosEnvelope = 'bare';
    await h.call('POST', '/sandbox/xpay/ios-refund-query', { out_trade_no: outTradeNo });
    await h.sandbox.settled();
    const push = h.sandbox.xpay
      .pushes(outTradeNo)
      .find((p) => p.event === 'xpay_subscribe_ios_refund_query_notify');
    expect(push).toMatchObject({ answer: { result_code: 0 }, answerEnvelope: 'bare' });
    const refund = endpoint.current.events().find((e) => e.Event === 'xpay_refund_notify') as RefundNotify;
    expect(refund).toMatchObject({ MchOrderId: outTradeNo, MchRefundId: '', RefundFee: 300, RetCode: 0 });
    const order = await xpayClient(h).queryOrder({
      openid: user.openid,
      env: 0,
      order: { orderId: outTradeNo },
    });
    expect(order).toMatchObject({ status: XPAY_ORDER_STATUS.USER_REFUNDED, left_fee: 0 });
  });

  test('the usual acknowledgement is no answer to a safe-mode inquiry: three tries, then Apple decides alone', async () => {
    const { outTradeNo } = await paidOrder(h, 'ios');
    endpoint.current.override = (entry) =>
      entry.event?.Event === 'xpay_subscribe_ios_refund_query_notify'
        ? { status: 200, body: '{"ErrCode":0,"ErrMsg":"success"}' }
        : undefined;
    await h.call('POST', '/sandbox/xpay/ios-refund-query', {
      out_trade_no: outTradeNo,
      apple_decision: 'decline',
    });
    await h.sandbox.settled();
    const push = h.sandbox.xpay
      .pushes(outTradeNo)
      .find((p) => p.event === 'xpay_subscribe_ios_refund_query_notify');
    expect(push!.state).toBe('failed');
    expect(push!.attempts).toHaveLength(3);
    expect(push!.attempts[0]!.refused).toMatch(/encrypted answer/);
    expect(push).not.toHaveProperty('answer');
  });

  test('inquiries concern paid iOS orders only', async () => {
    const { outTradeNo } = await paidOrder();
    const answer = await h.call('POST', '/sandbox/xpay/ios-refund-query', { out_trade_no: outTradeNo });
    expect(answer).toMatchObject({ status: 400, json: { code: 'BAD_REQUEST' } });
  });

  test('a complaint is pushed with its RequestId', async () => {
    const { user, outTradeNo } = await paidOrder();
    expect((await h.call('POST', '/sandbox/xpay/complaint', { out_trade_no: outTradeNo })).status).toBe(200);
    await h.sandbox.settled();
    const complaint = endpoint.current.events().find((e) => e.Event === 'xpay_complaint_notify');
    expect(complaint).toMatchObject({ OpenId: user.openid, MchOrderId: outTradeNo, RetryTimes: 0 });
    expect((complaint as { RequestId: string }).RequestId).toMatch(/^complaint-/);
  });
});
