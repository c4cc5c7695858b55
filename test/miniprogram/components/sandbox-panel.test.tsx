import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import Taro from '@tarojs/taro';
import { SandboxPanel as PlatformSandboxPanel } from '../../../miniprogram/src/components/sandbox-panel';
import { SandboxPanel } from '../../../miniprogram/src/components/sandbox-panel/index.h5';
import { forgetSandboxProbe } from '../../../miniprogram/src/services/sandbox-control.h5';

/** One recorded fetch call. */
interface FetchCall {
  method: string;
  url: string;
  /** The JSON body, parsed; undefined when none was sent. */
  body: unknown;
  headers: Record<string, string>;
}

interface Reply {
  status: number;
  body?: unknown;
}

type Route = Reply | (() => Reply | Promise<Reply>);

const EMPTY_PAYMENT_FAULTS = { orders: {} };
const EMPTY_MODEL_FAULTS = { object: 'list', data: [] };

/**
 * Installs `global.fetch = jest.fn()` answering `"<METHOD> <url>"` from `routes` (the sandbox's control API;
 * unrouted calls answer 404) and returns the recorded calls.
 */
function mockFetch(routes: Record<string, Route>): FetchCall[] {
  const calls: FetchCall[] = [];
  global.fetch = jest.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const method = init?.method ?? 'GET';
    const url = String(input);
    calls.push({
      method,
      url,
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
      headers: { ...(init?.headers as Record<string, string> | undefined) },
    });
    const route = routes[`${method} ${url}`];
    const reply: Reply = route
      ? typeof route === 'function'
        ? await route()
        : route
      : { status: 404, body: { code: 'NOT_FOUND', message: 'Not found' } };
    const text = reply.body === undefined ? '' : JSON.stringify(reply.body);
    return {
      ok: reply.status >= 200 && reply.status < 300,
      status: reply.status,
      text: async () => text,
      json: async () => JSON.parse(text),
    } as Response;
  }) as jest.MockedFunction<typeof fetch>;
  return calls;
}

/** Sandbox mode with nothing armed; `extra` adds or replaces routes. */
function sandboxRoutes(extra: Record<string, Route> = {}): Record<string, Route> {
  return {
    'GET /sandbox/state': { status: 200, body: { merchant: {}, orders: [], faults: EMPTY_PAYMENT_FAULTS } },
    'GET /sandbox/faults': { status: 200, body: EMPTY_PAYMENT_FAULTS },
    'GET /sandbox/model/faults': { status: 200, body: EMPTY_MODEL_FAULTS },
    'POST /sandbox/faults': { status: 200, body: { scope: 'global', fault: {} } },
    'POST /sandbox/model/faults': { status: 201, body: { id: 'fault_1' } },
    'DELETE /sandbox/faults': { status: 204 },
    'DELETE /sandbox/model/faults': { status: 204 },
    ...extra,
  };
}

const settle = () => act(async () => new Promise((resolve) => setTimeout(resolve, 0)));
const pill = () => document.querySelector<HTMLElement>('.sandbox-pill');
const fault = (id: string) => document.querySelector<HTMLElement>(`.sandbox-fault--${id}`);

/** Renders the H5 panel in sandbox mode and opens its sheet. */
async function openPanel(calls: FetchCall[]) {
  render(<SandboxPanel />);
  await waitFor(() => expect(pill()).not.toBeNull());
  fireEvent.click(pill()!);
  await screen.findByText('沙箱故障演练');
  await settle();
  return calls;
}

