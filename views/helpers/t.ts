import type { HelperOptions } from 'handlebars';
import { t as translate, type Locale } from '../../server/i18n';

/** {{t "key" name=value}}: translate into the page's locale (root.locale). */
export function t(this: unknown, key: string, options: HelperOptions): string {
  const locale = (options.data?.root?.locale as Locale) ?? 'zh-CN';
  return translate(locale, key, options.hash ?? {});
}
