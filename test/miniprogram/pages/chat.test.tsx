import { act, fireEvent, render, screen } from '@testing-library/react';
import Taro from '@tarojs/taro';
import ChatPage from '../../../miniprogram/src/pages/chat';

const taroRequest = jest.mocked(Taro.request);

const tiersBody = {
  tiers: [
    { id: 'basic', title: '基础', priceFen: 50, description: '快速回答' },
    { id: 'pro', title: '专业', priceFen: 200, description: '更强的模型' },
  ],
};

/** A Taro.request whose answer the test releases when it wants, to observe the loading state. */
function deferredRequest() {
  let answer!: (value: unknown) => void;
  taroRequest.mockImplementationOnce(
    () => new Promise((resolve) => (answer = resolve)) as unknown as ReturnType<typeof Taro.request>,
  );
  return (value: unknown) => act(async () => answer(value));
}

const payButton = () => screen.getByRole<HTMLButtonElement>('button', { name: '支付并提问' });
const promptInput = () => screen.getByPlaceholderText('输入你的问题…');

describe('chat page', () => {
  beforeEach(() => {
    taroRequest.mockReset();
    jest.mocked(Taro.showToast).mockClear();
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
    expect(screen.getByText('¥0.50')).toBeTruthy();
    expect(screen.getByText('¥2.00')).toBeTruthy();
  });

  it('shows an error with a retry when the server answers a 503 envelope, and recovers on retry', async () => {
    const fail = deferredRequest();
    render(<ChatPage />);
    await fail({
      statusCode: 503,
      data: { error: { code: 'UPSTREAM_UNAVAILABLE', message: 'busy', requestId: 'req-1' } },
      header: {},
      errMsg: 'request:ok',
    });

    expect(screen.getByText('服务繁忙，请稍后重试')).toBeTruthy();
    expect(screen.queryByText('正在加载…')).toBeNull();
    expect(screen.queryByText('基础')).toBeNull();

    const succeed = deferredRequest();
    fireEvent.click(screen.getByText('重试'));
    expect(screen.getByText('正在加载…')).toBeTruthy();
    await succeed({ statusCode: 200, data: tiersBody, header: {}, errMsg: 'request:ok' });

    expect(taroRequest).toHaveBeenCalledTimes(2);
    expect(screen.getByText('专业')).toBeTruthy();
    expect(screen.queryByText('服务繁忙，请稍后重试')).toBeNull();
  });

  it('enables "支付并提问" only once there is a non-blank prompt and a chosen tier', async () => {
    const answer = deferredRequest();
    render(<ChatPage />);
    await answer({ statusCode: 200, data: tiersBody, header: {}, errMsg: 'request:ok' });

    expect(payButton().disabled).toBe(true);

    fireEvent.change(promptInput(), { target: { value: '   ' } });
    fireEvent.click(screen.getByText('基础'));
    expect(payButton().disabled).toBe(true);

    fireEvent.change(promptInput(), { target: { value: '今天天气怎么样？' } });
    expect(screen.getByText('8/2000')).toBeTruthy();
    expect(payButton().disabled).toBe(false);

    fireEvent.click(payButton());
    expect(Taro.showToast).toHaveBeenCalledTimes(1);

    fireEvent.change(promptInput(), { target: { value: '' } });
    expect(payButton().disabled).toBe(true);
  });

  it('keeps "支付并提问" disabled with a prompt but no tier chosen', async () => {
    const answer = deferredRequest();
    render(<ChatPage />);
    await answer({ statusCode: 200, data: tiersBody, header: {}, errMsg: 'request:ok' });

    fireEvent.change(promptInput(), { target: { value: '你好' } });
    expect(payButton().disabled).toBe(true);

    fireEvent.click(payButton());
    expect(Taro.showToast).not.toHaveBeenCalled();
  });
});
