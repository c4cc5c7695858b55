import OpenAI from 'openai';
import type { AttemptOutcome } from './types.js';

/** Failure outcomes a provider error maps to (the router's own aborts and timers are decided before this). */
export type FailureOutcome = Exclude<
  AttemptOutcome,
  'ok' | 'skipped_circuit_open' | 'aborted' | 'first_token_timeout'
>;

/**
 * Whether `err` or one of its causes is an abort (how the SDK's timeout ends a fetch), judged by name and message
 * so that an error from another realm still counts. A connect timeout of the socket itself is a connect error.
 */
function looksLikeTimeout(err: unknown): boolean {
  for (
    let e = err, depth = 0;
    e && typeof e === 'object' && depth < 5;
    e = (e as { cause?: unknown }).cause, depth++
  ) {
    const { name, message } = e as { name?: unknown; message?: unknown };
    if (name === 'AbortError' || name === 'TimeoutError') return true;
    if (typeof message === 'string' && /\baborted\b/i.test(message)) return true;
  }
  return false;
}

/**
 * Maps an error thrown while requesting or reading a completion to an attempt outcome.
 *
 * Test subclasses before their parents: `APIConnectionTimeoutError` and `RateLimitError` are `APIError`s too.
 * Inside jest the SDK's own timeout can surface as a plain `APIConnectionError` (the fetch AbortError comes from
 * another realm: jest runs tests in a vm context whose `AbortError` is not this realm's class), so a connection error caused by an abort also counts as
 * a timeout. Errors without an HTTP status (a raw `TypeError: terminated` from undici when the socket dies
 * mid-body, an `error` event inside the SSE stream, unparsable JSON) are cuts, before or after the first token.
 */
export function classifyFailure(err: unknown, deliveredText: boolean): FailureOutcome {
  if (err instanceof OpenAI.APIConnectionTimeoutError) return 'total_timeout';
  if (err instanceof OpenAI.APIConnectionError)
    return looksLikeTimeout(err.cause) ? 'total_timeout' : 'connect_error';
  if (err instanceof OpenAI.RateLimitError) return 'http_429';
  if (err instanceof OpenAI.APIError && err.status !== undefined) {
    return err.status >= 500 ? 'http_5xx' : 'http_4xx';
  }
  return deliveredText ? 'cut_after_tokens' : 'cut_before_first_token';
}

/** Outcomes that count against a provider's circuit: it is unreachable, overloaded, failing or stalling. */
export function isProviderFailure(outcome: AttemptOutcome): boolean {
  return (
    outcome !== 'ok' && outcome !== 'http_4xx' && outcome !== 'aborted' && outcome !== 'skipped_circuit_open'
  );
}
