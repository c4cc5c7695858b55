import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOrder, login, sandboxPay } from '../support/api-client';
import { deletePrefix } from '../support/test-redis';
import { closeRedis, createRedis } from '../../server/src/redis';
import { freePort } from '../../scripts/lib/local-redis';
import { openSocket } from '../integration/delivery/ws-client';

const ROOT = join(__dirname, '..', '..');
const redisUrl = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const prefix = `test:npm-start:${Date.now()}:`;

/** `pid` and all its descendants (npm → tsx → start script → server, redis-server if it started one). */
function processTree(pid: number): number[] {
  let children: number[] = [];
  try {
    children = execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .map((l) => Number(l.trim()))
      .filter((p) => p > 0);
  } catch {
    // ps exits 1 when there are none
  }
  return [pid, ...children.flatMap(processTree)];
}

function alive(pids: number[]): number[] {
  return pids.filter((pid) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  });
}

let child: ChildProcess | undefined;
let started: number[] = [];
afterAll(async () => {
  for (const pid of alive(started)) process.kill(pid, 'SIGKILL');
  const redis = createRedis(redisUrl);
  await deletePrefix(redis, prefix);
  await closeRedis(redis);
});

it('`npm start` serves a paid order end to end and Ctrl-C stops everything it started', async () => {
  const port = await freePort();
  // Its own process group, like a terminal's foreground job: Ctrl-C signals the whole group.
  child = spawn('npm', ['start'], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env['PATH'],
      HOME: process.env['HOME'],
      PORT: String(port),
      REDIS_URL: redisUrl,
      REDIS_PREFIX: prefix,
      SANDBOX_KEYS_DIR: mkdtempSync(join(tmpdir(), 'tt-start-keys-')),
      SANDBOX_NOTIFY_SCALE: '0.01',
      SANDBOX_MODEL_TOKENS_PER_SECOND: '1000',
    },
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<string>((resolve) =>
    child!.once('exit', (code, signal) => resolve(String(code ?? signal))),
  );

  const deadline = Date.now() + 150_000;
  while (!output.includes('TokenTill is running')) {
    if (Date.now() > deadline || child.exitCode !== null)
      throw new Error(`npm start did not come up:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const base = `http://127.0.0.1:${port}`;
  expect(output).toContain(`Open the app        ${base}/`);
  expect(output).toContain('WeChat DevTools');

  // One paid order through HTTP and the WebSocket.
  const token = await login(base);
  const { orderId } = await createOrder(base, token, { prompt: '新手的第一个问题' });
  const socket = await openSocket(base, token);
  socket.send({ type: 'subscribe', orderId, after: 0 });
  await sandboxPay(base, orderId);
  await socket.waitFor((m) => m.type === 'done' && m.orderId === orderId, 30_000);
  expect(socket.messages.some((m) => m.type === 'chunk')).toBe(true);
  await socket.close();

  // Ctrl-C: the terminal signals the foreground process group.
  started = processTree(child.pid!);
  expect(started.length).toBeGreaterThanOrEqual(4);
  process.kill(-child.pid!, 'SIGINT');
  // npm itself dies of the SIGINT (as in a terminal); what matters is that everything under it stops cleanly.
  expect(['0', 'SIGINT']).toContain(await exited);
  const stopDeadline = Date.now() + 10_000;
  while (alive(started).length > 0 && Date.now() < stopDeadline) await new Promise((r) => setTimeout(r, 100));
  expect(alive(started)).toEqual([]);
  await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  await new Promise((r) => setTimeout(r, 200));
  expect(output).toContain('shutdown complete');
}, 180_000);
