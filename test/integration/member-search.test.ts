/**
 * Forum search for everyone (CONTRACT v1.1) through the real API and page, on both backends:
 * what anonymous visitors, members and staff get back, private chapters and hidden posts kept
 * from outsiders, the filters, bad input, and the search rate limit.
 */
import crypto from 'node:crypto';
import { expect } from 'chai';
import { startServer, type TestServer } from '../support/server';
import { Client, type Reply } from '../support/client';
import { buildCategory, buildChapter, buildPost, buildThread, buildUser, type BuiltUser } from '../support/factories';
import { serverBackends } from '../support/elasticsearch';
import type { Category, Chapter, Post, Thread } from '../../server/models';
import type { SearchDocument } from '../../search/backend';
import { allDocuments } from '../../server/commands/reindex';

const backends = serverBackends('msearch');

/** The fields a forum hit has: a post the viewer may read, never its analysis. */
const FORUM_HIT_KEYS = ['author', 'category', 'chapter', 'createdAt', 'displayName', 'highlight', 'id', 'kind', 'opening', 'postId', 'text', 'threadId', 'title', 'titleHighlight', 'url'];

/** The contract's error body, exactly. */
function expectError(res: Reply, status: number, code: string) {
  expect(res.status, res.text).to.equal(status);
  expect(Object.keys(res.body)).to.deep.equal(['error']);
  // A validation error also names its field (when it has one), as every API error does.
  expect(Object.keys(res.body.error).sort()).to.deep.equal(code === 'validation_failed' && 'field' in res.body.error ? ['code', 'field', 'message'] : ['code', 'message']);
  expect(res.body.error.code).to.equal(code);
  expect(res.body.error.message).to.be.a('string').and.not.equal('');
}

const ids = (res: Reply) => res.body.items.map((i: { id: string }) => i.id);

