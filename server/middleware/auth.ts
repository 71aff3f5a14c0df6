/** Authentication (bearer token or session cookie) and CSRF for cookie-authenticated browsers. */
import crypto from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { authenticate } from '../services/accounts';
import { Forbidden } from '../errors';
import type { Actor } from '../policies';
import { CSRF_COOKIE, SESSION_COOKIE, readCookies } from './cookies';

/** Resolve req.actor from `Authorization: Bearer` or the session cookie. */
export function authentication() {
  return async (req: Request, _res: Response, next: NextFunction) => {
    await resolveActor(req);
    next();
  };
}

/**
 * Set req.actor (and cookies, authVia) for this request; also called on its own by routes mounted
 * before the session middleware that need the viewer only sometimes (private uploads).
 */
export async function resolveActor(req: Request): Promise<Actor | null> {
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
  return req.actor;
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * CSRF: a random cookie plus an HMAC of it that pages embed (meta tag, hidden inputs).
 * A token is required when a request could ride on a browser's ambient credentials: it
 * carries the session cookie, or it is a form post (forms can be sent cross-site without
 * CORS, so login and register forms need it too). Bearer and cookie-less JSON clients need
 * none: a cross-site JSON POST needs a CORS preflight we never grant.
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
    // The content types a cross-site <form> (or a no-preflight fetch) can send.
    const formPost = /^(application\/x-www-form-urlencoded|multipart\/form-data|text\/plain)/i.test(String(req.headers['content-type'] ?? ''));
    if (!req.cookies[SESSION_COOKIE] && !formPost) return next();
    const presented = (req.headers['x-csrf-token'] as string | undefined) ?? (req.body as { _csrf?: unknown } | undefined)?._csrf;
    const expected = req.cookies[CSRF_COOKIE] ? sign(req.cookies[CSRF_COOKIE]) : null;
    if (typeof presented === 'string' && expected && presented.length === expected.length && crypto.timingSafeEqual(Buffer.from(presented), Buffer.from(expected))) {
      return next();
    }
    next(Forbidden('Missing or invalid CSRF token; reload the page and try again'));
  };
}
