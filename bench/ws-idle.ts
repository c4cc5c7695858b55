/**
 * Benchmark: memory of idle WebSockets. The server runs as a child process (server/src/main.ts, sandbox mode, no
 * background worker) so its RSS is its own; this process logs users in and opens authenticated sockets on /ws
 * that then stay idle (the client answers the server's heartbeat pings, nothing else). RSS is read from
 * /proc/<pid>/status at 0 sockets and at each level, before and after a full GC (SIGUSR2, see
 * bench/support/gc-on-signal.cjs), and reported per socket against the 0-socket baseline of the same run.
 *
 * Quality bar: 10,000 idle WebSockets per instance under 150 MB RSS (physical limit ~7–9 KB per idle socket).
 *
 *   node --conditions=@tokentill/source --import tsx bench/ws-idle.ts
 *
 * The server runs as plain node on a transpiled copy of the sources (bench/support/transpile-server.ts), as in
 * production; WS_SERVER=tsx runs the TypeScript sources through tsx instead (its transpile caches add to RSS).
 * Knobs (env): WS_LEVELS (2000,5000,10000; capped by the open-files limit), WS_USERS (100), WS_SERVER,
 * WS_SERVER_FLAGS (extra node flags for the server, e.g. "--max-semi-space-size=2").
 * Exits 1 when a correctness check fails (a socket refused or dropped, an unauthenticated one accepted).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { closeRedis, createRedis } from '../server/src/redis';
import { benchPrefix, deletePrefix, REDIS_URL } from './support/bench-server';
import { Checks, runBench } from './support/checks';
import { envNumber } from './support/env';
import { login } from './support/session';
import { printSummary, printTable } from './support/stats';
import { transpileServer } from './support/transpile-server';

const REPO = join(__dirname, '..');
const USERS = envNumber('WS_USERS', 100);
const REQUESTED = (process.env['WS_LEVELS'] ?? '2000,5000,10000').split(',').map(Number);
/** `compiled` (default): plain node on a transpiled copy, like production; `tsx`: the TypeScript sources via tsx. */
const MODE = process.env['WS_SERVER'] === 'tsx' ? 'tsx' : 'compiled';
/** Extra node flags for the server process (e.g. "--max-semi-space-size=2"), to try V8 heap settings. */
const SERVER_FLAGS = (process.env['WS_SERVER_FLAGS'] ?? '').split(' ').filter(Boolean);
const OPEN_PARALLEL = 100;
const SETTLE_MS = 2_000;

const checks = new Checks();

function openFilesLimit(): number {
  const line = readFileSync('/proc/self/limits', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Max open files'));
  return Number(line?.split(/\s+/)[3] ?? 1024);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

interface Memory {
  rssKb: number;
  anonKb: number;
  /** process.memoryUsage() inside the server after the GC (bytes). */
  usage?: NodeJS.MemoryUsage;
}

function memoryOf(pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssKb: kb('VmRSS'), anonKb: kb('RssAnon') };
}

/** Reads memory after letting the server settle, then again after a full GC. */
async function measure(pid: number, memoryFile: string): Promise<{ settled: Memory; afterGc: Memory }> {
  await sleep(SETTLE_MS);
  const settled = memoryOf(pid);
  rmSync(memoryFile, { force: true });
  process.kill(pid, 'SIGUSR2');
  await sleep(1_500);
  let usage: NodeJS.MemoryUsage | undefined;
  try {
    usage = JSON.parse(readFileSync(memoryFile, 'utf8')) as NodeJS.MemoryUsage;
  } catch {
    usage = undefined;
  }
  return { settled, afterGc: { ...memoryOf(pid), ...(usage ? { usage } : {}) } };
}

async function waitReady(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      // With a timeout: the server listens before it attaches its request handler, and a request accepted in
      // between is never answered (until Node's 300 s requestTimeout).
      const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(1_000) });
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error('server not ready within 60 s');
}

