import Taro from '@tarojs/taro';

/** One recorded Taro.request call. */
export interface ApiCall {
  method: string;
  /** Path and query, without the base URL. */
  path: string;
  data: unknown;
  header: Record<string, string>;
}

/** A canned answer: status and JSON body. */
export interface ApiReply {
  status: number;
  body?: unknown;
}

/** Answers one call: a reply, a function of the call, or a promise (to hold the answer back). */
export type ApiHandler = ApiReply | ((call: ApiCall) => ApiReply | Promise<ApiReply>);

/**
 * Routes Taro.request by `"<METHOD> <path>"` (path without query; `*` matches one segment) to handlers. A route
 * may list several handlers: they answer in turn, the last one repeats. Unrouted calls answer 404 NOT_FOUND.
 * Returns the recorded calls.
 */
export function mockApi(routes: Record<string, ApiHandler | ApiHandler[]>): ApiCall[] {
  const calls: ApiCall[] = [];
  const queues = new Map(
    Object.entries(routes).map(([key, value]) => [key, Array.isArray(value) ? [...value] : [value]]),
  );
  jest.mocked(Taro.request).mockReset();
  jest.mocked(Taro.request).mockImplementation((async (options: {
    url: string;
    method?: string;
    data?: unknown;
    header?: Record<string, string>;
  }) => {
    const path = options.url.replace(/^https?:\/\/[^/]+/, '');
    const call: ApiCall = {
      method: options.method ?? 'GET',
      path,
      data: options.data,
      header: options.header ?? {},
    };
    calls.push(call);
    const bare = path.split('?')[0] ?? path;
    const key = [...queues.keys()].find((route) => matches(route, `${call.method} ${bare}`));
    const queue = key === undefined ? undefined : queues.get(key);
    const handler = queue && (queue.length > 1 ? queue.shift() : queue[0]);
    const reply = handler
      ? await (typeof handler === 'function' ? handler(call) : handler)
      : { status: 404, body: envelope('NOT_FOUND', `no mock for ${call.method} ${bare}`) };
    return { statusCode: reply.status, data: reply.body, header: {}, errMsg: 'request:ok' };
  }) as unknown as typeof Taro.request);
  return calls;
}

function matches(route: string, actual: string): boolean {
  const pattern = new RegExp(`^${route.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]+')}$`);
  return pattern.test(actual);
}

/** The server's error envelope. */
export function envelope(code: string, message = code, requestId = 'req-test') {
  return { error: { code, message, requestId } };
}

/** A reply the test releases later: `handler` goes in the routes, `release(reply)` answers. */
export function heldReply(): { handler: ApiHandler; release: (reply: ApiReply) => void } {
  let release!: (reply: ApiReply) => void;
  const promise = new Promise<ApiReply>((resolve) => (release = resolve));
  return { handler: () => promise, release: (reply) => release(reply) };
}

/** A session reply as `POST /api/session` gives it. */
export function sessionReply(token: string, expiresIn = 7200): ApiReply {
  return { status: 200, body: { token, expiresIn } };
}

/** A stored, valid session (so a test starts logged in). */
export function storedSession(token: string) {
  return { token, expiresAt: Date.now() + 3_600_000 };
}
