import type { IncomingMessage } from 'node:http';
import { AppError } from '../errors.js';

/**
 * Reads a request body as exact bytes (signature checks are over bytes: a decoded string would lose a BOM or
 * invalid UTF-8). Refuses bodies over `limit` bytes without buffering them.
 */
export async function readRawBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    throw new AppError('PAYLOAD_TOO_LARGE', `The body is larger than ${limit} bytes.`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new AppError('PAYLOAD_TOO_LARGE', `The body is larger than ${limit} bytes.`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}
