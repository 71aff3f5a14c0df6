/**
 * Fixed-window rate limits; a hit answers 429 with Retry-After. Counted in memory, or, once a
 * shared store is given (Redis, with several web processes), in the store, falling back to memory
 * for any hit the store cannot answer.
 */
import type { NextFunction, Request, Response } from 'express';
import { AppError, RateLimited } from '../errors';
import { log } from '../log';
import type { LimitStore } from '../cluster/sharedLimits';

/** A counter per key per window; old windows are dropped as they expire. */
export class RateLimiter {
  private windows = new Map<string, { count: number; resetAt: number }>();
  private store: LimitStore | null = null;
  private scope = '';
  constructor(
    readonly limit: number,
    readonly windowMs: number,
  ) {}

  /**
   * Count in this store from now on (all processes sharing it share the budget). `scope` names
   * this limiter's counters there: two limiters may count the same key (a client's commands and
   * its replays) and must not add up.
   */
  share(store: LimitStore | null, scope: string): this {
    this.store = store;
    this.scope = scope;
    return this;
  }

  /** Like hit(), counted in the shared store when there is one (cost 0: only look). */
  async take(key: string, cost = 1, now = Date.now()): Promise<number> {
    const shared = this.store ? await this.store.take(`${this.scope}:${key}`, this.windowMs, cost, now) : null;
    if (!shared) return cost === 0 ? this.blocked(key, now) : this.hit(key, now, cost);
    const over = cost === 0 ? shared.count >= this.limit : shared.count > this.limit;
    return over ? Math.max(1, Math.ceil((shared.resetAt - now) / 1000)) : 0;
  }

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
  return async (req: Request, _res: Response, next: NextFunction) => {
    const key = keyOf(req);
    if (key === null) return next();
    const wait = await limiter.take(key);
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
    const addressWait = await this.perAddress.take(`login-ip:${address}`);
    if (addressWait > 0) {
      log.info('sign-in throttled', { limit: 'address', retryAfterSeconds: addressWait });
      throw RateLimited(addressWait);
    }
    // The same answer whether or not the account exists: the key is the name as typed.
    const accountKey = `login-account:${account}`;
    const accountWait = await this.failuresPerAccount.take(accountKey, 0);
    if (accountWait > 0) {
      log.info('sign-in throttled', { limit: 'account', retryAfterSeconds: accountWait });
      throw RateLimited(accountWait);
    }
    try {
      return await check();
    } catch (err) {
      if (err instanceof AppError && err.code === 'unauthenticated') await this.failuresPerAccount.take(accountKey);
      throw err;
    }
  }
}
