import Taro from '@tarojs/taro';
import type { SocketTaskLike } from '../../../miniprogram/src/services/socket';

/** A socket task the test drives: open it, push server frames, close or fail it, read what the client sent. */
export class FakeSocketTask implements SocketTaskLike {
  readonly sent: unknown[] = [];
  closedByClient = false;
  private openCallback: (() => void) | undefined;
  private closeCallback: ((result: { code?: number; reason?: string }) => void) | undefined;
  private errorCallback: ((error: unknown) => void) | undefined;
  private messageCallback: ((result: { data: unknown }) => void) | undefined;

  /** `header` is what the client asked to send with the upgrade (`Authorization` on weapp). */
  constructor(
    readonly url: string,
    readonly header: Record<string, string> = {},
  ) {}

  send({ data }: { data: string }): void {
    this.sent.push(JSON.parse(data));
  }
  close(): void {
    this.closedByClient = true;
  }
  onOpen(callback: () => void): void {
    this.openCallback = callback;
  }
  onClose(callback: (result: { code?: number; reason?: string }) => void): void {
    this.closeCallback = callback;
  }
  onError(callback: (error: unknown) => void): void {
    this.errorCallback = callback;
  }
  onMessage(callback: (result: { data: unknown }) => void): void {
    this.messageCallback = callback;
  }

  /** The server accepted the connection. */
  open(): void {
    this.openCallback?.();
  }
  /** The server sends a frame (objects are JSON-encoded). */
  receive(frame: unknown): void {
    this.messageCallback?.({ data: typeof frame === 'string' ? frame : JSON.stringify(frame) });
  }
  /** The connection fails (as a refused upgrade does): error, then close. */
  fail(): void {
    this.errorCallback?.({ errMsg: 'connect failed' });
    this.closeCallback?.({ code: 1006, reason: 'abnormal closure' });
  }
  /** The server (or the network) drops an open connection. */
  drop(): void {
    this.closeCallback?.({ code: 1006, reason: 'abnormal closure' });
  }
  /** The server closes the connection with a close code (e.g. 4401 session ended). */
  closeByServer(code: number, reason = ''): void {
    this.closeCallback?.({ code, reason });
  }
}

/** Makes Taro.connectSocket hand out FakeSocketTasks; returns them in creation order. */
export function installFakeSockets(): FakeSocketTask[] {
  const tasks: FakeSocketTask[] = [];
  jest.mocked(Taro.connectSocket).mockReset();
  jest.mocked(Taro.connectSocket).mockImplementation(((options: {
    url: string;
    header?: Record<string, string>;
  }) => {
    const task = new FakeSocketTask(options.url, options.header);
    tasks.push(task);
    return Promise.resolve(task);
  }) as unknown as typeof Taro.connectSocket);
  return tasks;
}

/** Lets pending promise callbacks run (connects resolve through a few awaits). */
export async function flushPromises(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}