for (const backend of backends) {
  describe(`forum search for everyone (${backend.name})`, function () {
    this.timeout(60_000);
    let server: TestServer;
    let anonymous: Client;
    let member: Client;
    let insider: Client;
    let staff: Client;
    let author: BuiltUser;
    let secret: Chapter;
    let service: Category;
    let open: { thread: Thread; post: Post };
    let reply: Post;
    let hidden: Post;
    let privateThread: { thread: Thread; post: Post };
    const word = `wd${crypto.randomBytes(3).toString('hex')}`;

    before(async function () {
      server = await startServer(await backend.env(this));
      anonymous = new Client(server.url);
      member = new Client(server.url).withToken((await buildUser()).token);
      const insiderUser = await buildUser();
      secret = await buildChapter({ visibility: 'private', members: [insiderUser] });
      insider = new Client(server.url).withToken(insiderUser.token);
      const moderator = await buildUser({ role: 'moderator' });
      staff = new Client(server.url).withToken(moderator.token);
      author = await buildUser({ displayName: '老王' });
      service = await buildCategory({ name: '售后服务' });
      open = await buildThread({ author, category: service, title: `冬天续航 ${word} 求助`, body: `零下五度续航只剩六成 ${word}` });
      ({ post: reply } = await buildPost({ thread: open.thread, body: `提前预热电池 ${word} 有用` }));
      ({ post: hidden } = await buildPost({ thread: open.thread, body: `广告 ${word} 加微信` }));
      privateThread = await buildThread({ author, chapter: secret, title: `内部 ${word} 数据`, body: `只给会员看 ${word}` });
      const admin = await buildUser({ role: 'admin' });
      const key = await new Client(server.url).withToken(admin.token).post('/api/v1/api-keys', { name: 'connector', scopes: ['ingest'] });
      const ingest = await new Client(server.url).withToken(key.body.key).post('/api/v1/mentions', {
        items: [{ source: 'weibo', externalId: `m-${word}`, author: { handle: 'kolguy' }, text: `微博上也在说 ${word}`, publishedAt: new Date().toISOString() }],
      });
      expect(ingest.status, ingest.text).to.equal(202);
      expect((await staff.post(`/api/v1/posts/${hidden.id}/hide`, { reason: 'spam' })).status).to.equal(200);
      await server.resonance.dispatcher.drain();
    });
    after(async () => server?.close());

    it('anonymous visitors and members get the forum posts they may read, with no analysis', async () => {
      for (const c of [anonymous, member]) {
        const res = await c.get(`/api/v1/search?q=${word}`);
        expect(res.status, res.text).to.equal(200);
        expect(ids(res)).to.have.members([`post:${open.post.id}`, `post:${reply.id}`]);
        expect(res.body.total).to.equal(2);
        for (const item of res.body.items) {
          expect(Object.keys(item).sort()).to.deep.equal(FORUM_HIT_KEYS.filter((k) => k !== 'chapter'));
          expect(item.kind).to.equal('post');
          expect(item).to.not.have.any.keys('sentiment', 'mentions', 'analysis', 'kol', 'source', 'reasons');
        }
        const thread = res.body.items.find((i: { id: string }) => i.id === `post:${open.post.id}`);
        expect(thread).to.include({ opening: true, threadId: String(open.thread.id), postId: String(open.post.id), title: open.thread.title, author: author.username, displayName: '老王', category: service.slug, url: `/t/${open.thread.id}` });
        expect(thread.titleHighlight).to.equal(`冬天续航 <mark>${word}</mark> 求助`);
        expect(thread.highlight).to.contain(`<mark>${word}</mark>`);
        const answer = res.body.items.find((i: { id: string }) => i.id === `post:${reply.id}`);
        expect(answer).to.include({ opening: false, title: open.thread.title, url: `/t/${open.thread.id}#p${reply.id}` });
      }
    });

    it('staff keep the listening search: mentions and sentiment', async () => {
      const res = await staff.get(`/api/v1/search?q=${word}`);
      expect(res.status).to.equal(200);
      const kinds = res.body.items.map((i: { kind: string }) => i.kind);
      expect(kinds).to.include('mention');
      for (const item of res.body.items) expect(item.sentiment.label).to.be.oneOf(['negative', 'neutral', 'positive']);
      // The private chapter's post too (staff read every chapter); never the hidden post.
      expect(ids(res)).to.include(`post:${privateThread.post.id}`);
      expect(ids(res)).to.not.include(`post:${hidden.id}`);
    });

    it('a private chapter never leaks to outsiders, by text, title, chapter or author; its members find it', async () => {
      for (const c of [anonymous, member]) {
        for (const query of [`q=${word}`, 'q=内部', `chapter=${secret.slug}`, `author=${author.username}`, `chapter=${secret.slug}&type=thread`]) {
          const res = await c.get(`/api/v1/search?${query}`);
          expect(res.status).to.equal(200);
          expect(ids(res), query).to.not.include(`post:${privateThread.post.id}`);
          expect(res.text, query).to.not.include('只给会员看');
        }
        expect((await c.get(`/api/v1/search?chapter=${secret.slug}`)).body.total).to.equal(0);
        const page = await c.get(`/search?q=${word}`);
        expect(page.status).to.equal(200);
        expect(page.text).to.not.include('只给会员看');
        expect(page.text).to.include('零下五度续航');
      }
      const inside = await insider.get(`/api/v1/search?q=${word}&chapter=${secret.slug}`);
      expect(ids(inside)).to.deep.equal([`post:${privateThread.post.id}`]);
      expect(inside.body.items[0].chapter).to.equal(secret.slug);
    });

    it('a hidden post is gone for everyone but stays out of staff search too (it left listening)', async () => {
      for (const c of [anonymous, member, insider]) expect(ids(await c.get(`/api/v1/search?q=${encodeURIComponent('加微信')}`))).to.deep.equal([]);
    });

    it('filters by category, author, type and time', async () => {
      expect(ids(await member.get(`/api/v1/search?q=${word}&type=thread`))).to.deep.equal([`post:${open.post.id}`]);
      expect(ids(await member.get(`/api/v1/search?q=${word}&type=post`))).to.deep.equal([`post:${reply.id}`]);
      expect(ids(await member.get(`/api/v1/search?category=${service.slug}`))).to.have.members([`post:${open.post.id}`, `post:${reply.id}`]);
      expect(ids(await member.get(`/api/v1/search?author=${author.username}`))).to.deep.equal([`post:${open.post.id}`]);
      const later = new Date(Date.now() + 60_000).toISOString();
      expect((await member.get(`/api/v1/search?q=${word}&from=${encodeURIComponent(later)}`)).body.total).to.equal(0);
      expect((await member.get(`/api/v1/search?q=${word}&to=${encodeURIComponent(later)}`)).body.total).to.equal(2);
    });

    it('pages with the cursor, each post once', async () => {
      const first = await member.get(`/api/v1/search?q=${word}&limit=1`);
      expect(first.body.items).to.have.length(1);
      expect(first.body.cursor).to.be.a('string');
      const second = await member.get(`/api/v1/search?q=${word}&limit=1&cursor=${first.body.cursor}`);
      expect(second.body.items).to.have.length(1);
      expect(second.body.cursor).to.equal(undefined);
      expect([...ids(first), ...ids(second)]).to.have.members([`post:${open.post.id}`, `post:${reply.id}`]);
    });

    it('refuses bad input with 400 and the contract error body', async () => {
      for (const query of ['limit=0', 'limit=abc', 'limit=101', 'from=yesterday', `from=${encodeURIComponent('2025-02-01T00:00:00Z')}&to=${encodeURIComponent('2025-01-01T00:00:00Z')}`, 'cursor=%21%21', 'cursor=abc', 'author=Not%20A%20Name', 'type=both', 'chapter=UPPER', 'category=%3Cx%3E', `q=${'长'.repeat(501)}`]) {
        expectError(await member.get(`/api/v1/search?${query}`), 400, 'validation_failed');
        expectError(await anonymous.get(`/api/v1/search?${query}`), 400, 'validation_failed');
      }
    });

    it('keeps the listening filters for staff: 401 anonymous, 403 members; kind=post and source=forum are fine', async () => {
      for (const query of ['sentiment=negative', 'kol=true', 'kind=mention', 'source=weibo']) {
        expectError(await anonymous.get(`/api/v1/search?q=${word}&${query}`), 401, 'unauthenticated');
        expectError(await member.get(`/api/v1/search?q=${word}&${query}`), 403, 'forbidden');
      }
      expect((await member.get(`/api/v1/search?q=${word}&kind=post&source=forum`)).body.total).to.equal(2);
    });

    it('the reindex CLI rebuilds documents with their category and, on opening posts, the thread title', async () => {
      const docs = new Map<string, SearchDocument>();
      for await (const batch of allDocuments()) for (const d of batch) docs.set(d.id, d);
      expect(docs.get(`post:${open.post.id}`)).to.include({ category: service.slug, title: open.thread.title });
      expect(docs.get(`post:${open.post.id}`)!.tokens).to.include(word);
      expect(docs.get(`post:${reply.id}`)).to.include({ category: service.slug, title: null });
      expect(docs.has(`post:${hidden.id}`), 'a hidden post is not rebuilt').to.equal(false);
    });

    it('the /search page shows highlighted threads and replies and never sentiment', async () => {
      const page = await member.get(`/search?q=${word}`);
      expect(page.status).to.equal(200);
      expect(page.text).to.contain(`<mark>${word}</mark>`);
      expect(page.text).to.contain(`href="/t/${open.thread.id}#p${reply.id}"`);
      expect(page.text).to.not.match(/sentiment/);
      expect(page.text).to.not.include('广告');
      const empty = await member.get('/search');
      expect(empty.status).to.equal(200);
      expect(empty.text).to.include('输入关键词');
      const bad = await member.get('/search?q=x&author=%E8%80%81%E7%8E%8B');
      expect(bad.status).to.equal(400);
      expect(bad.text).to.include('“作者”这一项填写得不对');
      // Every page carries the search box.
      expect((await anonymous.get('/')).text).to.match(/<form class="header-search" action="\/search"/);
    });
  });
}

