/**
 * A limit that applies only to young accounts: members whose account is younger than `days` may
 * do the limited thing `limiter.limit` times per window (successful requests count; failed ones do not). Older accounts, anonymous requests and
 * API keys pass through (other checks answer those). A hit records why, for moderators.
 */
import type { NextFunction, Request, Response } from 'express';
import { User } from '../models';
import { personOf } from '../policies';
import { RateLimited } from '../errors';
import { log } from '../log';
import type { RateLimiter } from './rateLimit';

/** Express middleware limiting accounts younger than `days` under `limiter`, keyed `what:<user>`. */
export function newAccountLimit(limiter: RateLimiter, days: number, what: string) {
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      const person = personOf(req.actor);
      if (!person || days === 0) return next();
      const user = await User.findByPk(person.id, { attributes: ['id', 'createdAt'] });
      const ageMs = user ? Date.now() - user.createdAt.getTime() : 0;
      if (ageMs >= days * 86_400_000) return next();
      // Only what succeeded spends the budget: a mistyped recipient must not use up a new member's hour.
      const key = `${what}:${person.id}`;
      const wait = await limiter.take(key, 0);
      if (wait === 0) {
        res.once('finish', () => {
          if (res.statusCode < 400) void limiter.take(key);
        });
        return next();
      }
      log.info('new-account limit hit', { limit: what, user: person.username, accountAgeHours: Math.round(ageMs / 3_600_000), perWindow: limiter.limit, retryAfterSeconds: wait });
      next(RateLimited(wait));
    } catch (err) {
      next(err);
    }
  };
}
