import { ConfigError, loadConfig } from '../../server/src/config';
import { Cluster, RedisNode, closeRedis, createRedis, parseRedisUrl } from '../../server/src/redis';
import { ensureRedis } from '../../scripts/lib/local-redis';

function redisUrlProblems(url: string): string[] {
  try {
    loadConfig({ SANDBOX: '1', REDIS_URL: url });
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.filter((p) => p.startsWith('REDIS_URL'));
    throw err;
  }
  return [];
}

describe('REDIS_URL', () => {
  it('passes a single-node URL through to ioredis', () => {
    expect(parseRedisUrl('rediss://user:pw@redis.internal:6380/2')).toEqual({
      target: { mode: 'node', url: 'rediss://user:pw@redis.internal:6380/2' },
    });
  });

  it('reads a cluster URL: seed nodes, credentials (percent-decoded), TLS', () => {
    expect(parseRedisUrl('redis+cluster://10.0.0.5:7000,10.0.0.6:7001,[::1]:7002,cache-3')).toEqual({
      target: {
        mode: 'cluster',
        nodes: [
          { host: '10.0.0.5', port: 7000 },
          { host: '10.0.0.6', port: 7001 },
          { host: '::1', port: 7002 },
          { host: 'cache-3', port: 6379 },
        ],
        tls: false,
      },
    });
    expect(parseRedisUrl('rediss+cluster://app:p%40ss%3Aw0rd@a.example:6379/')).toEqual({
      target: {
        mode: 'cluster',
        nodes: [{ host: 'a.example', port: 6379 }],
        username: 'app',
        password: 'p@ss:w0rd',
        tls: true,
      },
    });
    expect(parseRedisUrl('redis+cluster://:secret@h:1/0')).toMatchObject({
      target: { password: 'secret', nodes: [{ host: 'h', port: 1 }] },
    });
  });

  it('refuses what a cluster cannot be, saying what to change and never echoing the password', () => {
    expect(redisUrlProblems('http://localhost')[0]).toMatch(/expected a redis:\/\/.*redis\+cluster:\/\//);
    expect(redisUrlProblems('redis+cluster://h1:7000/3')[0]).toMatch(
      /Redis Cluster has only database 0: drop "\/3"/,
    );
    expect(redisUrlProblems('redis+cluster://')[0]).toMatch(/list at least one cluster node/);
    const bad = redisUrlProblems('redis+cluster://u:hunter2@h1:7000,h2:99999,h 3:1');
    expect(bad.filter((p) => /is not a host:port/.test(p))).toHaveLength(2);
    expect(bad.join('\n')).toMatch(/"h2:99999" is not a host:port/);
    expect(redisUrlProblems('redis+cluster://h1:7000?tls=1')[0]).toMatch(/no query string/);
    // The (got …) echo of the setting is the existing config behaviour; the problem itself names no password.
    expect(parseRedisUrl('redis+cluster://u:hunter2@h1:99999')).toEqual({
      problems: ['"h1:99999" is not a host:port (e.g. 10.0.0.5:6379 or [::1]:7000)'],
    });
  });

  it('accepts both forms in the configuration', () => {
    expect(redisUrlProblems('redis://127.0.0.1:6379')).toEqual([]);
    expect(redisUrlProblems('redis+cluster://127.0.0.1:7000,127.0.0.1:7001')).toEqual([]);
  });
});

describe('createRedis', () => {
  it('makes a cluster client for a cluster URL, with per-node options in redisOptions', async () => {
    const cluster = createRedis('redis+cluster://u:pw@127.0.0.1:1,127.0.0.1:2', {
      connectionName: 'tokentill-queue',
      overrides: { maxRetriesPerRequest: null, enableAutoPipelining: false, lazyConnect: true },
    });
    expect(cluster).toBeInstanceOf(Cluster);
    const { options } = cluster as Cluster;
    expect(options).toMatchObject({ enableAutoPipelining: false, lazyConnect: true, scaleReads: 'master' });
    // BullMQ checks maxRetriesPerRequest here on a cluster: it must be null for its blocking connections.
    expect(options.redisOptions).toMatchObject({
      connectionName: 'tokentill-queue',
      maxRetriesPerRequest: null,
      username: 'u',
      password: 'pw',
    });
    await closeRedis(cluster);
  });

  it('makes a single-node client for a redis:// URL', async () => {
    const node = createRedis('redis://127.0.0.1:1', { overrides: { lazyConnect: true } });
    expect(node).toBeInstanceOf(RedisNode);
    await closeRedis(node);
  });
});

describe('ensureRedis (npm start, the test harness)', () => {
  it('uses a cluster URL as given instead of starting a private single node', async () => {
    const url = 'redis+cluster://127.0.0.1:7000,127.0.0.1:7001';
    const found = await ensureRedis({ REDIS_URL: url });
    try {
      expect(found.url).toBe(url);
      expect(found.child).toBeUndefined();
    } finally {
      await found.stop();
    }
  });
});
