/**
 * Bad input through real HTTP: oversized and malformed bodies, wrong types, unknown and
 * malformed ids, broken Unicode, control characters, and the rate limits. Every failure must be
 * the contract's `{error:{code,message}}` with the right status (never a 500) and must leave
 * no half-written record; odd-but-valid text (huge words, emoji, RTL) must survive intact.
 */
import zlib from 'node:zlib';
import { expect } from 'chai';
import { parseDocument } from 'htmlparser2';
import * as DomUtils from 'domutils';
import { startServer, type TestServer } from '../support/server';
import { Client, type Reply } from '../support/client';
import { rawRequest } from '../support/raw-http';
import { buildChapter, buildThread, buildUser, type BuiltUser } from '../support/factories';
import { Chapter, Post, Thread, User } from '../../server/models';

/** The contract's error body, exactly, with the right status. */
function expectError(res: Reply, status: number, code: string) {
  expect(res.status, res.text.slice(0, 300)).to.equal(status);
  expect(res.headers.get('content-type') ?? '').to.include('application/json');
  expect(Object.keys(res.body)).to.deep.equal(['error']);
  // A validation error also names its input (`field`): the message is in the request's language.
  expect(Object.keys(res.body.error).sort()).to.deep.equal(code === 'validation_failed' ? ['code', 'field', 'message'] : ['code', 'message']);
  expect(res.body.error.code).to.equal(code);
  expect(res.body.error.message).to.be.a('string').and.not.equal('');
  if (code === 'validation_failed') expect(res.body.error.field).to.be.a('string').and.not.equal('');
}

const counts = async () => ({ threads: await Thread.count(), posts: await Post.count(), users: await User.count(), chapters: await Chapter.count() });

/** Text of the post with this id on a rendered thread page. */
function postBodyText(pageHtml: string, postId: string): string {
  const doc = parseDocument(pageHtml);
  const article = DomUtils.findOne((el) => el.name === 'article' && el.attribs['data-post-id'] === postId, doc.children, true);
  expect(article, `post ${postId} on the page`).to.not.equal(null);
  const body = DomUtils.findOne((el) => (el.attribs.class ?? '').split(/\s+/).includes('post-body'), article!.children, true);
  return DomUtils.textContent(body!);
}
function headingText(pageHtml: string): string {
  const doc = parseDocument(pageHtml);
  return DomUtils.textContent(DomUtils.findOne((el) => el.name === 'h1', doc.children, true)!).trim();
}

