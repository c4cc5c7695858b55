import { Cluster, Redis as RedisNode, type ClusterOptions, type RedisOptions } from 'ioredis';
import { parseRedisUrl, type ClusterTarget } from './redis-url.js';

export { Cluster, RedisNode };

/**
 * A connection to Redis: one node (ioredis `Redis`, here `RedisNode`) or a Redis Cluster (ioredis `Cluster`), as
 * REDIS_URL says. Both speak the same commands; what TokenTill sends is cluster-safe by construction (every
 * multi-key command, MULTI and script stays within one order's `{o:…}` or one user's `{u:…}` hash tag, see
 * keys.ts). The few places that need one kind narrow it: `redis instanceof Cluster`.
 */
export type Redis = RedisNode | Cluster;

export interface RedisClientOptions {
  /** Name shown by CLIENT LIST, so an operator can tell API, worker and subscriber connections apart. */
  connectionName?: string;
  /** Extra ioredis options (tests shorten timeouts; BullMQ and subscribers turn request retries off). */
  overrides?: Partial<RedisOptions>;
  /**
   * Cluster only: SSUBSCRIBE through one subscriber connection per master, so each shard channel is heard on the
   * node that owns its slot (the stream hub's notices). A single node needs nothing for SSUBSCRIBE.
   */
  shardedSubscribers?: boolean;
}

const NODE_DEFAULTS = {
  maxRetriesPerRequest: 2,
  connectTimeout: 5_000,
  // Auto-pipelining batches commands issued in the same tick: fewer round trips on hot paths. On a cluster it
  // batches per node.
  enableAutoPipelining: true,
  retryStrategy: (attempt: number) => Math.min(50 * 2 ** attempt, 2_000),
} satisfies Partial<RedisOptions>;

/**
 * The one place a Redis connection is made, for a single node (`redis://`, `rediss://`) or a cluster
 * (`redis+cluster://host:port,…`, `rediss+cluster://…`; see redis-url.ts). On a single node, commands fail after
 * a bounded number of reconnect attempts rather than queueing forever, so a request path never hangs on a dead
 * Redis: it answers 503 instead.
 */
export function createRedis(url: string, options: RedisClientOptions = {}): Redis {
  const parsed = parseRedisUrl(url);
  if ('problems' in parsed) throw new TypeError(`REDIS_URL: ${parsed.problems.join('; ')}`);
  const connectionName = options.connectionName ?? 'tokentill';
  const { target } = parsed;
  if (target.mode === 'node') {
    return new RedisNode(target.url, { connectionName, ...NODE_DEFAULTS, ...options.overrides });
  }
  return new Cluster(target.nodes, clusterOptions(target, connectionName, options));
}

/**
 * ioredis splits a cluster client's options in two: the cluster's own (routing, auto-pipelining, the offline
 * queue, reconnecting to the cluster) and `redisOptions`, given to each node connection it opens. What that means
 * for the settings above:
 * - `maxRetriesPerRequest` lives in `redisOptions`. Node connections never reconnect by themselves (the cluster
 *   refreshes its slot map instead), so it hardly matters there; a command to a lost node is retried by the
 *   cluster every `retryDelayOnFailover` ms up to `maxRedirections` times, then fails. BullMQ reads
 *   `redisOptions.maxRetriesPerRequest` to check its blocking connections (it must be null), so it is kept.
 * - While no node is reachable at all, commands wait in the cluster's offline queue until it reconnects
 *   (`retryStrategy` becomes `clusterRetryStrategy`); /readyz, which pings with a deadline, reports it.
 * - Reads go to masters (`scaleReads: 'master'`): replicas lag, and the order flow reads what it just wrote.
 */
function clusterOptions(
  target: ClusterTarget,
  connectionName: string,
  options: RedisClientOptions,
): ClusterOptions {
  const {
    enableAutoPipelining,
    enableOfflineQueue,
    lazyConnect,
    retryStrategy,
    // Per-node settings ioredis's cluster sets itself.
    host: _host,
    port: _port,
    path: _path,
    sentinels: _sentinels,
    readOnly: _readOnly,
    ...node
  } = { ...NODE_DEFAULTS, ...options.overrides };
  return {
    enableAutoPipelining,
    ...(enableOfflineQueue === undefined ? {} : { enableOfflineQueue }),
    ...(lazyConnect === undefined ? {} : { lazyConnect }),
    clusterRetryStrategy: retryStrategy ?? null,
    scaleReads: 'master',
    shardedSubscribers: options.shardedSubscribers ?? false,
    // With TLS the certificates name the hosts: connect to them by name, not by a resolved address.
    ...(target.tls ? { dnsLookup: (address, callback) => callback(null, address) } : {}),
    redisOptions: {
      ...node,
      connectionName,
      ...(target.username ? { username: target.username } : {}),
      ...(target.password ? { password: target.password } : {}),
      ...(target.tls ? { tls: {} } : {}),
    },
  };
}

/** Closes a connection politely (QUIT), falling back to a hard disconnect when Redis is unreachable. */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'end') return;
  if (redis.status !== 'ready') {
    redis.disconnect();
    return;
  }
  try {
    await redis.quit();
  } catch {
    redis.disconnect();
  }
}

/** PING with a deadline: the readiness probe must answer even while ioredis is reconnecting. */
export async function pingRedis(redis: Redis, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      redis.ping(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no PONG within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
