/** Several processes of one deployment, through Redis (REDIS_URL); null: this process is alone. */
import type { Config } from '../config';
import { createBus, type Bus } from './bus';
import { connectRedis, type RedisLink } from './redis';
import { redisLimitStore, type LimitStore } from './sharedLimits';

export interface Cluster {
  link: RedisLink;
  bus: Bus;
  store: LimitStore;
}

export function createCluster(config: Config): Cluster | null {
  if (!config.REDIS_URL) return null;
  const link = connectRedis({ url: config.REDIS_URL, keyPrefix: config.REDIS_KEY_PREFIX, commandTimeoutMs: config.REDIS_COMMAND_TIMEOUT_MS });
  return { link, bus: createBus(link), store: redisLimitStore(link) };
}
