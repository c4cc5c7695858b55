/** The messages between a benchmark and its forked load generator (bench/support/load-child.ts). */

export interface RequestSpec {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export type LoadMode =
  /** `concurrency` requests in flight at all times (each connection sends its next request on the answer). */
  | { kind: 'closed'; concurrency: number }
  /**
   * Open loop: request i is due at start + i / rate whatever happened to earlier ones; its latency is measured
   * from that scheduled time (no coordinated omission), so queueing in the client counts against the server.
   */
  | { kind: 'open'; ratePerSecond: number; maxSockets: number };

export interface LoadJob {
  /** `http://127.0.0.1:port` */
  baseUrl: string;
  /** Sent in order; when `count` exceeds its length the list is cycled. */
  requests: RequestSpec[];
  count: number;
  mode: LoadMode;
  /** Hard bound: no request is started after this many ms (in-flight ones finish or time out). */
  maxMs: number;
  /** Per-request timeout, ms. */
  timeoutMs?: number;
  /** Keep-alive connections to open (with GET `prewarmPath`) before the clock starts. */
  prewarm?: { path: string; connections: number };
  /** `raw` (default): bench/support/raw-http.ts; `node-http`: node:http with a keep-alive Agent. */
  client?: 'raw' | 'node-http';
  /** Return every response body (as text) by request index. */
  collectBodies?: boolean;
}

export interface LoadResult {
  /** Requests started (≤ count; fewer when `maxMs` cut the run short). */
  sent: number;
  /** Status per request index (0 = not sent, or failed without a response). */
  statuses: Uint16Array;
  /** Latency per request index in ms (NaN when not sent or failed). */
  latenciesMs: Float64Array;
  /** Request-level errors (connection reset, timeout), with a few messages. */
  errors: number;
  errorSamples: string[];
  /** From the first request's start (open loop: its scheduled time) to the last answer. */
  elapsedMs: number;
  /** CPU the load generator itself used during the run (µs, user + system). */
  cpuMicros: number;
  /** Open loop: the largest lag between a request's scheduled time and when it was handed to the socket. */
  maxDispatchLagMs: number;
  bodies?: string[];
}

export type ChildMessage =
  | { type: 'ready' }
  | { type: 'begin' }
  | { type: 'done'; result: LoadResult }
  | { type: 'failed'; error: string };
