import type { Actor } from './policies';

declare global {
  namespace Express {
    interface Request {
      actor: Actor | null;
      authVia: 'bearer' | 'cookie' | null;
      cookies: Record<string, string>;
      csrfToken: string;
      locale: import('./i18n').Locale;
      /** The IANA zone pages are written in: the member's own, else DEFAULT_TIME_ZONE. */
      timeZone: string;
    }
  }
}
export {};
