import OpenAI from 'openai';
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { expectedMockAnswer, mockCompletion, startMockModelServer } from '../../../server/src/mock-model';
import { eventually } from '../../support/api-client';
import { realmSafeFetch, serveMock, type ServedMock } from './serve-mock';

const MESSAGES: ChatCompletionMessageParam[] = [{ role: 'user', content: '帮我总结一下这份合同的要点。' }];
const FULL = mockCompletion(MESSAGES as never, 'model-a');

describe('mock model faults through the openai SDK', () => {
  let served: ServedMock;
  let openai: OpenAI;

  beforeAll(async () => {
    served = await serveMock({ ttftMs: 5, tokensPerSecond: 2_000 });
    openai = served.client({ timeout: 2_000 });
  });
  afterEach(async () => {
    await served.control('DELETE', '/faults');
    await served.control('DELETE', '/stats');
  });
  afterAll(() => served.close());

  const ask = (model = 'model-a') => openai.chat.completions.create({ model, messages: MESSAGES });
  const askStreaming = (model = 'model-a') =>
    openai.chat.completions.create({ model, messages: MESSAGES, stream: true });

  /** Reads a stream to its end or error, returning the content received and the error (if any). */
  async function drain(model = 'model-a'): Promise<{ content: string; error: unknown }> {
    let content = '';
    try {
      for await (const chunk of await askStreaming(model)) content += chunk.choices[0]?.delta.content ?? '';
      return { content, error: undefined };
    } catch (error) {
      return { content, error };
    }
  }

  it('turns http_500 into InternalServerError with a server_error body, for one request only', async () => {
    expect((await served.control('POST', '/faults', { kind: 'http_500', count: 1 })).status).toBe(201);
    const err = await ask().catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.InternalServerError);
    expect(err).toMatchObject({ status: 500, type: 'server_error' });
    expect((await ask()).choices[0]!.message.content).toBe(FULL.text);
  });

  it('turns http_429 into RateLimitError with retry-after', async () => {
    await served.control('POST', '/faults', { kind: 'http_429', retryAfterSeconds: 7 });
    const err = await askStreaming().catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    expect(err.headers.get('retry-after')).toBe('7');
    expect(err.code).toBe('rate_limit_exceeded');
  });

  it('keeps a fault without a count until it is cleared', async () => {
    await served.control('POST', '/faults', { kind: 'http_500' });
    for (let i = 0; i < 3; i++) await expect(ask()).rejects.toBeInstanceOf(OpenAI.InternalServerError);
    expect((await served.control('DELETE', '/faults')).status).toBe(204);
    await expect(ask()).resolves.toBeDefined();
  });

  it('applies a counted fault to exactly the next N requests', async () => {
    await served.control('POST', '/faults', { kind: 'http_500', count: 2 });
    await expect(ask()).rejects.toBeInstanceOf(OpenAI.InternalServerError);
    await expect(ask()).rejects.toBeInstanceOf(OpenAI.InternalServerError);
    await expect(ask()).resolves.toBeDefined();
    expect((await served.control('GET', '/faults')).body.data).toEqual([]);
  });

  it('applies a per-model fault only to that model and counts requests per model', async () => {
    await served.control('POST', '/faults', { kind: 'http_500', model: 'model-a' });
    await expect(ask('model-a')).rejects.toBeInstanceOf(OpenAI.InternalServerError);
    await expect(ask('model-b')).resolves.toBeDefined();
    await expect(ask('model-b')).resolves.toBeDefined();
    const { body } = await served.control('GET', '/stats');
    expect(body.models['model-a']).toMatchObject({ requests: 1, completed: 0, faults: { http_500: 1 } });
    expect(body.models['model-b']).toMatchObject({ requests: 2, completed: 2, faults: {} });
  });

  it('times out a hanging request with APIConnectionTimeoutError', async () => {
    await served.control('POST', '/faults', { kind: 'hang', count: 1 });
    const began = performance.now();
    const err = await served
      .client({ timeout: 150 })
      .chat.completions.create({ model: 'model-a', messages: MESSAGES, stream: true })
      .catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
    expect(performance.now() - began).toBeGreaterThanOrEqual(150 - 2);
    await eventually(async () => (await served.control('GET', '/stats')).body.inFlight === 0);
    expect((await served.control('GET', '/stats')).body.models['model-a'].clientAborted).toBe(1);
  });

  it('stalls after the headers with hang_after_headers until the client gives up', async () => {
    await served.control('POST', '/faults', { kind: 'hang_after_headers', count: 1 });
    const stream = await askStreaming(); // the headers arrived: the SDK's timeout no longer applies
    const received: unknown[] = [];
    const reading = (async () => {
      for await (const chunk of stream) received.push(chunk);
    })();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(received).toEqual([]);
    stream.controller.abort();
    await reading; // the SDK ends an aborted stream quietly
    await eventually(async () => (await served.control('GET', '/stats')).body.inFlight === 0);
  });

  it('cuts a stream mid-answer: some content first, then an error and no [DONE]', async () => {
    await served.control('POST', '/faults', { kind: 'cut_mid_stream', afterTokens: 5, count: 1 });
    const { content, error } = await drain();
    expect(content).toBe(FULL.tokens.slice(0, 5).join(''));
    // undici reports the truncated chunked body as `TypeError: terminated`; the SDK passes it through as is.
    expect(error).toMatchObject({ name: 'TypeError', message: 'terminated' });
    expect(error).not.toBeInstanceOf(OpenAI.APIError);
    const { body } = await served.control('GET', '/requests');
    expect(body.data[0]).toMatchObject({ fault: 'cut_mid_stream', outcome: 'cut', tokensSent: 5 });
  });

  it('cuts mid-answer by default after half the tokens', async () => {
    await served.control('POST', '/faults', { kind: 'cut_mid_stream', count: 1 });
    const { content, error } = await drain();
    expect(error).toBeDefined();
    expect(content).toBe(FULL.tokens.slice(0, Math.ceil(FULL.tokens.length / 2)).join(''));
  });

  it('cuts a stream before the first token: headers, then an error with no content', async () => {
    await served.control('POST', '/faults', { kind: 'cut_before_first_token', count: 1 });
    const { content, error } = await drain();
    expect(content).toBe('');
    expect(error).toMatchObject({ name: 'TypeError', message: 'terminated' });
  });

  it('drops a non-streaming request on a cut fault with APIConnectionError', async () => {
    await served.control('POST', '/faults', { kind: 'cut_mid_stream', count: 1 });
    const err = await ask().catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.APIConnectionError);
  });

  it('fails every third request of mock-flaky out of the box', async () => {
    const outcomes: string[] = [];
    for (let i = 0; i < 6; i++) {
      outcomes.push(
        await openai.chat.completions.create({ model: 'mock-flaky', messages: MESSAGES, max_tokens: 1 }).then(
          () => 'ok',
          (e) => (e instanceof OpenAI.InternalServerError ? '500' : String(e)),
        ),
      );
    }
    expect(outcomes).toEqual(['ok', 'ok', '500', 'ok', 'ok', '500']);
  });

  it('validates, lists and removes faults through the control API', async () => {
    const bad = await served.control('POST', '/faults', { kind: 'explode' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ type: 'invalid_request_error', param: 'kind' });
    expect((await served.control('POST', '/faults', { kind: 'http_500', colour: 'red' })).status).toBe(400);

    const added = await served.control('POST', '/faults', { kind: 'slow', model: 'model-z', ttftMs: 10 });
    expect(added.body).toMatchObject({
      id: expect.any(String),
      kind: 'slow',
      model: 'model-z',
      remaining: null,
    });
    expect((await served.control('GET', '/faults')).body.data).toHaveLength(1);
    expect((await served.control('DELETE', `/faults/${added.body.id}`)).status).toBe(204);
    expect((await served.control('DELETE', `/faults/${added.body.id}`)).status).toBe(404);
    expect((await served.control('GET', '/faults')).body.data).toEqual([]);
  });
});

