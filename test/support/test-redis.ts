import { randomUUID } from 'node:crypto';
import { closeRedis, createRedis, createRedisKeys, type Redis, type RedisKeys } from '../../server/src/redis';
import { DEFAULT_REDIS_URL } from '../../scripts/lib/local-redis';

export interface TestRedis {
  redis: Redis;
  keys: RedisKeys;
  prefix: string;
  url: string;
}

/** Deletes every key under `prefix` (SCAN, never KEYS: the shared Redis may be large). */
export async function deletePrefix(redis: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    cursor = next;
    if (batch.length > 0) deleted += await redis.del(...batch);
  } while (cursor !== '0');
  return deleted;
}

/**
 * Per-test-file Redis access: a real connection to REDIS_URL and a unique key prefix, whose keys are deleted
 * after each test and the connection closed after the file. Call at the top level of a test file.
 */
export function useTestRedis(): TestRedis {
  const url = process.env['REDIS_URL'] || DEFAULT_REDIS_URL;
  const prefix = `test:${randomUUID()}:`;
  const handle = {
    redis: createRedis(url, { connectionName: 'tokentill-test' }),
    keys: createRedisKeys(prefix),
    prefix,
    url,
  };
  afterEach(async () => {
    await deletePrefix(handle.redis, prefix);
  });
  afterAll(async () => {
    await deletePrefix(handle.redis, prefix);
    await closeRedis(handle.redis);
  });
  return handle;
}