describe('SandboxPanel (H5)', () => {
  beforeEach(() => {
    forgetSandboxProbe();
    jest.mocked(Taro.hideTabBar).mockClear();
  });

  it('stays hidden when GET /sandbox/state answers 404 (not sandbox mode)', async () => {
    const calls = mockFetch({ 'GET /sandbox/state': { status: 404, body: { code: 'NOT_FOUND' } } });
    const { container } = render(<SandboxPanel />);
    await waitFor(() => expect(calls).toHaveLength(1));
    await settle();

    expect(container.innerHTML).toBe('');
    expect(pill()).toBeNull();
    expect(calls.map((call) => `${call.method} ${call.url}`)).toEqual(['GET /sandbox/state']);
  });

  it('stays hidden when the probe fails or answers something other than JSON', async () => {
    global.fetch = jest.fn(() => Promise.reject(new TypeError('Failed to fetch')));
    const first = render(<SandboxPanel />);
    await settle();
    expect(first.container.innerHTML).toBe('');
    first.unmount();

    forgetSandboxProbe();
    mockFetch({ 'GET /sandbox/state': () => ({ status: 200 }) });
    const second = render(<SandboxPanel />);
    await settle();
    expect(second.container.innerHTML).toBe('');
  });

  it('shows the "沙箱" pill in sandbox mode and opens the drill sheet', async () => {
    const calls = mockFetch(sandboxRoutes());
    render(<SandboxPanel />);

    await waitFor(() => expect(pill()).not.toBeNull());
    expect(pill()?.textContent).toBe('沙箱');
    expect(document.querySelector('.sandbox-panel')).toBeNull();

    fireEvent.click(pill()!);
    expect(document.querySelector('.sandbox-panel')).not.toBeNull();
    expect(screen.getByText('沙箱故障演练')).toBeTruthy();
    for (const id of [
      'duplicates',
      'delay',
      'drop',
      'forged',
      'probe',
      'model-cut',
      'model-fail',
      'model-down',
    ]) {
      expect(fault(id)).not.toBeNull();
    }
    expect(screen.getByText(/只会生成一次回答/)).toBeTruthy();
    expect(screen.getByText(/页面会先查询支付结果，不用等回调/)).toBeTruthy();
    expect(screen.getByText(/由主动查询\/对账补上/)).toBeTruthy();
    expect(screen.getAllByText(/被拒绝，随后的正确重试才入账/)).toHaveLength(2);
    expect(screen.getByText(/回答会可见地重新开始，换用备用模型/)).toBeTruthy();
    expect(screen.getByText(/订单失败并自动原路退款/)).toBeTruthy();
    expect(document.querySelector('.sandbox-clear')).not.toBeNull();
    expect(Taro.hideTabBar).toHaveBeenCalled();
    await screen.findByText('没有布置任何故障');

    // Probed once, relative to the page's origin.
    expect(calls.filter((call) => call.url === '/sandbox/state')).toHaveLength(1);
  });

  it('probes /sandbox/state once per page load, however often the panel mounts', async () => {
    const calls = mockFetch(sandboxRoutes());
    const first = render(<SandboxPanel />);
    await waitFor(() => expect(pill()).not.toBeNull());
    first.unmount();
    render(<SandboxPanel />);
    await waitFor(() => expect(pill()).not.toBeNull());

    expect(calls.filter((call) => call.url === '/sandbox/state')).toHaveLength(1);
  });

  it.each([
    ['duplicates', [['/sandbox/faults', { duplicates: 5, once: true }]]],
    ['delay', [['/sandbox/faults', { delayMs: 8000, once: true }]]],
    ['drop', [['/sandbox/faults', { drop: true, once: true }]]],
    ['forged', [['/sandbox/faults', { badSignature: true, once: true }]]],
    ['probe', [['/sandbox/faults', { signatureProbe: true, once: true }]]],
    [
      'model-cut',
      [['/sandbox/model/faults', { kind: 'cut_mid_stream', model: 'mock-fast', count: 1, afterTokens: 20 }]],
    ],
    [
      'model-fail',
      [
        ['/sandbox/model/faults', { kind: 'http_500', model: 'mock-fast', count: 1 }],
        ['/sandbox/model/faults', { kind: 'http_500', model: 'mock-backup', count: 1 }],
      ],
    ],
    [
      'model-down',
      [
        ['/sandbox/model/faults', { kind: 'http_500', model: 'mock-fast' }],
        ['/sandbox/model/faults', { kind: 'http_500', model: 'mock-backup' }],
      ],
    ],
  ] as const)('"%s" posts exactly the documented body', async (id, expected) => {
    const calls = await openPanel(mockFetch(sandboxRoutes()));

    fireEvent.click(fault(id)!);
    await screen.findByText(/下一笔订单生效/);

    const posts = calls.filter((call) => call.method === 'POST');
    expect(posts.map((call) => [call.url, call.body])).toEqual(expected);
    // Exactly: no extra fields (toEqual would overlook an `undefined` one, JSON would not carry it anyway).
    posts.forEach((call, index) => {
      expect(Object.keys(call.body as object).sort()).toEqual(Object.keys(expected[index]![1]).sort());
      expect(call.headers['content-type']).toBe('application/json');
    });
    expect(calls.some((call) => call.method === 'DELETE')).toBe(false);
  });

  it('"清除全部" sends both DELETEs and reads the lists again', async () => {
    const calls = await openPanel(mockFetch(sandboxRoutes()));
    const readsBefore = calls.filter((call) => call.method === 'GET').length;

    fireEvent.click(document.querySelector('.sandbox-clear')!);
    await screen.findByText('已清除全部故障');

    const deletes = calls.filter((call) => call.method === 'DELETE');
    expect(deletes.map((call) => call.url).sort()).toEqual(['/sandbox/faults', '/sandbox/model/faults']);
    deletes.forEach((call) => expect(call.body).toBeUndefined());
    expect(calls.some((call) => call.method === 'POST')).toBe(false);
    await waitFor(() =>
      expect(calls.filter((call) => call.method === 'GET').length).toBeGreaterThanOrEqual(readsBefore + 2),
    );
  });

  it('lists the armed faults read back from both GET endpoints and marks the matching drills', async () => {
    mockFetch(
      sandboxRoutes({
        'GET /sandbox/faults': {
          status: 200,
          body: { global: { duplicates: 5, once: true }, orders: { 'order-0042': { drop: true } } },
        },
        'GET /sandbox/model/faults': {
          status: 200,
          body: {
            object: 'list',
            data: [
              {
                id: 'fault_7',
                kind: 'cut_mid_stream',
                model: 'mock-fast',
                count: 1,
                afterTokens: 20,
                remaining: 1,
                hits: 0,
              },
              { id: 'fault_8', kind: 'http_429', remaining: null, hits: 3 },
            ],
          },
        },
      }),
    );
    render(<SandboxPanel />);
    // The pill says what its number is: faults armed for the next order.
    await waitFor(() => expect(pill()?.textContent).toBe('沙箱 · 已布置 4'));

    fireEvent.click(pill()!);
    await screen.findByText('重复回调 ×5 · 仅下一笔');
    expect(screen.getByText('支付回调 · 订单 order-0042')).toBeTruthy();
    expect(screen.getByText('丢失回调 · 持续生效')).toBeTruthy();
    expect(screen.getByText('mock-fast · 回答中途断开（20 个 token 后） · 剩 1 次')).toBeTruthy();
    expect(screen.getByText('所有模型 · HTTP 429 限流 · 持续生效')).toBeTruthy();
    expect(document.querySelectorAll('.sandbox-armed__item')).toHaveLength(4);

    expect(fault('duplicates')?.className).toContain('sandbox-fault--armed');
    expect(fault('model-cut')?.className).toContain('sandbox-fault--armed');
    expect(fault('delay')?.className).not.toContain('sandbox-fault--armed');
    expect(fault('model-fail')?.className).not.toContain('sandbox-fault--armed');
  });

  it('shows the server’s circuit breakers: each tier’s availability and each provider’s circuit', async () => {
    await openPanel(
      mockFetch(
        sandboxRoutes({
          'GET /sandbox/breakers': {
            status: 200,
            body: {
              providers: { 'sandbox-fast': 'open', 'sandbox-smart': 'closed', 'sandbox-backup': 'half_open' },
              tiers: [
                {
                  id: 'basic',
                  title: '快速回答',
                  available: true,
                  providers: ['sandbox-fast', 'sandbox-backup'],
                },
                { id: 'pro', title: '深度回答', available: false, providers: ['sandbox-smart'] },
              ],
            },
          },
        }),
      ),
    );

    const rows = Array.from(document.querySelectorAll('.sandbox-breaker')).map((row) => row.textContent);
    expect(rows).toEqual([
      '套餐 快速回答可下单',
      '套餐 深度回答繁忙（拒绝下单）',
      'sandbox-fast熔断中',
      'sandbox-smart正常',
      'sandbox-backup试探中',
    ]);
  });

  it('tells a fault for the next orders from one that lasts, when marking armed drills', async () => {
    mockFetch(
      sandboxRoutes({
        'GET /sandbox/model/faults': {
          status: 200,
          body: {
            object: 'list',
            data: [
              { id: 'fault_1', kind: 'http_500', model: 'mock-fast', remaining: null, hits: 0 },
              { id: 'fault_2', kind: 'http_500', model: 'mock-backup', remaining: null, hits: 0 },
            ],
          },
        },
      }),
    );
    render(<SandboxPanel />);
    await waitFor(() => expect(pill()?.textContent).toBe('沙箱 · 已布置 2'));
    fireEvent.click(pill()!);
    await screen.findByText('mock-fast · HTTP 500 · 持续生效');

    expect(fault('model-down')?.className).toContain('sandbox-fault--armed');
    expect(fault('model-fail')?.className).not.toContain('sandbox-fault--armed');
  });

  it('shows the sandbox’s refusal when arming fails', async () => {
    await openPanel(
      mockFetch(
        sandboxRoutes({
          'POST /sandbox/faults': {
            status: 400,
            body: { code: 'BAD_REQUEST', message: 'duplicates must be an integer from 1 to 20' },
          },
        }),
      ),
    );

    fireEvent.click(fault('duplicates')!);

    expect(
      await screen.findByText('「重复回调」布置失败：duplicates must be an integer from 1 to 20'),
    ).toBeTruthy();
  });
});

describe('SandboxPanel (weapp and jest fallback)', () => {
  it('renders nothing and calls nothing', async () => {
    const calls = mockFetch(sandboxRoutes());
    const { container } = render(<PlatformSandboxPanel />);
    await settle();

    expect(container.innerHTML).toBe('');
    expect(calls).toHaveLength(0);
  });
});
