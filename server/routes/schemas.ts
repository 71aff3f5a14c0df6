/** zod schemas shared by routes: every input is parsed here before it reaches a service. */
import { z } from 'zod';
import { Validation } from '../errors';
import { ROLES } from '../models/User';

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
    .refine(wellFormed, 'contains invalid characters (unpaired surrogates)')
    .refine(noControl, 'contains control characters')
    .transform((s) => s.replace(/\r\n?/g, '\n'))
    .refine((s) => s.trim().length >= min, min === 1 ? 'must not be empty' : `must be at least ${min} characters`)
    .refine((s) => chars(s) <= max, `must be at most ${max} characters`);

export const username = z.string().regex(/^[a-z0-9_]{3,32}$/, 'must be 3–32 characters of a-z, 0-9 and _');
export const password = z
  .string()
  .refine(wellFormed, 'contains invalid characters')
  .refine((s) => chars(s) >= 8, 'must be at least 8 characters')
  .refine((s) => chars(s) <= 200, 'must be at most 200 characters');
/** A username as typed at login: any short text without control characters (a wrong one is a 401, not a 400). */
export const loginName = z
  .string()
  .refine(wellFormed, 'contains invalid characters')
  .refine(noControl, 'contains control characters')
  .refine((s) => chars(s) <= 64, 'must be at most 64 characters');
/** A password as typed at login: checked against the hash only, so just bounded. */
export const loginPassword = z.string().refine((s) => chars(s) <= 200, 'must be at most 200 characters');
/** An identifier chosen elsewhere (a mention's id at its source): 1..max characters, no control characters. */
export const externalId = (max: number) =>
  z
    .string()
    .refine(wellFormed, 'contains invalid characters')
    .refine(noControl, 'contains control characters')
    .refine((s) => chars(s) >= 1 && chars(s) <= max, `must be 1–${max} characters`);
/** One dictionary word: 1–32 characters, no white space (as String.prototype.trim knows it) or control characters. */
export const word = z
  .string()
  .regex(/^[^\u0000-\u0020\u007F\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\uFEFF]+$/, 'must be one word without spaces')
  .refine(wellFormed, 'contains invalid characters')
  .refine((s) => chars(s) <= 32, 'must be at most 32 characters');
export const displayName = text(1, 64);
export const title = text(1, 200);
export const postBody = text(1, 10_000);
export const reason = text(1, 500);
export const slug = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be lower-case letters, digits and dashes');
export const role = z.enum(ROLES);
/** An id as the contract writes it (a string of digits; numbers are accepted too). */
export const id = z
  .union([z.string(), z.number()])
  .transform((v) => String(v))
  // Beyond 2^53 Number() rounds to a different id: refuse rather than look up the wrong row.
  .refine((v) => /^[1-9][0-9]{0,15}$/.test(v) && Number.isSafeInteger(Number(v)), 'must be an id')
  .transform((v) => Number(v));
/** A whole number in [min, max] from a query string (digits only: no "", "1e2" or "0x10") or JSON. */
export const wholeNumber = (min: number, max: number) =>
  z.preprocess(
    (v) => (typeof v === 'number' ? String(v) : v),
    z
      .string()
      .regex(/^[0-9]{1,16}$/, 'must be a whole number')
      .transform(Number)
      .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`)),
  );
/** A page size: `limit` in [1, max], `def` when absent. */
export const limit = (def: number, max: number) => wholeNumber(1, max).default(def);
/** An offset into a list. */
export const offset = wholeNumber(0, 100_000).default(0);
/** A page number for HTML listings. */
export const page = wholeNumber(1, 10_000).default(1);
/** An opaque search cursor as the server hands it out (base64url). */
export const cursor = z.string().max(500).regex(/^[A-Za-z0-9_-]*$/, 'is not a cursor');

/**
 * Parse input with a schema or throw 400 validation_failed naming the first bad field; `name`
 * names a lone value (a path parameter) in the message.
 */
export function parse<S extends z.ZodType>(schema: S, input: unknown, name = ''): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = [name, ...issue.path.map(String)].filter(Boolean).join('.');
  const message = issue.code === 'invalid_type' && (issue as { input?: unknown }).input === undefined ? 'is required' : issue.message;
  throw Validation(field || 'body', message);
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
export const shortLabel = z.string().min(1).max(32).regex(/^[^\u0000-\u001F\u007F]*[^\s\u0000-\u001F\u007F][^\u0000-\u001F\u007F]*$/, 'must be a word without control characters');
