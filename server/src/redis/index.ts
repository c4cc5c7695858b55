export { createRedis, closeRedis, pingRedis, type Redis, type RedisClientOptions } from './client.js';
export { createRedisKeys, type RedisKeys } from './keys.js';
