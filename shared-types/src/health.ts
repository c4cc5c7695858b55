import { z } from 'zod';

/** `GET /healthz`: the process is up. */
export const HealthSchema = z.object({ status: z.literal('ok'), uptimeSeconds: z.number() });
export type Health = z.infer<typeof HealthSchema>;

/**
 * `GET /readyz`: every check passed (200) or one did not (503 with the same shape). Public, so it names the
 * checks (`redis`, `lifecycle` while shutting down) and whether each passed, never error text: details are logged.
 */
export const ReadinessSchema = z.object({
  status: z.enum(['ready', 'not_ready']),
  checks: z.record(z.string(), z.object({ ok: z.boolean() })),
});
export type Readiness = z.infer<typeof ReadinessSchema>;
