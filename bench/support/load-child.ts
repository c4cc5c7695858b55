/**
 * The load generator, forked by the benchmarks so that its CPU is not the server's: it gets one job over IPC,
 * runs it over keep-alive connections, reports `begin` when the clock starts and the result at the end, then
 * exits. Every loop is bounded by the job's count and `maxMs`.
 *
 * Two clients: `raw` (default; bench/support/raw-http.ts, pre-serialised requests, minimal parsing) and
 * `node-http` (node:http with a keep-alive Agent, several times the client CPU per request; BENCH_CLIENT=node-http
 * to cross-check that figures do not depend on the client).
 */
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { ChildMessage, LoadJob, LoadResult, RequestSpec } from './load-types';
import { RawConnection, serializeRequest } from './raw-http';

function send(message: ChildMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) resolve();
    else process.send(message, undefined, {}, () => resolve());
  });
}

interface Exchange {
  status: number;
  body: string | undefined;
}

/** A connection pool of at most `maxSockets` connections; requests wait for a free one. */
interface Transport {
  exchange(index: number): Promise<Exchange>;
  /** Opens up to `connections` keep-alive connections with GET `path` (answers not recorded). */
  warm(path: string, connections: number): Promise<void>;
  close(): void;
}

function nodeHttpTransport(job: LoadJob, host: string, port: number, maxSockets: number): Transport {
  const agent = new Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  const timeoutMs = job.timeoutMs ?? 10_000;
  const keepBody = job.collectBodies === true;
  const prepared = job.requests.map((spec: RequestSpec) => {
    const body = spec.body === undefined ? undefined : Buffer.from(spec.body, 'utf8');
    return {
      method: spec.method,
      path: spec.path,
      headers: { ...spec.headers, ...(body ? { 'content-length': body.length } : {}) },
      body,
    };
  });
  type Prepared = (typeof prepared)[number];
  const exchange = (req: Prepared): Promise<Exchange> =>
    new Promise((resolve, reject) => {
      const r = request(
        { agent, host, port, method: req.method, path: req.path, headers: req.headers },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => {
            if (keepBody) chunks.push(chunk);
          });
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              body: keepBody ? Buffer.concat(chunks).toString('utf8') : undefined,
            }),
          );
          res.on('error', reject);
        },
      );
      r.setTimeout(timeoutMs, () => r.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      r.on('error', reject);
      r.end(req.body);
    });
  return {
    exchange(index) {
      const req = prepared[index % prepared.length];
      return req ? exchange(req) : Promise.reject(new Error('no request'));
    },
    async warm(path, connections) {
      const req: Prepared = { method: 'GET', path, headers: {}, body: undefined };
      await Promise.all(Array.from({ length: Math.min(connections, maxSockets) }, () => exchange(req)));
    },
    close: () => agent.destroy(),
  };
}

function rawTransport(job: LoadJob, host: string, port: number, maxSockets: number): Transport {
  const timeoutMs = job.timeoutMs ?? 10_000;
  const keepBody = job.collectBodies === true;
  const prepared = job.requests.map((spec) =>
    serializeRequest(host, port, spec.method, spec.path, spec.headers, spec.body),
  );
  const idle: RawConnection[] = [];
  const all: RawConnection[] = [];
  const waiting: ((c: RawConnection) => void)[] = [];
  const acquire = (): Promise<RawConnection> => {
    const free = idle.pop();
    if (free) return Promise.resolve(free);
    if (all.length < maxSockets) {
      const c = new RawConnection(host, port);
      all.push(c);
      return Promise.resolve(c);
    }
    return new Promise((resolve) => waiting.push(resolve));
  };
  const release = (c: RawConnection) => {
    const next = waiting.shift();
    if (next) next(c);
    else idle.push(c);
  };
  const exchange = async (req: Buffer, keep: boolean): Promise<Exchange> => {
    const c = await acquire();
    try {
      const res = await c.send(req, timeoutMs, keep);
      return { status: res.status, body: res.body?.toString('utf8') };
    } finally {
      release(c);
    }
  };
  return {
    exchange(index) {
      const req = prepared[index % prepared.length];
      return req ? exchange(req, keepBody) : Promise.reject(new Error('no request'));
    },
    async warm(path, connections) {
      const req = serializeRequest(host, port, 'GET', path);
      await Promise.all(
        Array.from({ length: Math.min(connections, maxSockets) }, () => exchange(req, false)),
      );
    },
    close() {
      for (const c of all) c.destroy();
    },
  };
}

async function run(job: LoadJob): Promise<LoadResult> {
  const url = new URL(job.baseUrl);
  const host = url.hostname;
  const port = Number(url.port);
  const keepBody = job.collectBodies === true;
  const maxSockets = job.mode.kind === 'closed' ? job.mode.concurrency : job.mode.maxSockets;
  if (job.requests.length === 0) throw new Error('no requests');
  const client = job.client ?? 'raw';
  const transport = (client === 'raw' ? rawTransport : nodeHttpTransport)(job, host, port, maxSockets);

  const statuses = new Uint16Array(job.count);
  const latenciesMs = new Float64Array(job.count).fill(NaN);
  const bodies: string[] = keepBody ? new Array<string>(job.count).fill('') : [];
  const errorSamples: string[] = [];
  let errors = 0;
  let sent = 0;
  let lastEnd = 0;
  let maxDispatchLagMs = 0;

  if (job.prewarm) await transport.warm(job.prewarm.path, job.prewarm.connections);

  const one = async (i: number, t0: number): Promise<void> => {
    try {
      const res = await transport.exchange(i);
      const end = performance.now();
      statuses[i] = res.status;
      latenciesMs[i] = end - t0;
      if (keepBody) bodies[i] = res.body ?? '';
      if (end > lastEnd) lastEnd = end;
    } catch (err) {
      errors++;
      if (errorSamples.length < 5) errorSamples.push((err as Error).message);
    }
  };

  void send({ type: 'begin' });
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  const deadline = start + job.maxMs;

  if (job.mode.kind === 'closed') {
    let next = 0;
    const lane = async () => {
      while (next < job.count && performance.now() < deadline) {
        const i = next++;
        sent++;
        await one(i, performance.now());
      }
    };
    await Promise.all(Array.from({ length: job.mode.concurrency }, lane));
  } else {
    const intervalMs = 1000 / job.mode.ratePerSecond;
    const inflight: Promise<void>[] = [];
    await new Promise<void>((resolve) => {
      const tick = () => {
        const now = performance.now();
        while (sent < job.count) {
          const due = start + sent * intervalMs;
          if (due > now) break;
          maxDispatchLagMs = Math.max(maxDispatchLagMs, now - due);
          inflight.push(one(sent, due));
          sent++;
        }
        if (sent >= job.count || now >= deadline) {
          resolve();
          return;
        }
        setTimeout(tick, Math.max(0, start + sent * intervalMs - performance.now()));
      };
      tick();
    });
    await Promise.all(inflight);
  }

  const cpu = process.cpuUsage(cpuStart);
  transport.close();
  return {
    sent,
    statuses,
    latenciesMs,
    errors,
    errorSamples,
    elapsedMs: (lastEnd || performance.now()) - start,
    cpuMicros: cpu.user + cpu.system,
    maxDispatchLagMs,
    ...(keepBody ? { bodies } : {}),
  };
}

process.once('message', (job: LoadJob) => {
  run(job)
    .then(
      (result) => send({ type: 'done', result }),
      (err: unknown) =>
        send({ type: 'failed', error: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
    )
    .finally(() => process.disconnect?.());
});
void send({ type: 'ready' });
