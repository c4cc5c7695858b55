import type OpenAI from 'openai';
import { classifyFailure } from './classify-failure.js';
import type { AttemptOutcome, ChatMessage } from './types.js';
import { createTokenCounter } from './usage.js';

/** One streamed completion request to one model. */
export interface AttemptSpec {
  client: OpenAI;
  /** The provider's model name (not the catalog id). */
  model: string;
  messages: readonly ChatMessage[];
  maxTokens: number;
  /** No content by then → abort, outcome `first_token_timeout`. */
  firstTokenTimeoutMs: number;
  /** Ceiling on the whole attempt, headers and stream → abort, outcome `total_timeout`. */
  timeoutMs: number;
  /** The caller's signal: abort → outcome `aborted`. */
  signal?: AbortSignal;
  /** Receives content in order; awaited, so it paces reading (backpressure). */
  onText(text: string): void | Promise<void>;
}

/** What one attempt produced. */
export interface AttemptResult {
  outcome: Exclude<AttemptOutcome, 'skipped_circuit_open'>;
  /** Characters of content passed to `onText`. */
  textChars: number;
  /** Token counts from the stream's usage chunk, when the provider sent one. */
  usage?: { promptTokens: number; completionTokens: number };
  /** Completion tokens estimated from the delivered text (for when `usage` is missing). */
  estimatedCompletionTokens: number;
  /** The provider error behind a failed outcome, for logging. */
  error?: unknown;
}

type StopReason = 'first_token_timeout' | 'total_timeout' | 'aborted';

/** Wraps an error thrown by the sink, so it is told apart from the provider's errors and rethrown as is. */
class SinkError {
  constructor(readonly error: unknown) {}
}

/**
 * Streams one chat completion (`stream: true`, usage requested) and delivers its content to `onText`.
 *
 * Never throws for provider trouble: every way the attempt can end becomes an outcome. Only an error thrown by
 * `onText` propagates (after the request is aborted), since that is the caller's failure, not the provider's.
 *
 * The router's own timers decide timeouts: the SDK timeout stops at the response headers, so a provider that
 * answers 200 and then stalls is caught only by the first-token timer. When we abort, the SDK either throws
 * (before headers: `APIUserAbortError`) or ends the iteration silently (after headers), so the reason is recorded
 * before aborting and takes precedence over whatever the SDK reports.
 */
export async function streamAttempt(spec: AttemptSpec): Promise<AttemptResult> {
  const counter = createTokenCounter();
  let textChars = 0;
  if (spec.signal?.aborted) return { outcome: 'aborted', textChars, estimatedCompletionTokens: 0 };

  const controller = new AbortController();
  let stopReason: StopReason | undefined;
  const stop = (reason: StopReason) => {
    if (stopReason !== undefined) return;
    stopReason = reason;
    controller.abort();
  };
  const onCallerAbort = () => stop('aborted');
  spec.signal?.addEventListener('abort', onCallerAbort, { once: true });
  let firstTokenTimer: NodeJS.Timeout | undefined = setTimeout(
    () => stop('first_token_timeout'),
    spec.firstTokenTimeoutMs,
  );
  const totalTimer = setTimeout(() => stop('total_timeout'), spec.timeoutMs);

  let usage: AttemptResult['usage'];
  let finished = false;
  let error: unknown;
  try {
    const stream = await spec.client.chat.completions.create(
      {
        model: spec.model,
        messages: [...spec.messages],
        stream: true,
        stream_options: { include_usage: true },
        max_tokens: spec.maxTokens,
      },
      { signal: controller.signal },
    );
    for await (const chunk of stream) {
      // With include_usage, the usage arrives on a last chunk with no choices (and is null on the others).
      if (chunk.usage) {
        usage = { promptTokens: chunk.usage.prompt_tokens, completionTokens: chunk.usage.completion_tokens };
      }
      const choice = chunk.choices[0];
      if (choice?.finish_reason) finished = true;
      const text = choice?.delta?.content;
      if (!text) continue; // the role chunk and empty deltas are not a first token
      if (firstTokenTimer !== undefined) {
        clearTimeout(firstTokenTimer);
        firstTokenTimer = undefined;
      }
      textChars += text.length;
      counter.add(text);
      try {
        await spec.onText(text);
      } catch (sinkError) {
        throw new SinkError(sinkError);
      }
    }
  } catch (err) {
    if (err instanceof SinkError) {
      controller.abort(); // leaving the loop by throw already does, via the SDK's iterator; be explicit
      throw err.error;
    }
    error = err;
  } finally {
    clearTimeout(firstTokenTimer);
    clearTimeout(totalTimer);
    spec.signal?.removeEventListener('abort', onCallerAbort);
  }

  const estimatedCompletionTokens = counter.tokens();
  let outcome: AttemptResult['outcome'];
  // The finish_reason says the answer is complete: trouble after it (a cut before the usage chunk, a timer firing
  // in between) costs at most the exact usage, which is then estimated.
  if (finished) outcome = 'ok';
  else if (stopReason !== undefined) outcome = stopReason;
  else if (error !== undefined) outcome = classifyFailure(error, textChars > 0);
  // No finish_reason and no error: a proxy or the provider closed the stream cleanly mid-answer.
  else outcome = textChars > 0 ? 'cut_after_tokens' : 'cut_before_first_token';
  return {
    outcome,
    textChars,
    estimatedCompletionTokens,
    ...(usage ? { usage } : {}),
    // Our own stops (timers, the caller) make the SDK throw an abort error that explains nothing: keep it out.
    ...(error !== undefined && stopReason === undefined ? { error } : {}),
  };
}
