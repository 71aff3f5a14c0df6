/** zod schemas shared by routes: every input is parsed here before it reaches a service. */
import { z } from 'zod';
import { Validation } from '../errors';
import { ROLES } from '../models/User';

// Lone UTF-16 surrogates can't be stored or rendered faithfully: reject instead of mangling.
const wellFormed = (s: string) => s.isWellFormed();
// Control characters other than tab/newline make no sense in user text.
const noControl = (s: string) => !/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/.test(s);

/** A user-supplied text field: well-formed UTF-16, no control characters, trimmed length in [min,max]. */
export const text = (min: number, max: number) =>
  z
    .string()
    .refine(wellFormed, 'contains invalid characters (unpaired surrogates)')
    .refine(noControl, 'contains control characters')
    .transform((s) => s.replace(/\r\n?/g, '\n'))
    .refine((s) => s.trim().length >= min, min === 1 ? 'must not be empty' : `must be at least ${min} characters`)
    .refine((s) => s.length <= max, `must be at most ${max} characters`);

export const username = z.string().regex(/^[a-z0-9_]{3,32}$/, 'must be 3–32 characters of a-z, 0-9 and _');
export const password = z.string().min(8, 'must be at least 8 characters').max(200, 'must be at most 200 characters').refine(wellFormed, 'contains invalid characters');
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
  .refine((v) => /^[1-9][0-9]{0,15}$/.test(v), 'must be an id')
  .transform((v) => Number(v));
export const limit = (def: number, max: number) => z.coerce.number().int().min(1).max(max).default(def);

/** Parse input with a schema or throw 400 validation_failed naming the first bad field. */
export function parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue.path.join('.');
  const message = issue.code === 'invalid_type' && (issue as { input?: unknown }).input === undefined ? 'is required' : issue.message;
  throw Validation(field || 'body', message);
}
