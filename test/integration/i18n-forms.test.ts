/**
 * Issue #12, item 5: the common forms in the zh-CN UI, given bad input, show their message in
 * Chinese — no translation key, no English validation text, no raw field names — and a wrong
 * password says so, not "please log in first".
 */
import { expect } from 'chai';
import { parseDocument } from 'htmlparser2';
import * as DomUtils from 'domutils';
import { startServer, type TestServer } from '../support/server';
import { Client, type Reply } from '../support/client';
import { buildThread, buildUser, PASSWORD, type BuiltUser } from '../support/factories';
import { keysOf, t } from '../../server/i18n';

/** The visible text of a page's main area (no scripts, no attribute values). */
function mainText(html: string): string {
  const doc = parseDocument(html);
  const main = DomUtils.findOne((el) => el.name === 'main', doc.children, true);
  expect(main, 'the page has a <main>').to.not.equal(null);
  const scripts = DomUtils.findAll((el) => el.name === 'script' || el.name === 'style', main!.children);
  for (const s of scripts) DomUtils.removeElement(s);
  return DomUtils.textContent(main!).replace(/\s+/g, ' ').trim();
}

/** The fixed parts (6+ characters) of every English message a validation error can carry. */
const englishFragments = keysOf('en')
  .filter((k) => /^(validation|field|errors|auth\.error)\./.test(k) && k !== 'validation.withField')
  .flatMap((k) => t('en', k).split(/\{\w+\}/))
  .map((s) => s.trim())
  .filter((s) => s.length >= 6);
// Any key-shaped word from our dictionaries' namespaces, e.g. "validation.empty" or "field.body".
const KEY_SHAPE = /\b(validation|field|errors?|auth|notifications|thread|post|nav|settings)\.[A-Za-z_.]+\b/;
// Today's shape of a raw message: an input name and a colon ("body: must not be empty").
const RAW_FIELD = /\b(body|title|username|password|displayName|reason|replyTo)\s*:/;

/** The page is Chinese throughout where the error is shown, and contains `expected`. */
function expectChineseError(res: Reply, expected: string, label: string) {
  const text = mainText(res.text);
  expect(text, label).to.contain(expected);
  expect(text, `${label}: a translation key`).to.not.match(KEY_SHAPE);
  expect(text, `${label}: a raw field name`).to.not.match(RAW_FIELD);
  for (const fragment of englishFragments) expect(text, `${label}: English "${fragment}"`).to.not.contain(fragment);
  expect(text, `${label}: English validation words`).to.not.match(/\b(must|is required|is not|contains|Wrong|taken)\b/);
}

