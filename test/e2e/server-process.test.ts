import { mkdtempSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { login } from '../support/api-client';
import { deletePrefix } from '../support/test-redis';
import { closeRedis, createRedis } from '../../server/src/redis';
import { launchServer, spawnServer, type ServerProcess } from '../support/server-process';

const keysDir = mkdtempSync(join(tmpdir(), 'tt-e2e-keys-'));
// Its own key prefix, deleted afterwards: sessions made here never land in a real deployment's keys.
const prefix = `test:e2e:${Date.now()}:`;
const redisUrl = () => process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';

describe('the server process', () => {
  let server: ServerProcess | undefined;

  afterAll(async () => {
    const redis = createRedis(redisUrl());
    await deletePrefix(redis, prefix);
    await closeRedis(redis);
  });

  afterEach(async () => {
    if (server && server.child.exitCode === null) {
      server.child.kill('SIGKILL');
      await server.exited;
    }
    server = undefined;
  });

  it('refuses to start on a bad setting, naming it, with exit code 78', async () => {
    const launched = launchServer({ REDIS_URL: redisUrl(), PORT: 'eighty', SHUTDOWN_TIMEOUT_MS: '-5' });
    expect(await launched.exited).toBe(78);
    expect(launched.stderr()).toContain('PORT: expected a TCP port number');
    expect(launched.stderr()).toContain('SHUTDOWN_TIMEOUT_MS: expected > 0 ms');
    expect(launched.lines()).toHaveLength(0);
  });

  it('logs where it listens and answers health checks and WebSocket upgrades', async () => {
    server = await spawnServer({
      REDIS_URL: redisUrl(),
      REDIS_PREFIX: prefix,
      SANDBOX_KEYS_DIR: keysDir,
    });
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await (await fetch(`${server.url}/readyz`)).json()).toMatchObject({ status: 'ready' });

    const refused = new WebSocket(`${server.url.replace('http', 'ws')}/ws`);
    const refusal = await new Promise<number>((resolve) =>
      refused.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)),
    );
    expect(refusal).toBe(401);

    const token = await login(server.url);
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/ws`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const reply = new Promise<unknown>((resolve) =>
      ws.once('message', (data) => resolve(JSON.parse(data.toString()))),
    );
    await new Promise((resolve) => ws.once('open', resolve));
    ws.send('not json');
    expect(await reply).toMatchObject({ type: 'error', code: 'VALIDATION_FAILED' });
    ws.close();

    const wrongPath = new WebSocket(`${server.url.replace('http', 'ws')}/not-ws`);
    const failure = await new Promise<Error>((resolve) => wrongPath.once('error', resolve));
    expect(failure.message).toContain('404');
  });

  it('drains an in-flight request on SIGTERM, closes sockets with 1001, and exits 0', async () => {
    server = await spawnServer({
      REDIS_PREFIX: prefix,
      REDIS_URL: redisUrl(),
      SHUTDOWN_TIMEOUT_MS: '5000',
      SANDBOX_KEYS_DIR: keysDir,
    });
    const { port } = new URL(server.url);

    // A socket the server must close politely.
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/ws`, {
      headers: { authorization: `Bearer ${await login(server.url)}` },
    });
    await new Promise((resolve) => ws.once('open', resolve));
    const wsClosed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));

    // A request still uploading its body when the signal arrives.
    const body = JSON.stringify({ prompt: 'still uploading' });
    const inFlight = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/api/nowhere',
          headers: { 'content-type': 'application/json', 'content-length': body.length },
        },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on('error', reject);
      req.write(body.slice(0, 5));
      setTimeout(() => {
        server?.child.kill('SIGTERM');
        // Finish the upload after the server has started draining.
        setTimeout(() => req.end(body.slice(5)), 300);
      }, 100);
    });

    const answered = await inFlight;
    expect(answered.status).toBe(404);
    expect(JSON.parse(answered.text).error.code).toBe('NOT_FOUND');
    expect(await wsClosed).toBe(1001);
    expect(await server.exited).toBe(0);
    const messages = server.lines().map((l) => (JSON.parse(l) as { msg: string }).msg);
    expect(messages).toEqual(expect.arrayContaining(['shutting down', 'shutdown complete']));

    // It no longer accepts connections.
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  });
});