describe('forum search rate limit (RATE_LIMIT_SEARCH_PER_MINUTE)', function () {
  this.timeout(30_000);
  let server: TestServer;
  before(async () => {
    server = await startServer({ RATE_LIMIT_SEARCH_PER_MINUTE: '3' });
  });
  after(async () => server?.close());

  it('limits anonymous visitors and members (API and page share the budget), not staff', async () => {
    const visitor = new Client(server.url);
    for (let i = 0; i < 2; i++) expect((await visitor.get('/api/v1/search?q=x')).status).to.equal(200);
    expect((await visitor.get('/search?q=x')).status).to.equal(200);
    const limited = await visitor.get('/api/v1/search?q=x');
    expectError(limited, 429, 'rate_limited');
    expect(Number(limited.headers.get('retry-after'))).to.be.greaterThan(0);
    expect((await visitor.get('/search?q=x')).status).to.equal(429);
    const memberClient = new Client(server.url).withToken((await buildUser()).token);
    for (let i = 0; i < 3; i++) expect((await memberClient.get('/api/v1/search?q=x')).status).to.equal(200);
    expect((await memberClient.get('/api/v1/search?q=x')).status).to.equal(429);
    const staff = new Client(server.url).withToken((await buildUser({ role: 'pr' })).token);
    for (let i = 0; i < 5; i++) expect((await staff.get('/api/v1/search?q=x')).status).to.equal(200);
  });
});
