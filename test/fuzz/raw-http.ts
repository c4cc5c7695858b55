import { request } from 'node:http';

/** A header line exactly as sent: the name's case is kept, and a name may repeat. */
export type RawHeader = readonly [name: string, value: string];

export interface RawResponse {
  status: number;
  /** Bytes of the request line and headers that were sent (Node refuses heads over 16 KiB with a bare 431). */
  requestHeadBytes: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/**
 * Sends one request with exact control over what fetch would normalise: the path is not resolved (`..` and
 * `%2F` reach the server as written), header names keep their case and may repeat, header values may carry raw
 * bytes (a value is written as latin1, so `utf8AsHeaderValue` sends UTF-8), and the body is raw bytes. One
 * connection per request: a refused request (431, say) leaves nothing behind for the next.
 */
export function rawRequest(
  baseUrl: string,
  init: { method: string; path: string; headers?: readonly RawHeader[]; body?: Buffer },
): Promise<RawResponse> {
  const url = new URL(baseUrl);
  const body = init.body ?? Buffer.alloc(0);
  const headers: string[] = ['Host', url.host];
  for (const [name, value] of init.headers ?? []) headers.push(name, value);
  const hasLength = (init.headers ?? []).some(([name]) => name.toLowerCase() === 'content-length');
  if (!hasLength && (body.length > 0 || init.method !== 'GET'))
    headers.push('Content-Length', String(body.length));
  const requestHeadBytes =
    Buffer.byteLength(`${init.method} ${init.path} HTTP/1.1\r\n`, 'latin1') +
    // Each name and each value is followed by ": " or "\r\n".
    headers.reduce((sum, part) => sum + Buffer.byteLength(part, 'latin1') + 2, 0);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, method: init.method, path: init.path, headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            requestHeadBytes,
            headers: res.headers,
            body: Buffer.concat(chunks),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** A header value that puts these UTF-8 bytes on the wire (Node writes header values as latin1). */
export function utf8AsHeaderValue(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}

/** The body as JSON, or undefined when it is not JSON. */
export function jsonOf(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}
