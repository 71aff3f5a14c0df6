import type { HelperOptions } from 'handlebars';
import type { Locale } from '../../server/i18n';

/** {{time iso}}: a locale-formatted date-time (Asia/Shanghai for zh-CN readers) in a <time> element's text. */
export function time(iso: string | undefined, options: HelperOptions): string {
  if (!iso) return '';
  const locale = (options.data?.root?.locale as Locale) ?? 'zh-CN';
  return new Intl.DateTimeFormat(locale, {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone: locale === 'zh-CN' ? 'Asia/Shanghai' : 'UTC',
  }).format(new Date(iso));
}
