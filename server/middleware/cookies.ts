/** Cookie parsing and the cookie names Resonance sets. */
import type { Request } from 'express';

export const SESSION_COOKIE = 'rs_session';
export const CSRF_COOKIE = 'rs_csrf';
export const LANG_COOKIE = 'rs_lang';

/** Parse the Cookie header (first value wins, as browsers send the most specific first). */
export function readCookies(req: Request): Record<string, string> {
  // Null prototype: cookie names are client text, and "constructor" or "__proto__" are names too.
  const out: Record<string, string> = Object.create(null);
  const header = req.headers.cookie;
  if (!header) return out;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    const name = part.slice(0, i).trim();
    if (!name || name in out) continue;
    try {
      out[name] = decodeURIComponent(part.slice(i + 1).trim());
    } catch {
      // a malformed cookie value is ignored, not an error
    }
  }
  return out;
}