describe('zh-CN forms: every error message in Chinese', function () {
  this.timeout(60_000);
  let server: TestServer;
  let me: BuiltUser;
  let browser: Client;
  let threadId: number;
  let postId: number;

  before(async () => {
    server = await startServer();
    me = await buildUser();
    const { thread, post } = await buildThread({ author: me });
    threadId = thread.id;
    postId = post.id;
    browser = new Client(server.url);
    await browser.browserLogin(me.username, PASSWORD);
  });
  after(() => server?.close());

  /** A fresh anonymous browser with the CSRF token of `page`. */
  async function anonymousForm(page: string): Promise<Client> {
    const c = new Client(server.url);
    const form = await c.get(page);
    c.csrf = /name="csrf-token" content="([^"]+)"/.exec(form.text)![1];
    return c;
  }
  const form = (c: Client, fields: Record<string, string>) => new URLSearchParams({ ...fields, _csrf: c.csrf ?? '' });

  it('register: a bad username, a short password, a taken username', async () => {
    const c = await anonymousForm('/register');
    const badName = await c.post('/register', form(c, { username: 'Bad Name!', password: 'long enough pw' }));
    expect(badName.status).to.equal(400);
    expectChineseError(badName, '用户名：应为 3–32 位小写字母、数字或下划线', 'register username');
    expect(badName.text, 'the input is kept').to.contain('value="Bad Name!"');
    const shortPassword = await c.post('/register', form(c, { username: 'new_member_x', password: 'short' }));
    expectChineseError(shortPassword, '密码：至少 8 个字', 'register password');
    const taken = await c.post('/register', form(c, { username: me.username, password: 'long enough pw' }));
    expect(taken.status).to.equal(409);
    expectChineseError(taken, '该用户名已被使用，请换一个。', 'register taken');
  });

  it('login: a wrong password and an unknown name get the same clear message, not "please log in first"', async () => {
    const c = await anonymousForm('/login');
    const wrong = await c.post('/login', form(c, { username: me.username, password: 'not my password' }));
    expect(wrong.status).to.equal(401);
    expectChineseError(wrong, '用户名或密码错误。', 'login wrong password');
    expect(mainText(wrong.text)).to.not.contain(t('zh-CN', 'error.unauthenticated'));
    const unknown = await c.post('/login', form(c, { username: 'nobody_here_at_all', password: 'not my password' }));
    expect(unknown.status).to.equal(401);
    const errorOf = (html: string) => /class="form-error"[^>]*>([^<]*)</.exec(html)?.[1];
    expect(errorOf(unknown.text)).to.equal(errorOf(wrong.text));
  });

  it('new thread: a title of only spaces, an empty body', async () => {
    const blankTitle = await browser.post('/new', form(browser, { title: '   ', body: '正文' }));
    expect(blankTitle.status).to.equal(400);
    expectChineseError(blankTitle, '标题：不能为空', 'new thread title');
    const blankBody = await browser.post('/new', form(browser, { title: '标题', body: '' }));
    expectChineseError(blankBody, '内容：不能为空', 'new thread body');
  });

  it('reply: an empty body, a body over 10,000 characters, a replyTo from elsewhere', async () => {
    const empty = await browser.post(`/t/${threadId}/reply`, form(browser, { body: '  ' }));
    expect(empty.status).to.equal(400);
    expectChineseError(empty, '内容：不能为空', 'reply empty');
    const long = await browser.post(`/t/${threadId}/reply`, form(browser, { body: '长'.repeat(10_001) }));
    expectChineseError(long, '内容：最多 10000 个字', 'reply too long');
    const other = await buildThread();
    const elsewhere = await browser.post(`/t/${threadId}/reply`, form(browser, { body: '回复', replyTo: String(other.post.id) }));
    expectChineseError(elsewhere, '回复的帖子：只能回复本帖中的帖子', 'reply elsewhere');
  });

  it('edit: an empty body', async () => {
    const res = await browser.post(`/p/${postId}/edit`, form(browser, { body: '' }));
    expect(res.status).to.equal(400);
    expectChineseError(res, '内容：不能为空', 'edit');
  });

  it('settings: an empty display name', async () => {
    const res = await browser.post('/settings', form(browser, { displayName: '   ' }));
    expect(res.status).to.equal(400);
    expectChineseError(res, '昵称：不能为空', 'settings');
  });

  it('new message: no recipient, an unknown one, too many, an empty message, a recipient who blocked me', async () => {
    const nobody = await browser.post('/messages', form(browser, { to: '   ', body: '你好' }));
    expect(nobody.status).to.equal(400);
    expectChineseError(nobody, '收信人：不能为空', 'message no recipient');
    const unknown = await browser.post('/messages', form(browser, { to: 'nobody_here_42', body: '你好' }));
    expectChineseError(unknown, '收信人：没有用户名为 nobody_here_42 的会员', 'message unknown recipient');
    const many = await Promise.all(Array.from({ length: 10 }, () => buildUser()));
    const crowd = await browser.post('/messages', form(browser, { to: many.map((u) => u.username).join(' '), body: '大家好' }));
    expectChineseError(crowd, '收信人：一段对话最多 10 人（包括你）', 'message too many');
    const empty = await browser.post('/messages', form(browser, { to: many[0].username, body: ' ' }));
    expectChineseError(empty, '内容：不能为空', 'message empty');
    expect(empty.text).to.contain(`value="${many[0].username}"`); // the recipients are kept
    const blocker = many[1];
    expect((await new Client(server.url).withToken(blocker.token).post(`/api/v1/users/${me.username}/block`)).status).to.equal(200);
    const refused = await browser.post('/messages', form(browser, { to: blocker.username, body: '你好' }));
    expect(refused.status).to.equal(403);
    expectChineseError(refused, '无法给对方发送私信。', 'message blocked');
    expect(mainText(refused.text)).to.not.contain('屏蔽');
  });

  it('the same errors in English when the member chose English', async () => {
    const english = new Client(server.url);
    await english.get('/lang/en');
    await english.browserLogin(me.username, PASSWORD);
    const res = await english.post('/settings', form(english, { displayName: '   ' }));
    expect(mainText(res.text)).to.contain('Display name: must not be empty');
    const wrong = await english.post('/login', form(english, { username: me.username, password: 'not my password' }));
    expect(mainText(wrong.text)).to.contain('Wrong username or password.');
  });
});
