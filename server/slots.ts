/**
 * Pages rendered once for many viewers, with holes ("slots") each request fills with its own bits.
 *
 * A hot thread is read by many members at once, and most of its page is the same for all of them:
 * the posts, the times in one zone, the reply box. What differs is small (the CSRF token, the
 * account menu, each post's like/edit links), so the page is rendered once with markers where
 * those go, kept as UTF-8 bytes split at the markers, and each request only renders the slots.
 * A marker is `\0name:arg\0`: NUL never comes out of the renderer otherwise (Markdown, titles and
 * names are sanitised text), and Handlebars leaves it unescaped, so a marker survives as written.
 */
const MARK = '\u0000';
const MARKER = /\u0000([a-z-]+)(?::([^\u0000]*))?\u0000/g;

/** The marker of a slot: a page rendered with the slot's name in `slotted` carries it where the slot goes. */
export const slotMarker = (name: string, arg?: string | number): string => `${MARK}${name}${arg === undefined ? '' : `:${arg}`}${MARK}`;

export interface Slot {
  name: string;
  arg: string;
}

/** Rendered HTML as bytes between slots: `parts.length === slots.length + 1`. */
export interface SlottedHtml {
  parts: Buffer[];
  slots: Slot[];
  bytes: number;
}

/** Split rendered HTML at its slot markers (once per cached render, not per request). */
export function splitSlots(html: string): SlottedHtml {
  const parts: Buffer[] = [];
  const slots: Slot[] = [];
  let last = 0;
  for (const m of html.matchAll(MARKER)) {
    parts.push(Buffer.from(html.slice(last, m.index)));
    slots.push({ name: m[1], arg: m[2] ?? '' });
    last = m.index + m[0].length;
  }
  parts.push(Buffer.from(html.slice(last)));
  if (html.includes(MARK, last) || parts.some((p) => p.includes(0))) throw new Error('slots: a stray NUL in rendered HTML (a malformed marker?)');
  return { parts, slots, bytes: parts.reduce((n, p) => n + p.length, 0) };
}

/** What a slot holds for this request: text (already HTML), or rendered HTML with slots of its own. */
export type SlotFill = string | Buffer | SlottedHtml;

/** The page for one request: its parts with every slot filled (nested slots too). */
export function fillSlots(page: SlottedHtml, fill: (slot: Slot) => SlotFill): Buffer {
  const out: Buffer[] = [];
  const walk = (p: SlottedHtml) => {
    for (let i = 0; i < p.slots.length; i++) {
      out.push(p.parts[i]);
      const value = fill(p.slots[i]);
      if (typeof value === 'string') out.push(Buffer.from(value));
      else if (Buffer.isBuffer(value)) out.push(value);
      else walk(value);
    }
    out.push(p.parts[p.slots.length]);
  };
  walk(page);
  return Buffer.concat(out);
}
