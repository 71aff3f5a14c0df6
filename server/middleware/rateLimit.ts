/** Fixed-window rate limits kept in memory (per process); a hit answers 429 with Retry-After. */
import type { NextFunction, Request, Response } from 'express';
import { RateLimited } from '../errors';

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
