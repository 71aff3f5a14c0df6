/**
 * How the forum writes a moment, shared by the server's views and the browser code so a
 * live-arrived post reads exactly like a server-rendered one: a relative phrase ("3 分钟前",
 * "3 minutes ago") and the full date-time in the reader's time zone (24-hour in every language).
 */

// Building an Intl formatter costs far more than using one: keep one per locale (and zone).
const relativeFormatters = new Map<string, Intl.RelativeTimeFormat>();
const fullFormatters = new Map<string, Intl.DateTimeFormat>();
const dateFormatters = new Map<string, Intl.DateTimeFormat>();

function relativeFormatter(locale: string): Intl.RelativeTimeFormat {
  let f = relativeFormatters.get(locale);
  if (!f) {
    f = new Intl.RelativeTimeFormat(locale, { numeric: 'auto', style: 'long' });
    relativeFormatters.set(locale, f);
  }
  return f;
}

function zoned(cache: Map<string, Intl.DateTimeFormat>, locale: string, timeZone: string, options: Intl.DateTimeFormatOptions) {
  const key = `${locale} ${timeZone}`;
  let f = cache.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, { ...options, timeZone });
    cache.set(key, f);
  }
  return f;
}

/** The full date-time in a zone, 24-hour in every language ("2026年11月3日 20:00", "Nov 3, 2026, 20:00"). */
export function formatFull(locale: string, timeZone: string, at: Date): string {
  return zoned(fullFormatters, locale, timeZone, { dateStyle: 'medium', timeStyle: 'short', hourCycle: 'h23' }).format(at);
}

// Formatting costs microseconds and a thread page writes ~50 times on every view: remember the
// few distinct phrases ("3 分钟前") and dates (bounded; cleared wholesale when full).
const phrases = new Map<string, string>();
const dates = new Map<string, string>();
const MAX_REMEMBERED = 20_000;
function remembered(cache: Map<string, string>, key: string, make: () => string): string {
  let text = cache.get(key);
  if (text === undefined) {
    if (cache.size >= MAX_REMEMBERED) cache.clear();
    text = make();
    cache.set(key, text);
  }
  return text;
}

/** The date alone in a zone ("2026年11月3日", "Nov 3, 2026"): what an old post shows instead of "5 个月前". */
export function formatDate(locale: string, timeZone: string, at: Date): string {
  // Every zone's offset is a multiple of 15 minutes, so a date never changes within a quarter hour.
  const quarter = Math.floor(at.getTime() / (15 * MINUTE));
  return remembered(dates, `${locale} ${timeZone} ${quarter}`, () => zoned(dateFormatters, locale, timeZone, { dateStyle: 'medium' }).format(at));
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Beyond this a relative phrase ("7 周前") says less than the date itself. */
export const RELATIVE_LIMIT_MS = 30 * DAY;

/**
 * What a <time> shows: a relative phrase up to RELATIVE_LIMIT_MS either side of `now`, then the
 * date in the zone. Within 45 seconds either way (a clock a little ahead too) it is `justNow`
 * ("刚刚", "just now", from i18n), or Intl's "现在" / "now" when none is given.
 */
export function formatRelative(locale: string, timeZone: string, at: Date, now: number, justNow?: string): string {
  const diff = at.getTime() - now;
  const abs = Math.abs(diff);
  if (abs >= RELATIVE_LIMIT_MS) return formatDate(locale, timeZone, at);
  if (abs < 45_000) return justNow ?? phrase(locale, 0, 'second');
  if (abs < 45 * MINUTE) return phrase(locale, Math.round(diff / MINUTE), 'minute');
  if (abs < 22 * HOUR) return phrase(locale, Math.round(diff / HOUR), 'hour');
  return phrase(locale, Math.round(diff / DAY), 'day');
}

function phrase(locale: string, value: number, unit: Intl.RelativeTimeFormatUnit): string {
  return remembered(phrases, `${locale} ${unit} ${value}`, () => relativeFormatter(locale).format(value, unit));
}
