import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Context } from 'koa';
import type { Fault } from './faults.js';
import { mockCompletion } from './mock-answer.js';
import {
  chunk,
  completionId,
  sseEvent,
  SYSTEM_FINGERPRINT,
  usageOf,
  type ChatRequest,
  type ChunkBase,
} from './openai-wire.js';

/** How fast a model answers. */
export interface Timing {
  /** Milliseconds from the request's arrival to the first content token. */
  ttftMs: number;
  /** Content tokens per second after the first; `Infinity` sends the rest at once. */
  tokensPerSecond: number;
}

/** How one exchange ended, as recorded in the stats. */
export type Outcome = 'completed' | 'client_aborted' | 'cut' | 'shutdown';

/** What the mock-model shell gives a completion run: the response, a cancellation signal and hooks. */
export interface Exchange {
  ctx: Context;
  /** Aborted when the client disconnects or the mock closes; `signal.reason` says which. */
  signal: AbortSignal;
  /** `performance.now()` at the request's arrival: every deadline counts from here. */
  startedAt: number;
  /** Called with the number of content tokens just written. */
  onTokens(count: number): void;
  /** Destroys the connection as a fault (not counted as a client abort). */
  cut(): void;
}

export const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  connection: 'keep-alive',
  // Tells nginx-style proxies in front of the sandbox not to buffer the stream.
  'x-accel-buffering': 'no',
} as const;

const outcomeOf = (signal: AbortSignal): Outcome =>
  signal.reason === 'shutdown' ? 'shutdown' : 'client_aborted';

/** Sleeps until `performance.now() >= at`; false when the exchange was aborted first. */
async function sleepUntil(at: number, signal: AbortSignal): Promise<boolean> {
  const ms = at - performance.now();
  if (signal.aborted) return false;
  if (ms <= 0) return true;
  try {
    await sleep(ms, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}

function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

/**
 * Writes and waits until the data is handed to the socket (backpressure: a slow reader slows the stream instead
 * of growing a buffer). False when the exchange ended first.
 */
function write(res: ServerResponse, data: string, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted || res.destroyed) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => resolve(false);
    signal.addEventListener('abort', onAbort, { once: true });
    res.write(data, (err) => {
      signal.removeEventListener('abort', onAbort);
      resolve(!err && !signal.aborted);
    });
  });
}

/** Content tokens to send before a cut, for the cut faults; undefined when the answer is not cut. */
function cutAfter(fault: Fault | undefined, tokenCount: number): number | undefined {
  if (fault?.kind === 'cut_before_first_token') return 0;
  if (fault?.kind !== 'cut_mid_stream') return undefined;
  return Math.min(fault.afterTokens ?? Math.max(1, Math.ceil(tokenCount / 2)), tokenCount);
}

/**
 * Streams a completion as OpenAI does: the role chunk, one chunk per content token paced by `timing`, the
 * finish chunk, the usage chunk when asked, then `[DONE]`. Plays the stream-shaped faults.
 */
export async function streamCompletion(
  exchange: Exchange,
  request: ChatRequest,
  timing: Timing,
  fault: Fault | undefined,
): Promise<Outcome> {
  const { ctx, signal, startedAt } = exchange;
  const res = ctx.res;
  const completion = mockCompletion(request.messages, request.model, request.maxTokens);
  const base: ChunkBase = {
    id: completionId(),
    created: Math.floor(Date.now() / 1000),
    model: request.model,
    includeUsage: request.includeUsage,
  };
  ctx.respond = false;
  // Each event is its own small write; without this, Nagle's algorithm would hold tokens back for up to ~40 ms.
  ctx.req.socket.setNoDelay(true);
  res.writeHead(200, SSE_HEADERS);
  res.flushHeaders();
  if (fault?.kind === 'hang_after_headers') {
    await untilAborted(signal);
    return outcomeOf(signal);
  }
  if (!(await write(res, sseEvent(chunk(base, { role: 'assistant', content: '' }, null)), signal)))
    return outcomeOf(signal);

  const { tokens } = completion;
  const interval = Number.isFinite(timing.tokensPerSecond) ? 1000 / timing.tokensPerSecond : 0;
  const dueAt = (i: number) => startedAt + timing.ttftMs + i * interval;
  const cutAt = cutAfter(fault, tokens.length);
  const limit = cutAt ?? tokens.length;
  let sent = 0;
  while (sent < limit) {
    if (!(await sleepUntil(dueAt(sent), signal))) return outcomeOf(signal);
    // Timers fire late under load: send every token that is due by now in one write, still one event each.
    const now = performance.now();
    let batch = '';
    const first = sent;
    do {
      batch += sseEvent(chunk(base, { content: tokens[sent] }, null));
      sent++;
    } while (sent < limit && dueAt(sent) <= now);
    if (!(await write(res, batch, signal))) return outcomeOf(signal);
    exchange.onTokens(sent - first);
  }
  if (cutAt !== undefined) {
    // Die when the next token would have been due: a provider crashing mid-generation.
    if (!(await sleepUntil(dueAt(limit), signal))) return outcomeOf(signal);
    exchange.cut();
    return 'cut';
  }

  let tail = sseEvent(chunk(base, {}, completion.finishReason));
  if (request.includeUsage) {
    const { usage: _null, ...rest } = chunk(base, {}, null);
    tail += sseEvent({
      ...rest,
      choices: [],
      usage: usageOf(completion.promptTokens, completion.completionTokens),
    });
  }
  tail += sseEvent('[DONE]');
  if (!(await write(res, tail, signal))) return outcomeOf(signal);
  res.end();
  return 'completed';
}

/**
 * Answers with one `chat.completion` object once the whole answer "has been generated" (time to first token plus
 * the remaining tokens at the model's rate). Cut faults drop the connection at the time to first token.
 */
export async function completeOnce(
  exchange: Exchange,
  request: ChatRequest,
  timing: Timing,
  fault: Fault | undefined,
): Promise<Outcome> {
  const { ctx, signal, startedAt } = exchange;
  const completion = mockCompletion(request.messages, request.model, request.maxTokens);
  if (fault?.kind === 'hang_after_headers') {
    ctx.respond = false;
    ctx.res.writeHead(200, { 'content-type': 'application/json' });
    ctx.res.flushHeaders();
    await untilAborted(signal);
    return outcomeOf(signal);
  }
  if (fault?.kind === 'cut_mid_stream' || fault?.kind === 'cut_before_first_token') {
    if (!(await sleepUntil(startedAt + timing.ttftMs, signal))) return outcomeOf(signal);
    ctx.respond = false;
    exchange.cut();
    return 'cut';
  }
  const interval = Number.isFinite(timing.tokensPerSecond) ? 1000 / timing.tokensPerSecond : 0;
  const doneAt = startedAt + timing.ttftMs + Math.max(0, completion.tokens.length - 1) * interval;
  if (!(await sleepUntil(doneAt, signal))) {
    ctx.respond = false;
    return outcomeOf(signal);
  }
  exchange.onTokens(completion.tokens.length);
  ctx.body = {
    id: completionId(),
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: request.model,
    system_fingerprint: SYSTEM_FINGERPRINT,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: completion.text, refusal: null },
        logprobs: null,
        finish_reason: completion.finishReason,
      },
    ],
    usage: usageOf(completion.promptTokens, completion.completionTokens),
  };
  return 'completed';
}

/** `hang`: no status line, no bytes, until the client gives up or the mock closes. */
export async function hang(exchange: Exchange): Promise<Outcome> {
  exchange.ctx.respond = false;
  await untilAborted(exchange.signal);
  return outcomeOf(exchange.signal);
}
