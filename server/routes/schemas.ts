/** zod schemas shared by routes: every input is parsed here before it reaches a service. */
import { z } from 'zod';
import { Invalid, Validation, type LocalizedText } from '../errors';
import { t } from '../i18n';
import { ROLES } from '../models/User';
import { isTimeZone } from '../timeZones';

/**
 * A refinement's message: an i18n key under `validation.` and its placeholders (zod carries them
 * as the issue's params); translated into the request's locale when the error is shown.
 */
function says(key: string, params: Record<string, string | number> = {}) {
  return { message: `validation.${key}`, params };
}

// Lone UTF-16 surrogates can't be stored or rendered faithfully: reject instead of mangling.
const wellFormed = (s: string) => s.isWellFormed();
// Control characters other than tab/newline make no sense in user text.
const noControl = (s: string) => !/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/.test(s);
// Limits count characters (code points), as the contract and JSON Schema's maxLength do: an emoji is one.
const chars = (s: string) => [...s].length;

/** A user-supplied text field: well-formed UTF-16, no control characters, trimmed length in [min,max]. */
export const text = (min: number, max: number) =>
  z
    .string()
    .refine(wellFormed, says('unpairedSurrogates'))
    .refine(noControl, says('controlChars'))
    .transform((s) => s.replace(/\r\n?/g, '\n'))
    .refine((s) => s.trim().length >= min, min === 1 ? says('empty') : says('minChars', { min }))
    .refine((s) => chars(s) <= max, says('maxChars', { max }));

export const username = z.string().regex(/^[a-z0-9_]{3,32}$/, says('username'));
export const password = z
  .string()
  .refine(wellFormed, says('invalidChars'))
  .refine((s) => chars(s) >= 8, says('minChars', { min: 8 }))
  .refine((s) => chars(s) <= 200, says('maxChars', { max: 200 }));
/** A username as typed at login: any short text without control characters (a wrong one is a 401, not a 400). */
export const loginName = z
  .string()
  .refine(wellFormed, says('invalidChars'))
  .refine(noControl, says('controlChars'))
  .refine((s) => chars(s) <= 64, says('maxChars', { max: 64 }));
/** A password as typed at login: checked against the hash only, so just bounded. */
export const loginPassword = z.string().refine((s) => chars(s) <= 200, says('maxChars', { max: 200 }));
/** An identifier chosen elsewhere (a mention's id at its source): 1..max characters, no control characters. */
export const externalId = (max: number) =>
  z
    .string()
    .refine(wellFormed, says('invalidChars'))
    .refine(noControl, says('controlChars'))
    .refine((s) => chars(s) >= 1 && chars(s) <= max, says('charsBetween', { min: 1, max }));
/** One dictionary word: 1–32 characters, no white space (as String.prototype.trim knows it) or control characters. */
export const word = z
  .string()
  .regex(/^[^\u0000-\u0020\u007F\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\uFEFF]+$/, says('oneWord'))
  .refine(wellFormed, says('invalidChars'))
  .refine((s) => chars(s) <= 32, says('maxChars', { max: 32 }));
export const displayName = text(1, 64);
export const title = text(1, 200);
export const postBody = text(1, 10_000);
export const reason = text(1, 500);
export const slug = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, says('slug'));
export const role = z.enum(ROLES);
/** An IANA time zone name Intl knows ("Asia/Shanghai", "UTC"). */
export const timeZone = z.string().refine(isTimeZone, says('timeZone'));
/** An id as the contract writes it (a string of digits; numbers are accepted too). */
export const id = z
  .union([z.string(), z.number()])
  .transform((v) => String(v))
  // Beyond 2^53 Number() rounds to a different id: refuse rather than look up the wrong row.
  .refine((v) => /^[1-9][0-9]{0,15}$/.test(v) && Number.isSafeInteger(Number(v)), says('id'))
  .transform((v) => Number(v));
/** A whole number in [min, max] from a query string (digits only: no "", "1e2" or "0x10") or JSON. */
export const wholeNumber = (min: number, max: number) =>
  z.preprocess(
    (v) => (typeof v === 'number' ? String(v) : v),
    z
      .string()
      .regex(/^[0-9]{1,16}$/, says('wholeNumber'))
      .transform(Number)
      .pipe(z.number().min(min, says('minNumber', { min })).max(max, says('maxNumber', { max }))),
  );
/** A page size: `limit` in [1, max], `def` when absent. */
export const limit = (def: number, max: number) => wholeNumber(1, max).default(def);
/** An offset into a list. */
export const offset = wholeNumber(0, 100_000).default(0);
/** A page number for HTML listings. */
export const page = wholeNumber(1, 10_000).default(1);
/** An opaque search cursor as the server hands it out (base64url). */
export const cursor = z.string().max(500).regex(/^[A-Za-z0-9_-]*$/, says('cursor'));

