import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import Taro from '@tarojs/taro';
import ChatPage, { CONFIRM_GRACE_MS } from '../../../miniprogram/src/pages/chat';
import { CONVERSATION_KEY, type Turn } from '../../../miniprogram/src/services/conversation';
import { SESSION_STORAGE_KEY } from '../../../miniprogram/src/services/session';
import { storage } from '../mocks/taro';
import { envelope, heldReply, mockApi, storedSession, type ApiHandler } from '../support/api';
import { flushPromises, installFakeSockets, type FakeSocketTask } from '../support/fake-socket';

const taroRequest = jest.mocked(Taro.request);
const requestPayment = jest.mocked(Taro.requestPayment);
const requestSubscribeMessage = jest.mocked(Taro.requestSubscribeMessage);

const tiersBody = {
  tiers: [
    { id: 'basic', title: '基础', priceFen: 10, description: '快速回答' },
    { id: 'pro', title: '专业', priceFen: 200, description: '更强的模型' },
  ],
};
const ORDER_ID = 'order-chat-0001';
const payParams = {
  timeStamp: '1700000000',
  nonceStr: 'n0nce',
  package: 'prepay_id=wx0001',
  signType: 'RSA',
  paySign: 'c2ln',
};
const created = {
  status: 201,
  body: { orderId: ORDER_ID, payment: { channel: 'wxpay', params: payParams } },
};
const QUESTION = '今天天气怎么样？';

/** A Taro.request whose answer the test releases when it wants, to observe the loading state. */
function deferredRequest() {
  let answer!: (value: unknown) => void;
  taroRequest.mockImplementationOnce(
    () => new Promise((resolve) => (answer = resolve)) as unknown as ReturnType<typeof Taro.request>,
  );
  return (value: unknown) => act(async () => answer(value));
}

/** A requestPayment the test settles: `resolve()` pays, `reject(errMsg)` fails. */
function heldPayment() {
  let resolve!: () => void;
  let reject!: (errMsg: string) => void;
  requestPayment.mockImplementationOnce(
    () =>
      new Promise((ok, fail) => {
        resolve = () => ok({ errMsg: 'requestPayment:ok' });
        reject = (errMsg) => fail({ errMsg });
      }) as never,
  );
  return {
    resolve: () => act(async () => resolve()),
    reject: (errMsg: string) => act(async () => reject(errMsg)),
  };
}

const payButton = () => screen.getByRole<HTMLButtonElement>('button', { name: /支付/ });
const promptInput = () => screen.getByPlaceholderText<HTMLTextAreaElement>('输入你的问题…');
const answerState = () => document.querySelector('.turn .order-state');
const answerText = () => document.querySelector('.answer-text')?.textContent;
const settle = () => act(flushPromises);

/** Renders the page with tiers loaded and `routes` mocked; returns the recorded API calls. */
async function renderChat(routes: Record<string, ApiHandler | ApiHandler[]> = {}) {
  const calls = mockApi({ 'GET /api/tiers': { status: 200, body: tiersBody }, ...routes });
  render(<ChatPage />);
  await screen.findByText('基础');
  return calls;
}

function ask(question = QUESTION) {
  fireEvent.change(promptInput(), { target: { value: question } });
  fireEvent.click(payButton());
}

