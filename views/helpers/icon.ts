import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import Handlebars, { type HelperOptions } from 'handlebars';

// lucide-static (ISC): one SVG file per icon. Resolved through Node so a hoisted install works too.
const iconsDir = path.join(path.dirname(createRequire(import.meta.url).resolve('lucide-static/package.json')), 'icons');

/** Icon SVG markup by name, read once (views.ts loads every name a template uses, at boot). */
const icons = new Map<string, string>();

/**
 * Read icons into the cache, shaped for inline use: decorative (aria-hidden, not focusable), sized
 * by CSS (.icon) and coloured by currentColor. An unknown name throws, so a typo fails at boot.
 */
export function loadIcons(names: Iterable<string>): void {
  for (const name of names) {
    if (icons.has(name)) continue;
    if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`icon: bad icon name ${JSON.stringify(name)}`);
    const file = path.join(iconsDir, `${name}.svg`);
    if (!fs.existsSync(file)) throw new Error(`icon: no lucide icon named "${name}"`);
    const svg = fs
      .readFileSync(file, 'utf8')
      .replace(/<!--[\s\S]*?-->/g, '')
      .replace(/\s+/g, ' ')
      .replace(/>\s+</g, '><')
      .trim()
      .replace(/ class="[^"]*"/, ` class="icon icon-${name}" aria-hidden="true" focusable="false"`)
      .replace(/ width="24" height="24"/, ' width="16" height="16"');
    icons.set(name, svg);
  }
}

/** The inline SVG of a loaded icon (the browser bundle inlines its own copies: static/src/icons.ts). */
export function iconSvg(name: string): string {
  const svg = icons.get(name);
  if (svg === undefined) throw new Error(`icon: "${name}" was not loaded at boot (is it spelled right?)`);
  return svg;
}

/**
 * {{icon "bell"}}: an inline lucide SVG, hidden from screen readers. Where the icon is the only
 * content, pass label=(t "…"): it is read out instead ({{icon "bell" label=(t "nav.notifications")}}).
 */
export function icon(name: string, options: HelperOptions): Handlebars.SafeString {
  const label = options.hash?.label as string | undefined;
  const svg = iconSvg(name);
  return new Handlebars.SafeString(label ? `${svg}<span class="visually-hidden">${Handlebars.escapeExpression(label)}</span>` : svg);
}

/** Every icon name a template asks for with a literal: {{icon "name" …}}. */
export function iconNamesIn(source: string): string[] {
  return [...source.matchAll(/\{\{~?\s*icon\s+"([^"]*)"/g)].map((m) => m[1]);
}
