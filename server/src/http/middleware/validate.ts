import type { ParameterizedContext } from 'koa';
import type { z } from 'zod';

/**
 * Parses a request part with a shared-types schema. A failure throws the ZodError, which the error handler turns
 * into 400 VALIDATION_FAILED listing each field's problem.
 */
export function parseBody<S extends z.ZodType>(ctx: ParameterizedContext, schema: S): z.infer<S> {
  return schema.parse((ctx.request as { body?: unknown }).body ?? {});
}

export function parseQuery<S extends z.ZodType>(ctx: ParameterizedContext, schema: S): z.infer<S> {
  return schema.parse(ctx.query);
}
