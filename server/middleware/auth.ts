/** Authentication (bearer token or session cookie) and CSRF for cookie-authenticated browsers. */
import crypto from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { authenticate } from '../services/accounts';
import { Forbidden } from '../errors';
import { CSRF_COOKIE, SESSION_COOKIE, readCookies } from './cookies';

/** Resolve req.actor from `Authorization: Bearer` or the session cookie. */
export function authentication() {
  return async (req: Request, _res: Response, next: NextFunction) => {
    req.cookies = readCookies(req);
    req.actor = null;
    req.authVia = null;
    const header = req.headers.authorization;
    if (header?.startsWith('Bearer ')) {
      req.actor = await authenticate(header.slice(7).trim());
      req.authVia = 'bearer';
    } else if (req.cookies[SESSION_COOKIE]) {
      req.actor = await authenticate(req.cookies[SESSION_COOKIE]);
      req.authVia = req.actor ? 'cookie' : null;
    }
    next();
  };
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * CSRF: a random cookie plus an HMAC of it that pages embed (meta tag, hidden inputs).
 * Bearer requests carry no ambient credential and need no token; neither do cookie-less
 * API clients. Anything else that changes state must present the token.
 */
export function csrf(secret: string, secureCookies: boolean) {
  const sign = (value: string) => crypto.createHmac('sha256', secret).update(`csrf:${value}`).digest('base64url');
  return (req: Request, res: Response, next: NextFunction) => {
    let raw = req.cookies[CSRF_COOKIE];
    if (!raw || raw.length !== 32) {
      raw = crypto.randomBytes(24).toString('base64url');
      res.cookie(CSRF_COOKIE, raw, { httpOnly: true, sameSite: 'lax', secure: secureCookies, path: '/' });
      req.cookies[CSRF_COOKIE] = '';
    }
    req.csrfToken = sign(raw);
    if (SAFE.has(req.method) || req.authVia === 'bearer') return next();
    const hasAmbientCredentials = Boolean(req.headers.cookie);
    if (!hasAmbientCredentials) return next();
    const presented = (req.headers['x-csrf-token'] as string | undefined) ?? (req.body as { _csrf?: unknown } | undefined)?._csrf;
    const expected = req.cookies[CSRF_COOKIE] ? sign(req.cookies[CSRF_COOKIE]) : null;
    if (typeof presented === 'string' && expected && presented.length === expected.length && crypto.timingSafeEqual(Buffer.from(presented), Buffer.from(expected))) {
      return next();
    }
    next(Forbidden('Missing or invalid CSRF token; reload the page and try again'));
  };
}
