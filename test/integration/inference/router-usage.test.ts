import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mockCompletion, startMockModelServer, type MockModelServer } from '../../../server/src/mock-model';
import {
  createModelRouter,
  estimatePromptTokens,
  estimateTokens,
  type AttemptRecord,
  type ModelRouter,
} from '../../../server/src/inference/router';
import { realmSafeFetch } from '../mock-model/serve-mock';
import { buildCatalog, MESSAGES, model, quietLogger, recordingSink, tier } from './router-harness';

/** What the usage-less provider streams: 5 CJK characters (full-width comma included) + 13 other characters. */
const PLAIN_ANSWER = ['你好', '，世界', '! Hello', ' there'];

/**
 * A minimal OpenAI-compatible provider that never sends a usage chunk (some gateways ignore include_usage).
 * Model "no-finish" ends the stream cleanly after its content, without a finish_reason.
 */
function usagelessProvider(): Server {
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      const { model: name } = JSON.parse(body) as { model: string };
      const event = (delta: object, finish: string | null) =>
        `data: ${JSON.stringify({
          id: 'chatcmpl-plain',
          object: 'chat.completion.chunk',
          created: 0,
          model: name,
          choices: [{ index: 0, delta, finish_reason: finish }],
        })}\n\n`;
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.write(event({ role: 'assistant', content: '' }, null));
      for (const text of PLAIN_ANSWER) res.write(event({ content: text }, null));
      if (name !== 'no-finish') res.write(event({}, 'stop'));
      res.end(name === 'no-finish' ? '' : 'data: [DONE]\n\n');
    });
  });
}

