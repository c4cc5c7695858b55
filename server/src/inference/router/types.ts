/** One chat message as the router sends it to a provider (already redacted by the caller). */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/**
 * Where the router delivers an answer. Every callback is awaited before the router reads on, so a slow sink
 * slows the provider stream (backpressure) instead of making the router buffer.
 */
export interface AnswerSink {
  /** A model attempt begins (model id from the catalog, 1-based attempt number within this call). */
  onAttemptStart?(info: { model: string; provider: string; attempt: number }): void | Promise<void>;
  /** Streamed text, in order. Awaited: a slow sink slows the stream (backpressure), never buffers unboundedly. */
  onText(text: string): void | Promise<void>;
  /** The previous attempt had already delivered text and failed: everything delivered so far must be discarded. */
  onRestart(info: { failedModel: string; nextModel: string; reason: string }): void | Promise<void>;
  /**
   * A model attempt ended, whatever its outcome (skipped ones included), with the tokens it consumed and what
   * they cost. Called as each attempt ends, before the next one starts or `route()` returns, so a caller that
   * records spend as it goes has counted a cut model even if it dies while the next one answers. Awaited.
   */
  onAttemptEnd?(record: AttemptRecord): void | Promise<void>;
}

/** Token counts of one model call; `estimated` when the provider sent no usage and the router counted itself. */
export interface Usage {
  promptTokens: number;
  completionTokens: number;
  estimated: boolean;
}

/** How one model attempt ended. */
export type AttemptOutcome =
  | 'ok'
  /** The provider's circuit was open (or its half-open trial was taken): not contacted, no latency. */
  | 'skipped_circuit_open'
  | 'connect_error'
  | 'http_429'
  | 'http_5xx'
  /** A request the provider refused (400, 401, 404…): the next model is tried, the circuit is not charged. */
  | 'http_4xx'
  | 'first_token_timeout'
  /** The provider's `timeoutMs` ceiling on the whole attempt (headers and stream). */
  | 'total_timeout'
  | 'cut_before_first_token'
  | 'cut_after_tokens'
  /** `request.signal` aborted (worker shutdown): no fallback. */
  | 'aborted';

/** One model attempt, as reported in {@link RouteResult} and logged. */
export interface AttemptRecord {
  /** Model id from the catalog. */
  model: string;
  provider: string;
  outcome: AttemptOutcome;
  /** Wall time of the attempt in ms (0 for a skipped model). */
  ms: number;
  /** Characters of answer text this attempt delivered to the sink. */
  textChars: number;
  /**
   * Tokens this attempt consumed as its provider bills them: the provider's usage when it sent one, else
   * estimated (`estimated: true`) from the prompt and the text it streamed, so an attempt cut mid-answer counts
   * what it streamed. An attempt that streamed nothing and reported no usage is taken as not billed (0 tokens,
   * `estimated: false`): a refused request (429, 5xx, 4xx, connect error) or a skipped model processes nothing,
   * and providers bill a call abandoned before its first token rarely and little. The catalog's price check
   * covers it regardless, by charging every model of the chain in full.
   */
  usage: Usage;
  /** What `usage` cost at this model's prices, in fen, rounded to 4 decimals (0 when not billed). */
  costFen: number;
}

/**
 * The end of one `route()` call. `ok: false` means either the chain was exhausted (refund the order) or the
 * caller's signal aborted (last attempt `aborted`, or no attempts at all): the caller tells them apart by its
 * own `signal.aborted`, and must not refund an aborted order.
 */
export type RouteResult =
  | {
      ok: true;
      model: string;
      provider: string;
      /** Tokens of the answering call (its attempt's `usage`). */
      usage: Usage;
      /** What the answering call cost, in fen, rounded to 4 decimals. */
      costFen: number;
      /** What every attempt of this call cost together (cut models included), fen, rounded to 4 decimals. */
      spentFen: number;
      attempts: AttemptRecord[];
      canary: boolean;
    }
  | { ok: false; attempts: AttemptRecord[]; canary: boolean; spentFen: number };

/** What the worker asks the router for. */
export interface RouteRequest {
  /** Decides the canary split deterministically, so a retried order takes the same chain. */
  orderId: string;
  tierId: string;
  /** Sent as given: the caller adds the tier's system prompt and redacts the user's text. */
  messages: ChatMessage[];
  /** Aborts the current attempt and stops the chain (worker shutdown). */
  signal?: AbortSignal;
}

/** Circuit state of one provider. */
export type CircuitState = 'closed' | 'open' | 'half_open';

/** The multi-provider model router (see `createModelRouter`). */
export interface ModelRouter {
  route(request: RouteRequest, sink: AnswerSink): Promise<RouteResult>;
  /** Provider health for /metrics and tests. */
  circuitStates(): Record<string, CircuitState>;
}
