import { act, cleanup, fireEvent, screen } from '@testing-library/react';
import Taro from '@tarojs/taro';
import { SESSION_STORAGE_KEY } from '../../../miniprogram/src/services/session';
import { emitNetworkStatus, storage } from '../mocks/taro';
import { envelope, heldReply, storedSession } from '../support/api';
import {
  answerState,
  ask,
  heldPayment,
  orderReply,
  PAY_PARAMS,
  payButton,
  promptInput,
  renderChat,
  TIERS,
  typePrompt,
} from '../support/chat';
import { flushPromises, installFakeSockets, type FakeSocketTask } from '../support/fake-socket';
import { reachesBottom, requestedScrollTop, userScrollsTo } from '../support/scroll';

/**
 * The chat as a paying user lives it: never locked out, never told less than what happened to their money,
 * able to read while an answer streams.
 */
const ORDER_ID = 'order-user-0001';
const requestPayment = jest.mocked(Taro.requestPayment);
const settle = () => act(flushPromises);
const confirmed = (state: string) => ({ status: 200, body: { orderId: ORDER_ID, state } });

let sockets: FakeSocketTask[];

beforeEach(() => {
  requestPayment.mockReset();
  jest.mocked(Taro.showModal).mockClear();
  storage.clear();
  storage.set(SESSION_STORAGE_KEY, storedSession('tok-user'));
  sockets = installFakeSockets();
  delete process.env.TARO_APP_SUBSCRIBE_TEMPLATE_ID;
});

/** Pays `question` and opens the socket: the answer streams from there. */
async function paidAndStreaming(question = '讲个笑话') {
  const rendered = await renderChat({
    'POST /api/orders': orderReply(ORDER_ID),
    'POST /api/orders/*/confirm': confirmed('PAID'),
  });
  requestPayment.mockResolvedValueOnce({ errMsg: 'requestPayment:ok' });
  ask(question);
  await settle();
  const socket = sockets[0]!;
  act(() => socket.open());
  const chunk = (seq: number, text: string) =>
    act(() => socket.receive({ type: 'chunk', orderId: ORDER_ID, seq, text }));
  return { ...rendered, socket, chunk };
}

describe('the question as sent', () => {
  it('drops the blank lines around a question: the bubble shows what the model gets', async () => {
    const { calls } = await renderChat({ 'POST /api/orders': orderReply(ORDER_ID) });
    heldPayment();

    ask('\n\n  今天吃什么？  \n\n');
    await settle();

    expect(calls.find((c) => c.path === '/api/orders')?.data).toEqual({
      prompt: '今天吃什么？',
      tier: 'basic',
    });
    expect(document.querySelector('.turn__prompt')?.textContent).toBe('今天吃什么？');
  });

  it('counts characters as a person does: 2000 emoji fit and can be paid for', async () => {
    await renderChat();
    typePrompt('😀'.repeat(2000));
    expect(screen.getByText('2000/2000').className).not.toContain('--over');
    expect(payButton().disabled).toBe(false);
  });

  it('keeps a paste over the limit, shows the counter red, says by how much, and disables paying', async () => {
    await renderChat();
    typePrompt('问'.repeat(2012));
    expect(promptInput().value).toHaveLength(2012);
    expect(screen.getByText('2012/2000').className).toContain('prompt-box__counter--over');
    expect(screen.getByText('超出 12 字，删减后才能支付')).toBeTruthy();
    expect(payButton().disabled).toBe(true);
  });

  it('says why paying is disabled for a prompt of only blanks', async () => {
    await renderChat();
    typePrompt('   \n ');
    expect(payButton().disabled).toBe(true);
    expect(screen.getByText('问题只有空白，请输入内容后再支付')).toBeTruthy();
  });
});

