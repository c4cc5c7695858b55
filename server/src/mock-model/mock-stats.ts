import type { Outcome } from './chat-completion.js';
import type { FaultKind } from './faults.js';
import type { MockChatMessage } from './mock-answer.js';

/** Per-model counters, for tests asserting fallbacks ("the first model saw one request, the second two"). */
export interface MockModelCounters {
  /** Chat completion requests that passed auth and validation. */
  requests: number;
  /** Answered in full: `[DONE]` written, or the JSON completion sent. */
  completed: number;
  /** The client went away before the end (abort, timeout, closed socket). */
  clientAborted: number;
  /** Faults applied, by kind (including failures from a model's `failEvery` profile). */
  faults: Partial<Record<FaultKind, number>>;
  /** Content tokens written. Below the answer's length when a stream ended early. */
  tokensSent: number;
}

export interface MockModelStats {
  requests: number;
  /** Exchanges still open (streaming, generating or hanging). */
  inFlight: number;
  models: Record<string, MockModelCounters>;
}

export type RequestOutcome = Outcome | 'in_progress' | 'error_response';

/** One chat request as the provider saw it: what a redaction test inspects to prove no PII left. */
export interface RecentRequest {
  at: string;
  model: string;
  stream: boolean;
  maxTokens: number | null;
  messages: MockChatMessage[];
  fault: FaultKind | null;
  outcome: RequestOutcome;
  tokensSent: number;
}

/** A request being counted; `requestNumber` is 1-based per model (drives `failEvery`). */
export interface RequestRecord {
  readonly requestNumber: number;
  readonly recent: RecentRequest;
  readonly counters: MockModelCounters;
}

const emptyCounters = (): MockModelCounters => ({
  requests: 0,
  completed: 0,
  clientAborted: 0,
  faults: {},
  tokensSent: 0,
});

/** In-memory counters and a ring of recent requests for one mock model instance. */
export function createMockStats(recentLimit: number) {
  let models = new Map<string, MockModelCounters>();
  let recent: RecentRequest[] = [];
  let requests = 0;
  let inFlight = 0;

  return {
    begin(
      model: string,
      stream: boolean,
      maxTokens: number | undefined,
      messages: MockChatMessage[],
    ): RequestRecord {
      let counters = models.get(model);
      if (!counters) models.set(model, (counters = emptyCounters()));
      counters.requests++;
      requests++;
      inFlight++;
      const entry: RecentRequest = {
        at: new Date().toISOString(),
        model,
        stream,
        maxTokens: maxTokens ?? null,
        messages,
        fault: null,
        outcome: 'in_progress',
        tokensSent: 0,
      };
      recent.push(entry);
      if (recent.length > recentLimit) recent = recent.slice(-recentLimit);
      return { requestNumber: counters.requests, recent: entry, counters };
    },
    fault(record: RequestRecord, kind: FaultKind): void {
      record.counters.faults[kind] = (record.counters.faults[kind] ?? 0) + 1;
      record.recent.fault = kind;
    },
    tokens(record: RequestRecord, count: number): void {
      record.counters.tokensSent += count;
      record.recent.tokensSent += count;
    },
    end(record: RequestRecord, outcome: Exclude<RequestOutcome, 'in_progress'>): void {
      inFlight--;
      record.recent.outcome = outcome;
      if (outcome === 'completed') record.counters.completed++;
      if (outcome === 'client_aborted') record.counters.clientAborted++;
    },
    snapshot(): MockModelStats {
      return { requests, inFlight, models: structuredClone(Object.fromEntries(models)) };
    },
    recent: (): RecentRequest[] => structuredClone(recent),
    /** Zeroes the counters. Exchanges still open keep counting into the old (detached) counters. */
    reset(): void {
      models = new Map();
      recent = [];
      requests = 0;
    },
  };
}
