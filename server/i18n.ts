/** i18n: zh-CN by default, English available. Every user-facing string goes through t(). */
import zhCN from './locales/zh-CN.json';
import en from './locales/en.json';

export const LOCALES = ['zh-CN', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'zh-CN';

// Maps, not the JSON objects: keys and placeholder names can come from text ("error.constructor"
// must fall back to the key, not find Object.prototype.constructor).
type Dict = ReadonlyMap<string, string>;
const dictionaries: Record<Locale, Dict> = { 'zh-CN': new Map(Object.entries(zhCN)), en: new Map(Object.entries(en)) };

/** Translate key into locale, filling {name} placeholders; falls back to zh-CN, then the key. */
export function t(locale: Locale, key: string, vars: Record<string, string | number> = {}): string {
  const template = dictionaries[locale].get(key) ?? dictionaries[DEFAULT_LOCALE].get(key) ?? key;
  return template.replace(/\{(\w+)\}/g, (_, name: string) => (Object.hasOwn(vars, name) ? String(vars[name]) : `{${name}}`));
}

/** Normalise a requested locale ("en-US", "zh", "zh-Hans-CN") to one we have, or null. */
export function matchLocale(value: string | undefined | null): Locale | null {
  if (!value) return null;
  const v = value.toLowerCase();
  if (v.startsWith('zh')) return 'zh-CN';
  if (v.startsWith('en')) return 'en';
  return null;
}

/** Pick a locale from an Accept-Language header (by q-value order). */
export function fromAcceptLanguage(header: string | undefined): Locale | null {
  if (!header) return null;
  const ranked = header
    .split(',')
    .map((part) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.find((p) => p.trim().startsWith('q='));
      return { tag, q: q ? Number(q.trim().slice(2)) || 0 : 1 };
    })
    .sort((a, b) => b.q - a.q);
  for (const { tag } of ranked) {
    const m = matchLocale(tag);
    if (m) return m;
  }
  return null;
}

/** All keys of a locale (tests check both dictionaries have the same keys). */
export function keysOf(locale: Locale): string[] {
  return [...dictionaries[locale].keys()];
}
