import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort } from './local-redis';

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * Finding or starting a local PostgreSQL, shared by `npm start` and the test harness (like local-redis.ts).
 * A PostgreSQL to use: the one at DATABASE_URL, or a private server this process started.
 */
export interface LocalPostgres {
  url: string;
  /** Set when this process started the server; `stop()` ends it and deletes its data. */
  child?: ChildProcess;
  stop(): Promise<void>;
}

/** Resolves true when the server at `url` runs `SELECT 1` within `timeoutMs`. */
export async function postgresAnswers(url: string, timeoutMs = 1_000): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Where `initdb` and `postgres` are: PATH first, then Debian's versioned folders, newest first. */
function findPostgresBinaries(): { initdb: string; postgres: string } | undefined {
  if (spawnSync('initdb', ['--version'], { stdio: 'ignore' }).status === 0) {
    return { initdb: 'initdb', postgres: 'postgres' };
  }
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const newest = versions[0];
  if (newest === undefined) return undefined;
  return { initdb: join(root, newest, 'bin', 'initdb'), postgres: join(root, newest, 'bin', 'postgres') };
}

/**
 * PostgreSQL refuses to run as root. As root, the private server runs as the `postgres` user if there is one,
 * else `nobody`, in a folder that user owns; as anyone else, as that user.
 */
function unprivilegedUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  for (const name of ['postgres', 'nobody']) {
    const uid = spawnSync('id', ['-u', name], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' });
    if (uid.status === 0 && gid.status === 0) return { uid: Number(uid.stdout), gid: Number(gid.stdout) };
  }
  throw new Error(
    'running as root, and neither a "postgres" nor a "nobody" user exists to run PostgreSQL as',
  );
}

const HOW_TO_GET_POSTGRES =
  'TokenTill keeps its ledger of payments and refunds in PostgreSQL (14 or newer). Either install it ' +
  '(Debian/Ubuntu: `sudo apt-get install -y postgresql`; macOS: `brew install postgresql@16`) and run this ' +
  'again, or set DATABASE_URL to a PostgreSQL you can use (e.g. `DATABASE_URL=postgres://user:pass@host:5432/db`).';

/**
 * Finds a PostgreSQL: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) if it answers; otherwise,
 * when the server binaries are installed, a private one on a free port in a temporary folder (no fsync: it is
 * thrown away when the session ends); otherwise an error that says how to get one.
 */
export async function ensurePostgres(env: NodeJS.ProcessEnv = process.env): Promise<LocalPostgres> {
  const url = env['DATABASE_URL'] || DEFAULT_DATABASE_URL;
  if (await postgresAnswers(url)) return { url, stop: async () => undefined };

  const binaries = findPostgresBinaries();
  if (!binaries) {
    throw new Error(
      `No PostgreSQL answers at ${redactPassword(url)}, and its server binaries (initdb, postgres) are not ` +
        `installed to start a private one.\n${HOW_TO_GET_POSTGRES}`,
    );
  }
  const user = unprivilegedUser();
  const dir = mkdtempSync(join(tmpdir(), 'tokentill-postgres-'));
  if (user) chownSync(dir, user.uid, user.gid);
  const data = join(dir, 'data');
  const asUser = user ? { uid: user.uid, gid: user.gid } : {};
  const init = spawnSync(
    binaries.initdb,
    ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync'],
    { ...asUser, encoding: 'utf8' },
  );
  if (init.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed (exit ${init.status}): ${init.stderr || init.error?.message}`);
  }
  const port = await freePort();
  const child = spawn(
    binaries.postgres,
    ['-D', data, '-p', String(port), '-h', '127.0.0.1', '-k', dir, '-F', '-c', 'max_connections=200'],
    { ...asUser, stdio: 'ignore', detached: false },
  );
  const privateUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const deadline = Date.now() + 20_000;
  while (!(await postgresAnswers(privateUrl, 500))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`postgres on port ${port} did not start (exit code ${child.exitCode})`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: privateUrl,
    child,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGINT'); // "fast" shutdown: rolls back open transactions, no waiting for clients
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The URL without its password, for messages. */
export function redactPassword(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}
