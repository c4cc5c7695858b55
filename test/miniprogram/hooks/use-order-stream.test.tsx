import { act, renderHook } from '@testing-library/react';
import Taro from '@tarojs/taro';
import { useOrderStream } from '../../../miniprogram/src/hooks/use-order-stream';
import { SESSION_STORAGE_KEY } from '../../../miniprogram/src/services/session';
import { storage } from '../mocks/taro';
import { mockApi, storedSession } from '../support/api';
import { flushPromises, installFakeSockets } from '../support/fake-socket';

const ORDER = 'order-hook-0001';

describe('useOrderStream', () => {
  beforeEach(() => {
    storage.clear();
    storage.set(SESSION_STORAGE_KEY, storedSession('tok-hook'));
    mockApi({});
  });

  it('returns the state, the text so far, and the usage once done', async () => {
    const sockets = installFakeSockets();
    const { result } = renderHook(() => useOrderStream(ORDER));
    expect(result.current).toEqual({
      state: undefined,
      text: '',
      usage: undefined,
      error: undefined,
      restarted: false,
      reconnecting: false,
    });
    await act(flushPromises);
    act(() => sockets[0]!.open());

    act(() => sockets[0]!.receive({ type: 'chunk', orderId: ORDER, seq: 1, text: 'A' }));
    expect(result.current).toMatchObject({ state: 'GENERATING', text: 'A' });
    act(() =>
      sockets[0]!.receive({ type: 'done', orderId: ORDER, usage: { promptTokens: 1, completionTokens: 1 } }),
    );
    expect(result.current).toEqual({
      state: 'COMPLETED',
      text: 'A',
      usage: { promptTokens: 1, completionTokens: 1 },
      error: undefined,
      restarted: false,
      reconnecting: false,
    });
  });

  it('shares one subscription between two screens showing the same order, and releases it on unmount', async () => {
    const sockets = installFakeSockets();
    const first = renderHook(() => useOrderStream(ORDER));
    const second = renderHook(() => useOrderStream(ORDER));
    await act(flushPromises);
    act(() => sockets[0]!.open());
    act(() => sockets[0]!.receive({ type: 'chunk', orderId: ORDER, seq: 1, text: 'same' }));

    expect(sockets).toHaveLength(1);
    expect(sockets[0]!.sent).toEqual([{ type: 'subscribe', orderId: ORDER, after: 0 }]);
    expect(first.result.current.text).toBe('same');
    expect(second.result.current.text).toBe('same');

    first.unmount();
    expect(sockets[0]!.closedByClient).toBe(false);
    second.unmount();
    expect(sockets[0]!.closedByClient).toBe(true);
  });

  it('follows nothing for an undefined order', async () => {
    installFakeSockets();
    const { result } = renderHook(() => useOrderStream(undefined));
    await act(flushPromises);
    expect(result.current.state).toBeUndefined();
    expect(Taro.connectSocket).not.toHaveBeenCalled();
  });
});