/** Opens one socket; resolves when open, rejects on refusal or after 15 s. */
/** Opens `/ws` with the session token in the Authorization header, as the Mini Program does (never in the URL). */
function openSocket(url: string, token: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, {
      perMessageDeflate: false,
      headers: { authorization: `Bearer ${token}` },
    });
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error('no open within 15 s'));
    }, 15_000);
    ws.once('open', () => {
      clearTimeout(timer);
      resolve(ws);
    });
    ws.once('unexpected-response', (_req, res) => {
      clearTimeout(timer);
      ws.terminate();
      reject(new Error(`upgrade refused: ${res.statusCode}`));
    });
    ws.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

async function main(): Promise<void> {
  const limit = openFilesLimit();
  // Both processes need one descriptor per socket, plus a margin for Redis, files and the like.
  const levels = REQUESTED.filter((k) => k > 0 && k + 500 <= limit);
  const skipped = REQUESTED.filter((k) => !levels.includes(k));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const prefix = benchPrefix();
  const keysDir = mkdtempSync(join(tmpdir(), 'tokentill-bench-keys-'));
  const memoryFile = join(keysDir, 'memory.json');
  const build = MODE === 'compiled' ? transpileServer() : undefined;
  const gcHook = join(__dirname, 'support', 'gc-on-signal.cjs');
  const args = build
    ? [...SERVER_FLAGS, '--expose-gc', '--require', gcHook, build.main]
    : [
        ...process.execArgv,
        ...SERVER_FLAGS,
        '--expose-gc',
        '--require',
        gcHook,
        join(REPO, 'server/src/main.ts'),
      ];
  const child = spawn(process.execPath, args, {
    cwd: REPO,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      // Production settings against the sandbox's endpoints, on purpose: the server refuses that unless told.
      SANDBOX: '1',
      SANDBOX_ALLOW_UNSAFE: '1',
      HOST: '127.0.0.1',
      PORT: String(port),
      REDIS_URL,
      REDIS_PREFIX: prefix,
      SANDBOX_KEYS_DIR: keysDir,
      BENCH_MEMORY_FILE: memoryFile,
      IN_PROCESS_WORKER: '0',
      // WS_USERS users hold every socket here (the default cap of 5 per user would close most of them).
      WS_MAX_SOCKETS_PER_USER: '1000',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const sockets: WebSocket[] = [];
  let dropped = 0;
  const rows: { sockets: number; settled: Memory; afterGc: Memory }[] = [];
  const redis = createRedis(REDIS_URL, { connectionName: 'tokentill-bench' });
  try {
    await waitReady(url, child);
    const pid = child.pid as number;
    const tokens = await Promise.all(Array.from({ length: USERS }, (_, i) => login(url, `bench-ws-${i}`)));
    const wsUrl = `ws://127.0.0.1:${port}/ws`;
    const tokenOf = (i: number) => tokens[i % tokens.length] as string;

    // An unauthenticated upgrade must be refused.
    const refused = await openSocket(wsUrl, 'not-a-session').then(
      (ws) => {
        ws.terminate();
        return false;
      },
      (err: Error) => /401/.test(err.message),
    );
    checks.check(refused, 'an upgrade with an invalid token was not refused with 401');

    // Warm-up: load the WebSocket code paths, then close everything.
    const warm = await Promise.all(Array.from({ length: 200 }, (_, i) => openSocket(wsUrl, tokenOf(i))));
    for (const ws of warm) ws.close();
    await sleep(500);

    const base = await measure(pid, memoryFile);
    rows.push({ sockets: 0, ...base });
    for (const level of levels) {
      const deadline = Date.now() + 60_000;
      while (sockets.length < level && Date.now() < deadline) {
        const batch = Math.min(OPEN_PARALLEL, level - sockets.length);
        const opened = await Promise.allSettled(
          Array.from({ length: batch }, (_, j) => openSocket(wsUrl, tokenOf(sockets.length + j))),
        );
        for (const r of opened) {
          if (r.status === 'fulfilled') {
            r.value.on('close', () => dropped++);
            sockets.push(r.value);
          } else {
            checks.failures.push(`socket ${sockets.length} failed to open: ${(r.reason as Error).message}`);
          }
        }
        if (checks.failures.length > 5) throw new Error(checks.failures.join('; '));
      }
      checks.check(sockets.length === level, `opened ${sockets.length} of ${level} sockets within 60 s`);
      rows.push({ sockets: sockets.length, ...(await measure(pid, memoryFile)) });
    }
    const open = sockets.filter((ws) => ws.readyState === WebSocket.OPEN).length;
    checks.check(
      dropped === 0 && open === sockets.length,
      `${dropped} idle sockets were closed; ${open} of ${sockets.length} open`,
    );

    const mb = (kb: number) => (kb / 1024).toFixed(1);
    const perSocket = (r: (typeof rows)[number], key: 'settled' | 'afterGc') =>
      r.sockets === 0 ? NaN : ((r[key].rssKb - base[key].rssKb) * 1024) / r.sockets / 1024;
    console.log(
      `\nws-idle — server pid ${pid} (${build ? `plain node, ${build.files} transpiled files` : 'tsx'}` +
        `${SERVER_FLAGS.length ? ` ${SERVER_FLAGS.join(' ')}` : ''}); ` +
        `node ${process.version}; open-files limit ${limit}`,
    );
    printTable([
      [
        'sockets',
        'RSS MB',
        'anon MB',
        'KB/socket',
        'RSS MB after GC',
        'anon MB after GC',
        'KB/socket after GC',
        'heap used MB',
        'heap total MB',
        'external MB',
      ],
      ...rows.map((r) => [
        r.sockets,
        mb(r.settled.rssKb),
        mb(r.settled.anonKb),
        r.sockets === 0 ? '-' : perSocket(r, 'settled').toFixed(1),
        mb(r.afterGc.rssKb),
        mb(r.afterGc.anonKb),
        r.sockets === 0 ? '-' : perSocket(r, 'afterGc').toFixed(1),
        r.afterGc.usage ? mb(r.afterGc.usage.heapUsed / 1024) : '-',
        r.afterGc.usage ? mb(r.afterGc.usage.heapTotal / 1024) : '-',
        r.afterGc.usage ? mb(r.afterGc.usage.external / 1024) : '-',
      ]),
    ]);
    if (skipped.length > 0) console.log(`skipped levels ${skipped.join(', ')}: open-files limit ${limit}`);
    const top = rows[rows.length - 1];
    const at10k = rows.find((r) => r.sockets === 10_000);
    if (at10k) {
      console.log(
        `10,000 idle sockets: RSS ${mb(at10k.settled.rssKb)} MB (${mb(at10k.afterGc.rssKb)} MB after GC); ` +
          `target < 150 MB: ${at10k.settled.rssKb < 150 * 1024 ? 'met' : 'NOT met'}`,
      );
    }
    console.log(`checks: ${checks.status}`);
    printSummary({
      bench: 'ws-idle',
      node: process.version,
      server: MODE,
      serverFlags: SERVER_FLAGS,
      baselineRssMb: base.settled.rssKb / 1024,
      levels: rows.map((r) => ({
        sockets: r.sockets,
        rssMb: r.settled.rssKb / 1024,
        rssMbAfterGc: r.afterGc.rssKb / 1024,
        kbPerSocket: perSocket(r, 'settled'),
        kbPerSocketAfterGc: perSocket(r, 'afterGc'),
        heapUsedMb: r.afterGc.usage ? r.afterGc.usage.heapUsed / 1048576 : undefined,
      })),
      topRssMb: top ? top.settled.rssKb / 1024 : undefined,
      checks: checks.summary(),
    });
  } finally {
    for (const ws of sockets) ws.terminate();
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(15_000)]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    rmSync(keysDir, { recursive: true, force: true });
    build?.cleanup();
    const deleted = await deletePrefix(redis, prefix);
    await closeRedis(redis);
    console.log(`cleanup: server stopped, deleted ${deleted} Redis keys under ${prefix}`);
  }
}

runBench(checks, main);
