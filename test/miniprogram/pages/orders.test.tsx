import { act, fireEvent, render, screen } from '@testing-library/react';
import Taro from '@tarojs/taro';
import type { OrderView } from '@tokentill/shared-types';
import OrderPage from '../../../miniprogram/src/pages/order';
import OrdersPage from '../../../miniprogram/src/pages/orders';
import { SESSION_STORAGE_KEY } from '../../../miniprogram/src/services/session';
import { storage } from '../mocks/taro';
import { envelope, mockApi, storedSession } from '../support/api';
import { flushPromises, installFakeSockets } from '../support/fake-socket';

function order(patch: Partial<OrderView>): OrderView {
  return {
    orderId: 'order-list-0001',
    state: 'COMPLETED',
    tier: 'basic',
    tierTitle: '基础',
    priceFen: 10,
    prompt: '问题一',
    createdAt: '2025-03-04T05:06:07.000Z',
    updatedAt: '2025-03-04T05:06:09.000Z',
    ...patch,
  };
}

beforeEach(() => {
  storage.clear();
  storage.set(SESSION_STORAGE_KEY, storedSession('tok-orders'));
  jest.mocked(Taro.navigateTo).mockClear();
  jest.mocked(Taro.switchTab).mockClear();
  jest.mocked(Taro.useRouter).mockReset();
});

describe('orders page', () => {
  it('lists recent orders with their state badge, tier and price, and opens one on tap', async () => {
    mockApi({
      'GET /api/orders': {
        status: 200,
        body: {
          orders: [
            order({
              orderId: 'order-list-0002',
              state: 'GENERATING',
              prompt: '问题二',
              tierTitle: '专业',
              priceFen: 200,
            }),
            order({ state: 'REFUNDED' }),
          ],
        },
      },
    });
    render(<OrdersPage />);

    const cards = await screen.findAllByText(/问题[一二]/);
    expect(cards.map((c) => c.textContent)).toEqual(['问题二', '问题一']);
    const badges = Array.from(document.querySelectorAll('.order-card .order-state'));
    expect(badges.map((b) => b.textContent)).toEqual(['生成中', '已退款']);
    expect(badges[1]?.className).toContain('order-state--refunded');
    expect(screen.getByText('专业')).toBeTruthy();
    expect(screen.getByText('¥2.00')).toBeTruthy();
    expect(screen.getByText('¥0.10')).toBeTruthy();

    fireEvent.click(screen.getByText('问题二'));
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/pages/order/index?id=order-list-0002' });
  });

  it('labels unpaid orders "未支付" and closed ones "已关闭", both noting "未扣款" by the price', async () => {
    mockApi({
      'GET /api/orders': {
        status: 200,
        body: {
          orders: [
            order({ orderId: 'order-list-0003', state: 'CREATED', prompt: '问题三' }),
            order({ orderId: 'order-list-0002', state: 'CLOSED', prompt: '问题二' }),
            order({ state: 'COMPLETED' }),
          ],
        },
      },
    });
    render(<OrdersPage />);
    await screen.findByText('问题三');

    const cards = Array.from(document.querySelectorAll('.order-card'));
    const badge = (card: Element) => card.querySelector('.order-state');
    expect(cards.map((card) => badge(card)?.textContent)).toEqual(['未支付', '已关闭', '已完成']);
    expect(badge(cards[0]!)?.className).toContain('order-state--created');
    expect(badge(cards[1]!)?.className).toContain('order-state--closed');
    expect(cards.map((card) => card.querySelector('.order-card__note')?.textContent ?? null)).toEqual([
      '未扣款',
      '未扣款',
      null,
    ]);
    // Nothing that reads as money owed.
    expect(screen.queryByText('待支付')).toBeNull();
    expect(screen.queryByText('去支付')).toBeNull();
  });

  it('says so when there are no orders yet', async () => {
    mockApi({ 'GET /api/orders': { status: 200, body: { orders: [] } } });
    render(<OrdersPage />);
    expect(await screen.findByText('还没有订单')).toBeTruthy();
  });

  it('shows the error and retries on tap', async () => {
    mockApi({
      'GET /api/orders': [
        { status: 429, body: envelope('RATE_LIMITED') },
        { status: 200, body: { orders: [order({})] } },
      ],
    });
    render(<OrdersPage />);
    expect(await screen.findByText('操作太频繁，请稍后再试')).toBeTruthy();

    fireEvent.click(screen.getByText('重试'));
    expect(await screen.findByText('问题一')).toBeTruthy();
  });
});

