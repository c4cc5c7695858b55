import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context, Middleware } from 'koa';
import {
  completeOnce,
  hang,
  streamCompletion,
  type Exchange,
  type Outcome,
  type Timing,
} from './chat-completion.js';
import { createFaultStore, FaultSpecSchema, type Fault, type FaultKind, type FaultStore } from './faults.js';
import { createMockStats, type MockModelStats, type RecentRequest } from './mock-stats.js';
import { readJson, send } from './koa-io.js';
import { isWireError, parseChatRequest, requestId, wireError, type WireError } from './openai-wire.js';

/** Timing and built-in failure pattern of one model id. Unset timing fields fall back to the mock's defaults. */
export interface MockModelProfile {
  ttftMs?: number;
  tokensPerSecond?: number;
  /** Every `every`-th request to this model (the 3rd, 6th, …) fails with `kind`: a flaky model without setup. */
  failEvery?: { every: number; kind: Exclude<FaultKind, 'slow'> };
}

export interface MockModelOptions {
  /** Path prefix the middleware answers under; the OpenAI base URL is `{prefix}/v1`. Default `/sandbox/model`. */
  prefix?: string;
  /** When set, `/v1/*` requests must send `Authorization: Bearer <apiKey>` (401 `invalid_api_key` otherwise). */
  apiKey?: string;
  /** Model ids listed by `/v1/models`, with their profiles. Default {@link DEFAULT_MOCK_MODELS}. */
  models?: Readonly<Record<string, MockModelProfile>>;
  /**
   * Whether ids missing from `models` are refused with 404 `model_not_found`, as a real provider would. Default
   * false: any id is answered with the default timing, so tests can use fresh ids for per-model faults and stats.
   */
  strictModels?: boolean;
  /** Time to first token for models without their own, in ms. Default 50. */
  ttftMs?: number;
  /** Tokens per second for models without their own. Default 100. */
  tokensPerSecond?: number;
  /** Largest request body read, in bytes. Default 1 MiB. */
  maxBodyBytes?: number;
  /** How many recent chat requests `GET {prefix}/requests` keeps. Default 50. */
  recentRequests?: number;
}

/** The models `npm start` and tests get unless they configure others. */
export const DEFAULT_MOCK_MODELS: Readonly<Record<string, MockModelProfile>> = {
  'mock-fast': { ttftMs: 50, tokensPerSecond: 200 },
  'mock-slow': { ttftMs: 1500, tokensPerSecond: 15 },
  'mock-flaky': { ttftMs: 100, tokensPerSecond: 50, failEvery: { every: 3, kind: 'http_500' } },
};

export const DEFAULT_MOCK_MODEL_PREFIX = '/sandbox/model';

/** A running mock model: Koa middleware plus the same controls the HTTP control API offers. */
export interface MockModel {
  /** Answers requests under `prefix` and passes everything else on. Reads the JSON body itself if no parser ran. */
  readonly middleware: Middleware;
  readonly prefix: string;
  readonly faults: Pick<FaultStore, 'add' | 'list' | 'remove' | 'clear'>;
  stats(): MockModelStats;
  recentRequests(): RecentRequest[];
  resetStats(): void;
  /** Ends every open exchange (hanging ones included) and refuses new completions with 503. Idempotent. */
  close(): Promise<void>;
}

/** `created` of every listed model: fixed, so `/v1/models` answers are reproducible. 2026-01-01T00:00:00Z. */
const MODEL_CREATED = 1767225600;

const sha256 = (s: string) => createHash('sha256').update(s).digest();

/**
 * Creates the sandbox's OpenAI-compatible model. Routes under `prefix`:
 * `GET /v1/models`, `GET /v1/models/:id`, `POST /v1/chat/completions` (OpenAI wire format, SSE when
 * `stream: true`), and the control API: `GET|POST|DELETE /faults`, `DELETE /faults/:id`, `GET|DELETE /stats`,
 * `GET /requests`. The control API needs no key: it is a test instrument, mounted only in sandbox mode.
 */