describe('bad input', function () {
  this.timeout(60_000);
  let server: TestServer;
  let me: BuiltUser;
  let admin: BuiltUser;
  let api: Client;
  let adminApi: Client;
  let threadId: string;
  let postId: string;
  let chapterSlug: string;

  before(async () => {
    server = await startServer();
    me = await buildUser();
    admin = await buildUser({ role: 'admin' });
    api = new Client(server.url).withToken(me.token);
    adminApi = new Client(server.url).withToken(admin.token);
    const { thread, post } = await buildThread({ author: me });
    threadId = String(thread.id);
    postId = String(post.id);
    chapterSlug = (await buildChapter()).slug;
  });
  after(() => server?.close());

  describe('size limits', () => {
    it('a JSON body over BODY_LIMIT (100kb) is 413 payload_too_large and creates nothing', async () => {
      const before = await counts();
      const res = await api.post('/api/v1/threads', { title: '太长了', body: 'a'.repeat(110 * 1024) });
      expectError(res, 413, 'payload_too_large');
      const reply = await api.post(`/api/v1/threads/${threadId}/posts`, { body: '好'.repeat(40 * 1024) });
      expectError(reply, 413, 'payload_too_large');
      expect(await counts()).to.deep.equal(before);
    });

    it('a post body of 10,001 characters is 400; 10,000 is accepted (CJK counts per character)', async () => {
      const before = await counts();
      const tooLong = await api.post('/api/v1/threads', { title: '边界', body: '好'.repeat(10_001) });
      expectError(tooLong, 400, 'validation_failed');
      expect(tooLong.body.error.field).to.equal('body');
      expect(tooLong.body.error.message).to.equal('内容：最多 10000 个字');
      const tooLongReply = await api.post(`/api/v1/threads/${threadId}/posts`, { body: 'a'.repeat(10_001) });
      expectError(tooLongReply, 400, 'validation_failed');
      const tooLongEdit = await api.patch(`/api/v1/posts/${postId}`, { body: 'a'.repeat(10_001) });
      expectError(tooLongEdit, 400, 'validation_failed');
      expect(await counts()).to.deep.equal(before);
      const atLimit = await api.post('/api/v1/threads', { title: '边界', body: '好'.repeat(10_000) });
      expect(atLimit.status, atLimit.text.slice(0, 200)).to.equal(201);
      expect(atLimit.body.post.body).to.have.length(10_000);
    });

    it('a title of 201 characters is 400; 200 is accepted', async () => {
      const before = await counts();
      expectError(await api.post('/api/v1/threads', { title: 't'.repeat(201), body: 'x' }), 400, 'validation_failed');
      expect(await counts()).to.deep.equal(before);
      expect((await api.post('/api/v1/threads', { title: 't'.repeat(200), body: 'x' })).status).to.equal(201);
    });
  });

  describe('malformed bodies', () => {
    const cases: Array<[string, string, string, unknown]> = [
      ['number for title', 'POST', '/api/v1/threads', { title: 42, body: 'x' }],
      ['array for body', 'POST', '/api/v1/threads', { title: 't', body: ['x'] }],
      ['object for body', 'POST', '/api/v1/threads', { title: 't', body: { $gt: '' } }],
      ['boolean for title', 'POST', '/api/v1/threads', { title: true, body: 'x' }],
      ['null title', 'POST', '/api/v1/threads', { title: null, body: 'x' }],
      ['missing title', 'POST', '/api/v1/threads', { body: 'x' }],
      ['missing body', 'POST', '/api/v1/threads', { title: 't' }],
      ['empty object', 'POST', '/api/v1/threads', {}],
      ['blank title', 'POST', '/api/v1/threads', { title: '   ', body: 'x' }],
      ['number for chapter', 'POST', '/api/v1/threads', { title: 't', body: 'x', chapter: 7 }],
      ['upper-case chapter slug', 'POST', '/api/v1/threads', { title: 't', body: 'x', chapter: 'Shanghai' }],
      ['array for reply body', 'POST', '/api/v1/threads/:thread/posts', { body: ['a', 'b'] }],
      ['non-numeric replyTo', 'POST', '/api/v1/threads/:thread/posts', { body: 'x', replyTo: 'abc' }],
      ['replyTo of another thread', 'POST', '/api/v1/threads/:thread/posts', { body: 'x', replyTo: 999_999 }],
      ['missing reply body', 'POST', '/api/v1/threads/:thread/posts', {}],
      ['object for username', 'POST', '/api/v1/auth/register', { username: { $ne: null }, password: 'correct horse battery' }],
      ['number for password', 'POST', '/api/v1/auth/register', { username: 'someone_new', password: 12345678 }],
      ['short password', 'POST', '/api/v1/auth/register', { username: 'someone_new', password: 'short' }],
      ['upper-case username', 'POST', '/api/v1/auth/register', { username: 'SomeOne', password: 'correct horse battery' }],
      ['missing register fields', 'POST', '/api/v1/auth/register', {}],
      ['object for login username', 'POST', '/api/v1/auth/login', { username: { $gt: '' }, password: 'x' }],
      ['missing login fields', 'POST', '/api/v1/auth/login', {}],
      ['number for displayName', 'PATCH', '/api/v1/me', { displayName: 5 }],
      ['unknown field on /me', 'PATCH', '/api/v1/me', { role: 'admin' }],
      ['string for analyticsConsent', 'PATCH', '/api/v1/me', { analyticsConsent: 'yes' }],
      ['array for edit body', 'PATCH', '/api/v1/posts/:post', { body: [] }],
      ['number for flag reason', 'POST', '/api/v1/posts/:post/flag', { reason: 1 }],
      ['limit=0', 'GET', '/api/v1/threads?limit=0', undefined],
      ['limit=abc', 'GET', '/api/v1/threads?limit=abc', undefined],
      ['limit over max', 'GET', '/api/v1/threads?limit=100000', undefined],
      ['repeated limit', 'GET', '/api/v1/threads?limit=1&limit=2', undefined],
      ['bad chapter filter', 'GET', '/api/v1/threads?chapter=%3Cscript%3E', undefined],
    ];
    for (const [name, method, rawPath, body] of cases) {
      it(`${name} -> 400 validation_failed, nothing written`, async () => {
        const path = rawPath.replace(':thread', threadId).replace(':post', postId);
        const before = await counts();
        const original = (await Post.findByPk(Number(postId)))!.body;
        expectError(await api.request(method, path, body), 400, 'validation_failed');
        expect(await counts()).to.deep.equal(before);
        expect((await Post.findByPk(Number(postId)))!.body).to.equal(original);
      });
    }

    it('admin-only inputs are validated too (role, chapter)', async () => {
      expectError(await adminApi.put(`/api/v1/users/${me.username}/role`, { role: 'superuser' }), 400, 'validation_failed');
      expectError(await adminApi.put(`/api/v1/users/${me.username}/role`, {}), 400, 'validation_failed');
      expectError(await adminApi.post('/api/v1/chapters', { slug: 'ok-slug', name: 'x', city: 'y', visibility: 'secret' }), 400, 'validation_failed');
      expectError(await adminApi.post('/api/v1/chapters', { slug: '../etc', name: 'x', city: 'y', visibility: 'public' }), 400, 'validation_failed');
      expect((await User.findByPk(me.user.id))!.role).to.equal('member');
    });

    const rawBodies: Array<[string, string]> = [
      ['truncated JSON', '{"title": "t", "body": '],
      ['trailing comma', '{"title": "t", "body": "x",}'],
      ['single quotes', "{'title': 't'}"],
      ['a bare string (strict JSON only takes objects and arrays)', '"hello"'],
      ['null', 'null'],
      ['an array', '[]'],
      ['a number', '42'],
      ['empty body', ''],
    ];
    for (const [name, raw] of rawBodies) {
      it(`invalid JSON: ${name} -> 400 validation_failed`, async () => {
        const before = await counts();
        expectError(await api.request('POST', '/api/v1/threads', raw, { 'content-type': 'application/json' }), 400, 'validation_failed');
        expect(await counts()).to.deep.equal(before);
      });
    }

    it('a body that is not JSON at all (text/plain) is 400, not a crash', async () => {
      expectError(await api.request('POST', '/api/v1/threads', 'title=t&body=x', { 'content-type': 'text/plain' }), 400, 'validation_failed');
    });

    // 415 like an unsupported Content-Encoding: the body is fine, the client must resend it as UTF-8.
    it('a JSON body in an unsupported charset is 415 unsupported_media_type', async () => {
      expectError(await api.request('POST', '/api/v1/threads', '{"title":"t","body":"x"}', { 'content-type': 'application/json; charset=klingon' }), 415, 'unsupported_media_type');
    });

    it('prototype-pollution shaped JSON is harmless', async () => {
      const res = await api.request('POST', '/api/v1/threads', '{"title":"原型","body":"x","__proto__":{"role":"admin"},"constructor":{"prototype":{"role":"admin"}}}');
      expect(res.status).to.equal(201);
      expect(({} as Record<string, unknown>).role).to.equal(undefined);
      expectError(await api.post('/api/v1/chapters', { slug: 'proto-x', name: 'x', city: 'y', visibility: 'public' }), 403, 'forbidden');
    });
  });

  describe('ids', () => {
    it('unknown ids are 404 not_found for threads, posts, chapters and users', async () => {
      const before = await counts();
      const notFound: Array<[string, string, unknown?]> = [
        ['GET', '/api/v1/threads/999999'],
        ['POST', '/api/v1/threads/999999/posts', { body: 'x' }],
        ['PATCH', '/api/v1/posts/999999', { body: 'x' }],
        ['DELETE', '/api/v1/posts/999999'],
        ['POST', '/api/v1/posts/999999/like'],
        ['POST', '/api/v1/posts/999999/flag', { reason: 'spam' }],
        ['GET', '/api/v1/chapters/no-such-chapter'],
        ['POST', '/api/v1/chapters/no-such-chapter/join'],
        ['GET', '/api/v1/threads?chapter=no-such-chapter'],
        ['POST', '/api/v1/threads', { title: 't', body: 'x', chapter: 'no-such-chapter' }],
        ['POST', '/api/v1/threads', { title: 't', body: 'x', category: 'no-such-category' }],
        ['GET', '/api/v1/users/no_such_user'],
        ['GET', '/api/v1/no-such-route'],
      ];
      for (const [method, path, body] of notFound) {
        const res = await api.request(method, path, body);
        expect(res.status, `${method} ${path}`).to.equal(404);
        expectError(res, 404, 'not_found');
      }
      expectError(await adminApi.put('/api/v1/users/no_such_user/role', { role: 'pr' }), 404, 'not_found');
      expect(await counts()).to.deep.equal(before);
      for (const page of ['/t/999999', '/u/no_such_user', '/c/no-such-chapter', '/no/such/page']) {
        const res = await api.get(page);
        expect(res.status, page).to.equal(404);
        expect(res.headers.get('content-type')).to.include('text/html');
      }
    });

    const badIds = ['abc', '1e3', '0x1f', '-1', '0', '1.5', '01', '12345678901234567', '%20', '1%00', '%F0%9F%91%8D', 'null'];
    for (const bad of badIds) {
      it(`non-numeric id "${bad}" -> 400 validation_failed`, async () => {
        expectError(await api.get(`/api/v1/threads/${bad}`), 400, 'validation_failed');
        expectError(await api.post(`/api/v1/threads/${bad}/posts`, { body: 'x' }), 400, 'validation_failed');
        expectError(await api.patch(`/api/v1/posts/${bad}`, { body: 'x' }), 400, 'validation_failed');
        expectError(await api.post(`/api/v1/posts/${bad}/like`), 400, 'validation_failed');
        expect((await api.get(`/t/${bad}`)).status, `/t/${bad}`).to.equal(400);
      });
    }

    it('malformed percent-encoding in a path is 400, not 500', async () => {
      expectError(await api.get('/api/v1/threads/%E0%A4%A'), 400, 'validation_failed');
      expectError(await api.get('/api/v1/users/%ZZ'), 400, 'validation_failed');
      expect((await api.get('/t/%E0%A4%A')).status).to.equal(400);
    });

    it('a malformed username in a path is 400', async () => {
      expectError(await api.get('/api/v1/users/Not-A-Name'), 400, 'validation_failed');
      expect((await api.get('/u/Not-A-Name')).status).to.equal(400);
    });
  });

  describe('Unicode and control characters', () => {
    it('lone UTF-16 surrogates sent as JSON escapes are 400 validation_failed and create nothing', async () => {
      const before = await counts();
      const raw: Array<[string, string, string]> = [
        ['POST', '/api/v1/threads', '{"title":"ok","body":"\\ud800"}'],
        ['POST', '/api/v1/threads', '{"title":"\\udc00x","body":"ok"}'],
        ['POST', '/api/v1/threads', '{"title":"ok","body":"a\\ud83d"}'],
        ['POST', `/api/v1/threads/${threadId}/posts`, '{"body":"\\udfff\\ud800"}'],
        ['PATCH', `/api/v1/posts/${postId}`, '{"body":"\\ud800"}'],
        ['PATCH', '/api/v1/me', '{"displayName":"\\ud800"}'],
        ['POST', '/api/v1/auth/register', '{"username":"lone_surrogate","password":"correct horse battery","displayName":"\\udbff"}'],
      ];
      for (const [method, path, body] of raw) {
        const res = await api.request(method, path, body, { 'content-type': 'application/json' });
        expectError(res, 400, 'validation_failed');
      }
      expect(await counts()).to.deep.equal(before);
      expect((await User.findByPk(me.user.id))!.displayName).to.not.include('\ud800');
      // A correctly paired escape is a real character and is accepted.
      const paired = await api.request('POST', '/api/v1/threads', '{"title":"\\ud83d\\udc4d","body":"\\ud83d\\udc4d"}', { 'content-type': 'application/json' });
      expect(paired.status).to.equal(201);
      expect(paired.body.post.body).to.equal('👍');
    });

    const controls: Array<[string, string]> = [
      ['NUL', 'a\u0000b'],
      ['BEL', 'ding\u0007'],
      ['ESC (terminal colours)', '\u001b[31mred'],
      ['backspace', 'abc\u0008\u0008'],
      ['DEL', 'x\u007f'],
      ['vertical tab', 'a\u000bb'],
      ['form feed', 'a\u000cb'],
    ];
    for (const [name, value] of controls) {
      it(`control character ${name} in a body or title is 400 and creates nothing`, async () => {
        const before = await counts();
        expectError(await api.post('/api/v1/threads', { title: 't', body: value }), 400, 'validation_failed');
        expectError(await api.post('/api/v1/threads', { title: value, body: 'x' }), 400, 'validation_failed');
        expectError(await api.post(`/api/v1/threads/${threadId}/posts`, { body: value }), 400, 'validation_failed');
        expectError(await api.patch('/api/v1/me', { displayName: value }), 400, 'validation_failed');
        expect(await counts()).to.deep.equal(before);
      });
    }

    it('tabs and newlines are kept; CRLF is normalised to LF', async () => {
      const res = await api.post(`/api/v1/threads/${threadId}/posts`, { body: 'col1\tcol2\r\nline2\rline3\nline4' });
      expect(res.status).to.equal(201);
      expect(res.body.post.body).to.equal('col1\tcol2\nline2\nline3\nline4');
    });

    it('a 10,000-character single word is stored and rendered intact', async () => {
      const word = 'supercalifragilistic'.repeat(500);
      expect(word).to.have.length(10_000);
      const res = await api.post('/api/v1/threads', { title: word.slice(0, 200), body: word });
      expect(res.status).to.equal(201);
      const id = res.body.thread.id;
      const got = await api.get(`/api/v1/threads/${id}`);
      expect(got.body.posts[0].body).to.equal(word);
      expect(got.body.posts[0].html).to.equal(`<p>${word}</p>\n`);
      const page = await new Client(server.url).get(`/t/${id}`);
      expect(page.status).to.equal(200);
      expect(postBodyText(page.text, res.body.post.id).trim()).to.equal(word);
      expect(headingText(page.text)).to.equal(word.slice(0, 200));
    });

    it('emoji (skin tones, ZWJ families), CJK extension characters and RTL text survive API and page', async () => {
      const text = '点赞👍🏻 全家👨‍👩‍👧 生僻字𠀀𪜀𫝀 مرحبا بالعالم \u202Egnp.exe\u202C שלום ﷺ';
      const title = `标题 👨‍👩‍👧 𠀀 مرحبا \u202Eabc`;
      const res = await api.post('/api/v1/threads', { title, body: text });
      expect(res.status).to.equal(201);
      const id = res.body.thread.id;
      const got = await api.get(`/api/v1/threads/${id}`);
      expect(got.body.thread.title).to.equal(title);
      expect(got.body.posts[0].body).to.equal(text);
      expect(got.body.posts[0].html).to.equal(`<p>${text}</p>\n`);
      const page = await new Client(server.url).get(`/t/${id}`);
      expect(page.status).to.equal(200);
      expect(postBodyText(page.text, res.body.post.id).trim()).to.equal(text);
      expect(headingText(page.text)).to.equal(title);
      const list = await api.get('/api/v1/threads?limit=100');
      expect(list.body.items.map((t: { title: string }) => t.title)).to.include(title);
    });

    it('a display name with emoji and RTL text round-trips', async () => {
      const name = '小明👨‍👩‍👧 مرحبا 𠀀';
      const res = await api.patch('/api/v1/me', { displayName: name });
      expect(res.status).to.equal(200);
      expect(res.body.user.displayName).to.equal(name);
      const page = await new Client(server.url).get(`/u/${me.username}`);
      expect(headingText(page.text)).to.equal(name);
    });
  });

  // Issue #8, defect 5: user text in a path or query reached SQLite (a NUL is an SQLite error, so a
  // 500), and body-reading errors without a `type` (corrupt gzip/deflate/br) became 500s too.
  describe('path and query parameters, content encodings', () => {
    const nul = '%00';
    it('a NUL or malformed value in any API path parameter is 400 validation_failed naming the parameter', async () => {
      const before = await counts();
      const cases: Array<[string, string, string]> = [
        ['GET', `/api/v1/chapters/${nul}`, 'slug'],
        ['POST', `/api/v1/chapters/${nul}/join`, 'slug'],
        ['POST', `/api/v1/chapters/${nul}/leave`, 'slug'],
        ['GET', `/api/v1/chapters/${nul}/pending`, 'slug'],
        ['POST', `/api/v1/chapters/${nul}/members/${me.username}/approve`, 'slug'],
        ['POST', `/api/v1/chapters/${chapterSlug}/members/${nul}/approve`, 'username'],
        ['POST', `/api/v1/chapters/${chapterSlug}/members/${me.username}/${nul}`, 'decision'],
        ['GET', `/api/v1/users/${nul}`, 'username'],
        ['PUT', `/api/v1/users/a${nul}b/role`, 'username'],
        ['GET', '/api/v1/threads/abc', 'id'],
        ['POST', `/api/v1/threads/1${nul}/posts`, 'id'],
        ['DELETE', '/api/v1/posts/-1', 'id'],
        ['GET', '/api/v1/threads/9007199254740993', 'id'],
      ];
      for (const [method, path, field] of cases) {
        const res = await adminApi.request(method, path, method === 'GET' ? undefined : { role: 'member', body: 'x', reason: 'r' });
        expectError(res, 400, 'validation_failed');
        expect(res.body.error.field, `${method} ${path}`).to.equal(field);
      }
      expect(await counts()).to.deep.equal(before);
    });

    it('a NUL in a login username is 400, by API and by form', async () => {
      expectError(await new Client(server.url).post('/api/v1/auth/login', { username: 'a\u0000b', password: 'correct horse battery' }), 400, 'validation_failed');
      const browser = new Client(server.url);
      const form = await browser.get('/login');
      const csrf = /name="csrf-token" content="([^"]+)"/.exec(form.text)![1];
      const page = await browser.post('/login', new URLSearchParams({ username: 'a\u0000b', password: 'correct horse battery', _csrf: csrf }));
      expect(page.status).to.equal(400);
    });

    it('pages: a NUL slug or username, a non-numeric thread id or page number is a 400 page', async () => {
      for (const path of [`/c/${nul}`, `/u/${nul}`, '/t/abc', `/categories/${nul}`, '/?page=abc', '/?page=', `/t/${threadId}?quote=x`]) {
        const res = await rawRequest(server.url, 'GET', path);
        expect(res.status, path).to.equal(400);
        expect(String(res.headers['content-type'])).to.include('text/html');
      }
      const browser = new Client(server.url);
      await browser.browserLogin(admin.username, admin.password);
      const decide = await browser.post(`/c/${chapterSlug}/members/${nul}/approve`, new URLSearchParams({ _csrf: browser.csrf ?? '' }));
      expect(decide.status).to.equal(400);
    });

    it('query parameters: repeated keys, empty and exponent numbers, a NUL slug, a junk cursor are 400, never 500', async () => {
      expect((await rawRequest(server.url, 'GET', '/?lang=en&lang=zh')).status).to.equal(200);
      for (const query of ['limit=', 'limit=1e1', 'offset=0x10', 'limit=5&limit=6', `chapter=${nul}`, 'category=A%0A']) {
        expectError(await api.get(`/api/v1/threads?${query}`), 400, 'validation_failed');
      }
      // 2^53 + 1 would be read as 2^53: a different id.
      expectError(await api.post('/api/v1/notifications/read', { ids: [9007199254740993] }), 400, 'validation_failed');
      for (const query of [`cursor=${nul}`, 'cursor=not%20a%20cursor', `q=a${nul}b`, 'limit=0']) {
        expectError(await adminApi.get(`/api/v1/search?${query}`), 400, 'validation_failed');
      }
    });

    it('a corrupt gzip, deflate or br body is 400; an unknown Content-Encoding is 415; a good gzip body works', async () => {
      const before = await counts();
      const json = { 'content-type': 'application/json', authorization: `Bearer ${me.token}` };
      for (const encoding of ['gzip', 'deflate', 'br']) {
        const res = await rawRequest(server.url, 'POST', '/api/v1/threads', Buffer.from('not compressed at all'), { ...json, 'content-encoding': encoding });
        expect(res.status, `${encoding}: ${res.text}`).to.equal(400);
        expect(res.json.error.code).to.equal('validation_failed');
        // A truncated stream of the right format fails the same way.
        const truncated = (encoding === 'gzip' ? zlib.gzipSync : encoding === 'deflate' ? zlib.deflateSync : zlib.brotliCompressSync)(Buffer.from('{"title":"t","body":"x"}')).subarray(0, 8);
        expect((await rawRequest(server.url, 'POST', '/api/v1/threads', truncated, { ...json, 'content-encoding': encoding })).status, `truncated ${encoding}`).to.equal(400);
      }
      const unknown = await rawRequest(server.url, 'POST', '/api/v1/threads', Buffer.from('{}'), { ...json, 'content-encoding': 'x-snappy' });
      expect(unknown.status).to.equal(415);
      expect(unknown.json.error.code).to.equal('unsupported_media_type');
      const form = await rawRequest(server.url, 'POST', '/login', Buffer.from('garbage'), { 'content-type': 'application/x-www-form-urlencoded', 'content-encoding': 'deflate' });
      expect(form.status).to.equal(400);
      expect(await counts()).to.deep.equal(before);
      const good = await rawRequest(server.url, 'POST', '/api/v1/threads', zlib.gzipSync(Buffer.from(JSON.stringify({ title: '压缩', body: 'gzip' }))), { ...json, 'content-encoding': 'gzip' });
      expect(good.status).to.equal(201);
    });

    // Issue #8, defect 9: TRACE (or any method a route lacks) answered the 404 page.
    it('a method a route does not support is 405 with Allow (JSON under /api/v1); an unknown path stays 404', async () => {
      for (const [method, path, allow] of [
        ['TRACE', '/api/v1/threads', 'GET, HEAD, POST, OPTIONS'],
        ['PUT', `/api/v1/threads/${threadId}`, 'GET, HEAD, OPTIONS'],
        ['PUT', '/api/v1/me', 'GET, HEAD, PATCH, DELETE, OPTIONS'],
        ['GET', `/api/v1/posts/${postId}/flag`, 'POST, OPTIONS'],
      ]) {
        const res = await rawRequest(server.url, method, path, undefined, { authorization: `Bearer ${me.token}` });
        expect(res.status, `${method} ${path}`).to.equal(405);
        expect(res.headers.allow).to.equal(allow);
        expect(res.json.error.code).to.equal('method_not_allowed');
      }
      const page = await rawRequest(server.url, 'TRACE', `/t/${threadId}`);
      expect(page.status).to.equal(405);
      expect(page.headers.allow).to.equal('GET, HEAD, OPTIONS');
      expect(String(page.headers['content-type'])).to.include('text/html');
      expect((await rawRequest(server.url, 'TRACE', '/api/v1/no-such-route')).status).to.equal(404);
      expect((await rawRequest(server.url, 'TRACE', '/no-such-page')).status).to.equal(404);
    });
  });

  describe('never a 500', () => {
    // Every item is invalid for every endpoint below (so `{}` is absent: PATCH /me accepts it).
    const junk: unknown[] = [null, 0, 'str', [], [{}], { title: {}, body: {} }, { body: 'x'.repeat(20_000) }, { reason: [] }, { username: [], password: {} }, { role: ['admin'] }, { displayName: {} }, { ids: 'all' }, { ids: [{}] }];
    const endpoints = (t: string, p: string): Array<[string, string, Client | null]> => [
      ['POST', '/api/v1/threads', null],
      ['POST', `/api/v1/threads/${t}/posts`, null],
      ['PATCH', `/api/v1/posts/${p}`, null],
      ['POST', `/api/v1/posts/${p}/flag`, null],
      ['POST', `/api/v1/threads/${t}/lock`, adminApi],
      ['POST', '/api/v1/auth/register', null],
      ['POST', '/api/v1/auth/login', null],
      ['PATCH', '/api/v1/me', null],
      ['POST', '/api/v1/chapters', adminApi],
      ['POST', '/api/v1/categories', adminApi],
      ['PUT', `/api/v1/users/${me.username}/role`, adminApi],
      ['POST', '/api/v1/api-keys', adminApi],
    ];
    it('junk bodies on every write endpoint get a 4xx contract error', async () => {
      // The author's own post is the PATCH target, so a mistaken success would show up as a 2xx.
      const { thread, post } = await buildThread({ author: me });
      const before = await counts();
      for (const [method, path, client] of endpoints(String(thread.id), String(post.id))) {
        for (const body of junk) {
          const res = await (client ?? api).request(method, path, JSON.stringify(body), { 'content-type': 'application/json' });
          expect(res.status, `${method} ${path} ${JSON.stringify(body).slice(0, 40)}: ${res.text.slice(0, 200)}`).to.be.within(400, 499);
          expect(Object.keys(res.body.error).sort()).to.deep.equal(res.body.error.code === 'validation_failed' ? ['code', 'field', 'message'] : ['code', 'message']);
        }
      }
      expect(await counts()).to.deep.equal(before);
      expect((await Post.findByPk(post.id))!.deletedAt).to.equal(null);
    });

    it('the HTML forms reject junk with a 4xx page, never a 500', async () => {
      const browser = new Client(server.url);
      await browser.browserLogin(me.username, me.password);
      for (const path of ['/new', `/t/${threadId}/reply`, `/p/${postId}/edit`, `/p/${postId}/flag`, '/settings']) {
        // Each form is invalid for every one of these endpoints (whatever fields it reads).
        const forms: Array<Record<string, string>> = [
          {},
          { title: '\u0000', body: '\u0000', reason: '\u0000', displayName: '\u0000' },
          { title: 't'.repeat(201), body: 'b'.repeat(10_001), reason: 'r'.repeat(501), displayName: 'd'.repeat(65) },
        ];
        for (const form of forms) {
          const res = await browser.post(path, new URLSearchParams({ ...form, _csrf: browser.csrf ?? '' }));
          expect(res.status, `${path} ${JSON.stringify(form).slice(0, 40)}`).to.be.within(400, 499);
        }
      }
    });
  });
});

