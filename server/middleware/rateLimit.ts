/** Fixed-window rate limits kept in memory (per process); a hit answers 429 with Retry-After. */
import type { NextFunction, Request, Response } from 'express';
import { AppError, RateLimited } from '../errors';
import { log } from '../log';

/** A counter per key per window; old windows are dropped as they expire. */
export class RateLimiter {
  private windows = new Map<string, { count: number; resetAt: number }>();
  constructor(
    readonly limit: number,
    readonly windowMs: number,
  ) {}

  /** Count a hit of `cost` units; returns seconds to wait when over the limit, else 0. */
  hit(key: string, now = Date.now(), cost = 1): number {
    let w = this.windows.get(key);
    if (!w || w.resetAt <= now) {
      if (this.windows.size > 50_000) this.sweep(now);
      w = { count: 0, resetAt: now + this.windowMs };
      this.windows.set(key, w);
    }
    w.count += cost;
    return w.count > this.limit ? Math.max(1, Math.ceil((w.resetAt - now) / 1000)) : 0;
  }

  /** Seconds to wait if `key` has already spent its budget (counting nothing), else 0. */
  blocked(key: string, now = Date.now()): number {
    const w = this.windows.get(key);
    return w && w.resetAt > now && w.count >= this.limit ? Math.max(1, Math.ceil((w.resetAt - now) / 1000)) : 0;
  }

  private sweep(now: number) {
    for (const [k, w] of this.windows) if (w.resetAt <= now) this.windows.delete(k);
  }
}

/** Express middleware: limit by the key function (skip when it returns null). */
export function rateLimit(limiter: RateLimiter, keyOf: (req: Request) => string | null) {
  return (req: Request, _res: Response, next: NextFunction) => {
    const key = keyOf(req);
    if (key === null) return next();
    const wait = limiter.hit(key);
    if (wait > 0) return next(RateLimited(wait));
    next();
  };
}

/**
 * Sign-in throttling keyed the way mature forums key it: every attempt counts against the
 * address, only failed attempts count against the account. An account under attack refuses even
 * the correct password until its window ends; other accounts from the same address keep working
 * until the (higher) address limit.
 */
export class LoginThrottle {
  constructor(
    private readonly perAddress: RateLimiter,
    private readonly failuresPerAccount: RateLimiter,
  ) {}

  /** Run `check` (which throws `unauthenticated` on a wrong password) under both limits. */
  async attempt<T>(address: string, account: string, check: () => Promise<T>): Promise<T> {
    const addressWait = this.perAddress.hit(`login-ip:${address}`);
    if (addressWait > 0) {
      log.info('sign-in throttled', { limit: 'address', retryAfterSeconds: addressWait });
      throw RateLimited(addressWait);
    }
    // The same answer whether or not the account exists: the key is the name as typed.
    const accountKey = `login-account:${account}`;
    const accountWait = this.failuresPerAccount.blocked(accountKey);
    if (accountWait > 0) {
      log.info('sign-in throttled', { limit: 'account', retryAfterSeconds: accountWait });
      throw RateLimited(accountWait);
    }
    try {
      return await check();
    } catch (err) {
      if (err instanceof AppError && err.code === 'unauthenticated') this.failuresPerAccount.hit(accountKey);
      throw err;
    }
  }
}
