import Handlebars, { type HelperOptions } from 'handlebars';
import { t, type Locale } from '../../server/i18n';
import { FALLBACK_TIME_ZONE } from '../../server/timeZones';
import { formatFull, formatRelative } from '../../server/timeFormat';

/** The page's locale and time zone: the zone is the reader's own (root.timeZone), never implied by the language. */
function pageClock(options: HelperOptions): { locale: Locale; timeZone: string } {
  const root = options.data?.root as { locale?: Locale; timeZone?: string } | undefined;
  return { locale: root?.locale ?? 'zh-CN', timeZone: root?.timeZone ?? FALLBACK_TIME_ZONE };
}

// Formatting is still ~5 µs a call and a thread page shows 50 dates that repeat on every view:
// remember the strings (bounded; cleared wholesale when full, which is rare and cheap).
const formatted = new Map<string, string>();
const MAX_FORMATTED = 50_000;

function full(locale: Locale, timeZone: string, iso: string): string {
  const key = `${locale} ${timeZone} ${iso}`;
  let text = formatted.get(key);
  if (text === undefined) {
    if (formatted.size >= MAX_FORMATTED) formatted.clear();
    text = formatFull(locale, timeZone, new Date(iso));
    formatted.set(key, text);
  }
  return text;
}

const isoOf = (value: string | Date | undefined | null): string | null => {
  if (!value) return null;
  const iso = value instanceof Date ? value.toISOString() : value;
  return Number.isNaN(Date.parse(iso)) ? null : iso;
};

/** {{time iso}}: the full date-time in the reader's zone, 24-hour ("2026年11月3日 20:00"). */
export function time(value: string | Date | undefined, options: HelperOptions): string {
  const iso = isoOf(value);
  if (!iso) return '';
  const { locale, timeZone } = pageClock(options);
  return full(locale, timeZone, iso);
}

/**
 * {{ago iso}}: a whole `<time>` reading "3 分钟前" / "3 minutes ago", with the full date-time in the
 * reader's zone on hover; static/src/times.ts keeps the phrase fresh in place.
 */
export function ago(value: string | Date | undefined, options: HelperOptions): Handlebars.SafeString {
  const iso = isoOf(value);
  if (!iso) return new Handlebars.SafeString('');
  const { locale, timeZone } = pageClock(options);
  const e = Handlebars.escapeExpression;
  const title = full(locale, timeZone, iso);
  const text = formatRelative(locale, timeZone, new Date(iso), Date.now(), justNowIn(locale));
  return new Handlebars.SafeString(`<time datetime="${e(iso)}" title="${e(title)}" data-ago>${e(text)}</time>`);
}

const justNow = new Map<Locale, string>();
const justNowIn = (locale: Locale) => {
  let text = justNow.get(locale);
  if (text === undefined) justNow.set(locale, (text = t(locale, 'time.justNow')));
  return text;
};
