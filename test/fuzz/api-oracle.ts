import type { z } from 'zod';
import { ERROR_CODES, ErrorEnvelopeSchema, REQUEST_ID_HEADER } from '@tokentill/shared-types';
import { CODE_TO_STATUS } from '../../server/src/errors';
import { jsonOf, type RawResponse } from './raw-http';

/**
 * Node's HTTP parser answers 431 itself, before any middleware, when a request head (request line and headers)
 * exceeds 16 KiB: that answer never reaches the app, so it has no envelope. Within a KiB of the limit either may
 * happen (the exact count depends on framing), so only heads clearly under it are held to the envelope.
 */
export const NODE_HEAD_LIMIT = 16 * 1024;
export const NODE_HEAD_MARGIN = 1024;

/**
 * The contract every JSON API answer keeps, whatever the request: a 2xx whose body has the documented shape, or a
 * 4xx with the error envelope `{error: {code, message, requestId}}`, where `code` is one of the stable codes, its
 * status is the one the server documents for it, and `requestId` is the answer's `x-request-id`. Never a 5xx.
 * Throws a description of the first broken rule.
 */
export function expectApiAnswer(res: RawResponse, success: z.ZodType, what: string): void {
  if (res.status === 431 && res.requestHeadBytes > NODE_HEAD_LIMIT - NODE_HEAD_MARGIN) return;
  const body = jsonOf(res.body);
  if (res.status >= 200 && res.status < 300) {
    const parsed = success.safeParse(body);
    if (!parsed.success) {
      throw new Error(
        `${what}: ${res.status} with a body that is not the documented shape: ${short(res.body)}`,
      );
    }
    return;
  }
  if (res.status >= 500 || res.status < 400) {
    throw new Error(`${what}: answered ${res.status} ${short(res.body)}`);
  }
  const envelope = ErrorEnvelopeSchema.safeParse(body);
  if (!envelope.success) {
    throw new Error(`${what}: ${res.status} without the error envelope: ${short(res.body)}`);
  }
  const { code, requestId } = envelope.data.error;
  if (!(ERROR_CODES as readonly string[]).includes(code))
    throw new Error(`${what}: unknown error code ${code}`);
  if (CODE_TO_STATUS[code] !== res.status) {
    throw new Error(`${what}: ${code} answered with ${res.status}, documented as ${CODE_TO_STATUS[code]}`);
  }
  if (requestId !== res.headers[REQUEST_ID_HEADER]) {
    throw new Error(`${what}: requestId ${requestId} differs from the x-request-id header`);
  }
}

function short(body: Buffer): string {
  const text = body.toString('utf8');
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

/**
 * The JSON value of a request body as the body parser reads it: UTF-8 with a leading byte order mark dropped
 * (raw-body decodes with iconv-lite, which strips it; RFC 8259 §8.1 lets a parser ignore it). Undefined when the
 * bytes are not JSON.
 */
export function requestJson(body: Buffer | undefined): unknown {
  if (body === undefined) return undefined;
  try {
    return JSON.parse(body.toString('utf8').replace(/^\uFEFF/, '')) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Whether a JSON body has a `__proto__` key anywhere: the body parser (co-body, through @hapi/bourne) refuses such
 * bodies as BAD_JSON on purpose (prototype poisoning), so an otherwise valid request carrying one may fail.
 */
export function hasPoisonedKeys(body: Buffer): boolean {
  let poisoned = false;
  try {
    JSON.parse(body.toString('utf8').replace(/^\uFEFF/, ''), (key, value: unknown) => {
      if (key === '__proto__') poisoned = true;
      return value;
    });
  } catch {
    return false;
  }
  return poisoned;
}