describe('chat page', () => {
  let sockets: FakeSocketTask[];

  afterEach(() => {
    jest.useRealTimers();
  });

  beforeEach(() => {
    taroRequest.mockReset();
    requestPayment.mockReset();
    requestSubscribeMessage.mockReset();
    jest.mocked(Taro.connectSocket).mockClear();
    storage.clear();
    storage.set(SESSION_STORAGE_KEY, storedSession('tok-chat'));
    sockets = installFakeSockets();
    delete process.env.TARO_APP_SUBSCRIBE_TEMPLATE_ID;
  });

  it('shows the loading state, then the tiers from GET /api/tiers', async () => {
    const answer = deferredRequest();
    render(<ChatPage />);

    expect(screen.getByText('正在加载…')).toBeTruthy();
    expect(screen.queryByText('基础')).toBeNull();
    expect(taroRequest).toHaveBeenCalledTimes(1);
    expect(taroRequest.mock.calls[0]?.[0]).toMatchObject({ method: 'GET' });
    expect(taroRequest.mock.calls[0]?.[0].url).toMatch(/\/api\/tiers$/);

    await answer({ statusCode: 200, data: tiersBody, header: {}, errMsg: 'request:ok' });

    expect(screen.queryByText('正在加载…')).toBeNull();
    expect(screen.getByText('基础')).toBeTruthy();
    expect(screen.getByText('¥0.10')).toBeTruthy();
    expect(screen.getByText('¥2.00')).toBeTruthy();
  });

  it('shows an error with a retry when the server answers a 503 envelope, and recovers on retry', async () => {
    const fail = deferredRequest();
    render(<ChatPage />);
    await fail({ statusCode: 503, data: envelope('UPSTREAM_UNAVAILABLE'), header: {}, errMsg: 'request:ok' });

    expect(screen.getByText('服务繁忙，请稍后重试')).toBeTruthy();
    expect(screen.queryByText('基础')).toBeNull();

    const succeed = deferredRequest();
    fireEvent.click(screen.getByText('重试'));
    expect(screen.getByText('正在加载…')).toBeTruthy();
    await succeed({ statusCode: 200, data: tiersBody, header: {}, errMsg: 'request:ok' });

    expect(taroRequest).toHaveBeenCalledTimes(2);
    expect(screen.getByText('专业')).toBeTruthy();
    expect(screen.queryByText('服务繁忙，请稍后重试')).toBeNull();
  });

  it('preselects the first tier, names its price on the button, and needs a non-blank prompt', async () => {
    await renderChat();

    expect(payButton().textContent).toBe('支付 ¥0.10 并提问');
    expect(payButton().disabled).toBe(true);
    fireEvent.change(promptInput(), { target: { value: '   ' } });
    expect(payButton().disabled).toBe(true);

    fireEvent.change(promptInput(), { target: { value: QUESTION } });
    expect(screen.getByText('8/2000')).toBeTruthy();
    expect(payButton().disabled).toBe(false);

    fireEvent.click(screen.getByText('专业'));
    expect(payButton().textContent).toBe('支付 ¥2.00 并提问');
    expect(document.querySelectorAll('.tier-option--selected')).toHaveLength(1);
  });

  it('paying → cancelled: nothing charged, the prompt is kept, and asking again pays the same order', async () => {
    const calls = await renderChat({ 'POST /api/orders': created, 'GET /api/orders/*/payment': created });
    const payment = heldPayment();

    ask();
    await settle();

    expect(answerState()?.className).toContain('order-state--paying');
    expect(payButton().textContent).toBe('支付中…');
    expect(payButton().disabled).toBe(true);
    expect(calls.find((c) => c.path === '/api/orders')?.data).toEqual({ prompt: QUESTION, tier: 'basic' });
    expect(requestPayment).toHaveBeenCalledWith(payParams);

    await payment.reject('requestPayment:fail cancel');

    expect(screen.getByText('已取消支付，未扣款。问题已保留，可再次提问')).toBeTruthy();
    expect(answerState()?.className).toContain('order-state--cancelled');
    expect(promptInput().value).toBe(QUESTION);
    expect(payButton().disabled).toBe(false);
    expect(Taro.connectSocket).not.toHaveBeenCalled();

    // Asking the same again pays the order already created, with fresh parameters from the server.
    requestPayment.mockRejectedValueOnce({ errMsg: 'requestPayment:fail cancel' });
    fireEvent.click(payButton());
    await settle();
    expect(requestPayment).toHaveBeenCalledTimes(2);
    expect(calls.filter((c) => c.path === '/api/orders')).toHaveLength(1);
    expect(calls.map((c) => `${c.method} ${c.path}`)).toContain(`GET /api/orders/${ORDER_ID}/payment`);
    expect(document.querySelectorAll('.turn')).toHaveLength(1);
  });

  it('scrolls to the end whenever the last turn changes, not only when a question is added', async () => {
    await renderChat({ 'POST /api/orders': created });
    const scrollTop = () =>
      Number(document.querySelector('.chat__conversation')?.getAttribute('data-scroll-top'));
    const payment = heldPayment();

    const before = scrollTop();
    ask();
    await settle();
    const asked = scrollTop();
    expect(asked).toBeGreaterThan(before);

    // Cancelled: the bubble's message grows from one line to two; the view follows it.
    await payment.reject('requestPayment:fail cancel');
    expect(answerState()?.className).toContain('order-state--cancelled');
    expect(scrollTop()).toBeGreaterThan(asked);
  });

  it('paying → waiting for confirmation → generating (streams once per chunk) → done', async () => {
    // Fake timers: the wait for the confirmation shows "待确认" only after a grace period (no flicker).
    jest.useFakeTimers();
    const confirm = heldReply();
    const calls = await renderChat({
      'POST /api/orders': created,
      'POST /api/orders/*/confirm': confirm.handler,
    });
    const payment = heldPayment();
    ask();
    await settle();
    expect(answerState()?.textContent).toBe('支付中');

    await payment.resolve();
    await settle();
    expect(screen.getByText('正在确认支付…')).toBeTruthy();
    act(() => jest.advanceTimersByTime(CONFIRM_GRACE_MS));

    expect(screen.getByText('等待支付确认…')).toBeTruthy();
    expect(answerState()?.className).toContain('order-state--waiting');
    expect(promptInput().value).toBe('');
    expect(calls.map((c) => `${c.method} ${c.path}`)).toContain(`POST /api/orders/${ORDER_ID}/confirm`);

    const socket = sockets[0]!;
    expect(socket.url).toMatch(/\/ws$/);
    expect(socket.header).toEqual({ Authorization: 'Bearer tok-chat' });
    act(() => socket.open());
    expect(socket.sent).toEqual([{ type: 'subscribe', orderId: ORDER_ID, after: 0 }]);

    await act(async () => confirm.release({ status: 200, body: { orderId: ORDER_ID, state: 'PAID' } }));
    expect(screen.getByText('支付成功，正在生成回答…')).toBeTruthy();

    // Paid and generating read as one step: no flicker through a third status before the text.
    act(() => socket.receive({ type: 'state', orderId: ORDER_ID, state: 'GENERATING' }));
    expect(screen.getByText('支付成功，正在生成回答…')).toBeTruthy();
    expect(answerState()?.textContent).toBe('生成中');
    act(() => socket.receive({ type: 'chunk', orderId: ORDER_ID, seq: 1, text: '晴，' }));
    expect(answerText()).toBe('晴，');
    expect(document.querySelector('.answer-cursor')).not.toBeNull();
    act(() => socket.receive({ type: 'chunk', orderId: ORDER_ID, seq: 1, text: '晴，' }));
    act(() => socket.receive({ type: 'chunk', orderId: ORDER_ID, seq: 2, text: '最高 25 度。' }));
    expect(answerText()).toBe('晴，最高 25 度。');
    expect(answerState()?.textContent).toBe('生成中');

    act(() => socket.receive({ type: 'state', orderId: ORDER_ID, state: 'COMPLETED' }));
    act(() =>
      socket.receive({ type: 'done', orderId: ORDER_ID, usage: { promptTokens: 9, completionTokens: 6 } }),
    );

    expect(answerText()).toBe('晴，最高 25 度。');
    expect(document.querySelector('.answer-cursor')).toBeNull();
    expect(answerState()?.className).toContain('order-state--completed');
    expect(answerState()?.textContent).toBe('已完成');
    // The finished answer is kept with the conversation; the socket is released.
    const stored = storage.get(CONVERSATION_KEY) as Turn[];
    expect(stored[0]?.final).toMatchObject({ state: 'COMPLETED', text: '晴，最高 25 度。' });
    expect(socket.closedByClient).toBe(true);
  });

  it('failed → refunding → refunded, with "重新提问" putting the question back', async () => {
    await renderChat({
      'POST /api/orders': created,
      'POST /api/orders/*/confirm': { status: 200, body: { orderId: ORDER_ID, state: 'PAID' } },
    });
    requestPayment.mockResolvedValueOnce({ errMsg: 'requestPayment:ok' });
    ask();
    await settle();
    const socket = sockets[0]!;
    act(() => socket.open());

    act(() => socket.receive({ type: 'chunk', orderId: ORDER_ID, seq: 1, text: '半截' }));
    act(() => socket.receive({ type: 'state', orderId: ORDER_ID, state: 'FAILED' }));
    expect(screen.getByText('生成失败，正在原路退款…')).toBeTruthy();
    expect(answerText()).toBeUndefined(); // a partial answer is not presented as the answer

    act(() => socket.receive({ type: 'state', orderId: ORDER_ID, state: 'REFUNDING' }));
    act(() => socket.receive({ type: 'state', orderId: ORDER_ID, state: 'REFUNDED' }));
    // The refund names the amount sent back (the order's price).
    expect(screen.getByText('生成失败，¥0.10 已原路退回')).toBeTruthy();
    expect(answerState()?.className).toContain('order-state--refunded');

    fireEvent.click(screen.getByText('重新提问'));
    expect(promptInput().value).toBe(QUESTION);
    expect(payButton().disabled).toBe(false);
  });

  it.each([
    [429, 'RATE_LIMITED', '操作太频繁，请稍后再试'],
    [429, 'TOO_MANY_UNPAID_ORDERS', '未支付的订单较多，请稍后再试'],
    [503, 'PAYMENT_UNAVAILABLE', '支付暂不可用，未扣款，请稍后再试'],
  ])(
    'explains a %i %s from POST /api/orders, keeps the prompt and pays nothing',
    async (status, code, text) => {
      await renderChat({ 'POST /api/orders': { status, body: envelope(code) } });

      ask();
      await settle();

      expect(screen.getByText(text)).toBeTruthy();
      expect(requestPayment).not.toHaveBeenCalled();
      expect(promptInput().value).toBe(QUESTION);
      expect(document.querySelectorAll('.turn')).toHaveLength(0);
      expect(payButton().disabled).toBe(false);
    },
  );

  it('asks for the subscribe-message grant, with its reason shown, before creating the order', async () => {
    process.env.TARO_APP_SUBSCRIBE_TEMPLATE_ID = 'TPL_READY';
    requestSubscribeMessage.mockResolvedValue({
      errMsg: 'requestSubscribeMessage:ok',
      TPL_READY: 'accept',
    } as never);
    requestPayment.mockRejectedValue({ errMsg: 'requestPayment:fail cancel' });
    await renderChat({ 'POST /api/orders': created });

    expect(screen.getByText('回答完成后通知你，离开页面也不会错过')).toBeTruthy();
    ask();
    await settle();

    expect(requestSubscribeMessage).toHaveBeenCalledWith({ tmplIds: ['TPL_READY'] });
    const orderCall = taroRequest.mock.calls.findIndex(([options]) => options.url.endsWith('/api/orders'));
    expect(requestSubscribeMessage.mock.invocationCallOrder[0]).toBeLessThan(
      taroRequest.mock.invocationCallOrder[orderCall]!,
    );
  });

  it('does not ask for a grant when no template is configured', async () => {
    requestPayment.mockRejectedValue({ errMsg: 'requestPayment:fail cancel' });
    await renderChat({ 'POST /api/orders': created });

    expect(screen.queryByText('回答完成后通知你，离开页面也不会错过')).toBeNull();
    ask();
    await settle();
    expect(requestSubscribeMessage).not.toHaveBeenCalled();
  });

  it('restores the conversation after a reload and resumes an unfinished answer from the start', async () => {
    const turns: Turn[] = [
      {
        id: 't1',
        prompt: '旧问题',
        tierId: 'basic',
        tierTitle: '基础',
        priceFen: 10,
        createdAt: 1,
        orderId: 'order-old-00001',
        phase: 'paid',
        final: { state: 'COMPLETED', text: '旧回答' },
      },
      {
        id: 't2',
        prompt: QUESTION,
        tierId: 'basic',
        tierTitle: '基础',
        priceFen: 10,
        createdAt: 2,
        orderId: ORDER_ID,
        phase: 'paid',
      },
    ];
    storage.set(CONVERSATION_KEY, turns);
    await renderChat();
    await settle();

    expect(screen.getByText('旧回答')).toBeTruthy();
    expect(sockets).toHaveLength(1);
    act(() => sockets[0]!.open());
    expect(sockets[0]!.sent).toEqual([{ type: 'subscribe', orderId: ORDER_ID, after: 0 }]);
    act(() => sockets[0]!.receive({ type: 'chunk', orderId: ORDER_ID, seq: 1, text: '接着说' }));
    await waitFor(() => expect(screen.getByText('接着说')).toBeTruthy());
  });
});
