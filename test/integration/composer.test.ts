/**
 * Issue #12, the composer: a form that fails server-side validation comes back with what was typed
 * and the message next to the field (aria-invalid + aria-describedby), and the Markdown preview
 * endpoint renders exactly as a post would (sanitised), under the rules of other API writes.
 */
import { expect } from 'chai';
import { parseDocument } from 'htmlparser2';
import * as DomUtils from 'domutils';
import type { Element } from 'domhandler';
import { startServer, type TestServer } from '../support/server';
import { Client } from '../support/client';
import { buildChapter, buildThread, buildUser, PASSWORD, type BuiltUser } from '../support/factories';
import { renderMarkdown } from '../../server/markdown';
import { Post } from '../../server/models';

const find = (html: string, test: (el: Element) => boolean) => DomUtils.findOne(test, parseDocument(html).children, true);
const byName = (html: string, tag: string, name: string) => find(html, (el) => el.name === tag && el.attribs.name === name);
const byId = (html: string, id: string) => find(html, (el) => el.attribs.id === id);

/** The field is marked invalid and points at a message element, right after it in its form, that says `message`. */
function expectFieldError(html: string, tag: string, name: string, message: string) {
  const doc = parseDocument(html);
  const field = DomUtils.findOne((el) => el.name === tag && el.attribs.name === name, doc.children, true);
  expect(field, `${tag}[name=${name}]`).to.not.equal(null);
  expect(field!.attribs['aria-invalid'], `${name} aria-invalid`).to.equal('true');
  const describedBy = field!.attribs['aria-describedby'];
  expect(describedBy, `${name} aria-describedby`).to.be.a('string');
  const note = DomUtils.findOne((el) => el.attribs.id === describedBy, doc.children, true);
  expect(note, `#${describedBy}`).to.not.equal(null);
  expect(DomUtils.textContent(note!).trim()).to.equal(message);
  // Next to the field: in the same form, the next element after the field's own label/hint.
  const form = DomUtils.findOne((el) => el.name === 'form' && DomUtils.findOne((x) => x === field, el.children, true) !== null, doc.children, true);
  expect(form, 'the field is in a form').to.not.equal(null);
  const inForm = DomUtils.findAll(() => true, form!.children);
  const at = inForm.indexOf(field!);
  const noteAt = inForm.indexOf(note!);
  expect(noteAt, 'the message is in the same form, after the field').to.be.greaterThan(at);
  const between = inForm.slice(at + 1, noteAt).filter((el) => ['input', 'textarea', 'select'].includes(el.name) && el.attribs.type !== 'hidden');
  expect(between.map((el) => el.attribs.name), 'no other field between the field and its message').to.deep.equal([]);
}

const value = (html: string, tag: string, name: string) => {
  const el = byName(html, tag, name);
  return tag === 'textarea' ? DomUtils.textContent(el!) : el!.attribs.value;
};

