import Taro from '@tarojs/taro';
import { WS_SUBPROTOCOL } from '@tokentill/shared-types';
import { connectSocket as connectH5 } from '../../../miniprogram/src/services/socket-connect.h5';
import { connectSocket as connectWeapp } from '../../../miniprogram/src/services/socket-connect.weapp';
import { installFakeSockets } from '../support/fake-socket';

/** A browser WebSocket stand-in: records how it was opened and lets the test fire its events. */
class FakeBrowserSocket extends EventTarget {
  static opened: FakeBrowserSocket[] = [];
  closedWith: [number | undefined, string | undefined] | undefined;
  constructor(
    readonly url: string,
    readonly protocols: string[],
  ) {
    super();
    FakeBrowserSocket.opened.push(this);
  }
  send(): void {}
  close(code?: number, reason?: string): void {
    this.closedWith = [code, reason];
  }
}

describe('socket adapters', () => {
  it('weapp: sends the token as Authorization: Bearer, with a bare URL', async () => {
    const tasks = installFakeSockets();
    await connectWeapp({ url: 'wss://api.example.com/ws', token: 'tok-weapp' });
    expect(Taro.connectSocket).toHaveBeenCalledWith({
      url: 'wss://api.example.com/ws',
      header: { Authorization: 'Bearer tok-weapp' },
    });
    expect(tasks[0]!.url).toBe('wss://api.example.com/ws');
  });

  describe('H5', () => {
    const original = globalThis.WebSocket;
    beforeEach(() => {
      FakeBrowserSocket.opened = [];
      globalThis.WebSocket = FakeBrowserSocket as unknown as typeof WebSocket;
    });
    afterEach(() => {
      globalThis.WebSocket = original;
    });

    it('offers tokentill.v1 and the bearer subprotocol, with a bare URL', async () => {
      await connectH5({ url: 'ws://localhost/ws', token: 'tok-h5' });
      const [socket] = FakeBrowserSocket.opened;
      expect(socket!.url).toBe('ws://localhost/ws');
      expect(socket!.protocols).toEqual([WS_SUBPROTOCOL, 'tokentill.bearer.tok-h5']);
    });

    it('reports the server’s close code (Taro’s H5 task would say 1006) and the messages', async () => {
      const task = await connectH5({ url: 'ws://localhost/ws', token: 'tok-h5' });
      const socket = FakeBrowserSocket.opened[0]!;
      const closes: unknown[] = [];
      const messages: unknown[] = [];
      task.onClose((result) => closes.push(result));
      task.onMessage((result) => messages.push(result.data));

      socket.dispatchEvent(new MessageEvent('message', { data: '{"type":"x"}' }));
      socket.dispatchEvent(new CloseEvent('close', { code: 4401, reason: 'session ended' }));
      task.close({ code: 1000, reason: 'client closing' });

      expect(messages).toEqual(['{"type":"x"}']);
      expect(closes).toEqual([{ code: 4401, reason: 'session ended' }]);
      expect(socket.closedWith).toEqual([1000, 'client closing']);
    });
  });
});
