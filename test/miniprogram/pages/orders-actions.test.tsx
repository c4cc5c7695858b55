import { act, fireEvent, render, screen } from '@testing-library/react';
import Taro from '@tarojs/taro';
import type { OrderView } from '@tokentill/shared-types';
import OrderPage from '../../../miniprogram/src/pages/order';
import OrdersPage from '../../../miniprogram/src/pages/orders';
import { SESSION_STORAGE_KEY } from '../../../miniprogram/src/services/session';
import { UNPAID_ORDER_KEY } from '../../../miniprogram/src/services/unpaid-order';
import { reachBottom, storage } from '../mocks/taro';
import { envelope, mockApi, storedSession } from '../support/api';
import { orderReply, PAY_PARAMS } from '../support/chat';
import { flushPromises } from '../support/fake-socket';

type Summary = Omit<OrderView, 'chunks'>;

function order(n: number, patch: Partial<Summary> = {}): Summary {
  return {
    orderId: `order-page-${String(n).padStart(4, '0')}`,
    state: 'COMPLETED',
    tier: 'basic',
    tierTitle: '基础',
    priceFen: 10,
    prompt: `问题 ${n}`,
    createdAt: '2025-03-04T05:06:07.000Z',
    updatedAt: '2025-03-04T05:06:09.000Z',
    ...patch,
  };
}

const cards = () => Array.from(document.querySelectorAll('.order-card'));
const settle = () => act(flushPromises);

beforeEach(() => {
  storage.clear();
  storage.set(SESSION_STORAGE_KEY, storedSession('tok-orders'));
  jest.mocked(Taro.navigateTo).mockClear();
  jest.mocked(Taro.requestPayment).mockReset();
  jest.mocked(Taro.showModal).mockClear();
});

describe('orders list pages', () => {
  it('loads the next page with its cursor when the list is scrolled to the end, until there is no more', async () => {
    const first = Array.from({ length: 20 }, (_, i) => order(40 - i));
    const second = [order(20), order(19)];
    const calls = mockApi({
      'GET /api/orders': (call) =>
        call.path.includes('cursor=')
          ? { status: 200, body: { orders: second } }
          : { status: 200, body: { orders: first, nextCursor: '1741064767000.order-page-0021' } },
    });
    render(<OrdersPage />);
    await screen.findByText('问题 40');
    expect(cards()).toHaveLength(20);
    expect(screen.getByText('加载更多')).toBeTruthy();

    await act(async () => reachBottom.callback?.());
    await settle();

    expect(calls.map((c) => c.path)).toEqual([
      '/api/orders',
      `/api/orders?cursor=${encodeURIComponent('1741064767000.order-page-0021')}`,
    ]);
    expect(cards()).toHaveLength(22);
    expect(cards()[21]?.textContent).toContain('问题 19');
    expect(screen.getByText('没有更多了')).toBeTruthy();

    // The end: scrolling further asks for nothing.
    await act(async () => reachBottom.callback?.());
    expect(calls).toHaveLength(2);
  });

  it('offers to try a failed next page again', async () => {
    mockApi({
      'GET /api/orders': [
        { status: 200, body: { orders: [order(2)], nextCursor: '1.order-page-0002' } },
        { status: 503, body: envelope('NOT_READY') },
        { status: 200, body: { orders: [order(1)] } },
      ],
    });
    render(<OrdersPage />);
    await screen.findByText('问题 2');

    fireEvent.click(screen.getByText('加载更多'));
    await settle();
    fireEvent.click(screen.getByText('加载失败，点击重试'));
    await settle();

    expect(cards().map((card) => card.querySelector('.order-card__prompt')?.textContent)).toEqual([
      '问题 2',
      '问题 1',
    ]);
  });
});

describe('what became of the money', () => {
  it('shows refunded and unpaid amounts with their note, never as a bold charge', async () => {
    mockApi({
      'GET /api/orders': {
        status: 200,
        body: {
          orders: [
            order(4, { state: 'REFUNDED' }),
            order(3, { state: 'CLOSED' }),
            order(2, { state: 'REFUND_FAILED' }),
            order(1),
          ],
        },
      },
    });
    render(<OrdersPage />);
    await screen.findByText('问题 4');

    const amounts = cards().map((card) => ({
      note: card.querySelector('.order-card__note')?.textContent ?? null,
      price: card.querySelector('.order-card__price')?.className,
    }));
    expect(amounts).toEqual([
      { note: '已退款', price: 'order-card__price order-card__price--refunded' },
      { note: '未扣款', price: 'order-card__price order-card__price--uncharged' },
      { note: '退款异常', price: 'order-card__price order-card__price--refund-problem' },
      { note: null, price: 'order-card__price' },
    ]);
    // The note is in its state's colour, the same as the badge beside it.
    expect(cards()[0]?.querySelector('.order-card__note')?.className).toContain('tt-tone--warn');
    expect(cards()[0]?.querySelector('.state-badge')?.className).toContain('tt-tone--warn');
  });
});

