/** Thread lists and floors (issue #12): pinning, sorts with keyset paging, view counts, floors, names. */
import { expect } from 'chai';
import { startServer, type TestServer } from '../support/server';
import { Client } from '../support/client';
import { openSocket, request, collect, until } from '../support/sockets';
import { addMember, buildCategory, buildChapter, buildPost, buildThread, buildUser, type BuiltUser } from '../support/factories';
import { AuditEntry, Thread } from '../../server/models';
import { db } from '../../server/db';

describe('thread lists and floors', () => {
  let server: TestServer;
  let moderator: BuiltUser;
  const as = (u?: BuiltUser | null) => new Client(server.url).withToken(u?.token ?? null);
  /** Thread ids in the order a list page shows them. */
  const unescape = (s: string) => s.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');
  const idsIn = (html: string) => [...html.matchAll(/class="thread-title" href="\/t\/(\d+)"/g)].map((m) => m[1]);

  before(async () => {
    // Views are flushed by the tests themselves (flush()), not by the timer.
    server = await startServer({ VIEW_COUNT_FLUSH_SECONDS: '3600' });
    moderator = await buildUser({ role: 'moderator' });
  });
  after(async () => server.close());

  describe('pinned threads and announcements', () => {
    it('lets only moderators pin (members 403, anonymous 401, missing 404), audit-logs it and lists pinned first, marked', async () => {
      const chapter = await buildChapter({ name: '杭州车友会' });
      const { thread: rules } = await buildThread({ chapter, title: '版规：发帖前必读' });
      const { thread: later } = await buildThread({ chapter, title: '周末去千岛湖' });
      const member = await buildUser();

      expect((await as(member).post(`/api/v1/threads/${rules.id}/pin`, { reason: '版规' })).status).to.equal(403);
      expect((await as(member).post(`/api/v1/threads/${rules.id}/pin`, { announcement: true, reason: '版规' })).status).to.equal(403);
      expect((await as(null).post(`/api/v1/threads/${rules.id}/pin`, { reason: '版规' })).status).to.equal(401);
      expect((await as(moderator).post('/api/v1/threads/99999999/pin', { reason: '版规' })).status).to.equal(404);
      expect((await as(moderator).post(`/api/v1/threads/${rules.id}/pin`, {})).status).to.equal(400); // a reason is required

      const pinned = await as(moderator).post(`/api/v1/threads/${rules.id}/pin`, { pinned: true, reason: '版规置顶' });
      expect(pinned.status).to.equal(200);
      expect(pinned.body.thread).to.include({ id: String(rules.id), pinned: true, announcement: false });
      const entry = await AuditEntry.findOne({ where: { action: 'thread.pin', subjectId: String(rules.id) } });
      expect(entry?.reason).to.equal('版规置顶');

      // The older, pinned thread comes before the newer one, in the API and on the page (marked).
      const api = await as(member).get(`/api/v1/threads?chapter=${chapter.slug}`);
      expect(api.body.items.map((t: { id: string }) => t.id)).to.deep.equal([String(rules.id), String(later.id)]);
      const page = await as(member).get(`/c/${chapter.slug}`);
      expect(idsIn(page.text)).to.deep.equal([String(rules.id), String(later.id)]);
      expect(page.text).to.match(/<span class="tag pin">置顶<\/span>\s*<a class="thread-title" href="\/t\/\d+">版规：发帖前必读/);
      // Pinned only in its own list: on the home page it is an ordinary row.
      expect((await as(member).get('/').then((r) => r.text))).not.to.match(new RegExp(`tag pin">[^<]*</span>\\s*<a class="thread-title" href="/t/${rules.id}"`));

      const unpinned = await as(moderator).post(`/api/v1/threads/${rules.id}/pin`, { pinned: false, reason: '过期' });
      expect(unpinned.body.thread.pinned).to.equal(false);
      expect(await AuditEntry.count({ where: { action: 'thread.unpin', subjectId: String(rules.id) } })).to.equal(1);
      expect(idsIn((await as(member).get(`/c/${chapter.slug}`)).text)).to.deep.equal([String(later.id), String(rules.id)]);
    });

    it('lets a chapter moderator pin in their chapter but not announce; announcements lead the home page', async () => {
      const chapterMod = await buildUser();
      const chapter = await buildChapter({ name: '成都车友会' });
      await addMember(chapter, chapterMod, 'moderator');
      const { thread } = await buildThread({ chapter, title: '成都车友会年会报名' });
      const elsewhere = await buildThread({ title: '别处的主题' });

      expect((await as(chapterMod).post(`/api/v1/threads/${thread.id}/pin`, { reason: '年会' })).status).to.equal(200);
      expect((await as(chapterMod).post(`/api/v1/threads/${elsewhere.thread.id}/pin`, { reason: '越权' })).status).to.equal(403);
      expect((await as(chapterMod).post(`/api/v1/threads/${thread.id}/pin`, { announcement: true, reason: '年会' })).status).to.equal(403);

      // Newer threads exist; the announcement still comes first on the home page, marked 公告.
      await buildThread({ title: '更新的主题' });
      const res = await as(moderator).post(`/api/v1/threads/${thread.id}/pin`, { announcement: true, reason: '全站公告' });
      expect(res.body.thread).to.include({ announcement: true });
      const home = await as(null).get('/');
      expect(idsIn(home.text)[0]).to.equal(String(thread.id));
      expect(home.text).to.include('<span class="tag pin">公告</span>');
      const api = await as(null).get('/api/v1/threads');
      expect(api.body.items[0]).to.include({ id: String(thread.id), announcement: true });

      // The thread page shows moderators the buttons (members see none) and the form works.
      expect((await as(moderator).get(`/t/${thread.id}`)).text).to.include('value="unannounce"');
      expect((await as(chapterMod).get(`/t/${thread.id}`)).text).to.include('value="unpin"').and.not.include('announce"');
      expect((await as(await buildUser()).get(`/t/${thread.id}`)).text).not.to.include('thread-tools');
      const off = await as(moderator).post(`/api/v1/threads/${thread.id}/pin`, { announcement: false, reason: '结束' });
      expect(off.body.thread).to.include({ announcement: false, pinned: true });
    });
  });

  describe('sort orders and keyset pagination', () => {
    it('orders latest, new, top and unanswered correctly and pages through each without duplicates or gaps', async function () {
      this.timeout(120_000);
      const category = await buildCategory({ name: '用车心得' });
      const base = Date.parse('2026-11-20T08:00:00Z');
      const made: Thread[] = [];
      for (let i = 0; i < 9; i++) made.push((await buildThread({ category, title: `排序 ${i}` })).thread);
      // Replies on some, likes on one; then fixed times, with ties (paging must break them by id).
      for (const [i, replies] of [[1, 3], [2, 1], [4, 2], [6, 1], [7, 2]] as const) {
        for (let r = 0; r < replies; r++) await buildPost({ thread: made[i] });
      }
      await Thread.update({ likeCount: 5 }, { where: { id: made[6].id } });
      for (const [i, t] of made.entries()) {
        const created = new Date(base + (i % 3) * 3_600_000); // three threads share each creation time
        const last = new Date(base + 86_400_000 + ((i * 7) % 4) * 60_000); // and last-activity ties too
        await Thread.update({ createdAt: created, lastPostAt: last }, { where: { id: t.id }, silent: true });
      }
      made.push((await buildThread({ category, title: '很久以前' })).thread);
      await Thread.update({ createdAt: new Date(base - 400 * 86_400_000), lastPostAt: new Date(base - 400 * 86_400_000) }, { where: { id: made[9].id }, silent: true });
      const rows = await Thread.findAll({ where: { categoryId: category.id } });
      const byDesc = (key: (t: Thread) => number) => [...rows].sort((a, b) => key(b) - key(a) || b.id - a.id).map((t) => String(t.id));
      const now = Date.now();
      const expected = new Map<string, string[]>([
        ['latest', byDesc((t) => t.lastPostAt.getTime())],
        ['new', byDesc((t) => t.createdAt.getTime())],
        ['unanswered', byDesc((t) => t.createdAt.getTime()).filter((id) => rows.find((t) => String(t.id) === id)!.postCount <= 1)],
        ['top&window=all', byDesc((t) => t.postCount - 1 + t.likeCount)],
        ['top&window=year', byDesc((t) => t.postCount - 1 + t.likeCount).filter((id) => rows.find((t) => String(t.id) === id)!.createdAt.getTime() >= now - 365 * 86_400_000)],
      ]);
      expect(expected.get('top&window=all')![0]).to.equal(String(made[6].id)); // 1 reply + 5 likes beats 3 replies
      expect(expected.get('unanswered')).to.have.length(5);

      for (const [sort, want] of expected) {
        const seen: string[] = [];
        let cursor: string | undefined;
        for (let pages = 0; pages < 20; pages++) {
          const res = await as(null).get(`/api/v1/threads?category=${category.slug}&sort=${sort}&limit=3${cursor ? `&cursor=${cursor}` : ''}`);
          expect(res.status, sort).to.equal(200);
          seen.push(...res.body.items.map((t: { id: string }) => t.id));
          cursor = res.body.cursor;
          if (!cursor) break;
        }
        expect(seen, sort).to.deep.equal(want);
      }
      // The window is relative to now: the 400-day-old thread is out of the year's top, in all time's.
      expect(expected.get('top&window=year')).not.to.include(String(made[9].id));
      expect(expected.get('top&window=all')).to.include(String(made[9].id));
      expect((await as(null).get(`/api/v1/threads?category=${category.slug}&cursor=not-ours`)).status).to.equal(400);
    });

    it('pages a list page forwards and back by cursor links, with a sort selector', async function () {
      this.timeout(120_000); // 34 threads: slow on a busy Postgres
      const category = await buildCategory({ name: '翻页测试' });
      const ids: string[] = [];
      for (let i = 0; i < 33; i++) ids.push(String((await buildThread({ category, title: `翻页 ${i}` })).thread.id));
      const { thread: pinnedThread } = await buildThread({ category, title: '置顶的' });
      await as(moderator).post(`/api/v1/threads/${pinnedThread.id}/pin`, { reason: '置顶' });
      const newestFirst = [...ids].reverse();

      const first = await as(null).get(`/categories/${category.slug}`);
      expect(idsIn(first.text)).to.deep.equal([String(pinnedThread.id), ...newestFirst.slice(0, 30)]);
      expect(first.text).to.match(/<nav class="sort-tabs"[^>]*>.*class="current" aria-current="page">最新回复<\/a>/s);
      expect(unescape(first.text)).to.include(`href="/categories/${category.slug}?sort=unanswered"`);
      expect(first.text).not.to.include('rel="prev"');
      const next = unescape(first.text.match(/rel="next" href="([^"]+)"/)![1]);
      const second = await as(null).get(next);
      expect(idsIn(second.text)).to.deep.equal(newestFirst.slice(30));
      expect(second.text).not.to.include('rel="next"');
      const prev = unescape(second.text.match(/rel="prev" href="([^"]+)"/)![1]);
      const back = await as(null).get(prev);
      expect(idsIn(back.text)).to.deep.equal(idsIn(first.text)); // back on the first page: pinned block included

      // The "new" order pages by creation time with the pinned thread in its place.
      const byNew = await as(null).get(`/categories/${category.slug}?sort=new`);
      expect(idsIn(byNew.text)[0]).to.equal(String(pinnedThread.id));
      expect(byNew.text).to.match(/class="current" aria-current="page">最新发布/);
    });
  });

  describe('view counts', () => {
    it('counts views in memory, once per viewer, no crawlers, and flushes them as one UPDATE per thread', async () => {
      const counter = server.resonance.viewCounts;
      await counter.flush(); // views from the tests above
      const { thread: a } = await buildThread({ title: '浏览计数 A' });
      const { thread: b } = await buildThread({ title: '浏览计数 B' });
      const readers = await Promise.all([buildUser(), buildUser(), buildUser()]);
      for (const reader of readers) {
        for (let i = 0; i < 3; i++) expect((await as(reader).get(`/t/${a.id}`)).status).to.equal(200);
      }
      await as(readers[0]).get(`/t/${b.id}`);
      await as(null).get(`/t/${b.id}`);
      await as(null).get(`/t/${b.id}`); // the same address again: not counted twice
      await as(null).get(`/t/${b.id}`, { 'user-agent': 'Mozilla/5.0 (compatible; Googlebot/2.1)' });
      await as(null).get('/t/99999999'); // a missing thread is not counted

      expect(counter.pendingViews(a.id)).to.equal(3);
      expect(counter.pendingViews(b.id)).to.equal(2);
      expect(counter.pendingViews(99999999)).to.equal(0);
      expect((await Thread.findByPk(a.id))!.viewCount).to.equal(0); // nothing written per view

      const updates: string[] = [];
      const hook = (_options: unknown, query: unknown) => {
        const sql = (query as { sql?: string }).sql ?? '';
        if (/^UPDATE\s+[`"]threads[`"]/i.test(sql.trim())) updates.push(sql); // backticks on SQLite, double quotes on Postgres
      };
      db().addHook('afterQuery', 'count-view-updates', hook);
      try {
        const result = await counter.flush();
        expect(result).to.deep.equal({ threads: 2, views: 5 });
      } finally {
        db().removeHook('afterQuery', 'count-view-updates');
      }
      expect(updates).to.have.length(2); // 5 views, 2 threads: 2 statements
      expect(updates.every((sql) => /viewCount/.test(sql))).to.equal(true);
      expect((await Thread.findByPk(a.id))!.viewCount).to.equal(3);
      expect((await Thread.findByPk(b.id))!.viewCount).to.equal(2);
      expect(await counter.flush()).to.deep.equal({ threads: 0, views: 0 }); // nothing left over

      const list = await as(null).get('/api/v1/threads?limit=100');
      expect(list.body.items.find((t: { id: string }) => t.id === String(a.id))).to.include({ views: 3, replyCount: 0 });
      expect((await as(null).get('/')).text).to.include('3 浏览');
    });
  });

  describe('floors and replied-to authors', () => {
    it('numbers posts by floor, keeps a hidden post’s floor, and shows "回复 @alice 的 3楼"', async () => {
      const alice = await buildUser({ username: `alice_${Date.now() % 100000}`, displayName: 'Alice' });
      const { thread, post: opening } = await buildThread({ title: '楼层测试' });
      const second = await buildPost({ thread });
      const third = await buildPost({ thread, author: alice });
      expect([opening.floor, second.post.floor, third.post.floor]).to.deep.equal([1, 2, 3]);

      expect((await as(moderator).post(`/api/v1/posts/${second.post.id}/hide`, { reason: '广告' })).status).to.equal(200);
      const reply = await as(await buildUser()).post(`/api/v1/threads/${thread.id}/posts`, { body: '同意三楼', replyTo: Number(third.post.id) });
      expect(reply.status).to.equal(201);
      expect(reply.body.post).to.include({ floor: 4, replyToFloor: 3 });
      expect(reply.body.post.replyToAuthor).to.deep.equal({ username: alice.username, displayName: 'Alice' });

      const api = await as(null).get(`/api/v1/threads/${thread.id}`);
      expect(api.body.posts.map((p: { floor: number }) => p.floor)).to.deep.equal([1, 3, 4]);
      // Restoring the hidden post brings back floor 2, and the next post still gets a new floor.
      await as(moderator).delete(`/api/v1/posts/${second.post.id}/hide`, { reason: '误判' });
      expect((await buildPost({ thread })).post.floor).to.equal(5);

      const html = (await as(null).get(`/t/${thread.id}`)).text;
      expect(html).to.include(`回复 @${alice.username} 的 3楼`);
      expect(html).to.include('>4楼</a>');
      expect(html).not.to.match(/回复 <a href="#p\d+">#\d+<\/a>/); // no database ids shown
      const en = (await as(null).get(`/t/${thread.id}`, { 'accept-language': 'en' })).text;
      expect(en).to.include(`In reply to @${alice.username}&#x27;s #3`);
    });

    it('sends the floor and the replied-to author in the live post:created payload', async () => {
      const { thread, post: opening, author } = await buildThread({ title: '实时楼层' });
      const reader = await buildUser();
      const socket = await openSocket(server.url, reader.token);
      try {
        const created = collect(socket, 'post:created');
        expect((await request(socket, 'thread:join', { threadId: String(thread.id) })).ok).to.equal(true);
        await as(reader).post(`/api/v1/threads/${thread.id}/posts`, { body: '实时回复一楼', replyTo: opening.id });
        await until(() => created.length > 0, 5_000, 'post:created');
        expect(created[0].post).to.include({ floor: 2, replyToFloor: 1 });
        expect(created[0].post.replyToAuthor?.username).to.equal(author.username);
      } finally {
        socket.disconnect();
      }
    });
  });

  describe('names, not slugs', () => {
    it('shows chapter and category names in lists (slugs stay in the links)', async () => {
      const chapter = await buildChapter({ slug: `sz-${Date.now() % 100000}`, name: '深圳车友会' });
      const category = await buildCategory({ slug: `svc-${Date.now() % 100000}`, name: '售后服务' });
      await buildThread({ chapter, category, title: '名称测试' });
      for (const path of ['/', `/c/${chapter.slug}`, `/categories/${category.slug}`]) {
        const html = (await as(null).get(path)).text;
        expect(html, path).to.include(`<a class="tag chapter" href="/c/${chapter.slug}">深圳车友会</a>`);
        expect(html, path).to.include(`<a class="tag" href="/categories/${category.slug}">售后服务</a>`);
        expect(html, path).not.to.include(`>${chapter.slug}</a>`);
        expect(html, path).not.to.include(`>${category.slug}</a>`);
      }
    });
  });
});
