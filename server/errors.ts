/** Errors with stable codes (see CONTRACT.md); one middleware maps them to `{error:{code,message}}`. */
export type ErrorCode =
  | 'validation_failed'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'method_not_allowed'
  | 'conflict'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'rate_limited'
  | 'unavailable'
  | 'internal';

const statusOf: Record<ErrorCode, number> = {
  validation_failed: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
};

export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: { field?: string; retryAfterSeconds?: number; allow?: string[] },
  ) {
    super(message);
    this.status = statusOf[code];
  }
}

/** 400: input failed validation; `field` names the offending input. */
export const Validation = (field: string, message: string) =>
  new AppError('validation_failed', field ? `${field}: ${message}` : message, { field });
/** 401: no or bad credentials. */
export const Unauthenticated = (message = 'Authentication required') => new AppError('unauthenticated', message);
/** 403: authenticated but not allowed. */
export const Forbidden = (message = 'Not allowed') => new AppError('forbidden', message);
/** 404: no such thing (or not visible to you). */
export const NotFound = (what = 'Resource') => new AppError('not_found', `${what} not found`);
/** 405: the path exists but not with this method; the response carries `Allow`. */
export const MethodNotAllowed = (method: string, allow: string[]) =>
  new AppError('method_not_allowed', `${method} is not supported here; use ${allow.join(', ')}`, { allow });
/** 409: the request conflicts with current state (duplicate username, ...). */
export const Conflict = (message: string) => new AppError('conflict', message);
/** 413: body larger than the HTTP size cap. */
export const PayloadTooLarge = (message = 'Request body too large') => new AppError('payload_too_large', message);
/** 415: a body in a content encoding or charset the server cannot decode. */
export const UnsupportedMediaType = (message: string) => new AppError('unsupported_media_type', message);
/** 429: slow down; the response carries Retry-After. */
export const RateLimited = (retryAfterSeconds: number) =>
  new AppError('rate_limited', `Too many requests; retry in ${retryAfterSeconds}s`, { retryAfterSeconds });
/** 503: a dependency is down. */
export const Unavailable = (message = 'Service unavailable') => new AppError('unavailable', message);

/** The contract's error body. */
export function errorBody(err: AppError) {
  return { error: { code: err.code, message: err.message } };
}
