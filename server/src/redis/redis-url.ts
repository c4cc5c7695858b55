/**
 * Where Redis is, from one setting (REDIS_URL):
 *
 * - `redis://[user:password@]host:port[/db]` or `rediss://…` (TLS): one Redis node, as ioredis reads it;
 * - `redis+cluster://[user:password@]host:port,host:port,…` or `rediss+cluster://…` (TLS): a Redis Cluster, given by
 *   a few of its nodes (the client learns the rest from CLUSTER SLOTS; one reachable node is enough to start).
 *
 * One URL rather than a second setting so every connection the server makes (commands, BullMQ, subscribers, the
 * stream hub) follows it without each caller knowing the mode. No ioredis here: config.ts validates with it.
 */
export type RedisTarget = { mode: 'node'; url: string } | ClusterTarget;

export interface ClusterTarget {
  mode: 'cluster';
  /** The seed nodes. */
  nodes: { host: string; port: number }[];
  username?: string;
  password?: string;
  tls: boolean;
}

const CLUSTER_URL = /^(rediss?)\+cluster:\/\/(?:([^@/?#]*)@)?([^/?#]*)(\/[^?#]*)?([?#].*)?$/;
const HOST_PORT = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+))(?::(\d{1,5}))?$/;
const DEFAULT_PORT = 6379;

/** Whether a REDIS_URL names a cluster (`redis+cluster://`, `rediss+cluster://`). */
export function isClusterUrl(url: string): boolean {
  return /^rediss?\+cluster:\/\//.test(url);
}

/**
 * Reads a REDIS_URL. Returns the target, or the problems in words an operator can act on (never echoing the
 * password). A single-node URL is passed through: ioredis parses it.
 */
export function parseRedisUrl(url: string): { target: RedisTarget } | { problems: string[] } {
  if (/^rediss?:\/\//.test(url)) return { target: { mode: 'node', url } };
  if (!isClusterUrl(url)) {
    return { problems: ['expected a redis://, rediss://, redis+cluster:// or rediss+cluster:// URL'] };
  }
  const match = CLUSTER_URL.exec(url);
  if (!match) return { problems: ['expected redis+cluster://[user:password@]host:port,host:port,…'] };
  const [, scheme, userinfo, hostList = '', path = '', rest] = match;
  const problems: string[] = [];
  if (rest) problems.push('a cluster URL takes no query string or fragment');
  if (path !== '' && path !== '/' && path !== '/0') {
    problems.push(`Redis Cluster has only database 0: drop "${path}" from the URL`);
  }
  const nodes: { host: string; port: number }[] = [];
  const seeds = hostList.split(',').filter((s) => s !== '');
  if (seeds.length === 0)
    problems.push('list at least one cluster node: redis+cluster://host:port,host:port');
  for (const seed of seeds) {
    const hp = HOST_PORT.exec(seed);
    const port = Number(hp?.[3] ?? DEFAULT_PORT);
    if (!hp || !Number.isInteger(port) || port < 1 || port > 65535) {
      problems.push(`"${seed}" is not a host:port (e.g. 10.0.0.5:6379 or [::1]:7000)`);
      continue;
    }
    nodes.push({ host: (hp[1] ?? hp[2]) as string, port });
  }
  let username: string | undefined;
  let password: string | undefined;
  if (userinfo !== undefined) {
    const colon = userinfo.indexOf(':');
    try {
      username = decodeURIComponent(colon < 0 ? userinfo : userinfo.slice(0, colon)) || undefined;
      password = colon < 0 ? undefined : decodeURIComponent(userinfo.slice(colon + 1)) || undefined;
    } catch {
      problems.push('the user or password is not valid percent-encoding (encode "@", ":", "/" and "%")');
    }
  }
  if (problems.length > 0) return { problems };
  return {
    target: {
      mode: 'cluster',
      nodes,
      ...(username ? { username } : {}),
      ...(password ? { password } : {}),
      tls: scheme === 'rediss',
    },
  };
}