describe('order detail page', () => {
  it('shows a finished order’s question and answer without opening a socket', async () => {
    const sockets = installFakeSockets();
    jest.mocked(Taro.useRouter).mockReturnValue({ params: { id: 'order-list-0001' }, path: '' } as never);
    const calls = mockApi({
      'GET /api/orders/*': {
        status: 200,
        body: order({
          chunks: [
            { seq: 1, text: '第一次' },
            { seq: 2, text: '', reset: true },
            { seq: 3, text: '答案' },
          ],
          usage: { promptTokens: 1, completionTokens: 1, costFen: 1 },
        }),
      },
    });
    render(<OrderPage />);

    expect(await screen.findByText('问题一')).toBeTruthy();
    expect(document.querySelector('.answer-text')?.textContent).toBe('答案');
    expect(document.querySelector('.order-page__head .order-state')?.textContent).toBe('已完成');
    // The state once (the header card's badge), not again under the answer.
    expect(screen.getAllByText('已完成')).toHaveLength(1);
    expect(calls.map((c) => c.path)).toEqual(['/api/orders/order-list-0001?after=0']);
    await act(flushPromises);
    expect(sockets).toHaveLength(0);
  });

  it('streams a running order from the last chunk it already has', async () => {
    const sockets = installFakeSockets();
    jest.mocked(Taro.useRouter).mockReturnValue({ params: { id: 'order-list-0002' }, path: '' } as never);
    mockApi({
      'GET /api/orders/*': {
        status: 200,
        body: order({ orderId: 'order-list-0002', state: 'GENERATING', chunks: [{ seq: 1, text: '正在' }] }),
      },
    });
    render(<OrderPage />);
    expect(await screen.findByText('正在')).toBeTruthy();
    await act(flushPromises);

    act(() => sockets[0]!.open());
    expect(sockets[0]!.sent).toEqual([{ type: 'subscribe', orderId: 'order-list-0002', after: 1 }]);
    act(() => sockets[0]!.receive({ type: 'chunk', orderId: 'order-list-0002', seq: 2, text: '回答' }));
    expect(document.querySelector('.answer-text')?.textContent).toBe('正在回答');
    expect(document.querySelector('.answer-cursor')).not.toBeNull();
  });

  it('sends "重新提问" back to the chat with the question', async () => {
    jest.mocked(Taro.useRouter).mockReturnValue({ params: { id: 'order-list-0003' }, path: '' } as never);
    mockApi({
      'GET /api/orders/*': {
        status: 200,
        body: order({ orderId: 'order-list-0003', state: 'REFUNDED', tier: 'pro' }),
      },
    });
    render(<OrderPage />);
    expect(await screen.findByText('生成失败，¥0.10 已原路退回')).toBeTruthy();

    fireEvent.click(screen.getByText('重新提问'));

    expect(storage.get('tokentill.draft')).toEqual({ prompt: '问题一', tierId: 'pro' });
    expect(Taro.switchTab).toHaveBeenCalledWith({ url: '/pages/chat/index' });
  });

  it('shows the order number for customer service, and copies it on "复制"', async () => {
    jest.mocked(Taro.setClipboardData).mockClear();
    jest.mocked(Taro.useRouter).mockReturnValue({ params: { id: 'order-list-0001' }, path: '' } as never);
    mockApi({ 'GET /api/orders/*': { status: 200, body: order({}) } });
    render(<OrderPage />);

    expect(await screen.findByText('order-list-0001')).toBeTruthy();
    expect(screen.getByText('订单号')).toBeTruthy();
    fireEvent.click(screen.getByText('复制'));
    expect(Taro.setClipboardData).toHaveBeenCalledWith({ data: 'order-list-0001' });
    // weapp (what jest renders): WeChat's own navigation bar, no in-page one.
    expect(document.querySelector('.back-bar')).toBeNull();
  });

  it('says the order does not exist for a link without a valid id', () => {
    jest.mocked(Taro.useRouter).mockReturnValue({ params: { id: '../x' }, path: '' } as never);
    mockApi({});
    render(<OrderPage />);
    expect(screen.getByText('订单不存在')).toBeTruthy();
  });
});
