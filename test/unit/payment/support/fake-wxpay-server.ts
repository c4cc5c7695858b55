import { randomBytes, sign, type KeyObject } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { parseAuthorization, verifyAuthorization } from '../../../../server/src/payment/index.js';

/** What the fake server saw of one request. */
export interface RecordedRequest {
  method: string;
  /** Path plus query exactly as received on the wire. */
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** Whether the Authorization header parsed and verified with the merchant public key. */
  authorized: boolean;
}

/** How to answer one request. */
export interface FakeReply {
  status: number;
  body?: string;
  /**
   * `valid` signs the body as WeChat Pay does; `wrong_body` signs a different body; `probe` sends a
   * WECHATPAY/SIGNTEST/ signature; `none` sends no signature headers. Default `valid`.
   */
  sign?: 'valid' | 'wrong_body' | 'probe' | 'none';
  /** Overrides the Wechatpay-Serial sent back. */
  serial?: string;
  /** Waits this long before answering (for timeouts). */
  delayMs?: number;
}

export interface FakeWxPayServerOptions {
  merchantPublicKey: KeyObject;
  platformPrivateKey: KeyObject;
  platformSerial: string;
  handler: (req: RecordedRequest) => FakeReply;
}

export interface FakeWxPayServer {
  baseUrl: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

function signatureOver(timestamp: string, nonce: string, body: string, key: KeyObject): string {
  return sign('sha256', Buffer.from(`${timestamp}\n${nonce}\n${body}\n`), key).toString('base64');
}

/**
 * Starts a minimal WeChat Pay APIv3 stand-in on 127.0.0.1:0. Requests whose Authorization does not verify get
 * WeChat's 401 SIGN_ERROR; all others go to `handler`.
 */
export async function startFakeWxPay(options: FakeWxPayServerOptions): Promise<FakeWxPayServer> {
  const requests: RecordedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let requestCounter = 0;

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const method = req.method ?? '';
      const url = req.url ?? '';
      const auth = parseAuthorization(req.headers.authorization);
      const authorized =
        auth !== undefined &&
        verifyAuthorization(auth, { method, canonicalUrl: url, body }, options.merchantPublicKey);
      const recorded: RecordedRequest = { method, url, headers: req.headers, body, authorized };
      requests.push(recorded);
      const reply: FakeReply = authorized
        ? options.handler(recorded)
        : { status: 401, body: JSON.stringify({ code: 'SIGN_ERROR', message: '签名错误' }) };

      const send = () => {
        const text = reply.body ?? '';
        const headers: Record<string, string> = { 'Request-ID': `req-${++requestCounter}` };
        if (text !== '') headers['Content-Type'] = 'application/json';
        const mode = reply.sign ?? 'valid';
        if (mode !== 'none') {
          const timestamp = String(Math.floor(Date.now() / 1000));
          const nonce = randomBytes(16).toString('hex');
          let signature = signatureOver(
            timestamp,
            nonce,
            mode === 'wrong_body' ? `${text} ` : text,
            options.platformPrivateKey,
          );
          if (mode === 'probe') signature = `WECHATPAY/SIGNTEST/${signature}`;
          Object.assign(headers, {
            'Wechatpay-Serial': reply.serial ?? options.platformSerial,
            'Wechatpay-Timestamp': timestamp,
            'Wechatpay-Nonce': nonce,
            'Wechatpay-Signature': signature,
          });
        }
        res.writeHead(reply.status, headers);
        res.end(text);
      };
      if (reply.delayMs) {
        const timer = setTimeout(() => {
          timers.delete(timer);
          if (!res.destroyed) send();
        }, reply.delayMs);
        timers.add(timer);
      } else {
        send();
      }
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
