import { z } from 'zod';

/**
 * Failures the mock can play, each modelled on what real providers do:
 * - `http_500`: 500 with `{error:{type:'server_error'}}`.
 * - `http_429`: 429 with `retry-after` (seconds) and `retry-after-ms`.
 * - `hang`: accepts the request and never answers (no status line) until the client gives up or the mock closes.
 * - `hang_after_headers`: sends 200 and the stream headers, then nothing: what a stalled provider looks like to a
 *   client that has already "connected" (the SDK's own timeout no longer applies then).
 * - `cut_before_first_token`: sends the stream headers, then destroys the socket.
 * - `cut_mid_stream`: streams `afterTokens` content tokens (default: half the answer), then destroys the socket
 *   without a final chunk or `[DONE]`.
 * - `slow`: answers normally with the given `ttftMs` / `tokensPerSecond` instead of the model's profile.
 */
export const FAULT_KINDS = [
  'http_500',
  'http_429',
  'hang',
  'hang_after_headers',
  'cut_before_first_token',
  'cut_mid_stream',
  'slow',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Body of `POST {prefix}/faults`, and the argument of `faults.add()`. */
export const FaultSpecSchema = z.strictObject({
  kind: z.enum(FAULT_KINDS),
  /** Only requests for this model id; omitted = any model. */
  model: z.string().min(1).optional(),
  /** Applies to the next `count` matching requests, then disappears; omitted = every request until cleared. */
  count: z.number().int().positive().optional(),
  /** `http_429`: value of `retry-after` in seconds (default 1). */
  retryAfterSeconds: z.number().int().min(0).optional(),
  /** `cut_mid_stream`: content tokens sent before the cut (default: half the answer, at least 1). */
  afterTokens: z.number().int().min(0).optional(),
  /** `slow`: time to first token in ms. */
  ttftMs: z.number().min(0).optional(),
  /** `slow`: tokens per second after the first. */
  tokensPerSecond: z.number().positive().optional(),
});
export type FaultSpec = z.infer<typeof FaultSpecSchema>;

/** An installed fault. `remaining` is null for faults that last until cleared. */
export interface Fault extends FaultSpec {
  id: string;
  remaining: number | null;
  /** How many requests this fault has been applied to. */
  hits: number;
}

export interface FaultStore {
  add(spec: FaultSpec): Fault;
  /** The first installed fault (in insertion order) matching `model`, consuming one of its uses. */
  take(model: string): Fault | undefined;
  list(): Fault[];
  remove(id: string): boolean;
  clear(): void;
}

/** In-memory, insertion-ordered fault list. */
export function createFaultStore(): FaultStore {
  let faults: Fault[] = [];
  let nextId = 1;
  return {
    add(spec) {
      const fault: Fault = {
        ...FaultSpecSchema.parse(spec),
        id: `fault_${nextId++}`,
        remaining: null,
        hits: 0,
      };
      fault.remaining = fault.count ?? null;
      faults.push(fault);
      return { ...fault };
    },
    take(model) {
      const fault = faults.find((f) => f.model === undefined || f.model === model);
      if (!fault) return undefined;
      fault.hits++;
      if (fault.remaining !== null && --fault.remaining === 0) faults = faults.filter((f) => f !== fault);
      return { ...fault };
    },
    list: () => faults.map((f) => ({ ...f })),
    remove(id) {
      const before = faults.length;
      faults = faults.filter((f) => f.id !== id);
      return faults.length < before;
    },
    clear() {
      faults = [];
    },
  };
}
