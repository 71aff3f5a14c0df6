/**
 * Rate-limit windows counted in Redis, so that N web processes give a member one budget, not N.
 * The same fixed windows as in memory (a window starts at a key's first hit and lasts windowMs);
 * one round trip per hit, a small script so that the count and its expiry are set together and
 * the time left comes back with the count. When Redis does not answer, the limiter counts in this
 * process alone for that hit.
 */
import type { RedisLink } from './redis';

export interface WindowCount {
  count: number;
  resetAt: number;
}

/** A shared counter store for RateLimiter (null from take(): unavailable, count locally). */
export interface LimitStore {
  take(key: string, windowMs: number, cost: number, now: number): Promise<WindowCount | null>;
}

// INCRBY, and the expiry on the first hit of the window (a crash between the two cannot leave a
// counter without one: the script runs atomically).
const TAKE = `local n = redis.call('INCRBY', KEYS[1], ARGV[1])
if n == tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return {n, redis.call('PTTL', KEYS[1])}`;

export function redisLimitStore(link: RedisLink): LimitStore {
  return {
    async take(key, windowMs, cost, now) {
      if (link.status() !== 'ok') return null;
      try {
        const [count, ttl] = (await link.commands.eval(TAKE, 1, `${link.keyPrefix}rl:${windowMs}:${key}`, cost, windowMs)) as [number, number];
        return { count: Number(count), resetAt: now + Math.max(0, Number(ttl)) };
      } catch {
        return null;
      }
    },
  };
}