describe('ordering and paying', () => {
  it('says "正在下单…" while the order is created and "支付中" only once the pay sheet is open', async () => {
    const create = heldReply();
    await renderChat({ 'POST /api/orders': create.handler });
    heldPayment();

    ask('问题');
    await settle();
    expect(payButton().textContent).toBe('正在下单…');
    expect(answerState()?.className).toContain('order-state--ordering');
    expect(requestPayment).not.toHaveBeenCalled();

    await act(async () => create.release(orderReply(ORDER_ID)));
    await settle();
    expect(requestPayment).toHaveBeenCalledWith(PAY_PARAMS);
    expect(payButton().textContent).toBe('支付中…');
    expect(answerState()?.className).toContain('order-state--paying');
  });

  it('pays the unpaid order for the same question again after a reload, instead of creating another', async () => {
    const first = await renderChat({ 'POST /api/orders': orderReply(ORDER_ID) });
    requestPayment.mockRejectedValueOnce({ errMsg: 'requestPayment:fail cancel' });
    ask('同一个问题');
    await settle();
    expect(answerState()?.className).toContain('order-state--cancelled');
    first.view.unmount();
    cleanup();

    // The app is opened again: the same question pays the same order, with fresh parameters.
    const { calls } = await renderChat({
      'POST /api/orders': orderReply('order-user-other'),
      'GET /api/orders/*/payment': orderReply(ORDER_ID, 200),
    });
    requestPayment.mockRejectedValueOnce({ errMsg: 'requestPayment:fail cancel' });
    ask('同一个问题');
    await settle();

    expect(calls.map((c) => `${c.method} ${c.path}`)).toContain(`GET /api/orders/${ORDER_ID}/payment`);
    expect(calls.filter((c) => c.method === 'POST' && c.path === '/api/orders')).toHaveLength(0);
    expect(requestPayment).toHaveBeenCalledTimes(2);
  });

  it('creates a new order when the stored one can no longer be paid (closed meanwhile)', async () => {
    const first = await renderChat({ 'POST /api/orders': orderReply(ORDER_ID) });
    requestPayment.mockRejectedValueOnce({ errMsg: 'requestPayment:fail cancel' });
    ask('同一个问题');
    await settle();
    first.view.unmount();

    const { calls } = await renderChat({
      'GET /api/orders/*/payment': { status: 409, body: envelope('ORDER_NOT_PAYABLE') },
      'POST /api/orders': orderReply('order-user-0002'),
    });
    requestPayment.mockRejectedValueOnce({ errMsg: 'requestPayment:fail cancel' });
    ask('同一个问题');
    await settle();

    expect(calls.filter((c) => c.method === 'POST' && c.path === '/api/orders')).toHaveLength(1);
    expect(requestPayment).toHaveBeenCalledTimes(2);
  });

  it('finds and pays an order whose creation timed out on the client but succeeded on the server', async () => {
    const { calls } = await renderChat({
      'POST /api/orders': () => Promise.reject({ errMsg: 'request:fail timeout' }),
      'GET /api/orders': {
        status: 200,
        body: {
          orders: [
            {
              orderId: ORDER_ID,
              state: 'CREATED',
              tier: 'basic',
              tierTitle: '基础',
              priceFen: 10,
              prompt: '超时的问题',
              createdAt: new Date().toISOString(),
              updatedAt: new Date().toISOString(),
            },
          ],
        },
      },
      'GET /api/orders/*/payment': orderReply(ORDER_ID, 200),
    });
    heldPayment();

    ask('超时的问题');
    await settle();

    expect(calls.map((c) => `${c.method} ${c.path}`)).toContain(`GET /api/orders/${ORDER_ID}/payment`);
    expect(requestPayment).toHaveBeenCalledWith(PAY_PARAMS);
    expect(screen.queryByText('请求超时，请稍后重试')).toBeNull();
    expect(answerState()?.className).toContain('order-state--paying');
  });

  it('goes from 支付中 straight to 生成中 when the payment is confirmed at once: no 待确认 flicker', async () => {
    const seen: string[] = [];
    const observer = new MutationObserver(() => {
      const label = answerState()?.textContent;
      if (label && seen[seen.length - 1] !== label) seen.push(label);
    });
    observer.observe(document.body, { subtree: true, childList: true, characterData: true });
    try {
      await renderChat({
        'POST /api/orders': orderReply(ORDER_ID),
        'POST /api/orders/*/confirm': confirmed('PAID'),
      });
      requestPayment.mockResolvedValueOnce({ errMsg: 'requestPayment:ok' });
      ask('问题');
      await settle();
      await act(async () => undefined);
    } finally {
      observer.disconnect();
    }
    expect(seen).not.toContain('待确认');
    expect(seen).not.toContain('已支付');
    expect(seen.slice(-2)).toEqual(['支付中', '生成中']);
  });

  it('says no money was taken when a payment fails and the server confirms the order unpaid', async () => {
    await renderChat({
      'POST /api/orders': orderReply(ORDER_ID),
      'POST /api/orders/*/confirm': confirmed('CREATED'),
    });
    requestPayment.mockRejectedValueOnce({ errMsg: 'requestPayment:fail system error' });

    ask('问题');
    await settle();

    expect(answerState()?.className).toContain('order-state--pay-failed');
    expect(screen.getByText('支付未完成，未扣款。问题已保留，可再次提问')).toBeTruthy();
    expect(document.querySelector('.turn__meta')?.textContent).toBe('基础 · 未扣款 ¥0.10');
    expect(promptInput().value).toBe('问题');
  });

  it('follows the answer when a payment reported failed went through after all', async () => {
    await renderChat({
      'POST /api/orders': orderReply(ORDER_ID),
      'POST /api/orders/*/confirm': confirmed('PAID'),
    });
    requestPayment.mockRejectedValueOnce({ errMsg: 'requestPayment:fail system error' });

    ask('问题');
    await settle();

    expect(screen.getByText('支付成功，正在生成回答…')).toBeTruthy();
    expect(screen.queryByText(/支付失败/)).toBeNull();
    expect(sockets).toHaveLength(1);
  });
});