export function createMockModel(options: MockModelOptions = {}): MockModel {
  const prefix = (options.prefix ?? DEFAULT_MOCK_MODEL_PREFIX).replace(/\/+$/, '');
  // A Map, not the object: a model id like `constructor` must not find Object.prototype members.
  const models = new Map(Object.entries(options.models ?? DEFAULT_MOCK_MODELS));
  const defaults: Timing = { ttftMs: options.ttftMs ?? 50, tokensPerSecond: options.tokensPerSecond ?? 100 };
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const keyDigest = options.apiKey === undefined ? undefined : sha256(options.apiKey);
  const faults = createFaultStore();
  const stats = createMockStats(options.recentRequests ?? 50);
  const open = new Set<{ end(): void; done: Promise<void> }>();
  let closing: Promise<void> | undefined;

  function checkKey(ctx: Context): WireError | undefined {
    if (keyDigest === undefined) return undefined;
    const key = /^Bearer\s+(\S+)\s*$/i.exec(ctx.get('authorization'))?.[1];
    if (key !== undefined && timingSafeEqual(sha256(key), keyDigest)) return undefined;
    // Like OpenAI, echo only the last four characters, and none of a short key.
    const shown =
      key === undefined
        ? 'none'
        : key.length > 8
          ? `${'*'.repeat(key.length - 4)}${key.slice(-4)}`
          : '*'.repeat(key.length);
    return wireError(
      401,
      `Incorrect API key provided: ${shown}.`,
      'invalid_request_error',
      null,
      'invalid_api_key',
    );
  }

  function modelObject(id: string) {
    return { id, object: 'model', created: MODEL_CREATED, owned_by: 'tokentill-sandbox' };
  }

  /** The fault for this request: an installed one first, else the model's own failure pattern. */
  function faultFor(model: string, requestNumber: number): Fault | undefined {
    const installed = faults.take(model);
    if (installed) return installed;
    const failEvery = models.get(model)?.failEvery;
    if (failEvery && failEvery.every >= 1 && requestNumber % failEvery.every === 0)
      return { kind: failEvery.kind, id: 'profile', remaining: null, hits: 0 };
    return undefined;
  }

  function timingFor(model: string, fault: Fault | undefined): Timing {
    const profile = models.get(model);
    return {
      ttftMs:
        fault?.kind === 'slow' && fault.ttftMs !== undefined
          ? fault.ttftMs
          : (profile?.ttftMs ?? defaults.ttftMs),
      tokensPerSecond:
        fault?.kind === 'slow' && fault.tokensPerSecond !== undefined
          ? fault.tokensPerSecond
          : (profile?.tokensPerSecond ?? defaults.tokensPerSecond),
    };
  }

  async function chatCompletions(ctx: Context, startedAt: number): Promise<void> {
    const shuttingDown = () =>
      send(ctx, wireError(503, 'The sandbox model is shutting down.', 'server_error'));
    if (closing) return shuttingDown();
    const denied = checkKey(ctx);
    if (denied) return send(ctx, denied);
    const body = await readJson(ctx, maxBodyBytes);
    if (isWireError(body)) return send(ctx, body);
    // close() may have run while the body was arriving; from here to `open.add` nothing awaits, so no exchange
    // can start unseen by close().
    if (closing) return shuttingDown();
    const request = parseChatRequest(body);
    if (isWireError(request)) return send(ctx, request);
    if (options.strictModels && !models.has(request.model)) {
      return send(
        ctx,
        wireError(
          404,
          `The model \`${request.model}\` does not exist or you do not have access to it.`,
          'invalid_request_error',
          null,
          'model_not_found',
        ),
      );
    }

    const record = stats.begin(request.model, request.stream, request.maxTokens, request.messages);
    const fault = faultFor(request.model, record.requestNumber);
    if (fault) stats.fault(record, fault.kind);
    if (fault?.kind === 'http_500') {
      stats.end(record, 'error_response');
      return send(
        ctx,
        wireError(
          500,
          'The server had an error while processing your request. Sorry about that!',
          'server_error',
        ),
      );
    }
    if (fault?.kind === 'http_429') {
      stats.end(record, 'error_response');
      const seconds = fault.retryAfterSeconds ?? 1;
      return send(ctx, {
        ...wireError(
          429,
          'Rate limit reached for requests. (sandbox fault)',
          'requests',
          null,
          'rate_limit_exceeded',
        ),
        headers: { 'retry-after': String(seconds), 'retry-after-ms': String(seconds * 1000) },
      });
    }

    const controller = new AbortController();
    let cutting = false;
    ctx.res.once('close', () => {
      if (!ctx.res.writableFinished && !cutting) controller.abort('client');
    });
    const exchange: Exchange = {
      ctx,
      signal: controller.signal,
      startedAt,
      onTokens: (count) => stats.tokens(record, count),
      cut: () => {
        cutting = true;
        ctx.req.socket.destroy();
      },
    };
    const timing = timingFor(request.model, fault);
    const run = async (): Promise<Outcome> => {
      if (fault?.kind === 'hang') return hang(exchange);
      return request.stream
        ? streamCompletion(exchange, request, timing, fault)
        : completeOnce(exchange, request, timing, fault);
    };
    const done = run().then((outcome) => stats.end(record, outcome));
    const entry = {
      end: () => {
        controller.abort('shutdown');
        ctx.req.socket.destroy();
      },
      done,
    };
    open.add(entry);
    try {
      await done;
    } finally {
      open.delete(entry);
    }
  }

  async function addFault(ctx: Context): Promise<void> {
    const body = await readJson(ctx, maxBodyBytes);
    if (isWireError(body)) return send(ctx, body);
    const parsed = FaultSpecSchema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const param = issue?.path.join('.') || null;
      return send(
        ctx,
        wireError(400, `Invalid fault: ${issue?.message ?? 'bad body'}`, 'invalid_request_error', param),
      );
    }
    ctx.status = 201;
    ctx.body = faults.add(parsed.data);
  }

  async function route(ctx: Context, path: string, startedAt: number): Promise<void> {
    const method = ctx.method;
    if (path.startsWith('/v1/')) {
      if (method === 'POST' && path === '/v1/chat/completions') return chatCompletions(ctx, startedAt);
      if (method === 'GET' && (path === '/v1/models' || path.startsWith('/v1/models/'))) {
        const denied = checkKey(ctx);
        if (denied) return send(ctx, denied);
        if (path === '/v1/models') {
          ctx.body = { object: 'list', data: [...models.keys()].map(modelObject) };
          return;
        }
        const id = decodeURIComponent(path.slice('/v1/models/'.length));
        if (models.has(id) || (!options.strictModels && id !== '')) ctx.body = modelObject(id);
        else
          send(
            ctx,
            wireError(
              404,
              `The model '${id}' does not exist`,
              'invalid_request_error',
              'model',
              'model_not_found',
            ),
          );
        return;
      }
    } else if (path === '/faults') {
      if (method === 'GET') return void (ctx.body = { object: 'list', data: faults.list() });
      if (method === 'POST') return addFault(ctx);
      if (method === 'DELETE') return void (faults.clear(), (ctx.status = 204));
    } else if (path.startsWith('/faults/') && method === 'DELETE') {
      if (faults.remove(decodeURIComponent(path.slice('/faults/'.length)))) ctx.status = 204;
      else send(ctx, wireError(404, 'No such fault.', 'invalid_request_error', 'id', 'not_found'));
      return;
    } else if (path === '/stats') {
      if (method === 'GET') return void (ctx.body = stats.snapshot());
      if (method === 'DELETE') return void (stats.reset(), (ctx.status = 204));
    } else if (path === '/requests' && method === 'GET') {
      ctx.body = { object: 'list', data: stats.recent() };
      return;
    }
    send(ctx, wireError(404, `Invalid URL (${method} ${prefix}${path})`));
  }

  const middleware: Middleware = async (ctx, next) => {
    const startedAt = performance.now();
    const path = ctx.path;
    if (path !== prefix && !path.startsWith(`${prefix}/`)) return next();
    if (!ctx.response.get('x-request-id')) ctx.set('x-request-id', requestId());
    await route(ctx, path.slice(prefix.length), startedAt);
  };

  return {
    middleware,
    prefix,
    faults,
    stats: () => stats.snapshot(),
    recentRequests: () => stats.recent(),
    resetStats: () => stats.reset(),
    close() {
      closing ??= (async () => {
        for (const entry of open) entry.end();
        await Promise.all([...open].map((entry) => entry.done));
      })();
      return closing;
    },
  };
}