describe('rate limits', function () {
  this.timeout(60_000);

  describe('login', () => {
    let server: TestServer;
    before(async () => {
      server = await startServer({ RATE_LIMIT_LOGIN_PER_ADDRESS_PER_MINUTE: '3' });
    });
    after(() => server?.close());

    it('the 4th login attempt from one address in a minute is 429 with Retry-After, even with the right password', async () => {
      const u = await buildUser(); // factories bypass HTTP, so they spend none of the budget
      // A fresh cookie-less client per attempt: the limit is per IP, not per cookie jar.
      const c = () => new Client(server.url);
      expectError(await c().post('/api/v1/auth/login', { username: u.username, password: 'wrong password!' }), 401, 'unauthenticated');
      expectError(await c().post('/api/v1/auth/login', { username: u.username, password: 'wrong again!!' }), 401, 'unauthenticated');
      expect((await c().post('/api/v1/auth/login', { username: u.username, password: u.password })).status).to.equal(200);
      const fourth = await c().post('/api/v1/auth/login', { username: u.username, password: u.password });
      expectError(fourth, 429, 'rate_limited');
      const retryAfter = Number(fourth.headers.get('retry-after'));
      expect(retryAfter).to.be.within(1, 60);
      expect(fourth.body.token).to.equal(undefined);
      // The HTML login form shares the budget (it needs the page's CSRF token first).
      const browser = new Client(server.url);
      const form = await browser.get('/login');
      const csrf = /name="csrf-token" content="([^"]+)"/.exec(form.text)![1];
      const page = await browser.post('/login', new URLSearchParams({ username: u.username, password: u.password, _csrf: csrf }));
      expect(page.status).to.equal(429);
      expect(Number(page.headers.get('retry-after'))).to.be.within(1, 60);
    });
  });

  // Issue #12, item 11: one hammered account locked every account behind the same address, and
  // registrations spent the sign-in budget.
  describe('login per account and per address, registrations apart', () => {
    let server: TestServer;
    before(async () => {
      server = await startServer({ RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT_PER_MINUTE: '3', RATE_LIMIT_LOGIN_PER_ADDRESS_PER_MINUTE: '20', RATE_LIMIT_REGISTRATIONS_PER_MINUTE: '2' });
    });
    after(() => server?.close());
    const c = () => new Client(server.url);

    it('an account under attack is refused with 429 (even the right password); another account from the same address still signs in', async () => {
      const victim = await buildUser();
      const neighbour = await buildUser();
      for (let i = 0; i < 3; i++) expectError(await c().post('/api/v1/auth/login', { username: victim.username, password: `wrong password ${i}` }), 401, 'unauthenticated');
      const locked = await c().post('/api/v1/auth/login', { username: victim.username, password: victim.password });
      expectError(locked, 429, 'rate_limited');
      expect(Number(locked.headers.get('retry-after'))).to.be.within(1, 60);
      expect(locked.body.token).to.equal(undefined);
      const ok = await c().post('/api/v1/auth/login', { username: neighbour.username, password: neighbour.password });
      expect(ok.status, ok.text).to.equal(200);
      expect(ok.body.token).to.be.a('string');
      // The HTML form answers the locked account the same way.
      const browser = c();
      const form = await browser.get('/login');
      const csrf = /name="csrf-token" content="([^"]+)"/.exec(form.text)![1];
      const page = await browser.post('/login', new URLSearchParams({ username: victim.username, password: victim.password, _csrf: csrf }));
      expect(page.status).to.equal(429);
    });

    it('successful sign-ins spend no failure budget; an unknown name is throttled like a real one', async () => {
      const u = await buildUser();
      for (let i = 0; i < 5; i++) expect((await c().post('/api/v1/auth/login', { username: u.username, password: u.password })).status).to.equal(200);
      expectError(await c().post('/api/v1/auth/login', { username: u.username, password: 'wrong password!' }), 401, 'unauthenticated');
      expect((await c().post('/api/v1/auth/login', { username: u.username, password: u.password })).status).to.equal(200);
      const ghost = `ghost_${Date.now().toString(36)}`;
      for (let i = 0; i < 3; i++) expectError(await c().post('/api/v1/auth/login', { username: ghost, password: 'wrong password!' }), 401, 'unauthenticated');
      expectError(await c().post('/api/v1/auth/login', { username: ghost, password: 'wrong password!' }), 429, 'rate_limited');
    });

    it('registrations have their own limit and spend none of the sign-in budget', async () => {
      const prefix = `reg_${Date.now().toString(36)}`;
      const name = (i: number) => `${prefix}_${i}`;
      expect((await c().post('/api/v1/auth/register', { username: name(1), password: 'correct horse battery' })).status).to.equal(201);
      expect((await c().post('/api/v1/auth/register', { username: name(2), password: 'correct horse battery' })).status).to.equal(201);
      const third = await c().post('/api/v1/auth/register', { username: name(3), password: 'correct horse battery' });
      expectError(third, 429, 'rate_limited');
      expect(Number(third.headers.get('retry-after'))).to.be.within(1, 60);
      expect(await User.count({ where: { username: name(3) } })).to.equal(0);
      // Sign-in still works from the same address.
      expect((await c().post('/api/v1/auth/login', { username: name(1), password: 'correct horse battery' })).status).to.equal(200);
    });
  });

  describe('login: the address limit is the ceiling', () => {
    let server: TestServer;
    before(async () => {
      server = await startServer({ RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT_PER_MINUTE: '100', RATE_LIMIT_LOGIN_PER_ADDRESS_PER_MINUTE: '4' });
    });
    after(() => server?.close());

    it('past it every account from that address is refused', async () => {
      const users = [await buildUser(), await buildUser()];
      const c = () => new Client(server.url);
      for (let i = 0; i < 4; i++) expectError(await c().post('/api/v1/auth/login', { username: users[0].username, password: `wrong ${i} password` }), 401, 'unauthenticated');
      expectError(await c().post('/api/v1/auth/login', { username: users[1].username, password: users[1].password }), 429, 'rate_limited');
    });
  });

  describe('posting', () => {
    let server: TestServer;
    before(async () => {
      server = await startServer({ RATE_LIMIT_POSTS_PER_MINUTE: '3' });
    });
    after(() => server?.close());

    it('the 4th post in a minute is 429 with Retry-After and writes nothing; other members are unaffected', async () => {
      const u = await buildUser();
      const { thread } = await buildThread();
      const c = new Client(server.url).withToken(u.token);
      expect((await c.post('/api/v1/threads', { title: '一', body: '1' })).status).to.equal(201);
      expect((await c.post(`/api/v1/threads/${thread.id}/posts`, { body: '2' })).status).to.equal(201);
      expect((await c.post(`/api/v1/threads/${thread.id}/posts`, { body: '3' })).status).to.equal(201);
      const before = await counts();
      const fourth = await c.post(`/api/v1/threads/${thread.id}/posts`, { body: '4' });
      expectError(fourth, 429, 'rate_limited');
      expect(Number(fourth.headers.get('retry-after'))).to.be.within(1, 60);
      expectError(await c.post('/api/v1/threads', { title: '五', body: '5' }), 429, 'rate_limited');
      expect(await counts()).to.deep.equal(before);
      // The limit is per member, not global.
      const other = await buildUser();
      expect((await new Client(server.url).withToken(other.token).post(`/api/v1/threads/${thread.id}/posts`, { body: '别人' })).status).to.equal(201);
    });
  });
});
