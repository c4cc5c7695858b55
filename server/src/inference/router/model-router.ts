import { performance } from 'node:perf_hooks';
import type OpenAI from 'openai';
import type { Catalog, ResolvedProvider } from '../../catalog/index.js';
import type { Logger } from '../../observability/logger.js';
import { isCanary } from './canary.js';
import { isProviderFailure } from './classify-failure.js';
import { createCircuitBreaker, type CircuitBreaker } from './circuit-breaker.js';
import { createProviderClient } from './provider-client.js';
import { createSemaphore, type Release, type Semaphore } from './semaphore.js';
import { streamAttempt, type AttemptResult } from './stream-attempt.js';
import type {
  AnswerSink,
  AttemptRecord,
  CircuitState,
  ModelRouter,
  RouteRequest,
  RouteResult,
} from './types.js';
import { billedUsage, costFen, sumFen } from './usage.js';

/** Dependencies and settings of {@link createModelRouter}. */
export interface ModelRouterOptions {
  catalog: Catalog;
  /** Replaces baseURL "sandbox", e.g. http://127.0.0.1:3000/sandbox/model/v1. Required if the catalog uses it. */
  sandboxBaseURL?: string;
  logger: Logger;
  /** fetch for the `openai` clients (tests pass a realm-safe one). Default: the global fetch. */
  fetch?: typeof fetch;
  /** Clock of the circuit breakers, in ms. Default `Date.now`. Attempt durations use `performance.now()`. */
  now?: () => number;
  breaker?: {
    /** Consecutive failures that open a provider's circuit. Default 5. */
    failureThreshold?: number;
    /** How long an open circuit skips its provider before one trial, in ms. Default 30 000. */
    openMs?: number;
  };
}

/** Everything the router keeps per provider. */
interface ProviderRuntime {
  config: ResolvedProvider;
  client: OpenAI;
  /** At most `concurrency` requests in flight to this provider from this process. */
  slots: Semaphore;
  circuit: CircuitBreaker;
}

/** The error class and HTTP status of a failure, for logs: never the message, which may quote the request. */
function errorSummary(error: unknown): Record<string, unknown> {
  if (error === undefined || error === null) return {};
  if (typeof error !== 'object') return { error: typeof error };
  // The SDK's error classes do not set `name`; their constructor names say more ("RateLimitError").
  const name = error.constructor?.name || (error as { name?: unknown }).name;
  const { status } = error as { status?: unknown };
  return { error: String(name), ...(typeof status === 'number' ? { status } : {}) };
}

/**
 * Creates the multi-provider model router. For each `route()` it picks the tier's chain (or, for a
 * deterministic `canary.percent` share of order ids, the canary chain) and walks it:
 *
 * - A model whose provider's circuit is open is skipped at once (`skipped_circuit_open`).
 * - Otherwise the router waits for one of the provider's `concurrency` slots and streams the completion through
 *   the provider's `openai` client, delivering text to `sink.onText` as it arrives (awaited: backpressure).
 * - Any failure before the first token (connect error, 429, 5xx, 4xx, no token within `firstTokenTimeoutMs`,
 *   `timeoutMs` exceeded, a stream cut) moves silently to the next model. 4xx responses do not count against
 *   the provider's circuit: they describe the request, and another provider may accept it.
 * - A failure after text was delivered is handled by a **visible restart**: `sink.onRestart` tells the caller to
 *   discard what it showed, and the next model answers from the start. Not silent concatenation, because two
 *   models' halves do not make one coherent answer and the user would be misled about what they paid for; not
 *   fail-and-refund, because the user paid for an answer and a healthy model is usually next in the chain. If
 *   the chain runs out after such a failure, the result is `ok: false` like any exhausted chain (the worker
 *   fails and refunds the order; the partial text it holds must not be presented as an answer).
 * - `request.signal` aborting (worker shutdown) ends the current attempt as `aborted` with no fallback: the
 *   result is `ok: false` and the caller, which knows its signal aborted, must not refund.
 *
 * `messages` are sent as given: the caller builds them (the tier's system prompt first, the redacted prompt).
 * `onAttemptStart`'s `attempt` is the attempt's 1-based position in `attempts` (skipped models count).
 * Every attempt records the tokens it consumed and their cost at its own model's prices (see
 * `AttemptRecord.usage`): the stream's usage chunk, or an estimate from the prompt and the streamed text
 * (`estimated: true`); `sink.onAttemptEnd` hears of each as it ends. The result carries the answering call's
 * usage and cost, and `spentFen`, what all attempts cost together. An error thrown by the sink aborts the request
 * and rejects `route()`.
 * Each attempt is logged with model, provider, outcome and duration, never with prompt or answer text.
 */
