/**
 * Markdown -> sanitised HTML. markdown-it runs with raw HTML disabled (so markup in a post is
 * shown as text), and sanitize-html then enforces an allow-list as a second, independent wall.
 */
import MarkdownIt from 'markdown-it';
import sanitizeHtml from 'sanitize-html';
import { keyDimensions, SERVED_NAME, THUMB_WIDTH, displayPath, thumbPath } from './uploads/images';
import { STICKER_SRC, stickerFor } from './stickers';

const USERNAME = /^[a-z0-9_]{3,32}$/;

const md = new MarkdownIt({ html: false, linkify: true, breaks: true, typographer: false });
// Headings inside a post sit below the page's own h1/h2: "# x" renders as h3 ... "####+ x" as h6.
for (const rule of ['heading_open', 'heading_close'] as const) {
  md.renderer.rules[rule] = (tokens, idx) => {
    const level = Math.min(6, Number(tokens[idx].tag.slice(1)) + 2);
    return rule === 'heading_open' ? `<h${level}>` : `</h${level}>\n`;
  };
}

// Inline rule for @username mentions; runs outside code spans and blocks by construction.
md.inline.ruler.after('emphasis', 'mention', (state, silent) => {
  const start = state.pos;
  if (state.src.charCodeAt(start) !== 0x40 /* @ */) return false;
  const before = start > 0 ? state.src[start - 1] : ' ';
  if (/[A-Za-z0-9_]/.test(before)) return false; // an e-mail address, not a mention
  const m = /^@([A-Za-z0-9_]{3,32})(?![A-Za-z0-9_])/.exec(state.src.slice(start));
  if (!m) return false;
  const username = m[1].toLowerCase();
  if (!USERNAME.test(username)) return false;
  if (!silent) {
    const open = state.push('link_open', 'a', 1);
    open.attrs = [['href', `/u/${username}`], ['class', 'mention']];
    open.meta = { mention: username };
    const text = state.push('text', '', 0);
    text.content = `@${username}`;
    state.push('link_close', 'a', -1);
  }
  state.pos += m[0].length;
  return true;
});

// Stickers: `[狗头]` (a known code, not a link's text) becomes an inline image. Inline rules never
// run inside code spans or blocks; unknown codes stay text.
md.inline.ruler.before('link', 'sticker', (state, silent) => {
  const start = state.pos;
  if (state.src.charCodeAt(start) !== 0x5b /* [ */) return false;
  const m = /^\[[^[\]\s]{1,8}\]/.exec(state.src.slice(start, start + 12));
  if (!m || state.src.charCodeAt(start + m[0].length) === 0x28 /* ( */) return false;
  const sticker = stickerFor(m[0]);
  if (!sticker) return false;
  if (!silent) {
    const token = state.push('sticker', 'img', 0);
    token.meta = { src: sticker.file, code: sticker.code };
  }
  state.pos += m[0].length;
  return true;
});
md.renderer.rules.sticker = (tokens, idx) => {
  const { src, code } = tokens[idx].meta as { src: string; code: string };
  const alt = md.utils.escapeHtml(code);
  return `<img src="${src}" alt="${alt}" title="${alt}" class="sticker">`;
};

/** The upload key in an image URL we serve (`/uploads/<key>.webp`), else null. */
function uploadKeyOf(src: string): string | null {
  const m = /^\/uploads\/([^/?#]+)$/.exec(src);
  const name = m ? SERVED_NAME.exec(m[1]) : null;
  return name && !name[2] ? name[1] : null;
}

// Images: only our own uploads render as <img> (no hot-linking, no tracking pixels), linked to the
// display size; any other image is shown as a plain link to where it points.
md.renderer.rules.image = (tokens, idx, options, env, self) => {
  const token = tokens[idx];
  const src = String(token.attrGet('src') ?? '');
  const alt = self.renderInlineAsText(token.children ?? [], options, env);
  const key = uploadKeyOf(src);
  if (key) return `<a href="${displayPath(key)}" class="upload"><img src="${displayPath(key)}" alt="${md.utils.escapeHtml(alt)}"></a>`;
  return `<a href="${md.utils.escapeHtml(src)}">${md.utils.escapeHtml(alt || src)}</a>`;
};

/** What an <img> may carry: derived from its src alone (upload or sticker); null drops it. */
function imageAttributes(attribs: sanitizeHtml.Attributes): sanitizeHtml.Attributes | null {
  const src = String(attribs.src ?? '');
  const alt = String(attribs.alt ?? '');
  if (STICKER_SRC.test(src)) return { src, alt, title: alt, class: 'sticker', width: '24', height: '24', loading: 'lazy' };
  const key = uploadKeyOf(src);
  const size = key ? keyDimensions(key) : null;
  if (!key || !size) return null;
  // Width and height keep the layout still while it loads; phones get the thumbnail when it will do.
  const srcset: Record<string, string> = size.width > THUMB_WIDTH ? { srcset: `${thumbPath(key)} ${THUMB_WIDTH}w, ${displayPath(key)} ${size.width}w`, sizes: '(max-width: 480px) 100vw, 640px' } : {};
  return { src: displayPath(key), alt, width: String(size.width), height: String(size.height), loading: 'lazy', decoding: 'async', ...srcset };
}

const sanitizeOptions: sanitizeHtml.IOptions = {
  allowedTags: ['h3', 'h4', 'h5', 'h6', 'p', 'br', 'strong', 'em', 'del', 's', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li', 'a', 'hr', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'img'],
  allowedAttributes: {
    a: ['href', 'class', 'rel'],
    img: ['src', 'alt', 'title', 'class', 'width', 'height', 'loading', 'decoding', 'srcset', 'sizes'],
    ol: ['start'],
    th: ['align'],
    td: ['align'],
  },
  allowedClasses: { a: ['mention', 'upload'], img: ['sticker'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  // Images: relative paths only (our uploads and stickers), checked again in imageAttributes.
  allowedSchemesByTag: { img: [] },
  allowProtocolRelative: false,
  disallowedTagsMode: 'escape',
  transformTags: {
    a: (tagName, attribs) => ({ tagName, attribs: { ...attribs, rel: 'nofollow ugc noopener' } }),
    img: (tagName, attribs) => ({ tagName, attribs: imageAttributes(attribs) ?? {} }),
  },
  // An <img> whose src is not ours has had its attributes emptied above: drop it entirely.
  exclusiveFilter: (frame) => frame.tag === 'img' && !frame.attribs.src,
};

export interface Rendered {
  html: string;
  /** Distinct lower-cased usernames mentioned, in order of first appearance. */
  mentions: string[];
}

/** Render a post body; also returns who it mentions. */
export function renderMarkdown(body: string): Rendered {
  const env = {};
  const tokens = md.parse(body, env);
  const mentions: string[] = [];
  for (const block of tokens) {
    for (const t of block.children ?? []) {
      const name = (t.meta as { mention?: string } | null)?.mention;
      if (name && !mentions.includes(name)) mentions.push(name);
    }
  }
  const html = sanitizeHtml(md.renderer.render(tokens, md.options, env), sanitizeOptions);
  return { html, mentions };
}
