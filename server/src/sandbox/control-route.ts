/**
 * Plumbing of the sandbox's own control API (`/sandbox/pay`, `/sandbox/faults`, …): JSON in, JSON out, errors as
 * `{code, message}` with a 4xx status. Not part of any WeChat protocol.
 */
import type { RouterContext } from '@koa/router';

import type { Logger } from '../observability/logger.js';
import { rawBodyOf } from './raw-body.js';
import { WxPayReplyError } from './wxpay/wxpay-reply-error.js';

/** A refused control request. */
export class ControlError extends Error {
  override readonly name = 'ControlError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The JSON object in the request body; an empty body reads as `{}`.
 *
 * @throws ControlError 400 `BAD_REQUEST` for invalid JSON or a non-object.
 */
export function readControlJson(ctx: object): Record<string, unknown> {
  const raw = rawBodyOf(ctx);
  if (raw.length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new ControlError(400, 'BAD_REQUEST', 'The body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ControlError(400, 'BAD_REQUEST', 'The body must be a JSON object');
  }
  return value as Record<string, unknown>;
}

/**
 * Wraps a control handler: its return value is sent as JSON with status 200 (`null` means 204 No Content);
 * `ControlError`, `TypeError` (bad input) and `WxPayReplyError` (a refused payment action) become
 * `{code, message}` answers.
 */
export function controlRoute(
  logger: Logger,
  handler: (ctx: RouterContext) => unknown,
): (ctx: RouterContext) => Promise<void> {
  return async (ctx) => {
    try {
      const body = await handler(ctx);
      if (body === null) {
        ctx.status = 204;
        ctx.body = null;
      } else {
        ctx.body = body ?? {};
      }
    } catch (err) {
      if (err instanceof ControlError) {
        ctx.status = err.status;
        ctx.body = { code: err.code, message: err.message };
      } else if (err instanceof WxPayReplyError) {
        ctx.status = err.status;
        ctx.body = err.toBody();
      } else if (err instanceof TypeError) {
        ctx.status = 400;
        ctx.body = { code: 'BAD_REQUEST', message: err.message };
      } else {
        logger.error({ err, path: ctx.path }, 'sandbox control handler failed');
        ctx.status = 500;
        ctx.body = { code: 'INTERNAL', message: 'Sandbox control request failed' };
      }
    }
  };
}
