/**
 * Reads a request body as raw bytes. The emulator runs before the server's JSON body parser because WeChat Pay
 * signatures cover the exact bytes received; a parsed-and-reserialised body would not verify.
 */
import type { IncomingMessage } from 'node:http';

/** The body was larger than the limit. */
export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
  constructor(readonly limitBytes: number) {
    super(`Request body exceeds ${limitBytes} bytes`);
  }
}

/**
 * Reads the whole body of `req` (an empty Buffer when there is none).
 *
 * @throws BodyTooLargeError past `limitBytes` (checked against Content-Length first, then while reading).
 */
export async function readRawBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) throw new BodyTooLargeError(limitBytes);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.length;
    if (size > limitBytes) throw new BodyTooLargeError(limitBytes);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

const rawBodies = new WeakMap<object, Buffer>();

/** Keeps the raw body read for a request (keyed by its Koa context) for the handlers. */
export function rememberRawBody(ctx: object, body: Buffer): void {
  rawBodies.set(ctx, body);
}

/** The raw body read for this request (empty when none was read). */
export function rawBodyOf(ctx: object): Buffer {
  return rawBodies.get(ctx) ?? Buffer.alloc(0);
}
