import { z } from 'zod';
import { ErrorCodeSchema } from './error-codes.js';

/** The body of every non-2xx API answer: `{ error: { code, message, requestId } }`. */
export const ErrorEnvelopeSchema = z.object({
  error: z.object({
    code: ErrorCodeSchema,
    message: z.string(),
    requestId: z.string(),
    /** Field-level problems, present for VALIDATION_FAILED. */
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});
export type ErrorEnvelope = z.infer<typeof ErrorEnvelopeSchema>;
export type ValidationIssue = NonNullable<ErrorEnvelope['error']['issues']>[number];

/** The request id header the server sets on every answer (and accepts from a trusted proxy). */
export const REQUEST_ID_HEADER = 'x-request-id';