describe('an unpaid order', () => {
  const unpaid = order(7, { state: 'CREATED', prompt: '没付款的问题' });

  it('is paid from the list: fresh parameters, the pay sheet, then its answer page', async () => {
    storage.set(UNPAID_ORDER_KEY, {
      orderId: unpaid.orderId,
      prompt: unpaid.prompt,
      tierId: 'basic',
      createdAt: 1,
    });
    const calls = mockApi({
      'GET /api/orders': { status: 200, body: { orders: [unpaid] } },
      'GET /api/orders/*/payment': orderReply(unpaid.orderId, 200),
      'POST /api/orders/*/confirm': { status: 200, body: { orderId: unpaid.orderId, state: 'PAID' } },
    });
    jest.mocked(Taro.requestPayment).mockResolvedValueOnce({ errMsg: 'requestPayment:ok' });
    render(<OrdersPage />);
    await screen.findByText('没付款的问题');

    fireEvent.click(screen.getByText('继续支付'));
    await settle();

    expect(calls.map((c) => `${c.method} ${c.path}`)).toContain(`GET /api/orders/${unpaid.orderId}/payment`);
    expect(Taro.requestPayment).toHaveBeenCalledWith(PAY_PARAMS);
    expect(Taro.navigateTo).toHaveBeenCalledTimes(1);
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: `/pages/order/index?id=${unpaid.orderId}` });
    // Paid: the chat no longer offers it as the unpaid order of that question.
    expect(storage.has(UNPAID_ORDER_KEY)).toBe(false);
  });

  it('is cancelled from the list after the user confirms: closed at the server, shown as closed', async () => {
    storage.set(UNPAID_ORDER_KEY, {
      orderId: unpaid.orderId,
      prompt: unpaid.prompt,
      tierId: 'basic',
      createdAt: 1,
    });
    const calls = mockApi({
      'GET /api/orders': { status: 200, body: { orders: [unpaid] } },
      'POST /api/orders/*/cancel': { status: 200, body: { orderId: unpaid.orderId, state: 'CLOSED' } },
    });
    render(<OrdersPage />);
    await screen.findByText('没付款的问题');

    fireEvent.click(screen.getByText('取消订单'));
    await settle();

    expect(Taro.showModal).toHaveBeenCalledTimes(1);
    expect(calls.map((c) => `${c.method} ${c.path}`)).toContain(`POST /api/orders/${unpaid.orderId}/cancel`);
    expect(cards()[0]?.querySelector('.order-state')?.textContent).toBe('已关闭');
    expect(screen.queryByText('继续支付')).toBeNull();
    expect(storage.has(UNPAID_ORDER_KEY)).toBe(false);
    expect(Taro.navigateTo).not.toHaveBeenCalled();
  });

  it('says so when the order was paid meanwhile and cannot be cancelled', async () => {
    mockApi({
      'GET /api/orders': [
        { status: 200, body: { orders: [unpaid] } },
        { status: 200, body: { orders: [{ ...unpaid, state: 'GENERATING' }] } },
      ],
      'POST /api/orders/*/cancel': { status: 409, body: envelope('ORDER_NOT_CANCELLABLE') },
    });
    render(<OrdersPage />);
    await screen.findByText('没付款的问题');

    fireEvent.click(screen.getByText('取消订单'));
    await settle();

    expect(screen.getByText('订单已支付，无法取消')).toBeTruthy();
    expect(cards()[0]?.querySelector('.order-state')?.textContent).toBe('生成中');
  });
});

describe('the order page of a refund that did not go through', () => {
  it('offers customer service with the order, not "重新提问", and shows the amount as not a plain charge', async () => {
    jest.mocked(Taro.useRouter).mockReturnValue({ params: { id: 'order-page-0009' }, path: '' } as never);
    mockApi({
      'GET /api/orders/*': { status: 200, body: order(9, { state: 'REFUND_FAILED' }) },
    });
    render(<OrderPage />);

    await screen.findByText('生成失败，退款未能自动完成。请联系客服并提供订单号，我们会人工退款');
    expect(screen.queryByText('重新提问')).toBeNull();
    expect(document.querySelector('.contact-button')?.getAttribute('data-open-type')).toBe('contact');
    expect(document.querySelector('.order-page__amount-note')?.textContent).toBe('退款异常 ');
    expect(document.querySelector('.order-page__price')?.className).toContain(
      'order-page__price--not-charged',
    );
  });
});
