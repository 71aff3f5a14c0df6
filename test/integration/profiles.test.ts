/**
 * Member profiles (issue #12): counts, the threads / replies / likes / chapters tabs with keyset
 * pages, the member's privacy choices, private chapters and hidden posts kept off other people's
 * view of a profile (HTML and API), and the bio's validation and escaping.
 */
import { expect } from 'chai';
import { startServer, type TestServer } from '../support/server';
import { Client } from '../support/client';
import { addMember, buildChapter, buildPost, buildThread, buildUser, type BuiltUser } from '../support/factories';

describe('member profiles', function () {
  this.timeout(60_000);
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server?.close());

  const api = (u?: BuiltUser) => new Client(server.url).withToken(u?.token ?? null);
  const like = (u: BuiltUser, postId: number) => api(u).post(`/api/v1/posts/${postId}/like`);

  it('counts threads, replies and likes received, and lists them newest first', async () => {
    const fan = await buildUser({ displayName: '计数车主' });
    const other = await buildUser();
    const { thread: own } = await buildThread({ author: fan, title: '我的提车作业' });
    const { thread: theirs } = await buildThread({ author: other, title: '别人的主题' });
    const r1 = await buildPost({ thread: theirs, author: fan, body: '第一条回复' });
    const r2 = await buildPost({ thread: own, author: fan, body: '自己楼里的回复' });
    expect((await like(other, r1.post.id)).status).to.equal(200);
    const res = await api().get(`/api/v1/users/${fan.username}`);
    expect(res.status).to.equal(200);
    expect(res.body.user).to.include({ username: fan.username, displayName: '计数车主' });
    expect(res.body.user.joinedAt).to.be.a('string');
    expect(res.body.user.counts).to.deep.equal({ threads: 1, posts: 3, replies: 2, likesReceived: 1 });
    expect(res.body.posts.map((p: { id: string }) => p.id)).to.have.members([String(r2.post.id), String(r1.post.id), res.body.posts[2].id]);
    const replies = await api().get(`/api/v1/users/${fan.username}/replies`);
    expect(replies.body.items.map((p: { id: string }) => p.id)).to.deep.equal([String(r2.post.id), String(r1.post.id)]);
    expect(replies.body.items[1].thread).to.deep.equal({ id: String(theirs.id), title: '别人的主题' });
    const threads = await api().get(`/api/v1/users/${fan.username}/threads`);
    expect(threads.body.items.map((t: { id: string }) => t.id)).to.deep.equal([String(own.id)]);
    const likes = await api().get(`/api/v1/users/${other.username}/likes`);
    expect(likes.body.items.map((p: { id: string }) => p.id)).to.deep.equal([String(r1.post.id)]);
    expect((await api().get('/api/v1/users/nobody_here_at_all')).status).to.equal(404);
  });

  it('pages every tab by keyset: `next` leads to the following page with no overlap', async () => {
    const fan = await buildUser();
    const { thread } = await buildThread();
    const made: number[] = [];
    for (let i = 0; i < 5; i++) made.push((await buildPost({ thread, author: fan, body: `第 ${i} 条` })).post.id);
    const first = await api().get(`/api/v1/users/${fan.username}/replies?limit=2`);
    expect(first.body.items.map((p: { id: string }) => Number(p.id))).to.deep.equal([made[4], made[3]]);
    const second = await api().get(`/api/v1/users/${fan.username}/replies?limit=2&before=${first.body.next}`);
    expect(second.body.items.map((p: { id: string }) => Number(p.id))).to.deep.equal([made[2], made[1]]);
    const third = await api().get(`/api/v1/users/${fan.username}/replies?limit=2&before=${second.body.next}`);
    expect(third.body.items.map((p: { id: string }) => Number(p.id))).to.deep.equal([made[0]]);
    expect(third.body.next).to.equal(undefined);
    // The page takes the same cursor (its "older" link carries it).
    const html = await api().get(`/u/${fan.username}?tab=replies&before=${made[2]}`);
    expect(html.status).to.equal(200);
    expect(html.text).to.include(`data-post="${made[1]}"`).and.include(`data-post="${made[0]}"`);
    expect(html.text).to.not.include(`data-post="${made[2]}"`);
    expect((await api().get(`/api/v1/users/${fan.username}/replies?before=abc`)).status).to.equal(400);
    expect((await api().get(`/api/v1/users/${fan.username}/replies?limit=500`)).status).to.equal(400);
  });

  it('keeps posts in a private chapter off the profile for outsiders (HTML and API), and counts only what they may read', async () => {
    const insider = await buildUser({ displayName: '私密会员' });
    const outsider = await buildUser();
    const club = await buildChapter({ visibility: 'private', name: '车主内部会' });
    const secret = `内部消息${Date.now()}`;
    const { thread: secretThread } = await buildThread({ author: insider, chapter: club, title: `私密主题${secret}`, body: secret });
    const friend = await buildUser();
    await addMember(club, friend);
    const { post: secretReply } = await buildPost({ thread: secretThread, author: friend, body: `${secret} 回复` });
    await like(insider, secretReply.id);
    await buildThread({ author: insider, title: '公开主题', body: '公开内容' });

    for (const viewer of [undefined, outsider]) {
      const res = await api(viewer).get(`/api/v1/users/${insider.username}`);
      expect(res.text).to.not.include(secret);
      expect(res.body.user.counts).to.include({ threads: 1, posts: 1 });
      expect(res.body.chapters.map((c: { slug: string }) => c.slug)).to.not.include(club.slug);
      for (const tab of ['threads', 'replies', 'likes']) {
        expect((await api(viewer).get(`/api/v1/users/${insider.username}/${tab}`)).text).to.not.include(secret);
        expect((await api(viewer).get(`/u/${insider.username}?tab=${tab}`)).text).to.not.include(secret);
      }
      expect((await api(viewer).get(`/u/${insider.username}?tab=chapters`)).text).to.not.include('车主内部会');
    }
    // A fellow member of the chapter sees it all.
    const member = await api(friend).get(`/api/v1/users/${insider.username}`);
    expect(member.body.user.counts).to.include({ threads: 2, posts: 2 });
    expect((await api(friend).get(`/api/v1/users/${insider.username}/likes`)).text).to.include(secret);
    expect((await api(friend).get(`/u/${insider.username}?tab=chapters`)).text).to.include('车主内部会');
  });

  it('does not show hidden posts to members, and stops counting them', async () => {
    const fan = await buildUser();
    const mod = await buildUser({ role: 'moderator' });
    const { thread } = await buildThread();
    const marker = `违规内容${Date.now()}`;
    const { post } = await buildPost({ thread, author: fan, body: marker });
    await buildPost({ thread, author: fan, body: '正常回复' });
    expect((await api(mod).post(`/api/v1/posts/${post.id}/hide`, { reason: '广告' })).status).to.equal(200);
    const viewer = await buildUser();
    for (const client of [api(), api(viewer), api(fan)]) {
      const res = await client.get(`/api/v1/users/${fan.username}`);
      expect(res.text).to.not.include(marker);
      expect(res.body.user.counts.replies).to.equal(1);
      expect((await client.get(`/api/v1/users/${fan.username}/replies`)).text).to.not.include(marker);
      expect((await client.get(`/u/${fan.username}?tab=replies`)).text).to.not.include(marker);
    }
  });

  it('hides the likes tab, chapters and last seen from others when the member asks, never from the member', async () => {
    const fan = await buildUser({ displayName: '低调车主' });
    const chapter = await buildChapter({ name: '杭州同城会' });
    await addMember(chapter, fan);
    const { post } = await buildPost();
    await like(fan, post.id);
    await api(fan).get('/api/v1/me'); // a session in use: last seen is known
    const stranger = await buildUser();
    const pr = await buildUser({ role: 'pr' });
    const mod = await buildUser({ role: 'moderator' });

    const before = await api(stranger).get(`/api/v1/users/${fan.username}`);
    expect(before.body.user.sections).to.deep.equal({ likes: true, chapters: true });
    expect(before.body.user.lastSeenAt).to.be.a('string');
    expect(before.body.user).to.not.have.property('privacy');
    expect((await api(stranger).get(`/u/${fan.username}`)).text).to.include('data-tab="likes"');

    const saved = await api(fan).patch('/api/v1/me', { privacy: { hideLikes: true, hideChapters: true, hideLastSeen: true } });
    expect(saved.status).to.equal(200);
    expect(saved.body.user.privacy).to.deep.equal({ hideLikes: true, hideChapters: true, hideLastSeen: true });

    for (const viewer of [undefined, stranger, pr]) {
      const res = await api(viewer).get(`/api/v1/users/${fan.username}`);
      expect(res.body.user.sections).to.deep.equal({ likes: false, chapters: false });
      expect(res.body.user).to.not.have.property('lastSeenAt');
      expect(res.body.chapters).to.equal(null);
      expect((await api(viewer).get(`/api/v1/users/${fan.username}/likes`)).status).to.equal(404);
      const page = await api(viewer).get(`/u/${fan.username}?tab=likes`);
      expect(page.status).to.equal(200);
      expect(page.text).to.not.include('data-tab="likes"');
      expect(page.text).to.not.include('data-tab="chapters"');
      expect(page.text).to.not.include('杭州同城会');
      expect(page.text).to.not.include('data-last-seen');
    }
    for (const viewer of [fan, mod]) {
      const res = await api(viewer).get(`/api/v1/users/${fan.username}`);
      expect(res.body.user.sections).to.deep.equal({ likes: true, chapters: true });
      expect(res.body.user.lastSeenAt).to.be.a('string');
      expect(res.body.chapters.map((c: { name: string }) => c.name)).to.include('杭州同城会');
      const likes = await api(viewer).get(`/api/v1/users/${fan.username}/likes`);
      expect(likes.body.items.map((p: { id: string }) => p.id)).to.deep.equal([String(post.id)]);
      const page = await api(viewer).get(`/u/${fan.username}?tab=likes`);
      expect(page.text).to.include('data-tab-panel="likes"');
      expect(page.text).to.include('仅自己和版主可见');
    }
  });

  it('validates the bio (length, characters) and shows it escaped, on the API and the settings form', async () => {
    const fan = await buildUser();
    const me = api(fan);
    const tooLong = await me.patch('/api/v1/me', { bio: '长'.repeat(501) });
    expect(tooLong.status).to.equal(400);
    expect(tooLong.body.error.code).to.equal('validation_failed');
    expect((await me.patch('/api/v1/me', { bio: 'bad\u0007bell' })).status).to.equal(400);
    expect((await me.patch('/api/v1/me', { bio: 42 })).status).to.equal(400);
    const xss = '<script>alert(1)</script><img src=x onerror=alert(2)> 电车车主\n第二行';
    const ok = await me.patch('/api/v1/me', { bio: xss });
    expect(ok.status).to.equal(200);
    expect(ok.body.user.bio).to.equal(xss);
    expect((await me.get('/api/v1/me')).body.user.bio).to.equal(xss);
    expect((await api().get(`/api/v1/users/${fan.username}`)).body.user.bio).to.equal(xss);
    const page = await api().get(`/u/${fan.username}`);
    expect(page.text).to.not.include('<script>alert(1)');
    expect(page.text).to.not.include('<img src=x');
    expect(page.text).to.include('&lt;script&gt;alert(1)&lt;/script&gt;');
    // Clearing it.
    expect((await me.patch('/api/v1/me', { bio: null })).body.user).to.not.have.property('bio');

    // The settings form: saved with the privacy boxes; too long re-renders the form with the text kept.
    const browser = new Client(server.url);
    await browser.browserLogin(fan.username, fan.password);
    const saved = await browser.post('/settings', new URLSearchParams({ _csrf: browser.csrf!, displayName: fan.username, bio: '深圳 Model Y 车主', hideLikes: 'on' }));
    expect(saved.status).to.equal(303);
    const mine = (await api(fan).get('/api/v1/me')).body.user;
    expect(mine.bio).to.equal('深圳 Model Y 车主');
    expect(mine.privacy).to.deep.equal({ hideLikes: true, hideChapters: false, hideLastSeen: false });
    const typed = `保留${'长'.repeat(600)}`;
    const refused = await browser.post('/settings', new URLSearchParams({ _csrf: browser.csrf!, displayName: fan.username, bio: typed }));
    expect(refused.status).to.equal(400);
    // The message sits next to the bio, which is marked for assistive technology.
    expect(refused.text).to.match(/<p class="field-error" id="bio-error">[^<]+<\/p>/);
    expect(refused.text).to.match(/aria-describedby="bio-hint bio-error" aria-invalid="true">/);
    expect(refused.text).to.include(typed);
    expect((await api(fan).get('/api/v1/me')).body.user.bio).to.equal('深圳 Model Y 车主');
  });
});
