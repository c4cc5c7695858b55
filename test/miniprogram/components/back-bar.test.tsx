import { act, fireEvent, render, screen } from '@testing-library/react';
import Taro from '@tarojs/taro';
import { BackBar as PlatformBackBar } from '../../../miniprogram/src/components/back-bar';
import { BackBar } from '../../../miniprogram/src/components/back-bar/index.h5';

const getCurrentPages = jest.mocked(Taro.getCurrentPages);
const navigateBack = jest.mocked(Taro.navigateBack);
const switchTab = jest.mocked(Taro.switchTab);
const reLaunch = jest.mocked(Taro.reLaunch);

const bar = <BackBar title="订单详情" backText="返回订单" fallbackTab="/pages/orders/index" />;
const settle = () => act(async () => new Promise((resolve) => setTimeout(resolve, 0)));

describe('BackBar (H5)', () => {
  beforeEach(() => {
    getCurrentPages.mockReset();
    navigateBack.mockReset().mockResolvedValue({ errMsg: 'navigateBack:ok' } as never);
    switchTab.mockReset().mockResolvedValue({ errMsg: 'switchTab:ok' } as never);
    reLaunch.mockReset().mockResolvedValue({ errMsg: 'reLaunch:ok' } as never);
  });

  it('shows the title and goes back to the page it came from', async () => {
    getCurrentPages.mockReturnValue([
      { route: 'pages/orders/index' },
      { route: 'pages/order/index' },
    ] as never);
    render(bar);

    expect(screen.getByText('订单详情')).toBeTruthy();
    fireEvent.click(screen.getByText('‹ 返回订单'));
    await settle();

    expect(navigateBack).toHaveBeenCalledWith({ delta: 1 });
    expect(switchTab).not.toHaveBeenCalled();
  });

  it('switches to the orders tab when there is no page to go back to (reload, deep link)', async () => {
    getCurrentPages.mockReturnValue([{ route: 'pages/order/index' }] as never);
    render(bar);

    fireEvent.click(screen.getByText('‹ 返回订单'));
    await settle();

    expect(navigateBack).not.toHaveBeenCalled();
    expect(switchTab).toHaveBeenCalledWith({ url: '/pages/orders/index' });
  });

  it('falls back to the orders tab when going back fails, and relaunches there if that fails too', async () => {
    getCurrentPages.mockReturnValue([{}, {}] as never);
    navigateBack.mockRejectedValueOnce({ errMsg: 'navigateBack:fail' });
    switchTab.mockRejectedValueOnce({ errMsg: 'switchTab:fail' });
    render(bar);

    fireEvent.click(screen.getByText('‹ 返回订单'));
    await settle();

    expect(switchTab).toHaveBeenCalledWith({ url: '/pages/orders/index' });
    expect(reLaunch).toHaveBeenCalledWith({ url: '/pages/orders/index' });
  });
});

describe('BackBar (weapp and jest fallback)', () => {
  it('renders nothing: WeChat draws the navigation bar', () => {
    const { container } = render(
      <PlatformBackBar title="订单详情" backText="返回订单" fallbackTab="/pages/orders/index" />,
    );
    expect(container.innerHTML).toBe('');
  });
});