describe('mock model timing', () => {
  let served: ServedMock;
  afterEach(() => served.close());

  /** Streams one answer, returning when the first and the last content token arrived (ms after the call). */
  async function timeStream(model: string, maxTokens?: number) {
    const openai = served.client();
    const began = performance.now();
    const times: number[] = [];
    let content = '';
    const stream = await openai.chat.completions.create({
      model,
      messages: MESSAGES,
      stream: true,
      max_tokens: maxTokens,
    });
    for await (const chunk of stream) {
      const piece = chunk.choices[0]?.delta.content;
      if (piece) {
        times.push(performance.now() - began);
        content += piece;
      }
    }
    return { first: times[0]!, last: times.at(-1)!, count: times.length, content };
  }

  // Timers may fire up to ~1 ms early relative to performance.now(); the server never schedules early.
  const SLACK_MS = 2;

  it('sends no token before the time to first token', async () => {
    served = await serveMock({ models: { paced: { ttftMs: 120, tokensPerSecond: 10_000 } } });
    const { first, content } = await timeStream('paced');
    expect(first).toBeGreaterThanOrEqual(120 - SLACK_MS);
    expect(content).toBe(expectedMockAnswer(MESSAGES as never, 'paced'));
  });

  it('sends tokens no faster than tokens per second', async () => {
    served = await serveMock({ models: { paced: { ttftMs: 10, tokensPerSecond: 200 } } });
    const { last, count } = await timeStream('paced', 21);
    expect(count).toBe(21);
    // Token i is due at ttft + i / rate: the 21st at 10 + 20 × 5 ms.
    expect(last).toBeGreaterThanOrEqual(10 + 20 * 5 - SLACK_MS);
  });

  it('overrides the timing for the next request with a slow fault', async () => {
    served = await serveMock({ ttftMs: 0, tokensPerSecond: 10_000 });
    await served.control('POST', '/faults', { kind: 'slow', ttftMs: 150, count: 1 });
    expect((await timeStream('model-a')).first).toBeGreaterThanOrEqual(150 - SLACK_MS);
    expect((await timeStream('model-a')).first).toBeLessThan(150);
  });

  it('stops writing when the client aborts mid-stream', async () => {
    served = await serveMock({ ttftMs: 0, tokensPerSecond: 100 });
    const openai = served.client();
    const stream = await openai.chat.completions.create({
      model: 'model-a',
      messages: MESSAGES,
      stream: true,
    });
    let received = 0;
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta.content && ++received === 3) break; // `break` aborts the SDK's request
    }
    await eventually(() => served.mock.stats().inFlight === 0);
    const after = served.mock.stats().models['model-a']!;
    expect(after).toMatchObject({ requests: 1, completed: 0, clientAborted: 1 });
    expect(after.tokensSent).toBeGreaterThanOrEqual(3);
    expect(after.tokensSent).toBeLessThan(FULL.tokens.length);
    await new Promise((resolve) => setTimeout(resolve, 100)); // ten more tokens' worth of time
    expect(served.mock.stats().models['model-a']!.tokensSent).toBe(after.tokensSent);
    expect(served.mock.recentRequests()[0]!.outcome).toBe('client_aborted');
  });

  it('ends hanging exchanges on close() and refuses new completions after it', async () => {
    served = await serveMock({ ttftMs: 0 });
    served.mock.faults.add({ kind: 'hang' });
    const openai = served.client({ timeout: 30_000 });
    const hanging = openai.chat.completions.create({ model: 'model-a', messages: MESSAGES }).catch((e) => e);
    const hangingStream = openai.chat.completions
      .create({ model: 'model-a', messages: MESSAGES, stream: true })
      .catch((e) => e);
    await eventually(() => served.mock.stats().inFlight === 2);

    const began = performance.now();
    await served.mock.close();
    expect(await hanging).toBeInstanceOf(OpenAI.APIConnectionError);
    expect(await hangingStream).toBeInstanceOf(OpenAI.APIConnectionError);
    expect(performance.now() - began).toBeLessThan(1_000);
    expect(served.mock.stats().inFlight).toBe(0);

    const refused = await openai.chat.completions
      .create({ model: 'model-a', messages: MESSAGES })
      .catch((e) => e);
    expect(refused).toBeInstanceOf(OpenAI.InternalServerError);
    expect(refused.status).toBe(503);
  });
});

describe('startMockModelServer', () => {
  it('serves the mock standalone and closes even with a request hanging', async () => {
    const running = await startMockModelServer({ ttftMs: 0, tokensPerSecond: Infinity });
    const openai = new OpenAI({
      baseURL: running.baseURL,
      apiKey: 'none',
      maxRetries: 0,
      fetch: realmSafeFetch,
    });
    const answer = await openai.chat.completions.create({ model: 'x', messages: MESSAGES });
    expect(answer.choices[0]!.message.content).toBe(expectedMockAnswer(MESSAGES as never, 'x'));

    running.mock.faults.add({ kind: 'hang', count: 1 });
    const hanging = openai.chat.completions.create({ model: 'x', messages: MESSAGES }).catch((e) => e);
    await eventually(() => running.mock.stats().inFlight === 1);
    await running.close();
    expect(await hanging).toBeInstanceOf(OpenAI.APIConnectionError);
    expect(running.server.listening).toBe(false);
  });
});
