/**
 * A deliberately minimal HTTP/1.1 keep-alive client for the load generator: requests are pre-serialised bytes,
 * one request in flight per connection (no pipelining), responses parsed just enough to find their end (status
 * line, Content-Length, no body for 204/304/HEAD). On a 2-core machine the client shares the CPU with the server
 * under test, so it must cost as little as possible: node:http costs several times more per request.
 * Chunked responses are not supported (reported as errors): none of the benchmarked routes sends one.
 */
import { connect, type Socket } from 'node:net';

export interface RawResponse {
  status: number;
  body: Buffer | undefined;
}

const HEADER_END = Buffer.from('\r\n\r\n');

/** Serialises a request once; the same bytes are reused on every send. */
export function serializeRequest(
  host: string,
  port: number,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Buffer {
  const payload = body === undefined ? undefined : Buffer.from(body, 'utf8');
  let head = `${method} ${path} HTTP/1.1\r\nHost: ${host}:${port}\r\n`;
  for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`;
  if (payload) head += `Content-Length: ${payload.length}\r\n`;
  head += '\r\n';
  return payload ? Buffer.concat([Buffer.from(head, 'latin1'), payload]) : Buffer.from(head, 'latin1');
}

/** One keep-alive connection; `send` may only be called when the previous exchange has finished. */
export class RawConnection {
  private socket: Socket | undefined;
  private chunks: Buffer[] = [];
  private buffered = 0;
  private pending:
    | {
        resolve: (r: RawResponse) => void;
        reject: (e: Error) => void;
        timer: NodeJS.Timeout;
        keepBody: boolean;
        noBody: boolean;
      }
    | undefined;

  constructor(
    private readonly host: string,
    private readonly port: number,
  ) {}

  get busy(): boolean {
    return this.pending !== undefined;
  }

  private open(): Socket {
    const socket = connect({ host: this.host, port: this.port, noDelay: true });
    // Events of a socket this connection already dropped (timeout, Connection: close) concern nobody.
    socket.on('data', (chunk: Buffer) => {
      if (this.socket === socket) this.onData(chunk);
    });
    const fail = (err: Error) => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      this.finish(undefined, err);
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('connection closed by the server')));
    this.socket = socket;
    return socket;
  }

  send(request: Buffer, timeoutMs: number, keepBody: boolean, noBody = false): Promise<RawResponse> {
    if (this.pending) return Promise.reject(new Error('connection busy'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.finish(undefined, new Error(`no answer within ${timeoutMs} ms`));
        this.destroy();
      }, timeoutMs);
      this.pending = { resolve, reject, timer, keepBody, noBody };
      this.chunks = [];
      this.buffered = 0;
      (this.socket ?? this.open()).write(request);
    });
  }

  destroy(): void {
    const socket = this.socket;
    this.socket = undefined;
    socket?.destroy();
  }

  private finish(response: RawResponse | undefined, error?: Error): void {
    const pending = this.pending;
    if (!pending) return;
    this.pending = undefined;
    clearTimeout(pending.timer);
    if (response) pending.resolve(response);
    else pending.reject(error ?? new Error('request failed'));
  }

  private onData(chunk: Buffer): void {
    const pending = this.pending;
    if (!pending) {
      this.destroy(); // bytes nobody asked for: the connection is out of step
      return;
    }
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const data = this.chunks.length === 1 ? chunk : Buffer.concat(this.chunks, this.buffered);
    if (this.chunks.length > 1) this.chunks = [data];
    const headerEnd = data.indexOf(HEADER_END);
    if (headerEnd < 0) return;
    const head = data.toString('latin1', 0, headerEnd);
    const status = Number(head.slice(9, 12));
    let length = 0;
    let close = false;
    for (const line of head.split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon < 0) continue;
      const name = line.slice(0, colon).toLowerCase();
      if (name === 'content-length') length = Number(line.slice(colon + 1).trim());
      else if (name === 'transfer-encoding') {
        this.destroy();
        this.finish(undefined, new Error('chunked responses are not supported by the bench client'));
        return;
      } else if (name === 'connection' && /close/i.test(line.slice(colon + 1))) close = true;
    }
    if (status === 204 || status === 304 || pending.noBody) length = 0;
    const total = headerEnd + 4 + length;
    if (data.length < total) return;
    if (data.length > total) {
      this.destroy();
      this.finish(undefined, new Error('more bytes than one response'));
      return;
    }
    if (close) this.destroy();
    this.finish({ status, body: pending.keepBody ? data.subarray(headerEnd + 4, total) : undefined });
  }
}
