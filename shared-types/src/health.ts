import { z } from 'zod';

/** `GET /healthz`: the process is up. */
export const HealthSchema = z.object({ status: z.literal('ok'), uptimeSeconds: z.number() });
export type Health = z.infer<typeof HealthSchema>;

/** `GET /readyz`: every dependency answered (200) or one did not (503 with the same shape). */
export const ReadinessSchema = z.object({
  status: z.enum(['ready', 'not_ready']),
  checks: z.record(
    z.string(),
    z.object({ ok: z.boolean(), latencyMs: z.number(), error: z.string().optional() }),
  ),
});
export type Readiness = z.infer<typeof ReadinessSchema>;
