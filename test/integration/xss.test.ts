/**
 * XSS: every classic payload is posted as a post body, a thread title and a display name through
 * the real API, then the rendered pages and the API `html` field are parsed with htmlparser2 and
 * audited structurally (substring checks miss encoded variants and attribute tricks).
 */
import { expect } from 'chai';
import { parseDocument } from 'htmlparser2';
import { isTag, type AnyNode, type Document, type Element } from 'domhandler';
import * as DomUtils from 'domutils';
import { decodeHTML } from 'entities';
import { startServer, type TestServer } from '../support/server';
import { Client } from '../support/client';
import { XSS_PAYLOADS, type XssPayload } from '../support/xss-payloads';
import { quoteMarkdown } from '../../server/quote';
import { t as translate } from '../../server/i18n';

const OWN_SCRIPT = { type: 'module', src: '/static/dist/app.js' };
const URL_ATTRIBUTES = new Set(['href', 'src', 'action', 'formaction', 'xlink:href', 'srcset', 'poster', 'background', 'data', 'cite', 'ping', 'lowsrc', 'dynsrc', 'codebase']);
const BAD_SCHEMES = new Set(['javascript', 'vbscript', 'data']);
// Elements that have no business inside a post body (active content, forms, foreign content).
const FORBIDDEN_IN_POST = new Set([
  'script', 'style', 'iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'svg', 'math', 'form', 'input', 'button',
  'textarea', 'select', 'base', 'link', 'meta', 'template', 'noscript', 'video', 'audio', 'source', 'details', 'marquee', 'isindex',
]);

/** The scheme a browser would see: entity-decoded (again, for double encoding), whitespace and controls removed. */
function urlScheme(value: string): string | null {
  let v = value;
  for (let i = 0; i < 3; i++) v = decodeHTML(v);
  v = v.replace(/[\u0000-\u0020\u007F-\u00A0\u1680\u2000-\u200F\u2028\u2029\u202F\u205F\u3000\uFEFF]/g, '').toLowerCase();
  return /^([a-z][a-z0-9+.-]*):/.exec(v)?.[1] ?? null;
}

const hasClass = (el: Element, name: string) => (el.attribs.class ?? '').split(/\s+/).includes(name);
const elements = (root: AnyNode | AnyNode[]) => DomUtils.findAll(() => true, Array.isArray(root) ? root : [root]);
const describeEl = (el: Element) => `<${el.name} ${Object.entries(el.attribs).map(([k, v]) => `${k}="${v}"`).join(' ')}>`;

/**
 * A JSON data block the layout embeds (e.g. client strings): never executed by a browser, so
 * allowed outside post bodies as long as it really is JSON and cannot close its element.
 */
