import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, redisAnswers } from '../../scripts/lib/local-redis';
import { closeRedis, createRedis, type RedisNode } from '../../server/src/redis';

/**
 * A real Redis Cluster of the test's own: `masters` redis-server processes with cluster mode on, on free loopback
 * ports (client and cluster-bus ports both picked free), each in a temporary directory, joined with
 * `redis-cli --cluster create` and waited for until every node reports `cluster_state:ok`. Nothing is persisted;
 * `stop()` ends the processes and deletes the directories.
 */
export interface RedisCluster {
  /** `redis+cluster://127.0.0.1:P1,127.0.0.1:P2,…`: what REDIS_URL takes. */
  url: string;
  ports: number[];
  stop(): Promise<void>;
}

const execFileAsync = promisify(execFile);

/**
 * Why a cluster cannot be started here, or undefined if it can: redis-server 7+ (every build since 3.0 has
 * cluster mode; the stream hub's shard channels need 7.0's SPUBLISH) and redis-cli.
 */
export function redisClusterUnsupported(): string | undefined {
  const server = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (server.status !== 0) return 'redis-server is not installed';
  const major = Number(/v=(\d+)\./.exec(server.stdout)?.[1]);
  if (!(major >= 7)) return `redis-server ${server.stdout.trim()} is older than 7 (no SPUBLISH)`;
  if (spawnSync('redis-cli', ['--version']).status !== 0) return 'redis-cli is not installed';
  return undefined;
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The node sees the whole cluster: every slot served and every master known. */
async function clusterStateOk(port: number, masters: number): Promise<boolean> {
  const node = createRedis(`redis://127.0.0.1:${port}`, {
    overrides: { maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true },
  }) as RedisNode;
  node.on('error', () => undefined);
  try {
    await node.connect();
    const info = String(await node.cluster('INFO'));
    return (
      /cluster_state:ok/.test(info) &&
      /cluster_slots_ok:16384/.test(info) &&
      new RegExp(`cluster_known_nodes:${masters}\\b`).test(info)
    );
  } catch {
    return false;
  } finally {
    await closeRedis(node);
  }
}

export async function startRedisCluster(masters = 3): Promise<RedisCluster> {
  const nodes: { port: number; dir: string; child: ChildProcess }[] = [];
  const stop = async () => {
    await Promise.all(
      nodes.map(async ({ child }) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }),
    );
    for (const { dir } of nodes) rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < masters; i++) {
      const port = await freePort();
      const busPort = await freePort();
      const dir = mkdtempSync(join(tmpdir(), 'tokentill-cluster-'));
      const child = spawn(
        'redis-server',
        [
          '--port',
          String(port),
          '--cluster-port',
          String(busPort),
          '--bind',
          '127.0.0.1',
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          join(dir, 'nodes.conf'),
          '--cluster-node-timeout',
          '2000',
          '--dir',
          dir,
          '--save',
          '',
          '--appendonly',
          'no',
        ],
        { stdio: 'ignore' },
      );
      nodes.push({ port, dir, child });
    }
    for (const { port, child } of nodes) {
      await waitFor(
        async () => {
          if (child.exitCode !== null) throw new Error(`redis-server --cluster-enabled on ${port} exited`);
          return redisAnswers(`redis://127.0.0.1:${port}`, 200);
        },
        10_000,
        `redis-server on ${port}`,
      );
    }
    const addresses = nodes.map(({ port }) => `127.0.0.1:${port}`);
    // Masters only (no replicas): the slots are split evenly between them.
    await execFileAsync('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-yes'], {
      timeout: 30_000,
    });
    for (const { port } of nodes) {
      await waitFor(() => clusterStateOk(port, masters), 20_000, `cluster_state:ok on ${port}`);
    }
    return { url: `redis+cluster://${addresses.join(',')}`, ports: nodes.map((n) => n.port), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
