import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { createMockModel, type MockModel, type MockModelOptions } from './mock-model.js';

export interface MockModelApp extends MockModel {
  /** A Koa app serving only the mock: paths outside `prefix` get OpenAI's 404 shape. Never listens. */
  readonly app: Koa;
}

/** The mock model as a standalone Koa app, for tests (`http.createServer(app.callback())`) and the sandbox process. */
export function createMockModelApp(options: MockModelOptions = {}): MockModelApp {
  const mock = createMockModel(options);
  const app = new Koa();
  app.use(mock.middleware);
  app.use((ctx) => {
    ctx.status = 404;
    ctx.body = {
      error: {
        message: `Invalid URL (${ctx.method} ${ctx.path})`,
        type: 'invalid_request_error',
        param: null,
        code: null,
      },
    };
  });
  return { ...mock, app };
}

export interface MockModelServer {
  readonly url: string;
  /** The `baseURL` to give the `openai` SDK: `${url}${prefix}/v1`. */
  readonly baseURL: string;
  readonly server: Server;
  readonly mock: MockModel;
  /** Closes the mock (ending hanging exchanges) and the HTTP server. Idempotent. */
  close(): Promise<void>;
}

/** Serves a standalone mock model on `host:port` (default 127.0.0.1, an ephemeral port). */
export async function startMockModelServer(
  options: MockModelOptions & { port?: number; host?: string } = {},
): Promise<MockModelServer> {
  const { port = 0, host = '127.0.0.1', ...mockOptions } = options;
  const mock = createMockModelApp(mockOptions);
  const server = createServer(mock.app.callback());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const url = `http://${host}:${(server.address() as AddressInfo).port}`;
  let closing: Promise<void> | undefined;
  return {
    url,
    baseURL: `${url}${mock.prefix}/v1`,
    server,
    mock,
    close: () =>
      (closing ??= (async () => {
        await mock.close();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections(); // idle keep-alive sockets would hold close() open
        await closed;
      })()),
  };
}
