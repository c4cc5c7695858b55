import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { createMockModelApp, type MockModelApp, type MockModelOptions } from '../../../server/src/mock-model';

export const API_KEY = 'sk-sandbox-test-key';

/**
 * Jest runs each test file in its own realm, but Node's fetch throws its AbortError (a DOMException) from the host
 * realm. That fails the SDK's `instanceof Error`, and the SDK then reports a timeout as a plain APIConnectionError
 * instead of APIConnectionTimeoutError. Re-throwing a same-named Error from this realm restores what production
 * (one realm) sees.
 */
export const realmSafeFetch = (input: string | URL | Request, init?: RequestInit): Promise<Response> =>
  fetch(input, init).catch((err: unknown) => {
    if (err instanceof Error) throw err;
    const { name, message } = err as { name?: string; message?: string };
    throw Object.assign(new Error(message), { name, cause: err });
  });

export interface ServedMock {
  mock: MockModelApp;
  server: Server;
  /** `http://127.0.0.1:<port>/sandbox/model`: the control API lives here. */
  root: string;
  /** The SDK's base URL: `${root}/v1`. */
  baseURL: string;
  client(options?: { timeout?: number; apiKey?: string }): OpenAI;
  /** JSON request to the control API (or anywhere under the prefix). */
  control(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

/** Serves the standalone mock app over real HTTP on an ephemeral port: the router talks to it as to a provider. */
export async function serveMock(options: MockModelOptions = {}): Promise<ServedMock> {
  const mock = createMockModelApp({ apiKey: API_KEY, ...options });
  const server = createServer(mock.app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const root = `http://127.0.0.1:${(server.address() as AddressInfo).port}${mock.prefix}`;
  return {
    mock,
    server,
    root,
    baseURL: `${root}/v1`,
    client: ({ timeout = 5_000, apiKey = API_KEY } = {}) =>
      new OpenAI({ baseURL: `${root}/v1`, apiKey, maxRetries: 0, timeout, fetch: realmSafeFetch }),
    async control(method, path, body) {
      const res = await fetch(`${root}${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text === '' ? undefined : JSON.parse(text) };
    },
    async close() {
      await mock.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
