import { Writable } from 'node:stream';
import request from 'supertest';
import { createMetricsApp } from '../../../server/src/http/metrics-server';
import { createLogger } from '../../../server/src/observability/logger';
import { closeRedis, createRedis, createRedisKeys } from '../../../server/src/redis';
import { freePort } from '../../../scripts/lib/local-redis';
import { buildTestApp } from '../../support/test-app';
import { useTestRedis } from '../../support/test-redis';
import { startTestServer } from '../../support/test-server';
import { trackApps } from '../../support/track-apps';

const { redis, keys } = useTestRedis();
const track = trackApps();

/** A logger whose JSON lines land in `lines`. */
function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createLogger({ level: 'info' }, sink), lines };
}

describe('health endpoints', () => {
  it('reports liveness without touching dependencies', async () => {
    const { app } = await track(buildTestApp(redis, keys));
    const res = await request(app.callback()).get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', uptimeSeconds: expect.any(Number) });
  });

  it('is ready when Redis answers', async () => {
    const { app } = await track(buildTestApp(redis, keys));
    const res = await request(app.callback()).get('/readyz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ready', checks: { redis: { ok: true } } });
  });

  it('is not ready when Redis is unreachable: names the check publicly and logs why', async () => {
    // A real connection attempt to a port where nothing listens.
    const deadPort = await freePort();
    const deadRedis = createRedis(`redis://127.0.0.1:${deadPort}`, {
      overrides: { maxRetriesPerRequest: 0, connectTimeout: 300, retryStrategy: () => null },
    });
    deadRedis.on('error', () => undefined);
    try {
      const { app, deps } = await track(buildTestApp(deadRedis, createRedisKeys('unused:')));
      const { logger, lines } = capturingLogger();
      deps.logger = logger;
      const started = Date.now();
      const res = await request(app.callback()).get('/readyz');
      expect(res.status).toBe(503);
      // Terse: which check failed, no error text (it could name hosts, ports and internals).
      expect(res.body).toEqual({ status: 'not_ready', checks: { redis: { ok: false } } });
      expect(res.text).not.toContain(String(deadPort));
      expect(Date.now() - started).toBeLessThan(3_000);
      // The detail is in the log, under the answer's request id.
      expect(lines).toContainEqual(
        expect.objectContaining({
          msg: 'readiness check failed',
          check: 'redis',
          requestId: res.headers['x-request-id'],
          err: expect.objectContaining({ message: expect.any(String) }),
        }),
      );
      // Liveness stays green: a Redis outage must not get the process restarted.
      expect((await request(app.callback()).get('/healthz')).status).toBe(200);
    } finally {
      await closeRedis(deadRedis);
    }
  });

  it('turns not ready while the process drains for shutdown', async () => {
    const { app, lifecycle } = await track(buildTestApp(redis, keys));
    lifecycle.draining = true;
    const res = await request(app.callback()).get('/readyz');
    expect(res.status).toBe(503);
    expect(res.body).toEqual({
      status: 'not_ready',
      checks: { redis: { ok: true }, lifecycle: { ok: false } },
    });
  });

  it('does not serve metrics on the public API port', async () => {
    const { app } = await track(buildTestApp(redis, keys));
    const res = await request(app.callback()).get('/metrics');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
    expect(res.text).not.toContain('tokentill_');
  });

  it('exposes Prometheus counters and latency histograms by route pattern and status', async () => {
    const { app, deps } = await track(buildTestApp(redis, keys));
    const agent = request(app.callback());
    await agent.get('/healthz');
    await agent.get('/healthz');
    await agent.get('/no/such/route');
    const res = await request(createMetricsApp(deps.metrics.registry, undefined).callback()).get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.text).toContain('tokentill_http_requests_total{method="GET",route="/healthz",status="200"} 2');
    expect(res.text).toContain(
      'tokentill_http_requests_total{method="GET",route="unmatched",status="404"} 1',
    );
    expect(res.text).toMatch(
      /tokentill_http_request_duration_seconds_bucket\{le="0.05",method="GET",route="\/healthz",status="200"\} 2/,
    );
  });
});

describe('the metrics listener', () => {
  it("serves the server's metrics on METRICS_PORT only, and stops listening when the server closes", async () => {
    const server = await startTestServer({ METRICS_PORT: '0' });
    let closed = false;
    try {
      expect(server.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      expect(new URL(server.metricsUrl!).port).not.toBe(String(server.port));
      await fetch(`${server.url}/healthz`);
      const scraped = await fetch(server.metricsUrl!);
      expect(scraped.status).toBe(200);
      expect(await scraped.text()).toContain(
        'tokentill_http_requests_total{method="GET",route="/healthz",status="200"} 1',
      );
      expect((await fetch(`${server.url}/metrics`)).status).toBe(404);
      // Only /metrics is served there, with the API's error envelope.
      const other = await fetch(new URL('/healthz', server.metricsUrl!));
      expect(other.status).toBe(404);
      expect(((await other.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');

      await server.close();
      closed = true;
      await expect(fetch(server.metricsUrl!)).rejects.toThrow();
    } finally {
      if (!closed) await server.close();
    }
  });

  it('requires the bearer token when METRICS_TOKEN is set, without saying what it is', async () => {
    const token = 'metrics-token-0123456789abcdef';
    const server = await startTestServer({ METRICS_PORT: '0', METRICS_TOKEN: token });
    try {
      const url = server.metricsUrl!;
      const missing = await fetch(url);
      expect(missing.status).toBe(401);
      expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="metrics"');
      const body = (await missing.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('UNAUTHENTICATED');
      expect(body.error.message).not.toContain(token);

      const wrong = await fetch(url, { headers: { authorization: `Bearer ${token}x` } });
      expect(wrong.status).toBe(401);
      await wrong.arrayBuffer();

      const right = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
      expect(right.status).toBe(200);
      expect(await right.text()).toContain('tokentill_');
    } finally {
      await server.close();
    }
  });

  it('refuses to start, naming the cause, when METRICS_PORT is taken', async () => {
    const blocker = await startTestServer({ METRICS_PORT: '0' });
    try {
      const taken = new URL(blocker.metricsUrl!).port;
      await expect(startTestServer({ METRICS_PORT: taken })).rejects.toThrow(/EADDRINUSE/);
    } finally {
      await blocker.close();
    }
  });
});