describe('composer: forms keep the input, the preview renders as posted', function () {
  this.timeout(60_000);
  let server: TestServer;
  let me: BuiltUser;
  let browser: Client;
  let threadId: number;
  let postId: number;

  before(async () => {
    server = await startServer({ RATE_LIMIT_PREVIEW_PER_MINUTE: '5' });
    me = await buildUser();
    const { thread, post } = await buildThread({ author: me });
    threadId = thread.id;
    postId = post.id;
    browser = new Client(server.url);
    await browser.browserLogin(me.username, PASSWORD);
  });
  after(() => server?.close());

  const form = (fields: Record<string, string>) => new URLSearchParams({ ...fields, _csrf: browser.csrf ?? '' });

  describe('validation errors re-render the form', () => {
    it('new thread: a title of only spaces keeps the title, the body and the chapter, the message by the title', async () => {
      const chapter = await buildChapter({ members: [me] });
      const body = '正文第一行\n第二行 <b>不是标签</b>';
      const res = await browser.post('/new', form({ title: '   ', body, chapter: chapter.slug, category: '', draftChapter: chapter.slug }));
      expect(res.status).to.equal(400);
      expect(value(res.text, 'input', 'title')).to.equal('   ');
      expect(value(res.text, 'textarea', 'body')).to.equal(body);
      const selected = find(res.text, (el) => el.name === 'option' && el.attribs.value === chapter.slug);
      expect(selected!.attribs.selected, 'the chapter stays selected').to.not.equal(undefined);
      expectFieldError(res.text, 'input', 'title', '标题：不能为空');
      expect(byName(res.text, 'textarea', 'body')!.attribs['aria-invalid'], 'the body is fine').to.equal(undefined);
      // The draft stays under the key of the chapter the form was opened from.
      const composerForm = find(res.text, (el) => el.name === 'form' && el.attribs.action === '/new');
      expect(composerForm!.attribs['data-draft-key']).to.equal(`new:${chapter.slug}`);
      expect(await Post.count({ where: { body } }), 'nothing was posted').to.equal(0);
    });

    it('new thread: an empty body keeps the title, the message by the body', async () => {
      const res = await browser.post('/new', form({ title: '只有标题', body: '  ' }));
      expect(res.status).to.equal(400);
      expect(value(res.text, 'input', 'title')).to.equal('只有标题');
      expectFieldError(res.text, 'textarea', 'body', '内容：不能为空');
    });

    it('reply: an empty body comes back in the thread page, reply-to kept, the message by the body', async () => {
      const res = await browser.post(`/t/${threadId}/reply`, form({ body: ' \n ', replyTo: String(postId) }));
      expect(res.status).to.equal(400);
      expect(find(res.text, (el) => el.attribs['data-thread-id'] === String(threadId)), 'the thread page').to.not.equal(null);
      expect(value(res.text, 'textarea', 'body')).to.equal(' \n ');
      expect(value(res.text, 'input', 'replyTo')).to.equal(String(postId));
      expectFieldError(res.text, 'textarea', 'body', '内容：不能为空');
    });

    it('reply: a body over 10,000 characters is kept whole', async () => {
      const long = '长'.repeat(10_001);
      const res = await browser.post(`/t/${threadId}/reply`, form({ body: long }));
      expect(res.status).to.equal(400);
      expect(value(res.text, 'textarea', 'body')).to.equal(long);
      expectFieldError(res.text, 'textarea', 'body', '内容：最多 10000 个字');
    });

    it('reply: a replyTo from another thread is marked on the reply-to, the body kept', async () => {
      const other = await buildThread();
      const res = await browser.post(`/t/${threadId}/reply`, form({ body: '我的回复', replyTo: String(other.post.id) }));
      expect(res.status).to.equal(400);
      expect(value(res.text, 'textarea', 'body')).to.equal('我的回复');
      expectFieldError(res.text, 'input', 'replyTo', '回复的帖子：只能回复本帖中的帖子');
    });

    it('edit: an empty body comes back in the edit form, the message by the body', async () => {
      const res = await browser.post(`/p/${postId}/edit`, form({ body: '   ' }));
      expect(res.status).to.equal(400);
      expect(value(res.text, 'textarea', 'body')).to.equal('   ');
      expectFieldError(res.text, 'textarea', 'body', '内容：不能为空');
      const editForm = find(res.text, (el) => el.name === 'form' && el.attribs.action === `/p/${postId}/edit`);
      expect(editForm!.attribs['data-draft-key']).to.equal(`edit:${postId}`);
    });

    it('register and settings: the message by the field, the input kept', async () => {
      const anon = new Client(server.url);
      const page = await anon.get('/register');
      anon.csrf = /name="csrf-token" content="([^"]+)"/.exec(page.text)![1];
      const reg = await anon.post('/register', new URLSearchParams({ username: 'Bad Name!', displayName: '小明', password: 'long enough pw', _csrf: anon.csrf }));
      expect(reg.status).to.equal(400);
      expect(value(reg.text, 'input', 'displayName')).to.equal('小明');
      expectFieldError(reg.text, 'input', 'username', '用户名：应为 3–32 位小写字母、数字或下划线');
      const settings = await browser.post('/settings', form({ displayName: '   ', analyticsConsent: 'on' }));
      expect(settings.status).to.equal(400);
      expect(value(settings.text, 'input', 'displayName')).to.equal('   ');
      expectFieldError(settings.text, 'input', 'displayName', '昵称：不能为空');
    });

    it('login: a wrong password stays a message for the whole form, the username kept', async () => {
      const anon = new Client(server.url);
      const page = await anon.get('/login');
      anon.csrf = /name="csrf-token" content="([^"]+)"/.exec(page.text)![1];
      const res = await anon.post('/login', new URLSearchParams({ username: me.username, password: 'not my password', _csrf: anon.csrf }));
      expect(res.status).to.equal(401);
      expect(value(res.text, 'input', 'username')).to.equal(me.username);
      expect(byName(res.text, 'input', 'username')!.attribs['aria-invalid']).to.equal(undefined);
      expect(DomUtils.textContent(find(res.text, (el) => el.attribs.class === 'form-error')!)).to.equal('用户名或密码错误。');
    });

    it('?quote= without JavaScript fills the reply box with the quote, its author and a link to the post', async () => {
      const res = await browser.get(`/t/${threadId}?quote=${postId}`);
      expect(res.status).to.equal(200);
      const draft = value(res.text, 'textarea', 'body');
      expect(draft.split('\n')[0]).to.equal(`> @${me.username} [写道](/t/${threadId}#p${postId})：`);
      expect(value(res.text, 'input', 'replyTo')).to.equal(String(postId));
      const hint = find(res.text, (el) => el.attribs['data-reply-to-label'] !== undefined);
      expect(DomUtils.textContent(hint!)).to.equal(`回复 ${me.user.displayName}`);
    });
  });

  describe('POST /api/v1/preview', () => {
    it('renders with the post renderer: Markdown, mentions, and a <script> comes out inert', async () => {
      const body = `**粗体** @${me.username}\n\n<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>`;
      const res = await new Client(server.url).withToken(me.token).post('/api/v1/preview', { body });
      expect(res.status).to.equal(200);
      expect(res.body.html).to.equal(renderMarkdown(body).html);
      expect(res.body.html).to.contain('<strong>粗体</strong>');
      expect(res.body.mentions).to.deep.equal([me.username]);
      const doc = parseDocument(res.body.html);
      expect(DomUtils.findAll((el) => el.name === 'script' || el.name === 'img', doc.children), 'no script or img element').to.have.length(0);
      expect(DomUtils.findAll((el) => Object.keys(el.attribs).some((a) => a.startsWith('on')) || /javascript:/i.test(el.attribs.href ?? ''), doc.children)).to.have.length(0);
      expect(DomUtils.textContent(doc)).to.contain('<script>alert(1)</script>');
    });

    it('stores nothing', async () => {
      const before = await Post.count();
      await new Client(server.url).withToken(me.token).post('/api/v1/preview', { body: '不会被发出' });
      expect(await Post.count()).to.equal(before);
    });

    it('validates the body as a post body', async () => {
      const c = new Client(server.url).withToken((await buildUser()).token);
      const empty = await c.post('/api/v1/preview', { body: '  ' });
      expect(empty.status).to.equal(400);
      expect(empty.body.error.code).to.equal('validation_failed');
      expect(empty.body.error.field).to.equal('body');
      const long = await c.post('/api/v1/preview', { body: 'x'.repeat(10_001) });
      expect(long.status).to.equal(400);
    });

    it('is for signed-in people, and a session needs its CSRF token', async () => {
      const anon = await new Client(server.url).post('/api/v1/preview', { body: 'hi' });
      expect(anon.status).to.equal(401);
      expect(anon.body.error.code).to.equal('unauthenticated');
      const member = await buildUser();
      const session = new Client(server.url);
      await session.browserLogin(member.username, PASSWORD);
      const noCsrf = await session.post('/api/v1/preview', { body: 'hi' }, { 'x-csrf-token': 'wrong' });
      expect(noCsrf.status).to.equal(403);
      const ok = await session.post('/api/v1/preview', { body: 'hi' });
      expect(ok.status).to.equal(200);
      expect(ok.body.html).to.equal('<p>hi</p>\n');
    });

    it('is rate-limited per member (RATE_LIMIT_PREVIEW_PER_MINUTE), with Retry-After', async () => {
      const member = await buildUser();
      const c = new Client(server.url).withToken(member.token);
      for (let i = 0; i < 5; i++) expect((await c.post('/api/v1/preview', { body: `第 ${i} 次` })).status).to.equal(200);
      const limited = await c.post('/api/v1/preview', { body: '再一次' });
      expect(limited.status).to.equal(429);
      expect(limited.body.error.code).to.equal('rate_limited');
      expect(Number(limited.headers.get('retry-after'))).to.be.greaterThan(0);
      // Another member's budget is their own.
      expect((await new Client(server.url).withToken(me.token).post('/api/v1/preview', { body: '我的' })).status).to.equal(200);
    });
  });
});