function isDataBlock(s: Element): boolean {
  if (s.attribs.type !== 'application/json' || s.attribs.src !== undefined) return false;
  const text = DomUtils.textContent(s);
  if (/[<>]/.test(text)) return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Rules that hold for every element of a page (user content or not). */
function auditElements(all: Element[], problems: string[]) {
  for (const el of all) {
    for (const [name, value] of Object.entries(el.attribs)) {
      if (/^on/i.test(name)) problems.push(`event-handler attribute ${name} on ${describeEl(el)}`);
      if (name.toLowerCase() === 'style') problems.push(`style attribute on ${describeEl(el)}`);
      if (URL_ATTRIBUTES.has(name.toLowerCase())) {
        const scheme = urlScheme(value);
        if (scheme && BAD_SCHEMES.has(scheme)) problems.push(`${scheme}: URL in ${name} of ${describeEl(el)}`);
      }
    }
    if (el.name === 'style') problems.push('a <style> element');
    if (el.name === 'base') problems.push('a <base> element');
    if (el.name === 'meta' && /refresh/i.test(el.attribs['http-equiv'] ?? '')) problems.push('a meta refresh');
  }
}

/** Rules for sanitised user HTML (a .post-body, or the API's `html` field). */
function auditPostBody(root: AnyNode[], problems: string[]) {
  for (const el of elements(root)) {
    if (FORBIDDEN_IN_POST.has(el.name)) problems.push(`<${el.name}> inside a post body`);
    if (el.name === 'a') {
      const rel = (el.attribs.rel ?? '').split(/\s+/);
      for (const needed of ['nofollow', 'ugc', 'noopener']) if (!rel.includes(needed)) problems.push(`link without rel=${needed}: ${describeEl(el)}`);
    }
  }
}

/** Audit a whole page; returns the problems found (empty = safe). */
function auditPage(html: string): { problems: string[]; doc: Document } {
  const doc = parseDocument(html);
  const problems: string[] = [];
  const all = elements(doc);
  auditElements(all, problems);
  const scripts = all.filter((el) => el.name === 'script');
  const own = scripts.filter((s) => s.attribs.type === OWN_SCRIPT.type && s.attribs.src === OWN_SCRIPT.src && DomUtils.textContent(s).trim() === '');
  for (const s of scripts) {
    if (!own.includes(s) && !isDataBlock(s)) problems.push(`foreign script: ${describeEl(s)}${DomUtils.textContent(s).slice(0, 60)}`);
  }
  if (own.length !== 1) problems.push(`expected the page's own script exactly once, found ${own.length}`);
  for (const body of all.filter((el) => hasClass(el, 'post-body'))) auditPostBody(body.children, problems);
  return { problems, doc };
}

/** Audit an HTML fragment that is entirely user content (the API `html` field). */
function auditFragment(html: string): { problems: string[]; doc: Document } {
  const doc = parseDocument(html);
  const problems: string[] = [];
  auditElements(elements(doc), problems);
  auditPostBody(doc.children, problems);
  return { problems, doc };
}

const collapse = (s: string) => s.replace(/\s+/g, ' ').trim();
/** What a reader gets from user HTML: its text plus image alt text. */
function readable(root: AnyNode[]): string {
  const alts = elements(root).filter((el) => el.name === 'img' && el.attribs.alt).map((el) => el.attribs.alt);
  return collapse([DomUtils.textContent(root), ...alts].join(' '));
}
const first = (doc: Document, test: (el: Element) => boolean) => DomUtils.findOne(test, doc.children, true);

describe('XSS: user content is rendered inert', function () {
  this.timeout(120_000);
  let server: TestServer;
  const created = new Map<string, { threadId: string; postId: string; username: string; token: string; displayName: string }>();

  before(async () => {
    server = await startServer();
    let n = 0;
    for (const p of XSS_PAYLOADS) {
      const client = new Client(server.url);
      // Display names are capped at 64 chars; longer payloads still go in as titles and bodies.
      const displayName = p.payload.length <= 64 ? p.payload : `long payload ${n}`;
      const username = `xss_${n++}`;
      const reg = await client.post('/api/v1/auth/register', { username, password: 'correct horse battery', displayName });
      expect(reg.status, `register ${p.name}: ${reg.text}`).to.equal(201);
      client.withToken(reg.body.token);
      const res = await client.post('/api/v1/threads', { title: p.payload, body: p.payload });
      expect(res.status, `create ${p.name}: ${res.text}`).to.equal(201);
      created.set(p.name, { threadId: res.body.thread.id, postId: res.body.post.id, username, token: reg.body.token, displayName: reg.body.user.displayName });
    }
  });
  after(() => server?.close());

  describe('the auditor itself', () => {
    // A checker that never complains proves nothing: feed it known-bad markup.
    const page = (inner: string) => `<html><head><script type="module" src="/static/dist/app.js" defer></script></head><body><div class="post-body">${inner}</div></body></html>`;
    const cases: Array<[string, string]> = [
      ['<script>alert(1)</script>', 'foreign script'],
      ['<img src=x onerror=alert(1)>', 'event-handler'],
      ['<a href="&#106;avascript:alert(1)" rel="nofollow ugc noopener">x</a>', 'javascript: URL'],
      ['<a href=" jav&#x09;ascript:alert(1)" rel="nofollow ugc noopener">x</a>', 'javascript: URL'],
      ['<a href="&amp;#106;avascript:alert(1)" rel="nofollow ugc noopener">x</a>', 'javascript: URL'],
      ['<img src="data:image/svg+xml,<svg onload=alert(1)>">', 'data: URL'],
      ['<a href="VBScript:msgbox(1)" rel="nofollow ugc noopener">x</a>', 'vbscript: URL'],
      ['<p style="color:red">x</p>', 'style attribute'],
      ['<style>p{}</style>', '<style>'],
      ['<svg><a xlink:href="javascript:alert(1)">x</a></svg>', 'javascript: URL'],
      ['<iframe src="https://ok.example"></iframe>', '<iframe> inside a post body'],
      ['<form action="/x"></form>', '<form> inside a post body'],
      ['<math></math>', '<math> inside a post body'],
      ['<a href="https://ok.example">x</a>', 'rel=nofollow'],
      ['<a href="https://ok.example" rel="nofollow ugc">x</a>', 'rel=noopener'],
    ];
    for (const [bad, expected] of cases) {
      it(`flags ${bad}`, () => {
        expect(auditPage(page(bad)).problems.join('\n')).to.include(expected);
      });
    }
    it('flags scripts that only pretend to be data or to be ours', () => {
      expect(auditPage(page('').replace('</head>', '<script type="application/json">alert(1)</script></head>')).problems.join('\n')).to.include('foreign script');
      expect(auditPage(page('').replace('</head>', '<script type="text/javascript" src="/static/dist/app.js"></script></head>')).problems.join('\n')).to.include('foreign script');
      expect(auditPage(page('').replace('</head>', '<script type="module" src="/static/dist/app.js">alert(1)</script></head>')).problems.join('\n')).to.include('foreign script');
      expect(auditPage(page('<script type="application/json">{}</script>')).problems.join('\n')).to.include('<script> inside a post body');
      expect(auditPage(page('').replace('<script type="module" src="/static/dist/app.js" defer></script>', '')).problems.join('\n')).to.include("page's own script");
    });
    it('passes a clean page and clean user HTML', () => {
      expect(auditPage(page('').replace('</head>', '<script type="application/json" id="client-strings">{"a":"\\u003c"}</script></head>')).problems).to.deep.equal([]);
      expect(auditPage(page('<p>hi <a href="https://ok.example" rel="nofollow ugc noopener">x</a></p>')).problems).to.deep.equal([]);
      expect(auditFragment('<p><img src="https://img.example/a.png" alt="x"></p>').problems).to.deep.equal([]);
    });
  });

  it(`has at least 50 payloads (${XSS_PAYLOADS.length})`, () => {
    expect(XSS_PAYLOADS.length).to.be.at.least(50);
    expect(new Set(XSS_PAYLOADS.map((p) => p.name)).size, 'unique names').to.equal(XSS_PAYLOADS.length);
  });

  for (const p of XSS_PAYLOADS) {
    describe(p.name, () => {
      const expectVisible = (root: AnyNode[], where: string) => {
        expect(readable(root), `${where}: the payload's text must stay readable`).to.include(collapse(p.visible ?? p.payload));
      };

      it('thread page: no executable markup, payload shown as text', async () => {
        const c = created.get(p.name)!;
        const res = await new Client(server.url).get(`/t/${c.threadId}`);
        expect(res.status).to.equal(200);
        const { problems, doc } = auditPage(res.text);
        expect(problems, `GET /t/${c.threadId}`).to.deep.equal([]);
        const heading = first(doc, (el) => el.name === 'h1' && hasClass(el, 'thread-heading'));
        expect(DomUtils.textContent(heading!).trim(), 'title as text').to.equal(p.payload.trim());
        expect(DomUtils.textContent(first(doc, (el) => el.name === 'title')!), '<title>').to.include(p.payload.trim());
        const post = first(doc, (el) => el.name === 'article' && el.attribs['data-post-id'] === c.postId)!;
        const author = DomUtils.findOne((el) => el.name === 'a' && hasClass(el, 'author'), post.children, true)!;
        expect(DomUtils.textContent(author), 'display name as text').to.equal(c.displayName);
        const body = DomUtils.findOne((el) => hasClass(el, 'post-body'), post.children, true)!;
        expectVisible(body.children, 'page');
      });

      it('API: body round-trips and `html` is inert', async () => {
        const c = created.get(p.name)!;
        const res = await new Client(server.url).get(`/api/v1/threads/${c.threadId}`);
        expect(res.status).to.equal(200);
        expect(res.body.thread.title).to.equal(p.payload);
        const post = res.body.posts[0];
        expect(post.body).to.equal(p.payload);
        expect(post.author.displayName).to.equal(c.displayName);
        const { problems, doc } = auditFragment(post.html);
        expect(problems, `html: ${post.html}`).to.deep.equal([]);
        expect(elements(doc).filter((el) => el.name === 'script')).to.have.length(0);
        expectVisible(doc.children, 'api html');
      });

      it('home, profile and quote-reply pages are inert too', async () => {
        const c = created.get(p.name)!;
        const reader = new Client(server.url);
        const profile = await reader.get(`/u/${c.username}`);
        expect(profile.status).to.equal(200);
        const audited = auditPage(profile.text);
        expect(audited.problems, 'profile').to.deep.equal([]);
        expect(DomUtils.textContent(first(audited.doc, (el) => el.name === 'h1')!)).to.equal(c.displayName);
        const titleLink = first(audited.doc, (el) => el.name === 'a' && hasClass(el, 'thread-title'));
        expect(DomUtils.textContent(titleLink!)).to.equal(p.payload);

        // The quote draft puts the raw body inside a <textarea>: the classic place to break out.
        const author = new Client(server.url).withToken(c.token);
        const quote = await author.get(`/t/${c.threadId}?quote=${c.postId}`);
        expect(quote.status).to.equal(200);
        const q = auditPage(quote.text);
        expect(q.problems, 'quote page').to.deep.equal([]);
        const textarea = first(q.doc, (el) => el.name === 'textarea' && el.attribs.name === 'body');
        expect(DomUtils.textContent(textarea!)).to.equal(quoteMarkdown({ username: c.username, threadId: c.threadId, postId: c.postId, body: p.payload }, translate('zh-CN', 'composer.quoteHeader')));
      });
    });
  }

  describe('Content-Security-Policy', () => {
    /** Directives of a CSP header: name -> source list. */
    const directives = (header: string) =>
      new Map(header.split(';').map((d) => d.trim().split(/\s+/)).filter((d) => d[0]).map(([name, ...sources]) => [name.toLowerCase(), sources]));

    for (const path of ['/', '/login', '/t/1', '/no-such-page']) {
      it(`${path}: script-src forbids inline scripts and eval`, async () => {
        const res = await new Client(server.url).get(path);
        const header = res.headers.get('content-security-policy');
        expect(header, 'CSP header').to.be.a('string');
        const csp = directives(header!);
        // script-src falls back to default-src when absent; one of them must be there.
        const scriptSrc = csp.get('script-src') ?? csp.get('default-src');
        expect(scriptSrc, 'script-src').to.be.an('array').that.is.not.empty;
        for (const forbidden of ["'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", '*', 'data:', 'http:', 'https:']) {
          expect(scriptSrc, `script-src must not allow ${forbidden}`).to.not.include(forbidden);
        }
        expect(csp.get('script-src-attr') ?? [], 'inline event handlers').to.not.include("'unsafe-inline'");
        expect(csp.get('script-src-elem') ?? [], 'inline <script>').to.not.include("'unsafe-inline'");
        expect(csp.get('object-src')).to.deep.equal(["'none'"]);
        expect(csp.get('base-uri')).to.deep.equal(["'self'"]);
        expect(csp.get('frame-ancestors')).to.deep.equal(["'none'"]);
        expect(res.headers.get('x-content-type-options')).to.equal('nosniff');
      });
    }

    it('the API serves JSON as JSON (never sniffable as HTML)', async () => {
      const res = await new Client(server.url).get(`/api/v1/threads/${created.get(XSS_PAYLOADS[0].name)!.threadId}`);
      expect(res.headers.get('content-type')).to.match(/^application\/json/);
      expect(res.headers.get('x-content-type-options')).to.equal('nosniff');
    });
  });

  it('home page lists every payload title as text and stays inert', async () => {
    const reader = new Client(server.url);
    const titles: string[] = [];
    // Pages follow the list's own "next" links (keyset cursors, issue #12).
    let next: string | null = '/';
    for (let page = 1; next && page <= 10; page++) {
      const res = await reader.get(next);
      expect(res.status).to.equal(200);
      const { problems, doc } = auditPage(res.text);
      expect(problems, `home page ${page}`).to.deep.equal([]);
      titles.push(...DomUtils.findAll((el) => el.name === 'a' && hasClass(el, 'thread-title'), doc.children).map((a) => DomUtils.textContent(a)));
      const link = DomUtils.findOne((el) => el.name === 'a' && el.attribs.rel === 'next', doc.children);
      next = link ? link.attribs.href : null;
    }
    expect(titles).to.have.length(XSS_PAYLOADS.length);
    // Compared whitespace-collapsed: Handlebars re-indents every line of a standalone partial's
    // output (views/pages/home.hbs `{{> thread-list}}`), which adds spaces after newlines in titles.
    expect(new Set(titles.map(collapse))).to.deep.equal(new Set(XSS_PAYLOADS.map((p) => collapse(p.payload))));
  });
});