// zod's own English messages (v4): anything else not under `validation.` is a message a schema spelled out.
const ZOD_DEFAULT_MESSAGE = /^(Invalid |Too (big|small)|Unrecognized key)/;

/**
 * The translated text of a zod issue: our own refinements carry their key, zod's built-in checks
 * are mapped by code; null for a message a schema spelled out in English (staff and integration APIs).
 */
export function issueText(issue: z.core.$ZodIssue): LocalizedText | null {
  if (!issue.message.startsWith('validation.') && !ZOD_DEFAULT_MESSAGE.test(issue.message)) return null;
  if (issue.message.startsWith('validation.')) {
    // Built-in checks (min, max) carry their bounds on the issue, refinements in `params`.
    const own = issue as { params?: Record<string, string | number>; minimum?: unknown; maximum?: unknown };
    return { key: issue.message, vars: { ...(own.minimum !== undefined ? { min: Number(own.minimum) } : {}), ...(own.maximum !== undefined ? { max: Number(own.maximum) } : {}), ...own.params } };
  }
  switch (issue.code) {
    case 'invalid_type':
      return (issue as { input?: unknown }).input === undefined ? { key: 'validation.required' } : { key: 'validation.type', vars: { expected: issue.expected } };
    case 'too_small':
      return { key: issue.origin === 'string' ? 'validation.minChars' : issue.origin === 'array' || issue.origin === 'set' ? 'validation.minItems' : 'validation.minNumber', vars: { min: Number(issue.minimum) } };
    case 'too_big':
      return { key: issue.origin === 'string' ? 'validation.maxChars' : issue.origin === 'array' || issue.origin === 'set' ? 'validation.maxItems' : 'validation.maxNumber', vars: { max: Number(issue.maximum) } };
    case 'invalid_value':
      return { key: 'validation.oneOf', vars: { values: issue.values.map(String).join(', ') } };
    case 'unrecognized_keys':
      return { key: 'validation.unknownKeys', vars: { keys: issue.keys.join(', ') } };
    case 'invalid_format':
      return { key: issue.format === 'datetime' ? 'validation.datetime' : issue.format === 'url' ? 'validation.url' : 'validation.format' };
    default:
      return { key: 'validation.invalid' };
  }
}

/** A zod issue's message in English (logs, socket acks, per-item reasons in batch answers). */
export function issueEnglish(issue: z.core.$ZodIssue): string {
  const text = issueText(issue);
  return text ? t('en', text.key, text.vars) : issue.message;
}

/**
 * Parse input with a schema or throw 400 validation_failed naming the first bad field; `name`
 * names a lone value (a path parameter) in the message.
 */
export function parse<S extends z.ZodType>(schema: S, input: unknown, name = ''): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = [name, ...issue.path.map(String)].filter(Boolean).join('.');
  const text = issueText(issue);
  if (!text) throw Validation(field || 'body', issue.message);
  throw Invalid(field || 'body', text.key, text.vars, field !== '');
}

/** The forum search's filters (everyone: GET /api/v1/search, the /search page); staff add the listening ones. */
export const forumSearchQuery = z.object({
  q: text(0, 500).optional(),
  chapter: slug.optional(),
  category: slug.optional(),
  author: username.optional(),
  /** `thread`: threads (their opening posts, titles included); `post`: replies; absent: both. */
  type: z.enum(['thread', 'post']).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  limit: limit(20, 100),
  cursor: cursor.optional(),
});
export type ForumSearchQuery = z.output<typeof forumSearchQuery>;

/** The listening search's filters (staff search API and the console's search page): the forum's plus analysis and sources. */
export const listeningSearchQuery = forumSearchQuery.extend({
  sentiment: z.enum(['negative', 'neutral', 'positive']).optional(),
  source: z.string().regex(/^[a-z][a-z0-9_]{1,31}$/).optional(),
  kind: z.enum(['post', 'mention']).optional(),
  kol: z.enum(['true', 'false']).optional(),
});
export type ListeningSearchQuery = z.output<typeof listeningSearchQuery>;

/** A short label staff type (a watched term, a member tag): 1–32 characters, no control characters, not blank. */
export const shortLabel = z.string().min(1).max(32).regex(/^[^\u0000-\u001F\u007F]*[^\s\u0000-\u001F\u007F][^\u0000-\u001F\u007F]*$/, says('label'));

/** How a thread list is ordered and paged (pages and the API): `after`/`before` are keyset cursors. */
export const threadListing = z.object({
  sort: z.enum(['latest', 'new', 'top', 'unanswered']).default('latest'),
  window: z.enum(['day', 'week', 'month', 'year', 'all']).default('month'),
  after: cursor.optional(),
  before: cursor.optional(),
  // The old `?page=N` links: still validated, now always the first page (paging is by cursor).
  page: page.optional(),
});
