/** Maps every error to the contract's body: AppErrors keep their code, parser/ORM errors get one, the rest are 500 with no detail. */
import type { NextFunction, Request, Response } from 'express';
import { AppError, errorBody, PayloadTooLarge, Invalid, Conflict, UnsupportedMediaType, Outage } from '../errors';
import { outageOf } from '../outages';
import { DEFAULT_LOCALE, fromAcceptLanguage, type Locale } from '../i18n';
import { log } from '../log';

interface HttpErrorLike {
  type?: string;
  status?: number;
  statusCode?: number;
  expose?: boolean;
  name?: string;
  message?: string;
}

// Retry-After on an outage's 503 (OUTAGE_RETRY_AFTER_SECONDS): one value per process, set at start.
let outageRetryAfterSeconds = 5;

/** Set the Retry-After of outage 503s (createResonance, from the config). */
export function setOutageRetryAfter(seconds: number): void {
  outageRetryAfterSeconds = seconds;
}

/** Turn anything thrown into an AppError. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const e = (err ?? {}) as HttpErrorLike;
  const status = typeof e.status === 'number' ? e.status : e.statusCode;
  if (e.type === 'entity.too.large' || status === 413) return PayloadTooLarge();
  if (e.type === 'entity.parse.failed') return Invalid('body', 'validation.notJson', {}, false);
  // A Content-Encoding or charset we cannot decode is 415; the client can resend it plainly.
  if (e.type === 'charset.unsupported' || e.type === 'encoding.unsupported' || status === 415) return UnsupportedMediaType('body: unsupported content encoding or charset');
  // Every other client error raised while reading a body (corrupt gzip/deflate/br, aborted or
  // short bodies, ...) is the client's: body-parser marks them with a 4xx status, not always a `type`.
  if (e.expose === true && typeof status === 'number' && status >= 400 && status < 500) return Invalid('body', 'validation.unreadable', {}, false);
  // A down database or a full disk is not a bug: 503 with a retry hint, never a 500.
  const outage = outageOf(err);
  if (outage) return Outage(outage, outageRetryAfterSeconds);
  if (e.name === 'SequelizeUniqueConstraintError') return Conflict('Already exists', 'errors.alreadyExists');
  if (e.name === 'SequelizeValidationError') return Invalid('body', 'validation.invalidBody', {}, false);
  if (e.name === 'URIError') return Invalid('path', 'validation.invalidPath', {}, false);
  return new AppError('internal', 'Internal error');
}

const MAX_FRAMES = 8;

/**
 * One structured error line for an unexpected failure: the error's name, code and (truncated)
 * message and its top stack frames. Never the body, the query string or headers, which can
 * carry passwords and tokens.
 */
export function logUnhandled(where: string, context: { method?: string; path?: string }, err: unknown): void {
  const e = err instanceof Error ? err : new Error(String(err));
  const frames = (e.stack ?? '')
    .split('\n')
    .filter((line) => line.startsWith('    at '))
    .slice(0, MAX_FRAMES)
    .map((line) => line.trim());
  log.error(where, {
    ...context,
    error: { name: e.name, code: (e as { code?: unknown }).code, message: e.message.slice(0, 200), frames },
  });
}

/** The locale to answer an error in; errors raised before the locale middleware (body parsing) read the header. */
export function errorLocale(req: Request): Locale {
  return req.locale ?? fromAcceptLanguage(req.headers['accept-language']) ?? DEFAULT_LOCALE;
}

/** Express error middleware for the JSON API. */
export function apiErrors() {
  return (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const appError = toAppError(err);
    if (appError.code === 'internal') logUnhandled('unhandled error', { method: req.method, path: req.path }, err);
    if (appError.details?.retryAfterSeconds) res.setHeader('Retry-After', String(appError.details.retryAfterSeconds));
    if (appError.details?.allow) res.setHeader('Allow', appError.details.allow.join(', '));
    res.status(appError.status).json(errorBody(appError, errorLocale(req)));
  };
}
