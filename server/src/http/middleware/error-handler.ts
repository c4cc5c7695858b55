import type { Middleware } from 'koa';
import { ZodError } from 'zod';
import type { ErrorEnvelope, ValidationIssue } from '@tokentill/shared-types';
import { AppError } from '../../errors.js';

const INTERNAL_MESSAGE = 'Internal server error. Quote the request id when reporting it.';

/** Body parser and Koa's own errors carry an HTTP status and sometimes a `type`; map them to stable codes. */
function fromHttpError(
  err: { status?: unknown; type?: unknown; message?: unknown } & object,
): AppError | undefined {
  const status = typeof err.status === 'number' ? err.status : undefined;
  if (status === undefined || status >= 500) return undefined;
  // co-body (under @koa/bodyparser) rethrows JSON.parse's SyntaxError with status 400.
  if (err.type === 'entity.parse.failed' || (status === 400 && err instanceof SyntaxError))
    return new AppError('BAD_JSON', 'The request body is not valid JSON.');
  if (status === 413) return new AppError('PAYLOAD_TOO_LARGE', 'The request body is too large.');
  if (status === 415) return new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send the body as application/json.');
  if (status === 404) return new AppError('NOT_FOUND', 'Not found.');
  if (status === 405) return new AppError('METHOD_NOT_ALLOWED', 'Method not allowed.');
  if (status === 400)
    return new AppError('VALIDATION_FAILED', typeof err.message === 'string' ? err.message : 'Bad request.');
  return undefined;
}

function issuesOf(err: ZodError): ValidationIssue[] {
  return err.issues.map((issue) => ({ path: issue.path.join('.') || '(body)', message: issue.message }));
}

/** Normalises anything thrown below into an `AppError`; unknown errors become a masked 500. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof ZodError) {
    const issues = issuesOf(err);
    const summary = issues.map((i) => `${i.path}: ${i.message}`).join('; ');
    return new AppError('VALIDATION_FAILED', `Invalid request: ${summary}`, {
      cause: err,
      details: { issues },
    });
  }
  if (err !== null && typeof err === 'object') {
    const mapped = fromHttpError(err as Record<string, unknown>);
    if (mapped) return mapped;
  }
  return new AppError('INTERNAL', INTERNAL_MESSAGE, { cause: err });
}

/**
 * Renders every error as `{ error: { code, message, requestId } }`. Messages of 5xx errors are replaced by a
 * generic one (they may carry internals); the original error is emitted on the app for logging.
 */
export function errorHandler(): Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (thrown) {
      const err = toAppError(thrown);
      const requestId = ctx.state.requestId;
      const body: ErrorEnvelope = {
        error: { code: err.code, message: err.expose ? err.message : INTERNAL_MESSAGE, requestId },
      };
      const issues = err.details?.['issues'];
      if (Array.isArray(issues)) body.error.issues = issues as ValidationIssue[];
      ctx.status = err.status;
      ctx.body = body;
      if (err.headers) ctx.set(err.headers);
      // A deliberate 5xx refusal (exposed, e.g. TIER_UNAVAILABLE) is not a fault to log as one.
      if (err.status >= 500 && !err.expose) ctx.app.emit('error', thrown, ctx);
    }
  };
}
