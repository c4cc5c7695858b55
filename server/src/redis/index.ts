export { createRedis, closeRedis, pingRedis, type Redis, type RedisClientOptions } from './client.js';
export { createRedisKeys, type RedisKeys } from './keys.js';
export { redisScripts, type RedisScripts, type ScriptName } from './scripts.js';
