/**
 * People (issue #10): the member list (search, filters, pages), chapter moderators appointed and
 * removed through the API (with the rights that follow), PR staff no longer editing fans' posts,
 * and hidden posts restored from the thread page.
 */
import { expect } from 'chai';
import { startServer, type TestServer } from '../support/server';
import { Client } from '../support/client';
import { openSocket, collect, type TestSocket } from '../support/sockets';
import { buildChapter, buildPost, buildThread, buildUser, type BuiltUser } from '../support/factories';
import { AuditEntry, Membership, Post } from '../../server/models';

describe('people: member list, chapter moderators, PR edits, restoring posts', function () {
  this.timeout(60_000);
  let server: TestServer;
  let admin: BuiltUser;
  let moderator: BuiltUser;
  const sockets: TestSocket[] = [];
  const api = (u: BuiltUser | null) => new Client(server.url).withToken(u?.token ?? null);
  const names = (res: { body: { items: Array<{ username: string }> } }) => res.body.items.map((u) => u.username);

  before(async () => {
    server = await startServer();
    admin = await buildUser({ role: 'admin' });
    moderator = await buildUser({ role: 'moderator' });
  });
  afterEach(() => sockets.splice(0).forEach((s) => s.disconnect()));
  after(() => server?.close());

  describe('GET /api/v1/users', () => {
    it('searches usernames and display names; `_` and `%` are literal, not wildcards', async () => {
      const a = await buildUser({ username: `zq_lin${Date.now() % 100000}`, displayName: '深圳老林' });
      const b = await buildUser({ username: `zqxlin${Date.now() % 100000}`, displayName: '广州阿明' });
      expect(names(await api(moderator).get(`/api/v1/users?q=${encodeURIComponent('老林')}`))).to.deep.equal([a.username]);
      expect(names(await api(moderator).get('/api/v1/users?q=zq_lin'))).to.deep.equal([a.username]);
      expect(names(await api(moderator).get('/api/v1/users?q=ZQXLIN')), 'case-insensitive').to.deep.equal([b.username]);
      expect(names(await api(moderator).get(`/api/v1/users?q=${encodeURIComponent('%')}`))).to.deep.equal([]);
      const row = (await api(moderator).get(`/api/v1/users?q=${a.username}`)).body.items[0];
      expect(row).to.include({ username: a.username, displayName: '深圳老林', role: 'member', status: 'active', postCount: 0 });
      expect(row.joinedAt).to.be.a('string');
    });

    it('filters by role, standing and chapter, and counts live posts', async () => {
      const chapter = await buildChapter({ name: '成都同城会' });
      const inChapter = await buildUser({ displayName: '成都车友' });
      const outside = await buildUser({ displayName: '外地车友' });
      await api(inChapter).post(`/api/v1/chapters/${chapter.slug}/join`);
      const { thread } = await buildThread({ author: inChapter, chapter });
      await buildPost({ thread, author: inChapter });
      const banned = await buildUser();
      expect((await api(moderator).post(`/api/v1/users/${banned.username}/sanctions`, { kind: 'ban', reason: '广告' })).status).to.equal(201);

      const byChapter = await api(moderator).get(`/api/v1/users?chapter=${chapter.slug}`);
      expect(names(byChapter)).to.deep.equal([inChapter.username]);
      expect(byChapter.body.items[0].postCount).to.equal(2);
      expect(names(await api(moderator).get('/api/v1/users?status=banned'))).to.include(banned.username).and.not.include(outside.username);
      const active = names(await api(moderator).get('/api/v1/users?status=active&limit=100'));
      expect(active).to.include(outside.username).and.not.include(banned.username);
      const mods = names(await api(moderator).get('/api/v1/users?role=moderator&limit=100'));
      expect(mods).to.include(moderator.username).and.not.include(outside.username);
      expect((await api(moderator).get('/api/v1/users?status=gone')).status).to.equal(400);
      expect((await api(moderator).get('/api/v1/users?chapter=no-such-chapter')).status).to.equal(404);
    });

    it('pages by cursor without repeats or gaps', async () => {
      for (let i = 0; i < 5; i++) await buildUser({ displayName: `分页会员${i}` });
      const seen: string[] = [];
      let url = `/api/v1/users?q=${encodeURIComponent('分页会员')}&limit=2`;
      for (let guard = 0; guard < 10; guard++) {
        const res = await api(admin).get(url);
        expect(res.status, res.text).to.equal(200);
        seen.push(...names(res));
        if (!res.body.cursor) break;
        url = `/api/v1/users?q=${encodeURIComponent('分页会员')}&limit=2&cursor=${res.body.cursor}`;
      }
      expect(seen).to.have.length(5);
      expect(new Set(seen).size).to.equal(5);
    });

    it('the page lists, searches and links to each member', async () => {
      const member = await buildUser({ displayName: '页面上的会员' });
      const browser = new Client(server.url);
      await browser.browserLogin(moderator.username, moderator.password);
      const page = await browser.get(`/admin/people?q=${encodeURIComponent('页面上的')}&role=&status=&chapter=`);
      expect(page.status).to.equal(200);
      expect(page.text).to.include(`data-username="${member.username}"`).and.include(`/admin/people/${member.username}`).and.include('正常');
      const memberBrowser = new Client(server.url);
      await memberBrowser.browserLogin(member.username, member.password);
      expect((await memberBrowser.get('/admin/people')).status).to.equal(403);
    });
  });

  describe('chapter moderators', () => {
    it('an admin appoints a non-member: they join, are listed, their socket ends, and they can hide posts in that chapter only', async () => {
      const chapter = await buildChapter({ visibility: 'private', name: '杭州同城会' });
      const { thread } = await buildThread({ chapter });
      const { post } = await buildPost({ thread });
      const { post: elsewhere } = await buildPost();
      const organiser = await buildUser({ displayName: '杭州组织者' });
      const socket = await openSocket(server.url, organiser.token);
      sockets.push(socket);
      const ended = collect(socket, 'session:ended');
      const gone = new Promise<void>((resolve) => socket.once('disconnect', () => resolve()));
      expect((await api(organiser).post(`/api/v1/posts/${post.id}/hide`, { reason: '还不是组织者' })).status).to.equal(403);
      const membersBefore = (await api(null).get(`/api/v1/chapters/${chapter.slug}`)).body.chapter.memberCount;

      expect((await api(admin).put(`/api/v1/chapters/${chapter.slug}/moderators/${organiser.username}`, {})).status, 'reason required').to.equal(400);
      expect((await api(moderator).put(`/api/v1/chapters/${chapter.slug}/moderators/${organiser.username}`, { reason: '版主不能任命' })).status).to.equal(403);
      const res = await api(admin).put(`/api/v1/chapters/${chapter.slug}/moderators/${organiser.username}`, { reason: '本地活动组织者' });
      expect(res.status, res.text).to.equal(200);
      expect(names({ body: { items: res.body.moderators } })).to.deep.equal([organiser.username]);
      await gone;
      expect(ended).to.deep.equal([{ reason: 'role' }]);

      const got = await api(null).get(`/api/v1/chapters/${chapter.slug}`);
      expect(got.body.moderators.map((u: { username: string }) => u.username)).to.deep.equal([organiser.username]);
      expect(got.body.chapter.memberCount).to.equal(membersBefore + 1);
      expect((await api(organiser).get(`/api/v1/threads/${thread.id}`)).status, 'made a member: reads the private chapter').to.equal(200);
      expect((await api(organiser).post(`/api/v1/posts/${post.id}/hide`, { reason: '广告' })).status).to.equal(200);
      expect((await api(organiser).post(`/api/v1/posts/${elsewhere.id}/hide`, { reason: '不在我的同城会' })).status).to.equal(403);

      const [entry] = await AuditEntry.findAll({ where: { action: 'chapter.appoint', subjectId: String(chapter.id) } });
      expect(entry.actorId).to.equal(admin.user.id);
      expect(entry.reason).to.equal('本地活动组织者');
      expect(entry.data).to.deep.include({ username: organiser.username, before: null, after: { status: 'member', role: 'moderator' } });

      // Again: nothing changes, nothing is logged twice.
      expect((await api(admin).put(`/api/v1/chapters/${chapter.slug}/moderators/${organiser.username}`, { reason: '重复' })).status).to.equal(200);
      expect(await AuditEntry.count({ where: { action: 'chapter.appoint', subjectId: String(chapter.id) } })).to.equal(1);
    });

    it('removing a moderator takes the rights away and keeps the membership', async () => {
      const organiser = await buildUser();
      const chapter = await buildChapter({ visibility: 'private', moderators: [organiser] });
      const { thread } = await buildThread({ chapter });
      const { post } = await buildPost({ thread });
      expect((await api(admin).delete(`/api/v1/chapters/${chapter.slug}/moderators/${organiser.username}`, {})).status, 'reason required').to.equal(400);
      const res = await api(admin).delete(`/api/v1/chapters/${chapter.slug}/moderators/${organiser.username}`, { reason: '卸任' });
      expect(res.status, res.text).to.equal(200);
      expect(res.body.moderators).to.deep.equal([]);
      expect((await api(organiser).post(`/api/v1/posts/${post.id}/hide`, { reason: '试试' })).status).to.equal(403);
      expect((await api(organiser).get(`/api/v1/threads/${thread.id}`)).status).to.equal(200);
      expect((await Membership.findOne({ where: { chapterId: chapter.id, userId: organiser.user.id } }))!.role).to.equal('member');
      const [entry] = await AuditEntry.findAll({ where: { action: 'chapter.removeModerator', subjectId: String(chapter.id) } });
      expect(entry.data).to.deep.include({ before: { status: 'member', role: 'moderator' }, after: { status: 'member', role: 'member' } });
      expect((await api(admin).delete(`/api/v1/chapters/${chapter.slug}/moderators/${organiser.username}`, { reason: '再撤一次' })).status).to.equal(404);
    });

    it('the person page appoints with a reason (admin)', async () => {
      const chapter = await buildChapter({ name: '南京同城会' });
      const member = await buildUser();
      const browser = new Client(server.url);
      await browser.browserLogin(admin.username, admin.password);
      const page = await browser.get(`/admin/people/${member.username}`);
      expect(page.text).to.include('南京同城会');
      const done = await browser.post(`/admin/people/${member.username}/chapters`, new URLSearchParams({ _csrf: browser.csrf!, chapter: chapter.slug, reason: '页面任命' }));
      expect(done.status, done.text.slice(0, 300)).to.equal(303);
      const after = await browser.get(`/admin/people/${member.username}`);
      expect(after.text).to.include('组织者');
      expect((await api(null).get(`/api/v1/chapters/${chapter.slug}`)).body.moderators[0].username).to.equal(member.username);
    });
  });

  describe('PR staff and members’ posts', () => {
    it('PR may edit and delete its own posts but not a member’s, and the thread page offers neither', async () => {
      const pr = await buildUser({ role: 'pr', displayName: '品牌官方' });
      const fan = await buildUser();
      const { thread, post: fanPost } = await buildThread({ author: fan, body: '粉丝原帖' });
      const { post: own } = await buildPost({ thread, author: pr, body: '官方回复' });
      expect((await api(pr).patch(`/api/v1/posts/${fanPost.id}`, { body: '被官方改写', reason: 'x' })).status).to.equal(403);
      expect((await api(pr).delete(`/api/v1/posts/${fanPost.id}`, { reason: 'x' })).status).to.equal(403);
      expect((await Post.findByPk(fanPost.id))!.body).to.equal('粉丝原帖');
      expect((await api(pr).patch(`/api/v1/posts/${own.id}`, { body: '官方回复（更正）' })).status).to.equal(200);
      expect((await api(moderator).patch(`/api/v1/posts/${fanPost.id}`, { body: '版主修正', reason: '去除隐私信息' })).status, 'moderators keep the power').to.equal(200);

      const browser = new Client(server.url);
      await browser.browserLogin(pr.username, pr.password);
      const page = await browser.get(`/t/${thread.id}`);
      expect(page.text).to.not.include(`/p/${fanPost.id}/edit`).and.not.include(`/p/${fanPost.id}/delete`);
      expect(page.text).to.include(`/p/${own.id}/edit`);
    });
  });

  describe('restoring a hidden post from the thread page', () => {
    it('moderators see it marked hidden with a restore button; members do not see it; restore takes a reason', async () => {
      const { thread } = await buildThread();
      const { post } = await buildPost({ thread, body: '待恢复的帖子内容' });
      expect((await api(moderator).post(`/api/v1/posts/${post.id}/hide`, { reason: '误判前先隐藏' })).status).to.equal(200);

      const reader = await buildUser();
      const readerBrowser = new Client(server.url);
      await readerBrowser.browserLogin(reader.username, reader.password);
      expect((await readerBrowser.get(`/t/${thread.id}`)).text).to.not.include('待恢复的帖子内容');

      const browser = new Client(server.url);
      await browser.browserLogin(moderator.username, moderator.password);
      const page = await browser.get(`/t/${thread.id}`);
      expect(page.text).to.match(new RegExp(`id="p${post.id}"[^>]*data-hidden`));
      expect(page.text).to.include('待恢复的帖子内容').and.include(`/p/${post.id}/restore`).and.include('已隐藏');
      expect(page.text, 'a sanction link next to the author').to.include('警告/禁言');
      const form = await browser.get(`/p/${post.id}/restore`);
      expect(form.status).to.equal(200);
      expect(form.text).to.include(`action="/p/${post.id}/restore"`);
      const missing = await browser.post(`/p/${post.id}/restore`, new URLSearchParams({ _csrf: browser.csrf!, reason: '' }));
      expect(missing.status).to.equal(400);
      expect((await Post.findByPk(post.id))!.hiddenAt).to.not.equal(null);
      const done = await browser.post(`/p/${post.id}/restore`, new URLSearchParams({ _csrf: browser.csrf!, reason: '复核后没有问题' }));
      expect(done.status).to.equal(303);
      expect((await Post.findByPk(post.id))!.hiddenAt).to.equal(null);
      const entry = await AuditEntry.findOne({ where: { action: 'post.restore', subjectId: String(post.id) } });
      expect(entry?.reason).to.equal('复核后没有问题');
      expect((await readerBrowser.get(`/t/${thread.id}`)).text).to.include('待恢复的帖子内容');

      const memberRestore = await readerBrowser.get(`/p/${post.id}/restore`);
      expect(memberRestore.status).to.equal(403);
    });
  });
});
