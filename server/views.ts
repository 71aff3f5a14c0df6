/** Handlebars views: layouts, partials and pages compiled once at boot; helpers from views/helpers. */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import { helpers } from '../views/helpers';
import { iconNamesIn, loadIcons } from '../views/helpers/icon';

const viewsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../views');

function readTemplates(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string, prefix: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(path.join(d, entry.name), `${prefix}${entry.name}/`);
      else if (entry.name.endsWith('.hbs')) out.set(prefix + entry.name.slice(0, -4), fs.readFileSync(path.join(d, entry.name), 'utf8'));
    }
  };
  if (fs.existsSync(dir)) walk(dir, '');
  return out;
}

/** Compile every template; returns render(page, data) that wraps the page in the main layout. */
export function createViews() {
  const hbs = Handlebars.create();
  for (const [name, fn] of Object.entries(helpers)) hbs.registerHelper(name, fn as Handlebars.HelperDelegate);
  const partials = readTemplates(path.join(viewsDir, 'partials'));
  const pageSources = readTemplates(path.join(viewsDir, 'pages'));
  const layoutSources = readTemplates(path.join(viewsDir, 'layouts'));
  // Every {{icon "name"}} is read now: an unknown name stops the boot instead of a page.
  for (const sources of [partials, pageSources, layoutSources]) for (const src of sources.values()) loadIcons(iconNamesIn(src));
  for (const [name, src] of partials) hbs.registerPartial(name, src);
  // preventIndent: a standalone {{> partial}} would otherwise indent every line of its output,
  // changing user text (titles, <pre> code) that spans lines.
  const compile = (src: string) => hbs.compile(src, { noPrototypeAccess: true, preventIndent: true } as CompileOptions);
  const pages = new Map([...pageSources].map(([n, s]) => [n, compile(s)]));
  const layouts = new Map([...layoutSources].map(([n, s]) => [n, compile(s)]));

  const partialTemplates = new Map([...partials].map(([n, s]) => [n, compile(s)]));

  function render(page: string, data: Record<string, unknown>, layout = 'main'): string {
    const tpl = pages.get(page);
    if (!tpl) throw new Error(`no such view: ${page}`);
    const body = tpl(data);
    const wrap = layouts.get(layout);
    return wrap ? wrap({ ...data, body }) : body;
  }
  /** One partial on its own, `data` as its root: how a shared page's slots are filled (server/slots.ts). */
  function partial(name: string, data: Record<string, unknown>): string {
    const tpl = partialTemplates.get(name);
    if (!tpl) throw new Error(`no such partial: ${name}`);
    return tpl(data);
  }
  return Object.assign(render, { partial });
}

type CompileOptions = Parameters<typeof Handlebars.compile>[1];
export type Render = ReturnType<typeof createViews>;
