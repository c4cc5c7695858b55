import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bodyParser } from '@koa/bodyparser';
import Koa from 'koa';
import OpenAI from 'openai';
import type { ChatCompletionChunk, ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import {
  createMockModel,
  estimatePromptTokens,
  expectedMockAnswer,
  mockCompletion,
  tokenize,
} from '../../../server/src/mock-model';
import { API_KEY, serveMock, type ServedMock } from './serve-mock';

const MESSAGES: ChatCompletionMessageParam[] = [
  { role: 'system', content: 'You are a helpful assistant. 请用中文回答。' },
  { role: 'user', content: '请帮我写一首关于秋天的诗 about autumn leaves.' },
];

async function collect(stream: AsyncIterable<ChatCompletionChunk>): Promise<ChatCompletionChunk[]> {
  const chunks: ChatCompletionChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

const contentOf = (chunks: ChatCompletionChunk[]) =>
  chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');

describe('mock model: the deterministic answer', () => {
  it('tokenises an answer into pieces that concatenate back to it exactly', () => {
    const { text, tokens } = mockCompletion(MESSAGES as never, 'mock-fast');
    expect(tokens.join('')).toBe(text);
    expect(tokens).toContain('秋'); // every CJK character is its own token
    expect(tokens).toContain(' deterministic'); // English words carry their leading space
    expect(tokenize('a  b ')).toEqual(['a', '  b', ' ']);
  });

  it('quotes the prompt length, a digest and the opening of the last user message', () => {
    const text = expectedMockAnswer(
      [{ role: 'user', content: '我的手机是[PHONE_1]，帮我查话费' }],
      'mock-fast',
    );
    expect(text).toContain('你的问题共 20 个字符');
    expect(text).toContain('“我的手机是[PHONE_1]，帮我查话费”');
    expect(text).toMatch(/digest [0-9a-f]{12}\./);
  });

  it('estimates prompt tokens as characters over two, rounded up', () => {
    expect(estimatePromptTokens([{ role: 'user', content: '你好 hello' }])).toBe(4);
    expect(estimatePromptTokens([{ role: 'user', content: [{ type: 'text', text: 'abc' }] }])).toBe(2);
  });
});

/** Not in the default profiles, so it runs at the timing given to serveMock(). */
const MODEL = 'test-model';

describe('mock model over HTTP through the openai SDK', () => {
  let served: ServedMock;
  let openai: OpenAI;

  beforeAll(async () => {
    served = await serveMock({ ttftMs: 5, tokensPerSecond: 5_000 });
    openai = served.client();
  });
  afterAll(() => served.close());

  it('streams exactly the expected answer, then a finish chunk, then a usage chunk', async () => {
    const stream = await openai.chat.completions.create({
      model: MODEL,
      messages: MESSAGES,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = await collect(stream);
    const expected = mockCompletion(MESSAGES as never, MODEL);

    expect(chunks[0]!.choices[0]).toMatchObject({ index: 0, delta: { role: 'assistant', content: '' } });
    expect(contentOf(chunks)).toBe(expected.text);
    expect(chunks.filter((c) => c.choices[0]?.delta.content).length).toBe(expected.tokens.length);
    const [finish, usage] = chunks.slice(-2);
    expect(finish!.choices[0]).toMatchObject({ delta: {}, finish_reason: 'stop' });
    expect(usage!.choices).toEqual([]);
    expect(usage!.usage).toEqual({
      prompt_tokens: estimatePromptTokens(MESSAGES as never),
      completion_tokens: expected.tokens.length,
      total_tokens: estimatePromptTokens(MESSAGES as never) + expected.tokens.length,
    });
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    expect(chunks[0]!.id).toMatch(/^chatcmpl-/);
    expect(chunks.every((c) => c.object === 'chat.completion.chunk' && c.model === MODEL)).toBe(true);
  });

  it('sends a real event stream that ends with [DONE]', async () => {
    const res = await fetch(`${served.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: MODEL, messages: MESSAGES, stream: true }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    const body = await res.text();
    const events = body.split('\n\n').filter(Boolean);
    expect(events.every((e) => e.startsWith('data: '))).toBe(true);
    expect(events.at(-1)).toBe('data: [DONE]');
    // Without include_usage there is no usage chunk and no `usage` field.
    expect(body).not.toContain('"usage"');
  });

  it('stops at max_tokens with finish_reason "length" when streaming', async () => {
    const stream = await openai.chat.completions.create({
      model: MODEL,
      messages: MESSAGES,
      stream: true,
      max_tokens: 7,
    });
    const chunks = await collect(stream);
    expect(contentOf(chunks)).toBe(expectedMockAnswer(MESSAGES as never, MODEL, 7));
    expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe('length');
  });

  it('answers a non-streaming request with a chat.completion and usage', async () => {
    const completion = await openai.chat.completions.create({
      model: 'any-model-id',
      messages: MESSAGES,
      max_completion_tokens: 12,
    });
    expect(completion).toMatchObject({
      object: 'chat.completion',
      model: 'any-model-id',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: expectedMockAnswer(MESSAGES as never, 'any-model-id', 12) },
          finish_reason: 'length',
        },
      ],
      usage: { prompt_tokens: estimatePromptTokens(MESSAGES as never), completion_tokens: 12 },
    });
  });

  it('reads text from content-part arrays', async () => {
    const messages: ChatCompletionMessageParam[] = [
      {
        role: 'user',
        content: [
          { type: 'text', text: '解释一下' },
          { type: 'text', text: ' Luhn' },
        ],
      },
    ];
    const completion = await openai.chat.completions.create({ model: MODEL, messages });
    expect(completion.choices[0]!.message.content).toBe(
      expectedMockAnswer([{ role: 'user', content: '解释一下 Luhn' }], MODEL),
    );
  });

  it('lists the configured models and retrieves one', async () => {
    const list = await openai.models.list();
    expect(list.data.map((m) => m.id)).toEqual(['mock-fast', 'mock-slow', 'mock-flaky']);
    expect(list.data[0]).toEqual({
      id: 'mock-fast',
      object: 'model',
      created: expect.any(Number),
      owned_by: 'tokentill-sandbox',
    });
    expect(await openai.models.retrieve('mock-slow')).toMatchObject({ id: 'mock-slow', object: 'model' });
  });

  it('refuses a wrong API key with AuthenticationError and code invalid_api_key', async () => {
    const wrong = served.client({ apiKey: 'sk-wrong-key-1234' });
    const err = await wrong.chat.completions.create({ model: MODEL, messages: MESSAGES }).catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(err).toMatchObject({ status: 401, code: 'invalid_api_key', type: 'invalid_request_error' });
    expect(err.message).toContain('*************1234');
    expect(err.message).not.toContain('sk-wrong');
    await expect(wrong.models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
  });

  it('refuses a request without an Authorization header', async () => {
    const res = await fetch(`${served.baseURL}/models`);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({
      error: {
        message: expect.any(String),
        type: 'invalid_request_error',
        param: null,
        code: 'invalid_api_key',
      },
    });
  });

  it.each([
    ['no model', { messages: MESSAGES }, 'model', 'missing_required_parameter'],
    ['no messages', { model: MODEL }, 'messages', 'missing_required_parameter'],
    ['an empty messages array', { model: MODEL, messages: [] }, 'messages', 'empty_array'],
    [
      'an unknown role',
      { model: MODEL, messages: [{ role: 'robot', content: 'hi' }] },
      'messages[0].role',
      'invalid_value',
    ],
    [
      'max_tokens 0',
      { model: MODEL, messages: MESSAGES, max_tokens: 0 },
      'max_tokens',
      'integer_below_min_value',
    ],
    ['a non-boolean stream', { model: MODEL, messages: MESSAGES, stream: 'yes' }, 'stream', 'invalid_type'],
  ])('answers a request with %s with 400 naming the param, like OpenAI', async (_name, body, param, code) => {
    const err = await openai.chat.completions.create(body as never).catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect(err.error).toEqual({ message: expect.any(String), type: 'invalid_request_error', param, code });
  });

  it('answers a body that is not JSON with 400', async () => {
    const res = await fetch(`${served.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
      body: '{"model": ',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).error.type).toBe('invalid_request_error');
  });

  it('answers an unknown path under the prefix with OpenAI’s 404', async () => {
    const res = await fetch(`${served.baseURL}/embeddings`, { method: 'POST' });
    expect(res.status).toBe(404);
    expect(((await res.json()) as any).error.message).toBe('Invalid URL (POST /sandbox/model/v1/embeddings)');
  });

  it('records what the provider saw, for redaction tests', async () => {
    await served.control('DELETE', '/stats');
    await openai.chat.completions.create({ model: 'seen-model', messages: MESSAGES });
    const { body } = await served.control('GET', '/requests');
    expect(body.data).toEqual([
      expect.objectContaining({
        model: 'seen-model',
        stream: false,
        messages: MESSAGES,
        outcome: 'completed',
      }),
    ]);
  });
});

describe('mock model options', () => {
  it('refuses ids outside the configured models with 404 model_not_found when strictModels is set', async () => {
    const served = await serveMock({
      strictModels: true,
      models: { 'only-this': { ttftMs: 0, tokensPerSecond: Infinity } },
    });
    try {
      const err = await served
        .client()
        .chat.completions.create({ model: 'mock-fast', messages: MESSAGES })
        .catch((e) => e);
      expect(err).toBeInstanceOf(OpenAI.NotFoundError);
      expect(err.code).toBe('model_not_found');
      const ok = await served.client().chat.completions.create({ model: 'only-this', messages: MESSAGES });
      expect(ok.choices[0]!.finish_reason).toBe('stop');
    } finally {
      await served.close();
    }
  });

  it('works mounted in a larger app after a body parser, passing other paths on', async () => {
    const mock = createMockModel({ ttftMs: 0, tokensPerSecond: Infinity });
    const app = new Koa();
    app.use(bodyParser({ enableTypes: ['json'] }));
    app.use(mock.middleware);
    app.use((ctx) => {
      ctx.body = { app: 'rest of the server', path: ctx.path };
    });
    const server = createServer(app.callback());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const client = new OpenAI({ baseURL: `${origin}/sandbox/model/v1`, apiKey: 'unused', maxRetries: 0 });
      const stream = await client.chat.completions.create({ model: 'm', messages: MESSAGES, stream: true });
      expect(contentOf(await collect(stream))).toBe(expectedMockAnswer(MESSAGES as never, 'm'));
      expect(await (await fetch(`${origin}/api/tiers`)).json()).toEqual({
        app: 'rest of the server',
        path: '/api/tiers',
      });
      expect(await (await fetch(`${origin}/sandbox/modelling`)).json()).toMatchObject({
        app: 'rest of the server',
      });
    } finally {
      await mock.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
