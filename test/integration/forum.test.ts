/** The forum core end to end over real HTTP on a real SQLite file. */
import { expect } from 'chai';
import { startServer, type TestServer } from '../support/server';
import { Client } from '../support/client';
import { buildUser, buildChapter, buildCategory, buildThread, buildPost, addMember, PASSWORD } from '../support/factories';
import { AuditEntry, Notification, Post, Thread, User } from '../../server/models';

describe('forum core', () => {
  let server: TestServer;
  const client = (token?: string) => new Client(server.url).withToken(token ?? null);

  before(async () => {
    server = await startServer({ RESONANCE_ADMIN: 'boss:boss-password-1' });
  });
  after(async () => server.close());

  describe('accounts', () => {
    it('registers, logs in, reads and edits the profile, logs out', async () => {
      const reg = await client().post('/api/v1/auth/register', { username: 'li_lei', password: 'hunter2hunter2', displayName: '李雷' });
      expect(reg.status).to.equal(201);
      expect(reg.body.user).to.include({ username: 'li_lei', displayName: '李雷', role: 'member' });
      expect(reg.body.user.id).to.be.a('string');
      expect(reg.body.token).to.be.a('string');

      const login = await client().post('/api/v1/auth/login', { username: 'li_lei', password: 'hunter2hunter2' });
      expect(login.status).to.equal(200);
      expect(login.headers.getSetCookie().join()).to.match(/rs_session=.*HttpOnly/i);
      const token = login.body.token;

      const me = await client(token).get('/api/v1/me');
      expect(me.body.user).to.include({ username: 'li_lei', analyticsConsent: true });
      const patched = await client(token).patch('/api/v1/me', { displayName: '李雷雷', analyticsConsent: false });
      expect(patched.status).to.equal(200);
      expect(patched.body.user).to.include({ displayName: '李雷雷', analyticsConsent: false });

      expect((await client(token).post('/api/v1/auth/logout')).status).to.equal(204);
      expect((await client(token).get('/api/v1/me')).status).to.equal(401);
    });

    it('rejects a wrong password and a taken username with contract errors', async () => {
      // The message follows the request's language (zh-CN by default) and never tells whether the name exists.
      const bad = await client().post('/api/v1/auth/login', { username: 'li_lei', password: 'wrong-password' });
      expect(bad.status).to.equal(401);
      expect(bad.body).to.deep.equal({ error: { code: 'unauthenticated', message: '用户名或密码错误。' } });
      const nobody = await client().post('/api/v1/auth/login', { username: 'nobody_at_all', password: 'wrong-password' });
      expect([nobody.status, nobody.body]).to.deep.equal([bad.status, bad.body]);
      const badEn = await client().post('/api/v1/auth/login', { username: 'li_lei', password: 'wrong-password' }, { 'accept-language': 'en-US,en;q=0.9' });
      expect(badEn.body).to.deep.equal({ error: { code: 'unauthenticated', message: 'Wrong username or password.' } });
      const dup = await client().post('/api/v1/auth/register', { username: 'li_lei', password: 'whatever123' });
      expect(dup.status).to.equal(409);
      expect(dup.body).to.deep.equal({ error: { code: 'conflict', message: '该用户名已被使用，请换一个。' } });
      const empty = await client().post('/api/v1/auth/register', { username: 'li_lei_2', password: 'short' }, { 'accept-language': 'en' });
      expect(empty.body).to.deep.equal({ error: { code: 'validation_failed', message: 'Password: must be at least 8 characters', field: 'password' } });
    });

    it('bootstraps the admin from RESONANCE_ADMIN, who can set roles and create API keys', async () => {
      const login = await client().post('/api/v1/auth/login', { username: 'boss', password: 'boss-password-1' });
      expect(login.body.user.role).to.equal('admin');
      const admin = client(login.body.token);
      const member = await buildUser();
      const set = await admin.put(`/api/v1/users/${member.username}/role`, { role: 'pr' });
      expect(set.status).to.equal(200);
      expect(set.body.user.role).to.equal('pr');
      expect((await User.findByPk(member.user.id))!.role).to.equal('pr');

      const key = await admin.post('/api/v1/api-keys', { name: 'weibo-connector', scopes: ['ingest'] });
      expect(key.status).to.equal(201);
      expect(key.body.key).to.match(/^rsk_/);
      // The key authenticates but cannot act as a member.
      expect((await client(key.body.key).post('/api/v1/threads', { title: 'x', body: 'y' })).status).to.equal(403);
    });
  });

  describe('chapters and categories', () => {
    it('joins a public chapter at once and leaves it', async () => {
      const chapter = await buildChapter({ visibility: 'public' });
      const u = await buildUser();
      const join = await client(u.token).post(`/api/v1/chapters/${chapter.slug}/join`);
      expect(join.body).to.deep.equal({ membership: { status: 'member' } });
      let list = await client(u.token).get('/api/v1/chapters');
      const row = list.body.items.find((c: { slug: string }) => c.slug === chapter.slug);
      expect(row).to.include({ memberCount: 1, visibility: 'public', membership: 'member' });
      await client(u.token).post(`/api/v1/chapters/${chapter.slug}/leave`);
      list = await client(u.token).get('/api/v1/chapters');
      expect(list.body.items.find((c: { slug: string }) => c.slug === chapter.slug).memberCount).to.equal(0);
    });

    it('a private chapter needs approval by its chapter moderator, who notifies the member', async () => {
      const mod = await buildUser();
      const chapter = await buildChapter({ visibility: 'private', moderators: [mod] });
      const { thread } = await buildThread({ chapter, author: mod });
      const u = await buildUser();
      const join = await client(u.token).post(`/api/v1/chapters/${chapter.slug}/join`);
      expect(join.body).to.deep.equal({ membership: { status: 'pending' } });
      expect((await client(u.token).get(`/api/v1/threads/${thread.id}`)).status).to.equal(403);

      // A plain member cannot approve; the chapter moderator can.
      const other = await buildUser();
      expect((await client(other.token).post(`/api/v1/chapters/${chapter.slug}/members/${u.username}/approve`)).status).to.equal(403);
      const pending = await client(mod.token).get(`/api/v1/chapters/${chapter.slug}/pending`);
      expect(pending.body.items.map((i: { user: { username: string } }) => i.user.username)).to.deep.equal([u.username]);
      const ok = await client(mod.token).post(`/api/v1/chapters/${chapter.slug}/members/${u.username}/approve`);
      expect(ok.body).to.deep.equal({ membership: { status: 'member' } });

      expect((await client(u.token).get(`/api/v1/threads/${thread.id}`)).status).to.equal(200);
      const notes = await client(u.token).get('/api/v1/notifications');
      expect(notes.body.items[0]).to.include({ kind: 'membership_approved' });
      expect(notes.body.items[0].chapter.slug).to.equal(chapter.slug);
    });

    it('lists categories and threads per category', async () => {
      const category = await buildCategory({ name: '用车分享' });
      await buildThread({ category, title: '提车一个月的感受' });
      const cats = await client().get('/api/v1/categories');
      expect(cats.body.items.map((c: { slug: string }) => c.slug)).to.include(category.slug);
      const threads = await client().get(`/api/v1/threads?category=${category.slug}`);
      expect(threads.body.items).to.have.length(1);
      expect(threads.body.items[0]).to.include({ title: '提车一个月的感受', category: category.slug, postCount: 1, locked: false });
    });
  });

  describe('threads and posts', () => {
    it('starts a thread, replies, pages with after/limit oldest first', async () => {
      const u = await buildUser();
      const chapter = await buildChapter();
      const created = await client(u.token).post('/api/v1/threads', { title: '周末上海车友聚会', body: '**周六** 下午两点，老地方见！', chapter: chapter.slug });
      expect(created.status).to.equal(201);
      expect(created.body.thread).to.include({ title: '周末上海车友聚会', chapter: chapter.slug, postCount: 1 });
      expect(created.body.post.html).to.contain('<strong>周六</strong>');
      const threadId = created.body.thread.id;
      const ids = [created.body.post.id];
      for (let i = 0; i < 4; i++) {
        const r = await client(u.token).post(`/api/v1/threads/${threadId}/posts`, { body: `回复 ${i}` });
        expect(r.status).to.equal(201);
        ids.push(r.body.post.id);
      }
      const all = await client().get(`/api/v1/threads/${threadId}`);
      expect(all.body.thread.postCount).to.equal(5);
      expect(all.body.posts.map((p: { id: string }) => p.id)).to.deep.equal(ids);
      const page = await client().get(`/api/v1/threads/${threadId}?after=${ids[1]}&limit=2`);
      expect(page.body.posts.map((p: { id: string }) => p.id)).to.deep.equal(ids.slice(2, 4));
      // Members see no analysis field (staff only).
      expect(all.body.posts[0]).to.not.have.property('analysis');
    });

    it('notifies the author replied to and the members mentioned, once each', async () => {
      const op = await buildUser();
      const fan = await buildUser();
      const friend = await buildUser();
      const { thread, post } = await buildThread({ author: op });
      const reply = await client(fan.token).post(`/api/v1/threads/${thread.id}/posts`, {
        body: `@${friend.username} 你也来看看；@${op.username} 说得对。@nobody_here_x`,
        replyTo: String(post.id),
      });
      expect(reply.body.post.mentions).to.deep.equal([friend.username, op.username, 'nobody_here_x']);
      expect(reply.body.post.replyTo).to.equal(String(post.id));
      expect(reply.body.post.html).to.contain(`href="/u/${friend.username}"`);
      await server.resonance.dispatcher.drain();
      const opNotes = await Notification.findAll({ where: { userId: op.user.id } });
      expect(opNotes.map((n) => n.kind)).to.deep.equal(['mention']); // mention wins over reply: one notification
      const friendNotes = await client(friend.token).get('/api/v1/notifications');
      expect(friendNotes.body.unread).to.equal(1);
      expect(friendNotes.body.items[0]).to.include({ kind: 'mention', read: false });
      expect(friendNotes.body.items[0].thread.id).to.equal(String(thread.id));
      const read = await client(friend.token).post('/api/v1/notifications/read', {});
      expect(read.body.unread).to.equal(0);
      // Self-mentions notify nobody.
      await buildPost({ thread, author: fan, body: `@${fan.username} 自言自语` });
      await server.resonance.dispatcher.drain();
      expect(await Notification.count({ where: { userId: fan.user.id } })).to.equal(0);
    });

    // Issue #12, item 8: opening a notification left it unread (the badge stayed); nothing grouped them.
    it('opening a notification marks it (and its thread group) read and leads to the post; mark-all by page and by API', async () => {
      const op = await buildUser();
      const fan = await buildUser();
      const other = await buildUser({ displayName: '路人乙' });
      const a = await buildThread({ author: op, title: '三条回复的帖子' });
      const b = await buildThread({ author: op, title: '一条回复的帖子' });
      for (const [who, body] of [[fan, '第一条回复'], [other, '第二条回复'], [fan, '第三条回复']] as const) {
        expect((await client(who.token).post(`/api/v1/threads/${a.thread.id}/posts`, { body, replyTo: String(a.post.id) })).status).to.equal(201);
      }
      expect((await client(fan.token).post(`/api/v1/threads/${b.thread.id}/posts`, { body: '另一帖的回复', replyTo: String(b.post.id) })).status).to.equal(201);
      await server.resonance.dispatcher.drain();
      const browser = new Client(server.url);
      await browser.browserLogin(op.username, PASSWORD);
      const badge = async () => Number(/data-unread-badge>(\d+)</.exec((await browser.get('/')).text)?.[1]);
      expect(await badge()).to.equal(4);
      const list = await browser.get('/notifications');
      expect(list.text).to.contain('data-mark-all-read');
      // Three replies in one thread are one entry (Discourse's "3 replies in …"), at the newest's place.
      const ids = [...list.text.matchAll(/data-notification-id="(\d+)"/g)].map((m) => m[1]);
      expect(ids).to.have.length(2);
      expect(list.text).to.contain('《三条回复的帖子》中有 3 条给你的回复');
      expect(list.text).to.contain('路人乙');
      const [single, group] = ids;
      expect(list.text).to.contain(`href="/notifications/${single}"`);
      const opened = await browser.get(`/notifications/${single}`);
      expect(opened.status).to.equal(303);
      expect(opened.headers.get('location')).to.match(new RegExp(`^/t/${b.thread.id}#p\\d+$`));
      expect(await badge()).to.equal(3);
      const api = await client(op.token).get('/api/v1/notifications');
      expect(api.body.unread).to.equal(3);
      expect(api.body.items.find((n: { id: string }) => n.id === single)).to.include({ read: true, url: opened.headers.get('location') });
      // Opening the group reads all three; opening again is harmless; someone else's is not found.
      expect((await browser.get(`/notifications/${group}`)).headers.get('location')).to.match(new RegExp(`^/t/${a.thread.id}#p\\d+$`));
      expect(await badge()).to.equal(0);
      expect((await browser.get(`/notifications/${group}`)).status).to.equal(303);
      const stranger = new Client(server.url);
      await stranger.browserLogin(fan.username, PASSWORD);
      expect((await stranger.get(`/notifications/${single}`)).status).to.equal(404);
      // The page's mark-all-read button.
      await Notification.update({ readAt: null }, { where: { userId: op.user.id } });
      expect(await badge()).to.equal(4);
      const all = await browser.post('/notifications/read', new URLSearchParams({ _csrf: browser.csrf ?? '' }));
      expect(all.status).to.equal(303);
      expect(await badge()).to.equal(0);
      expect((await browser.get('/notifications')).text).to.not.contain('data-mark-all-read');
      // The API: ids mark those, no ids mark all.
      await Notification.update({ readAt: null }, { where: { userId: op.user.id } });
      expect((await client(op.token).post('/api/v1/notifications/read', { ids: [single] })).body.unread).to.equal(3);
      expect((await client(op.token).post('/api/v1/notifications/read')).body.unread).to.equal(0);
    });

    it('rejects a replyTo from another thread', async () => {
      const a = await buildThread();
      const b = await buildThread();
      const u = await buildUser();
      const r = await client(u.token).post(`/api/v1/threads/${a.thread.id}/posts`, { body: 'x', replyTo: String(b.post.id) });
      expect(r.status).to.equal(400);
      expect(r.body.error.code).to.equal('validation_failed');
    });

    it('edits and deletes own posts; others cannot, staff can with an audit entry', async () => {
      const author = await buildUser();
      const stranger = await buildUser();
      const moderator = await buildUser({ role: 'moderator' });
      const { post, thread } = await buildPost({ author });
      const edit = await client(author.token).patch(`/api/v1/posts/${post.id}`, { body: '改一下：**更新**' });
      expect(edit.status).to.equal(200);
      expect(edit.body.post.editedAt).to.be.a('string');
      expect(edit.body.post.html).to.contain('<strong>更新</strong>');
      expect((await client(stranger.token).patch(`/api/v1/posts/${post.id}`, { body: 'hijack' })).status).to.equal(403);
      expect((await client(stranger.token).delete(`/api/v1/posts/${post.id}`)).status).to.equal(403);
      const del = await client(moderator.token).delete(`/api/v1/posts/${post.id}`, { reason: '广告' });
      expect(del.status).to.equal(204);
      const after = await client().get(`/api/v1/threads/${thread.id}`);
      expect(after.body.posts.map((p: { id: string }) => p.id)).to.not.include(String(post.id));
      expect(after.body.thread.postCount).to.equal(1);
      expect((await client().get(`/api/v1/threads/${thread.id}`)).status).to.equal(200);
      const entry = await AuditEntry.findOne({ where: { action: 'post.delete', subjectId: String(post.id) } });
      expect(entry?.reason).to.equal('广告');
    });

    it('likes (idempotent, not own posts), unlikes and flags', async () => {
      const author = await buildUser();
      const fan = await buildUser();
      const { post } = await buildPost({ author });
      expect((await client(author.token).post(`/api/v1/posts/${post.id}/like`)).status).to.equal(403);
      expect((await client(fan.token).post(`/api/v1/posts/${post.id}/like`)).body.likes).to.equal(1);
      expect((await client(fan.token).post(`/api/v1/posts/${post.id}/like`)).body.likes).to.equal(1);
      const likedIn = async (token: string) =>
        (await client(token).get(`/api/v1/threads/${post.threadId}`)).body.posts.map((p: { id: string; likedByMe?: boolean }) => [p.id, p.likedByMe]);
      const fanView = await likedIn(fan.token);
      expect(fanView).to.deep.include([String(post.id), true]);
      expect(fanView.filter(([, liked]: [string, boolean]) => liked)).to.have.length(1);
      expect(await likedIn(author.token)).to.deep.include([String(post.id), false]);
      expect((await client(fan.token).delete(`/api/v1/posts/${post.id}/like`)).body.likes).to.equal(0);
      const flag = await client(fan.token).post(`/api/v1/posts/${post.id}/flag`, { reason: '涉嫌广告' });
      expect(flag.status).to.equal(201);
      expect(flag.body.flag).to.include({ reason: '涉嫌广告', status: 'open' });
      expect((await client(fan.token).post(`/api/v1/posts/${post.id}/flag`, {})).status).to.equal(400);
    });

    it('hides a post for moderators and chapter moderators only; restores it; both audit-logged', async () => {
      const author = await buildUser();
      const member = await buildUser();
      const chapterMod = await buildUser();
      const otherChapterMod = await buildUser();
      const chapter = await buildChapter({ members: [author, member], moderators: [chapterMod] });
      await buildChapter({ moderators: [otherChapterMod] });
      const { post, thread } = await buildPost({ author, thread: (await buildThread({ chapter })).thread });
      const hide = (token: string, reason = '泄露个人信息') => client(token).post(`/api/v1/posts/${post.id}/hide`, { reason });
      expect((await hide(author.token)).status).to.equal(403);
      expect((await hide(member.token)).status).to.equal(403);
      expect((await hide(otherChapterMod.token)).status).to.equal(403);
      expect((await client(chapterMod.token).post(`/api/v1/posts/${post.id}/hide`, {})).status).to.equal(400);
      const hidden = await hide(chapterMod.token);
      expect(hidden.status).to.equal(200);
      expect(hidden.body).to.deep.equal({ postId: String(post.id), hidden: true });
      const page = await client(member.token).get(`/api/v1/threads/${thread.id}`);
      expect(page.body.posts.map((p: { id: string }) => p.id)).to.not.include(String(post.id));
      expect(page.body.thread.postCount).to.equal(1);
      // A hidden post takes no more likes, edits or replies.
      expect((await client(member.token).post(`/api/v1/posts/${post.id}/like`)).status).to.equal(404);
      expect((await client(author.token).patch(`/api/v1/posts/${post.id}`, { body: '偷偷改' })).status).to.equal(404);
      const restored = await client(chapterMod.token).delete(`/api/v1/posts/${post.id}/hide`, { reason: '作者已修改' });
      expect(restored.body).to.deep.equal({ postId: String(post.id), hidden: false });
      const again = await client(member.token).get(`/api/v1/threads/${thread.id}`);
      expect(again.body.posts.map((p: { id: string }) => p.id)).to.include(String(post.id));
      expect(again.body.thread.postCount).to.equal(2);
      const actions = (await AuditEntry.findAll({ where: { subjectId: String(post.id) }, order: [['id', 'ASC']] })).map((e) => [e.action, e.reason]);
      expect(actions).to.deep.equal([['post.hide', '泄露个人信息'], ['post.restore', '作者已修改']]);
    });

    it('locks a thread: members can no longer reply, moderators can', async () => {
      const moderator = await buildUser({ role: 'moderator' });
      const u = await buildUser();
      const { thread } = await buildThread();
      expect((await client(u.token).post(`/api/v1/threads/${thread.id}/lock`, { locked: true, reason: 'x' })).status).to.equal(403);
      const lock = await client(moderator.token).post(`/api/v1/threads/${thread.id}/lock`, { locked: true, reason: '吵架' });
      expect(lock.body.thread.locked).to.equal(true);
      expect((await client(u.token).post(`/api/v1/threads/${thread.id}/posts`, { body: 'hi' })).status).to.equal(403);
      expect((await client(moderator.token).post(`/api/v1/threads/${thread.id}/posts`, { body: '已锁定' })).status).to.equal(201);
    });

    it('counts concurrent replies exactly', async () => {
      const { thread } = await buildThread();
      const users = await Promise.all(Array.from({ length: 5 }, () => buildUser()));
      await Promise.all(users.flatMap((u) => [1, 2, 3, 4].map((i) => client(u.token).post(`/api/v1/threads/${thread.id}/posts`, { body: `并发 ${i}` }))));
      const fresh = await Thread.findByPk(thread.id);
      expect(fresh!.postCount).to.equal(21);
      expect(await Post.count({ where: { threadId: thread.id } })).to.equal(21);
    });
  });

  describe('pages (no JavaScript needed)', () => {
    it('serves the home page in zh-CN by default and English on request', async () => {
      await buildThread({ title: '首页可见的主题' });
      const zh = await client().get('/');
      expect(zh.status).to.equal(200);
      expect(zh.text).to.contain('<html lang="zh-CN">').and.contain('最新讨论').and.contain('首页可见的主题');
      const en = await client().get('/', { 'accept-language': 'en-US,en;q=0.9' });
      expect(en.text).to.contain('<html lang="en">').and.contain('Latest discussions');
      const forced = await client().get('/?lang=en');
      expect(forced.text).to.contain('Latest discussions');
    });

    it('a browser logs in by form, replies by form and sees its post', async () => {
      const u = await buildUser();
      const { thread } = await buildThread();
      const browser = new Client(server.url);
      await browser.browserLogin(u.username, PASSWORD);
      const form = new URLSearchParams({ body: '表单回复 *不用 JS*', _csrf: browser.csrf! });
      const res = await browser.post(`/t/${thread.id}/reply`, form, { 'x-csrf-token': '' });
      expect(res.status).to.equal(303);
      const page = await browser.get(`/t/${thread.id}`);
      expect(page.text).to.contain('表单回复 <em>不用 JS</em>');
      expect(page.text).to.contain(`action="/t/${thread.id}/reply"`);
    });

    it('a moderator hides a post from the thread page by form; members get no such link', async () => {
      const moderator = await buildUser({ role: 'moderator' });
      const member = await buildUser();
      const { post, thread } = await buildPost({ body: '这条要隐藏 hideme' });
      const memberBrowser = new Client(server.url);
      await memberBrowser.browserLogin(member.username, PASSWORD);
      expect((await memberBrowser.get(`/t/${thread.id}`)).text).to.not.contain(`/p/${post.id}/hide`);
      expect((await memberBrowser.get(`/p/${post.id}/hide`)).status).to.equal(403);
      // Members flag instead, on the same kind of reason page.
      const flagPage = await memberBrowser.get(`/p/${post.id}/flag`);
      expect(flagPage.status).to.equal(200);
      expect(flagPage.text).to.contain(`action="/p/${post.id}/flag"`);
      const browser = new Client(server.url);
      await browser.browserLogin(moderator.username, PASSWORD);
      expect((await browser.get(`/t/${thread.id}`)).text).to.contain(`href="/p/${post.id}/hide"`);
      const form = await browser.get(`/p/${post.id}/hide`);
      expect(form.status).to.equal(200);
      expect(form.text).to.contain(`action="/p/${post.id}/hide"`);
      const res = await browser.post(`/p/${post.id}/hide`, new URLSearchParams({ reason: '广告', _csrf: browser.csrf! }), { 'x-csrf-token': '' });
      expect(res.status).to.equal(303);
      // Issue #10: hidden posts stay visible to moderators, marked hidden, with a way back; members no longer see them.
      const modView = (await browser.get(`/t/${thread.id}`)).text;
      expect(modView).to.contain('hideme');
      expect(modView).to.contain(`/p/${post.id}/restore`);
      expect((await memberBrowser.get(`/t/${thread.id}`)).text).to.not.contain('hideme');
      expect((await AuditEntry.findOne({ where: { action: 'post.hide', subjectId: String(post.id) } }))?.reason).to.equal('广告');
    });

    it('quote pre-fills the reply box with the quoted post', async () => {
      const u = await buildUser();
      const { thread, post, author } = await buildThread({ body: '原帖内容' });
      const browser = new Client(server.url);
      await browser.browserLogin(u.username, PASSWORD);
      const page = await browser.get(`/t/${thread.id}?quote=${post.id}`);
      // The quote names its author and links to the post (composer.quoteHeader), then quotes it.
      expect(page.text).to.contain(`&gt; @${author.username} [写道](/t/${thread.id}#p${post.id})：\n&gt; 原帖内容`);
      expect(page.text).to.contain(`name="replyTo" value="${post.id}"`);
    });

    it('renders the profile, chapters, notifications, login and register pages', async () => {
      const u = await buildUser({ displayName: '王小明' });
      const chapter = await buildChapter({ name: '杭州同城会' });
      await addMember(chapter, u);
      await buildThread({ author: u, chapter, title: '西湖骑行' });
      const profile = await client().get(`/u/${u.username}`);
      expect(profile.text).to.contain('王小明').and.contain('西湖骑行').and.contain('杭州同城会');
      expect((await client().get('/chapters')).text).to.contain('杭州同城会');
      expect((await client().get(`/c/${chapter.slug}`)).text).to.contain('西湖骑行');
      expect((await client().get('/login')).status).to.equal(200);
      expect((await client().get('/register')).status).to.equal(200);
      const anonNotes = await client().get('/notifications');
      expect(anonNotes.status).to.equal(303);
      expect(anonNotes.headers.get('location')).to.equal('/login?next=%2Fnotifications');
      const missing = await client().get('/t/999999');
      expect(missing.status).to.equal(404);
      expect(missing.text).to.contain('页面不存在');
    });

    it('sends a CSP that forbids inline scripts and the usual security headers', async () => {
      const res = await client().get('/');
      const csp = res.headers.get('content-security-policy')!;
      expect(csp).to.contain("script-src 'self'");
      expect(csp).to.not.contain('unsafe-inline');
      expect(res.headers.get('x-content-type-options')).to.equal('nosniff');
      expect(res.headers.get('x-frame-options')).to.equal('SAMEORIGIN');
    });
  });
});
