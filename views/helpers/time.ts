import type { HelperOptions } from 'handlebars';
import type { Locale } from '../../server/i18n';

// Building an Intl.DateTimeFormat costs far more than using one: keep one per locale.
const formatters = new Map<Locale, Intl.DateTimeFormat>();
function formatterFor(locale: Locale): Intl.DateTimeFormat {
  let f = formatters.get(locale);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: locale === 'zh-CN' ? 'Asia/Shanghai' : 'UTC' });
    formatters.set(locale, f);
  }
  return f;
}

// Formatting is still ~5 µs a call and a thread page shows 50 dates that repeat on every view:
// remember the strings (bounded; cleared wholesale when full, which is rare and cheap).
const formatted = new Map<string, string>();
const MAX_FORMATTED = 50_000;

/** {{time iso}}: a locale-formatted date-time (Asia/Shanghai for zh-CN readers, UTC otherwise). */
export function time(iso: string | undefined, options: HelperOptions): string {
  if (!iso) return '';
  const locale = (options.data?.root?.locale as Locale) ?? 'zh-CN';
  const key = `${locale} ${iso}`;
  let text = formatted.get(key);
  if (text === undefined) {
    if (formatted.size >= MAX_FORMATTED) formatted.clear();
    text = formatterFor(locale).format(new Date(iso));
    formatted.set(key, text);
  }
  return text;
}
