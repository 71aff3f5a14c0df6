/** Maps every error to the contract's body: AppErrors keep their code, parser/ORM errors get one, the rest are 500 with no detail. */
import type { NextFunction, Request, Response } from 'express';
import { AppError, errorBody, PayloadTooLarge, Validation, Conflict } from '../errors';
import { log } from '../log';

/** Turn anything thrown into an AppError. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const e = err as { type?: string; status?: number; name?: string; message?: string };
  if (e?.type === 'entity.too.large' || e?.status === 413) return PayloadTooLarge();
  if (e?.type === 'entity.parse.failed') return Validation('body', 'is not valid JSON');
  if (e?.type === 'charset.unsupported' || e?.type === 'encoding.unsupported') return Validation('body', 'unsupported encoding');
  if (e?.status === 400 && e?.type) return Validation('body', 'could not be read');
  if (e?.name === 'SequelizeUniqueConstraintError') return Conflict('Already exists');
  if (e?.name === 'SequelizeValidationError') return Validation('body', 'is invalid');
  if (e?.name === 'URIError') return Validation('path', 'is not valid');
  return new AppError('internal', 'Internal error');
}

/** Express error middleware for the JSON API. */
export function apiErrors() {
  return (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const appError = toAppError(err);
    if (appError.code === 'internal') log.error('unhandled error', { path: req.path, method: req.method, error: err instanceof Error ? err.stack : String(err) });
    if (appError.details?.retryAfterSeconds) res.setHeader('Retry-After', String(appError.details.retryAfterSeconds));
    res.status(appError.status).json(errorBody(appError));
  };
}