describe('a tier that cannot take orders now', () => {
  const busyBasic = {
    tiers: [{ ...TIERS.tiers[0]!, available: false }, TIERS.tiers[1]!],
  };

  it('is greyed; the first available tier is preselected; choosing the busy one says why paying is off', async () => {
    await renderChat({ 'GET /api/tiers': { status: 200, body: busyBasic } });
    typePrompt('问题');

    expect(payButton().textContent).toBe('支付 ¥2.00 并提问');
    expect(payButton().disabled).toBe(false);

    fireEvent.click(screen.getByText('基础'));
    expect(payButton().disabled).toBe(true);
    expect(screen.getByText(/服务繁忙，该套餐暂时无法下单/)).toBeTruthy();
  });

  it('turns a TIER_UNAVAILABLE refusal into "服务繁忙，请稍后再试", pays nothing and shows the tier busy', async () => {
    const { calls } = await renderChat({
      'GET /api/tiers': [
        { status: 200, body: TIERS },
        { status: 200, body: busyBasic },
      ],
      'POST /api/orders': { status: 503, body: envelope('TIER_UNAVAILABLE') },
    });

    ask('问题');
    await settle();

    expect(screen.getByText('服务繁忙，请稍后再试')).toBeTruthy();
    expect(requestPayment).not.toHaveBeenCalled();
    expect(document.querySelectorAll('.turn')).toHaveLength(0);
    expect(calls.filter((c) => c.path === '/api/tiers')).toHaveLength(2);
    expect(document.querySelector('.tier-option--unavailable')?.textContent).toContain('基础');
  });
});

