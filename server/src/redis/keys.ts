/**
 * Every Redis key TokenTill writes is built here, from the deployment's prefix. Keys of one order share the
 * hash tag `{o:<id>}` so a Lua script touching several of them works on Redis Cluster.
 */
export interface RedisKeys {
  readonly prefix: string;
  /** Pattern matching every key of this deployment (for SCAN-based cleanup in tests and tools). */
  readonly all: string;
  order(orderId: string): string;
  orderStream(orderId: string): string;
  session(token: string): string;
}

const SAFE_ID = /^[A-Za-z0-9_-]{1,64}$/;

function assertId(kind: string, id: string): string {
  // A key part containing '{', '}' or '*' would break hash tags or SCAN patterns; ids are ours, so this is a bug guard.
  if (!SAFE_ID.test(id)) throw new TypeError(`invalid ${kind} id for a Redis key: ${JSON.stringify(id)}`);
  return id;
}

export function createRedisKeys(prefix: string): RedisKeys {
  return {
    prefix,
    all: `${prefix}*`,
    order: (id) => `${prefix}order:{o:${assertId('order', id)}}`,
    orderStream: (id) => `${prefix}order:{o:${assertId('order', id)}}:stream`,
    session: (token) => `${prefix}session:${assertId('session', token)}`,
  };
}
