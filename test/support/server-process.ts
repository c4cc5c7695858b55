import { spawn, type ChildProcess, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { prepareLedgerSchema, schemaForPrefix, testDatabaseUrl } from './test-postgres';

const ROOT = join(__dirname, '..', '..');

/**
 * The test run's database, and the ledger schema that goes with the process's Redis prefix (processes sharing a
 * prefix share a ledger), unless `env` names its own.
 */
function ledgerEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return {
    DATABASE_URL: testDatabaseUrl(),
    DATABASE_SCHEMA: schemaForPrefix(env['REDIS_PREFIX'] ?? 'tt:'),
  };
}

export interface LaunchedProcess {
  child: ChildProcessWithoutNullStreams;
  /** Every stdout line so far (pino JSON, one object per line). */
  lines(): string[];
  stderr(): string;
  /** Resolves with the exit code (or signal name) once the process ends. */
  exited: Promise<number | string>;
  waitForLine(predicate: (line: string) => boolean, timeoutMs?: number): Promise<string>;
}

export interface ServerProcess extends LaunchedProcess {
  url: string;
}

/**
 * Runs `server/src/main.ts` as a real child process (tsx, shared-types read from source), in sandbox mode unless
 * `env` says otherwise (`SANDBOX: ''` for the server's own default, live).
 */
export function launchServer(env: NodeJS.ProcessEnv, timeoutMs = 20_000): LaunchedProcess {
  const child = spawn(
    process.execPath,
    ['--conditions=@tokentill/source', '--import', 'tsx', join(ROOT, 'server/src/main.ts')],
    {
      cwd: ROOT,
      env: {
        PATH: process.env['PATH'],
        PORT: '0',
        HOST: '127.0.0.1',
        SANDBOX: '1',
        LOG_LEVEL: 'info',
        ...ledgerEnv(env),
        ...env,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  const out: string[] = [];
  let err = '';
  let partial = '';
  const waiters = new Set<() => void>();
  child.stdout.on('data', (chunk: Buffer) => {
    const text = partial + chunk.toString('utf8');
    const parts = text.split('\n');
    partial = parts.pop() ?? '';
    out.push(...parts.filter(Boolean));
    for (const wake of waiters) wake();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    err += chunk.toString('utf8');
    for (const wake of waiters) wake();
  });
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => {
      for (const wake of waiters) wake();
      resolve(code ?? signal ?? 'unknown');
    }),
  );

  const waitForLine = (predicate: (line: string) => boolean, waitMs = timeoutMs) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const hit = out.find(predicate);
        if (hit) return done(() => resolve(hit));
        if (child.exitCode !== null) {
          return done(() =>
            reject(new Error(`server exited (${child.exitCode}) before the expected log line:\n${err}`)),
          );
        }
      };
      const timer = setTimeout(
        () => done(() => reject(new Error(`timed out waiting for a log line; stderr:\n${err}`))),
        waitMs,
      );
      const done = (settle: () => void) => {
        clearTimeout(timer);
        waiters.delete(check);
        settle();
      };
      waiters.add(check);
      check();
    });

  return { child, lines: () => [...out], stderr: () => err, exited, waitForLine };
}

/** Launches the server on a free port and waits for its "listening" log line, which carries its URL. */
export async function spawnServer(env: NodeJS.ProcessEnv = {}): Promise<ServerProcess> {
  // Migrated here, as `npm run migrate` would be before a deploy: the server refuses a schema behind its code.
  await prepareLedgerSchema(env['DATABASE_SCHEMA'] ?? (ledgerEnv(env)['DATABASE_SCHEMA'] as string));
  const launched = launchServer(env);
  const listening = await launched.waitForLine((line) => line.includes('listening on'));
  const { url } = JSON.parse(listening) as { url: string };
  return { ...launched, url };
}

/**
 * Runs `server/src/worker-main.ts` as a real child process attached to an API instance at `apiUrl` (its WeChat
 * Pay / WeChat API emulator and mock model), sharing its ledger schema. Its stderr is passed through.
 */
export function spawnWorker(apiUrl: string, env: NodeJS.ProcessEnv): ChildProcess {
  const proc = spawn(
    process.execPath,
    ['--conditions=@tokentill/source', '--import', 'tsx', join(ROOT, 'server/src/worker-main.ts')],
    {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: {
        PATH: process.env['PATH'],
        SANDBOX: '1',
        LOG_LEVEL: 'warn',
        ...ledgerEnv(env),
        ...env,
        PUBLIC_BASE_URL: apiUrl,
        WXPAY_API_BASE: `${apiUrl}/sandbox/wxpay`,
        WECHAT_API_BASE: `${apiUrl}/sandbox/wechat`,
      },
    },
  );
  return proc;
}
