import type { Context } from 'koa';
import { wireError, type WireError } from './openai-wire.js';

/** Answers with an OpenAI-shaped error. */
export function send(ctx: Context, error: WireError): void {
  ctx.status = error.status;
  ctx.body = error.body;
  if (error.headers) ctx.set(error.headers);
}

/**
 * The request's JSON body: already parsed by a body parser mounted earlier, or read here from the stream (the
 * mock is meant to sit before the app's parser, whose limit and error envelope are the app's, not OpenAI's).
 */
export async function readJson(ctx: Context, limit: number): Promise<unknown> {
  const parsed = (ctx.request as { body?: unknown }).body;
  if (parsed !== undefined) return parsed;
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) {
        ctx.set('connection', 'close');
        return wireError(
          413,
          `Request body larger than ${limit} bytes.`,
          'invalid_request_error',
          null,
          'request_too_large',
        );
      }
      chunks.push(chunk);
    }
  } catch {
    return wireError(400, 'The request body could not be read.');
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    return wireError(
      400,
      "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP " +
        'library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)',
    );
  }
}