describe('reading while the answer streams', () => {
  it('stops following when the user scrolls up, shows a pill for new text, and follows again from it', async () => {
    const { chunk } = await paidAndStreaming();
    chunk(1, '第一段。');
    const atBottom = requestedScrollTop();
    chunk(2, '第二段。');
    expect(requestedScrollTop()).toBeGreaterThan(atBottom);

    userScrollsTo(900);
    userScrollsTo(300); // up, to re-read
    const reading = requestedScrollTop();
    chunk(3, '第三段。');
    chunk(4, '第四段。');

    expect(requestedScrollTop()).toBe(reading);
    const pill = screen.getByText('有新内容 ↓');
    fireEvent.click(pill);
    expect(requestedScrollTop()).toBeGreaterThan(reading);
    expect(screen.queryByText('有新内容 ↓')).toBeNull();
    const following = requestedScrollTop();
    chunk(5, '第五段。');
    expect(requestedScrollTop()).toBeGreaterThan(following);
  });

  it('follows again once the user scrolls back to the bottom themselves', async () => {
    const { chunk } = await paidAndStreaming();
    chunk(1, '一');
    userScrollsTo(900);
    userScrollsTo(100);
    chunk(2, '二');
    expect(screen.getByText('有新内容 ↓')).toBeTruthy();

    reachesBottom();
    const back = requestedScrollTop();
    chunk(3, '三');

    expect(screen.queryByText('有新内容 ↓')).toBeNull();
    expect(requestedScrollTop()).toBeGreaterThan(back);
  });

  it('says the answer is restarted with another model instead of letting it vanish', async () => {
    const { socket, chunk } = await paidAndStreaming();
    chunk(1, '半截回答');

    act(() => socket.receive({ type: 'reset', orderId: ORDER_ID, seq: 2, reason: 'provider failed' }));
    expect(screen.getByText('上一个模型中断，正在换用另一个模型重新回答…')).toBeTruthy();

    chunk(3, '新的回答');
    expect(document.querySelector('.answer-text')?.textContent).toBe('新的回答');
    expect(screen.getByText('已换用另一个模型重新回答')).toBeTruthy();
  });

  it('shows a quiet "重新连接中…" while the network is down, and not once it is back', async () => {
    const { chunk } = await paidAndStreaming();
    chunk(1, '一');

    act(() => emitNetworkStatus(false));
    expect(screen.getByText('重新连接中…')).toBeTruthy();

    act(() => emitNetworkStatus(true));
    await settle();
    expect(screen.queryByText('重新连接中…')).toBeNull();
  });

  it('folds the composer while the user reads further up', async () => {
    const { chunk } = await paidAndStreaming();
    chunk(1, '一');
    expect(document.querySelector('.chat__composer--reading')).toBeNull();

    userScrollsTo(900);
    userScrollsTo(100);
    expect(document.querySelector('.chat__composer--reading')).not.toBeNull();

    fireEvent.focus(promptInput());
    expect(document.querySelector('.chat__composer--reading')).toBeNull();
  });
});

describe('after the answer', () => {
  it('offers customer service, not "重新提问", when the refund did not go through', async () => {
    const { socket } = await paidAndStreaming();
    act(() => socket.receive({ type: 'state', orderId: ORDER_ID, state: 'FAILED' }));
    act(() => socket.receive({ type: 'state', orderId: ORDER_ID, state: 'REFUND_FAILED' }));

    expect(answerState()?.textContent).toBe('退款异常');
    expect(document.querySelector('.retry-button')).toBeNull();
    const contact = document.querySelector('.contact-button');
    expect(contact?.textContent).toBe('联系客服');
    expect(contact?.getAttribute('data-open-type')).toBe('contact');
  });

  it('shows a refunded amount as refunded, not as a charge', async () => {
    const { socket } = await paidAndStreaming();
    act(() => socket.receive({ type: 'state', orderId: ORDER_ID, state: 'FAILED' }));
    act(() => socket.receive({ type: 'state', orderId: ORDER_ID, state: 'REFUNDED' }));

    expect(document.querySelector('.turn__meta')?.textContent).toBe('基础 · 已退款 ¥0.10');
    expect(answerState()?.className).toContain('tt-tone--warn');
  });

  it('asks before "重新提问" replaces a different question in the box, and keeps it if told to', async () => {
    const { socket } = await paidAndStreaming('原来的问题');
    act(() => socket.receive({ type: 'state', orderId: ORDER_ID, state: 'FAILED' }));
    act(() => socket.receive({ type: 'state', orderId: ORDER_ID, state: 'REFUNDED' }));
    typePrompt('正在写的新问题');
    jest.mocked(Taro.showModal).mockResolvedValueOnce({ confirm: false, cancel: true } as never);

    fireEvent.click(screen.getByText('重新提问'));
    await settle();

    expect(Taro.showModal).toHaveBeenCalledTimes(1);
    expect(promptInput().value).toBe('正在写的新问题');

    fireEvent.click(screen.getByText('重新提问'));
    await settle();
    expect(promptInput().value).toBe('原来的问题');
  });
});
