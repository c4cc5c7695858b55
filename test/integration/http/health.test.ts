import request from 'supertest';
import { closeRedis, createRedis, createRedisKeys } from '../../../server/src/redis';
import { freePort } from '../../../scripts/lib/local-redis';
import { buildTestApp } from '../../support/test-app';
import { useTestRedis } from '../../support/test-redis';
import { trackApps } from '../../support/track-apps';

const { redis, keys } = useTestRedis();
const track = trackApps();

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
    expect(res.body).toMatchObject({ status: 'ready', checks: { redis: { ok: true } } });
  });

  it('is not ready when Redis is unreachable, and says why', async () => {
    // A real connection attempt to a port where nothing listens.
    const deadRedis = createRedis(`redis://127.0.0.1:${await freePort()}`, {
      overrides: { maxRetriesPerRequest: 0, connectTimeout: 300, retryStrategy: () => null },
    });
    deadRedis.on('error', () => undefined);
    try {
      const { app } = await track(buildTestApp(deadRedis, createRedisKeys('unused:')));
      const started = Date.now();
      const res = await request(app.callback()).get('/readyz');
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({
        status: 'not_ready',
        checks: { redis: { ok: false, error: expect.any(String) } },
      });
      expect(Date.now() - started).toBeLessThan(3_000);
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
    expect(res.body.checks.lifecycle).toMatchObject({ ok: false, error: 'shutting down' });
  });

  it('exposes Prometheus counters and latency histograms by route pattern and status', async () => {
    const { app } = await track(buildTestApp(redis, keys));
    const agent = request(app.callback());
    await agent.get('/healthz');
    await agent.get('/healthz');
    await agent.get('/no/such/route');
    const res = await agent.get('/metrics');
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
