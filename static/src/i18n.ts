/** Client-side strings: the server embeds the few the browser needs, already in the page's locale. */
let strings: Record<string, string> | null = null;

/** Translate a key with {name} placeholders, from the page's embedded dictionary. */
export function t(key: string, vars: Record<string, string | number> = {}): string {
  if (!strings) {
    const el = document.getElementById('client-strings');
    strings = el?.textContent ? (JSON.parse(el.textContent) as Record<string, string>) : {};
  }
  // Own keys only: an inherited "constructor" is not a translation.
  const template = Object.hasOwn(strings, key) ? strings[key] : key;
  return template.replace(/\{(\w+)\}/g, (_, name: string) => (Object.hasOwn(vars, name) ? String(vars[name]) : `{${name}}`));
}

/** The page's locale (from <body data-locale>). */
export function locale(): string {
  return document.body.dataset.locale ?? 'zh-CN';
}