describe('model router usage and cost', () => {
  let served: MockModelServer;
  let plain: Server;
  let router: ModelRouter;

  beforeAll(async () => {
    served = await startMockModelServer({ ttftMs: 5, tokensPerSecond: 5_000 });
    plain = usagelessProvider();
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
    const plainURL = `http://127.0.0.1:${(plain.address() as AddressInfo).port}/v1`;
    const catalog = buildCatalog({
      providers: [
        { id: 'mock', baseURL: 'sandbox' },
        { id: 'plain', baseURL: plainURL },
      ],
      models: [
        model('priced', 'mock', { inputYuanPerMTok: 2, outputYuanPerMTok: 8 }),
        model('plain-1', 'plain', { inputYuanPerMTok: 4, outputYuanPerMTok: 16 }),
        model('no-finish', 'plain'),
      ],
      tiers: [
        tier('mocked', ['priced']),
        tier('plain', ['plain-1']),
        tier('unfinished', ['no-finish', 'priced']),
        tier('cut-first', ['priced', 'plain-1']),
      ],
    });
    router = createModelRouter({
      catalog,
      sandboxBaseURL: served.baseURL,
      logger: quietLogger,
      fetch: realmSafeFetch,
    });
  });
  afterEach(() => served.mock.faults.clear());
  afterAll(async () => {
    await served.close();
    plain.closeAllConnections();
    await new Promise<void>((resolve) => plain.close(() => resolve()));
  });

  it('takes usage from the stream’s usage chunk and prices it at the answering model’s rates', async () => {
    const expected = mockCompletion(MESSAGES, 'priced', 512);
    const result = await router.route(
      { orderId: 'o-1', tierId: 'mocked', messages: MESSAGES },
      recordingSink().sink,
    );
    if (!result.ok) throw new Error('expected an answer');
    expect(result.usage).toEqual({
      promptTokens: expected.promptTokens,
      completionTokens: expected.completionTokens,
      estimated: false,
    });
    // ¥2 and ¥8 per million tokens = 0.0002 and 0.0008 fen per token.
    expect(result.costFen).toBe(Math.round(expected.promptTokens * 2 + expected.completionTokens * 8) / 1e4);
  });

  it('estimates usage when the provider sends none, and says so', async () => {
    const { sink, answer } = recordingSink();
    const result = await router.route({ orderId: 'o-2', tierId: 'plain', messages: MESSAGES }, sink);
    if (!result.ok) throw new Error('expected an answer');
    expect(answer()).toBe('你好，世界! Hello there');
    // 5 CJK characters + ceil(13 other characters / 4) = 9 completion tokens.
    const promptTokens = estimatePromptTokens(MESSAGES);
    expect(result.usage).toEqual({ promptTokens, completionTokens: 9, estimated: true });
    // The system prompt (10 CJK) and the question (16 CJK): all one token each.
    expect(promptTokens).toBe(26);
    // (26 × 4 + 9 × 16) / 10^4 fen.
    expect(result.costFen).toBe(0.0248);
  });

  it('treats a stream that ends without a finish_reason as cut and restarts on the next model', async () => {
    const { sink, answer, restarts } = recordingSink();
    const result = await router.route({ orderId: 'o-3', tierId: 'unfinished', messages: MESSAGES }, sink);
    expect(result.attempts.map((a) => a.outcome)).toEqual(['cut_after_tokens', 'ok']);
    expect(restarts()).toHaveLength(1);
    expect(answer()).toBe(mockCompletion(MESSAGES, 'priced', 512).text);
  });

  it('prices every attempt: a model cut mid-answer costs the prompt and what it streamed', async () => {
    served.mock.faults.add({ kind: 'cut_mid_stream', model: 'priced', count: 1, afterTokens: 40 });
    const ended: AttemptRecord[] = [];
    const { sink, events } = recordingSink();
    const result = await router.route(
      { orderId: 'o-4', tierId: 'cut-first', messages: MESSAGES },
      { ...sink, onAttemptEnd: (record) => void ended.push(record) },
    );
    if (!result.ok) throw new Error('expected an answer');
    expect(result.attempts.map((a) => [a.model, a.outcome])).toEqual([
      ['priced', 'cut_after_tokens'],
      ['plain-1', 'ok'],
    ]);
    // The cut stream carried no usage: the router's estimate of the prompt and of the 40 tokens it streamed.
    const streamed = mockCompletion(MESSAGES, 'priced', 512).tokens.slice(0, 40).join('');
    const restartAt = events.findIndex((e) => e.type === 'restart');
    expect(
      events
        .slice(0, restartAt)
        .map((e) => (e.type === 'text' ? e.text : ''))
        .join(''),
    ).toBe(streamed);
    const cut = { promptTokens: 26, completionTokens: estimateTokens(streamed) };
    const cutFen = Math.round(cut.promptTokens * 2 + cut.completionTokens * 8) / 1e4;
    expect(result.attempts[0]).toMatchObject({ usage: { ...cut, estimated: true }, costFen: cutFen });
    // The answer: plain-1's 26 + 9 estimated tokens at ¥4 / ¥16 (as in the test above).
    expect(result.attempts[1]).toMatchObject({
      usage: { promptTokens: 26, completionTokens: 9, estimated: true },
      costFen: 0.0248,
    });
    expect(result.costFen).toBe(0.0248);
    expect(result.spentFen).toBe(Math.round((cutFen + 0.0248) * 1e4) / 1e4);
    expect(result.spentFen).toBeGreaterThan(result.costFen);
    // The sink heard each attempt as it ended, with the same figures as the result.
    expect(ended).toEqual(result.attempts);
  });

  it('tells the sink of each attempt when it ends, before the next one starts', async () => {
    const order: string[] = [];
    const { sink } = recordingSink();
    const result = await router.route(
      { orderId: 'o-5', tierId: 'unfinished', messages: MESSAGES },
      {
        ...sink,
        onAttemptStart: ({ model }) => void order.push(`start ${model}`),
        onAttemptEnd: ({ model, costFen }) => void order.push(`end ${model} ${costFen}`),
      },
    );
    if (!result.ok) throw new Error('expected an answer');
    // no-finish streamed its whole text (5 CJK + 13 other characters = 9 tokens) without a finish_reason.
    const noFinishFen = (26 * 2 + 9 * 8) / 1e4;
    expect(order).toEqual([
      'start no-finish',
      `end no-finish ${noFinishFen}`,
      'start priced',
      `end priced ${result.costFen}`,
    ]);
    expect(result.spentFen).toBe(Math.round((noFinishFen + result.costFen) * 1e4) / 1e4);
  });
});
