/** Errors with stable codes (see CONTRACT.md); one middleware maps them to `{error:{code,message}}`. */
import { t, type Locale } from './i18n';

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

/**
 * A message for people, as an i18n key and its placeholders: translated into the request's
 * locale when the error is shown. `field` (an input path) puts the field's translated name first.
 */
export interface LocalizedText {
  key: string;
  vars?: Record<string, string | number>;
  field?: string;
}

export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: { field?: string; retryAfterSeconds?: number; allow?: string[] },
    /** The message for people (pages, the API's `message`); `message` stays English for logs. */
    readonly text?: LocalizedText,
  ) {
    super(message);
    this.status = statusOf[code];
  }
}

/** 400: input failed validation; `field` names the offending input. */
export const Validation = (field: string, message: string) =>
  new AppError('validation_failed', field ? `${field}: ${message}` : message, { field });
/**
 * 400 with a translated message: `key` under `validation.` (server/locales), prefixed with the
 * field's name unless `fieldInText` is false (the field is still in the body's `field`).
 */
export function Invalid(field: string, key: string, vars: Record<string, string | number> = {}, fieldInText = true): AppError {
  const text: LocalizedText = { key, vars, ...(fieldInText && field ? { field } : {}) };
  const english = t('en', key, vars);
  return new AppError('validation_failed', field ? `${field}: ${english}` : english, { field }, text);
}
/** 401: no or bad credentials. */
export const Unauthenticated = (message = 'Authentication required', key = 'error.unauthenticated') => new AppError('unauthenticated', message, undefined, { key });
/** 401 for a failed sign-in: the same answer whether the username exists or the password is wrong. */
export const WrongCredentials = () => Unauthenticated('Wrong username or password', 'auth.error.wrongCredentials');
/** 403: authenticated but not allowed. */
export const Forbidden = (message = 'Not allowed') => new AppError('forbidden', message, undefined, message === 'Not allowed' ? { key: 'error.forbidden' } : undefined);
/** 404: no such thing (or not visible to you). */
export const NotFound = (what = 'Resource') => new AppError('not_found', `${what} not found`);
/** 405: the path exists but not with this method; the response carries `Allow`. */
export const MethodNotAllowed = (method: string, allow: string[]) =>
  new AppError('method_not_allowed', `${method} is not supported here; use ${allow.join(', ')}`, { allow });
/** 409: the request conflicts with current state (duplicate username, ...); `key` translates it. */
export const Conflict = (message: string, key?: string) => new AppError('conflict', message, undefined, key ? { key } : undefined);
/** 413: body larger than the HTTP size cap. */
export const PayloadTooLarge = (message = 'Request body too large') => new AppError('payload_too_large', message, undefined, { key: 'error.payload_too_large' });
/** 415: a body in a content encoding or charset the server cannot decode. */
export const UnsupportedMediaType = (message: string) => new AppError('unsupported_media_type', message);
/** 429: slow down; the response carries Retry-After. */
export const RateLimited = (retryAfterSeconds: number) =>
  new AppError('rate_limited', `Too many requests; retry in ${retryAfterSeconds}s`, { retryAfterSeconds }, { key: 'errors.rateLimited', vars: { seconds: retryAfterSeconds } });
/** 503: a dependency is down. */
export const Unavailable = (message = 'Service unavailable') => new AppError('unavailable', message);
/** 503 for an outage (server/outages.ts): says which, and when to retry (Retry-After). */
export const Outage = (outage: 'storage_full' | 'database_down', retryAfterSeconds: number) =>
  new AppError(
    'unavailable',
    outage === 'storage_full' ? `Storage full; retry in ${retryAfterSeconds}s` : `Database unavailable; retry in ${retryAfterSeconds}s`,
    { retryAfterSeconds },
    { key: outage === 'storage_full' ? 'errors.storageFull' : 'errors.databaseDown', vars: { seconds: retryAfterSeconds } },
  );

/** An input path's name for people: `field.<path>`, else `field.<last name in it>`, else the path itself. */
export function fieldLabel(locale: Locale, path: string): string {
  const full = t(locale, `field.${path}`);
  if (full !== `field.${path}`) return full;
  const last = path.split('.').filter((p) => !/^\d+$/.test(p)).pop();
  const short = last ? t(locale, `field.${last}`) : '';
  return last && short !== `field.${last}` ? short : path;
}

/** The error's message in `locale`: its translated text when it has one, else its (English) message. */
export function localizedMessage(err: AppError, locale: Locale): string {
  if (!err.text) return err.message;
  const message = t(locale, err.text.key, err.text.vars);
  return err.text.field ? t(locale, 'validation.withField', { field: fieldLabel(locale, err.text.field), message }) : message;
}

/** The contract's error body, its message in `locale`; a validation error also names its `field` (the input path). */
export function errorBody(err: AppError, locale: Locale = 'en') {
  const field = err.code === 'validation_failed' ? err.details?.field : undefined;
  return { error: { code: err.code, message: localizedMessage(err, locale), ...(field ? { field } : {}) } };
}
