import { randomUUID } from 'node:crypto';
import type { Middleware } from 'koa';
import { REQUEST_ID_HEADER } from '@tokentill/shared-types';

// Accept a proxy's id only if it is short and harmless to echo into logs and headers.
const TRUSTED_ID = /^[A-Za-z0-9._:-]{8,64}$/;

declare module 'koa' {
  interface DefaultState {
    requestId: string;
  }
}

/** Gives every request an id (the caller's `x-request-id` when well-formed), echoed in the response and errors. */
export function requestId(): Middleware {
  return async (ctx, next) => {
    const incoming = ctx.get(REQUEST_ID_HEADER);
    const id = TRUSTED_ID.test(incoming) ? incoming : randomUUID();
    ctx.state.requestId = id;
    ctx.set(REQUEST_ID_HEADER, id);
    await next();
  };
}
