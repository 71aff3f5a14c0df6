/**
 * Markdown -> sanitised HTML. markdown-it runs with raw HTML disabled (so markup in a post is
 * shown as text), and sanitize-html then enforces an allow-list as a second, independent wall.
 */
import MarkdownIt from 'markdown-it';
import sanitizeHtml from 'sanitize-html';

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

const sanitizeOptions: sanitizeHtml.IOptions = {
  allowedTags: ['h3', 'h4', 'h5', 'h6', 'p', 'br', 'strong', 'em', 'del', 's', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li', 'a', 'hr', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'img'],
  allowedAttributes: { a: ['href', 'class', 'rel'], img: ['src', 'alt', 'title'], ol: ['start'], th: ['align'], td: ['align'] },
  allowedClasses: { a: ['mention'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: ['https', 'http'] },
  allowProtocolRelative: false,
  disallowedTagsMode: 'escape',
  transformTags: {
    a: (tagName, attribs) => ({ tagName, attribs: { ...attribs, rel: 'nofollow ugc noopener' } }),
    img: (tagName, attribs) => ({ tagName, attribs: { ...attribs, loading: 'lazy' } }),
  },
};
sanitizeOptions.allowedAttributes = { ...(sanitizeOptions.allowedAttributes as object), img: ['src', 'alt', 'title', 'loading'] };

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