export function createModelRouter(options: ModelRouterOptions): ModelRouter {
  const { catalog, logger } = options;
  const providers = new Map<string, ProviderRuntime>();
  for (const config of catalog.providers.values()) {
    providers.set(config.id, {
      config,
      client: createProviderClient(config, {
        ...(options.sandboxBaseURL !== undefined ? { sandboxBaseURL: options.sandboxBaseURL } : {}),
        ...(options.fetch ? { fetch: options.fetch } : {}),
      }),
      slots: createSemaphore(config.concurrency),
      circuit: createCircuitBreaker({ ...options.breaker, ...(options.now ? { now: options.now } : {}) }),
    });
  }

  async function route(request: RouteRequest, sink: AnswerSink): Promise<RouteResult> {
    const { orderId, tierId, signal } = request;
    const attempts: AttemptRecord[] = [];
    const tier = catalog.tiers.get(tierId);
    if (!tier) {
      // The order was validated against the catalog when it was created; a tier removed since then cannot be
      // answered, and refunding (ok: false) is the honest end for a paid order.
      logger.error({ orderId, tierId }, 'model router: unknown tier');
      return { ok: false, attempts, canary: false, spentFen: 0 };
    }
    const canary = tier.canary !== undefined && isCanary(orderId, tier.id, tier.canary.percent);
    const chain = canary && tier.canary ? tier.canary.models : tier.models;
    const { messages } = request;
    // Set when an attempt failed after delivering text; consumed by the next attempt that actually starts.
    let restart: { failedModel: string; reason: string } | undefined;
    const context = { orderId, tierId, canary };
    /** One line per attempt: identifiers, outcome and timings only, never prompt or answer text. */
    const logAttempt = (level: 'info' | 'warn', record: AttemptRecord, extra: Record<string, unknown> = {}) =>
      logger[level]({ ...context, ...record, ...extra }, 'model attempt');
    /** Hands the sink a copy of an ended attempt, so what it keeps cannot change the result's records. */
    const ended = async (record: AttemptRecord) =>
      sink.onAttemptEnd?.({ ...record, usage: { ...record.usage } });
    const spent = () => sumFen(attempts.map((a) => a.costFen));

    for (const modelId of chain) {
      if (signal?.aborted) break;
      const model = catalog.models.get(modelId);
      const provider = model && providers.get(model.provider);
      if (!model || !provider) continue; // impossible for a validated catalog; skip rather than crash the order

      const record: AttemptRecord = {
        model: modelId,
        provider: provider.config.id,
        outcome: 'skipped_circuit_open',
        ms: 0,
        textChars: 0,
        usage: { promptTokens: 0, completionTokens: 0, estimated: false },
        costFen: 0,
      };
      attempts.push(record);
      const admission = provider.circuit.tryAcquire();
      if (admission === 'rejected') {
        logAttempt('info', record);
        await ended(record);
        continue;
      }

      const queuedAt = performance.now();
      let release: Release;
      try {
        release = await provider.slots.acquire(signal);
      } catch {
        // Only the caller's signal rejects a wait for a slot.
        provider.circuit.neutral(admission);
        record.outcome = 'aborted';
        logAttempt('info', record);
        await ended(record);
        break;
      }
      const queuedMs = Math.round(performance.now() - queuedAt);
      let result: AttemptResult;
      let startedAt = 0;
      try {
        if (restart) {
          await sink.onRestart({ ...restart, nextModel: modelId });
          restart = undefined;
        }
        await sink.onAttemptStart?.({ model: modelId, provider: record.provider, attempt: attempts.length });
        startedAt = performance.now();
        result = await streamAttempt({
          client: provider.client,
          model: model.model,
          messages,
          maxTokens: tier.maxOutputTokens,
          firstTokenTimeoutMs: provider.config.firstTokenTimeoutMs,
          timeoutMs: provider.config.timeoutMs,
          ...(signal ? { signal } : {}),
          onText: (text) => sink.onText(text),
        });
      } catch (sinkError) {
        // Only the sink throws here (streamAttempt turns provider trouble into outcomes): not the provider's fault.
        provider.circuit.neutral(admission);
        throw sinkError;
      } finally {
        release();
      }
      record.outcome = result.outcome;
      record.ms = Math.round(performance.now() - startedAt);
      record.textChars = result.textChars;
      // Every attempt is priced, not only the answer: a model cut mid-answer was billed for what it streamed.
      record.usage = billedUsage(result, messages);
      record.costFen = costFen(record.usage, model);

      if (result.outcome === 'ok') {
        provider.circuit.success(admission);
        logAttempt('info', record, { queuedMs });
        await ended(record);
        return {
          ok: true,
          model: modelId,
          provider: record.provider,
          usage: { ...record.usage },
          costFen: record.costFen,
          spentFen: spent(),
          attempts,
          canary,
        };
      }

      if (isProviderFailure(result.outcome)) provider.circuit.failure(admission);
      else provider.circuit.neutral(admission);
      logAttempt('warn', record, {
        queuedMs,
        ...errorSummary(result.error),
        circuit: provider.circuit.state(),
      });
      await ended(record);
      if (result.outcome === 'aborted') break;
      if (result.textChars > 0) restart = { failedModel: modelId, reason: result.outcome };
    }

    const summary = { ...context, attempts: attempts.map((a) => `${a.model}:${a.outcome}`) };
    if (signal?.aborted) logger.info(summary, 'model router: aborted by the caller');
    else logger.warn(summary, 'model router: chain exhausted');
    return { ok: false, attempts, canary, spentFen: spent() };
  }

  return {
    route,
    circuitStates() {
      const states: Record<string, CircuitState> = {};
      for (const [id, provider] of providers) states[id] = provider.circuit.state();
      return states;
    },
  };
}
