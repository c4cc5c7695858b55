export {
  createRedis,
  closeRedis,
  pingRedis,
  Cluster,
  RedisNode,
  type Redis,
  type RedisClientOptions,
} from './client.js';
export { isClusterUrl, parseRedisUrl, type ClusterTarget, type RedisTarget } from './redis-url.js';
export { createRedisKeys, type RedisKeys } from './keys.js';
export { redisScripts, type RedisScripts, type ScriptName } from './scripts.js';
