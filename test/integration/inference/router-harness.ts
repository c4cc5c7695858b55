import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseCatalog, type Catalog } from '../../../server/src/catalog';
import type { AnswerSink, ChatMessage } from '../../../server/src/inference/router';
import { createLogger } from '../../../server/src/observability/logger';

/** The conversation every router test sends, as the worker builds it: the tier's system prompt, then the prompt. */
export const MESSAGES: ChatMessage[] = [
  { role: 'system', content: '你是一个简洁的助手。' },
  { role: 'user', content: '请用三句话解释一下什么是熔断器。' },
];

/** The tests assert results and mock stats, not log lines. */
export const quietLogger = createLogger({ level: 'silent' });

/**
 * A catalog from a literal file (defaults filled in by the schema); throws with the problems if it is invalid.
 * Checked against a single generation attempt: these tests drive one walk of a chain at a time.
 */
export function buildCatalog(file: unknown, env: Record<string, string> = {}): Catalog {
  const result = parseCatalog(JSON.stringify(file), env, { generationAttempts: 1 });
  if ('problems' in result) throw new Error(result.problems.join('\n'));
  return result.catalog;
}

/** A cheap model entry: the catalog id is also the mock's model name unless `model` is given. */
export const model = (id: string, provider: string, extra: Record<string, unknown> = {}) => ({
  id,
  provider,
  model: id,
  inputYuanPerMTok: 2,
  outputYuanPerMTok: 8,
  ...extra,
});

/** A tier over `models`. */
export const tier = (id: string, models: string[], extra: Record<string, unknown> = {}) => ({
  id,
  title: id,
  priceFen: 100,
  models,
  maxOutputTokens: 512,
  ...extra,
});

export type SinkEvent =
  | { type: 'start'; model: string; provider: string; attempt: number }
  | { type: 'text'; text: string }
  | { type: 'restart'; failedModel: string; nextModel: string; reason: string };

/** A sink that records every call in order; `answer()` is the text delivered since the last restart. */
export function recordingSink(onText?: (text: string) => void | Promise<void>) {
  const events: SinkEvent[] = [];
  const sink: AnswerSink = {
    onAttemptStart: (info) => void events.push({ type: 'start', ...info }),
    async onText(text) {
      events.push({ type: 'text', text });
      await onText?.(text);
    },
    onRestart: (info) => void events.push({ type: 'restart', ...info }),
  };
  const answer = () => {
    let text = '';
    for (const e of events) {
      if (e.type === 'restart') text = '';
      if (e.type === 'text') text += e.text;
    }
    return text;
  };
  const restarts = () => events.filter((e) => e.type === 'restart');
  return { sink, events, answer, restarts };
}

/** An http URL on 127.0.0.1 where nothing listens (a port that was just released): connections are refused. */
export async function refusedBaseURL(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/v1`;
}
