/**
 * Secure uploads: an image shown in a private chapter is served only to those who may read such a
 * post (and its uploader), an image sent in a private message only to the conversation's
 * participants (and its uploader, and moderators once it is reported); everyone else gets the 404
 * of a name that does not exist. Real server, real storage, real HTTP (bearer tokens and a browser
 * session).
 */
import { expect } from 'chai';
import { startServer, type TestServer } from '../support/server';
import { Client } from '../support/client';
import { buildChapter, buildThread, buildUser, type BuiltUser } from '../support/factories';
import { noisyJpeg, solidPng } from '../support/images';

const PUBLIC_CACHE = 'public, max-age=31536000, immutable';

describe('upload access (secure uploads)', function () {
  this.timeout(30_000);
  let server: TestServer;
  let seed = 0;

  before(async () => {
    server = await startServer();
  });
  after(async () => server.close());

  /** Upload a fresh image (different bytes each time, so a new key) as `who`. */
  async function upload(who: BuiltUser): Promise<{ id: string; url: string; thumbnailUrl: string }> {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(await noisyJpeg(480, 360, 1000 + ++seed))], { type: 'image/jpeg' }), 'photo.jpg');
    const res = await fetch(`${server.url}/api/v1/uploads`, { method: 'POST', body: form, headers: { authorization: `Bearer ${who.token}` } });
    expect(res.status).to.equal(201);
    return ((await res.json()) as any).upload;
  }
  /** GET an upload path as someone (a bearer token), or anonymously. */
  async function get(path: string, who?: BuiltUser | null, headers: Record<string, string> = {}) {
    const res = await fetch(server.url + path, { headers: { ...(who ? { authorization: `Bearer ${who.token}` } : {}), ...headers } });
    return { status: res.status, cache: res.headers.get('cache-control'), type: res.headers.get('content-type'), text: res.status === 404 ? await res.text() : '' };
  }
  const api = (who: BuiltUser) => new Client(server.url).withToken(who.token);

  /** A private chapter with a member who posted a photo there, plus people around it. */
  async function privatePhoto() {
    const [uploader, member, outsider, pending, moderator] = await Promise.all([buildUser(), buildUser(), buildUser(), buildUser(), buildUser({ role: 'moderator' })]);
    const chapter = await buildChapter({ visibility: 'private', members: [uploader, member] });
    expect((await api(pending).post(`/api/v1/chapters/${chapter.slug}/join`)).body.membership.status).to.equal('pending');
    const photo = await upload(uploader);
    const { thread, post } = await buildThread({ author: uploader, chapter, body: `周末聚会合影\n\n![](${photo.url})` });
    return { uploader, member, outsider, pending, moderator, chapter, thread, post, photo };
  }

  it('serves a photo in a private chapter post to members, staff and the uploader only, privately cached', async () => {
    const s = await privatePhoto();
    const unknown = await get(s.photo.url.replace(/^\/uploads\/[a-f0-9]{32}/, '/uploads/' + 'f'.repeat(32)));
    for (const path of [s.photo.url, s.photo.thumbnailUrl]) {
      for (const [who, viewer] of [['anonymous', null], ['outsider', s.outsider], ['pending member', s.pending]] as const) {
        const r = await get(path, viewer);
        expect(r.status, `${who} ${path}`).to.equal(404);
        // The same answer as for a name that never existed: nothing confirms the photo is there.
        expect({ cache: r.cache, type: r.type, text: r.text }, who).to.deep.equal({ cache: unknown.cache, type: unknown.type, text: unknown.text });
      }
      for (const [who, viewer] of [['member', s.member], ['moderator', s.moderator], ['uploader', s.uploader]] as const) {
        const r = await get(path, viewer);
        expect(r.status, `${who} ${path}`).to.equal(200);
        expect(r.type).to.equal('image/webp');
        expect(r.cache, who).to.match(/^private\b/).and.not.to.contain('public');
      }
    }
    // The browser's way: the session cookie (the route runs before the session middleware).
    const browser = new Client(server.url);
    await browser.browserLogin(s.member.username, s.member.password);
    expect((await get(s.photo.url, null, { cookie: browser.cookieHeader()! })).status).to.equal(200);
    const stranger = new Client(server.url);
    await stranger.browserLogin(s.outsider.username, s.outsider.password);
    expect((await get(s.photo.url, null, { cookie: stranger.cookieHeader()! })).status).to.equal(404);
  });

  it('keeps a photo only used in public posts public, with immutable shared caching', async () => {
    const author = await buildUser();
    const photo = await upload(author);
    await buildThread({ author, chapter: await buildChapter({ visibility: 'public' }), body: `提车！\n\n![](${photo.url})` });
    const elsewhere = await upload(author);
    await buildThread({ author, body: `没有同城会的帖子 ![](${elsewhere.url})` });
    for (const path of [photo.url, photo.thumbnailUrl, elsewhere.url]) {
      const r = await get(path);
      expect(r.status, path).to.equal(200);
      expect(r.cache, path).to.equal(PUBLIC_CACHE);
    }
  });

  it('keeps an upload in no post yet out of shared caches, and closes it once posted in a private chapter', async () => {
    const s = await privatePhoto();
    const fresh = await upload(s.uploader);
    const before = await get(fresh.url);
    expect(before.status).to.equal(200);
    expect(before.cache).to.match(/^private\b/);
    // A reply (the API path) and an edit (a second photo added) both record what they show.
    const second = await upload(s.uploader);
    const reply = await api(s.uploader).post(`/api/v1/threads/${s.thread.id}/posts`, { body: `补一张 ![](${fresh.url})` });
    expect(reply.status).to.equal(201);
    const edited = await api(s.uploader).patch(`/api/v1/posts/${s.post.id}`, { body: `周末聚会合影\n\n![](${s.photo.url})\n\n![](${second.url})` });
    expect(edited.status).to.equal(200);
    for (const path of [fresh.url, second.url]) {
      expect((await get(path)).status, path).to.equal(404);
      expect((await get(path, s.member)).status, path).to.equal(200);
    }
  });

  it('does not let a public post or a deletion open a private photo', async () => {
    const s = await privatePhoto();
    // A member pastes the URL into a public thread: not theirs, so it records nothing and opens nothing.
    await buildThread({ author: s.member, body: `转发一下 ![](${s.photo.url})` });
    expect((await get(s.photo.url)).status).to.equal(404);
    // The uploader shows it publicly too: private use still wins (the safe side).
    await buildThread({ author: s.uploader, body: `公开版 ![](${s.photo.url})` });
    expect((await get(s.photo.url, s.outsider)).status).to.equal(404);
    // Deleting the private post keeps it private: now only its uploader can open it.
    expect((await api(s.uploader).delete(`/api/v1/posts/${s.post.id}`, { reason: 'oops' })).status).to.be.oneOf([200, 204]);
    expect((await get(s.photo.url)).status).to.equal(404);
    expect((await get(s.photo.url, s.member)).status).to.equal(404);
    expect((await get(s.photo.url, s.uploader)).status).to.equal(200);
  });

  it('does not let a private post lock someone else\'s public photo, and keeps avatars public', async () => {
    const s = await privatePhoto();
    const other = await buildUser();
    const theirs = await upload(other);
    await buildThread({ author: other, body: `公开 ![](${theirs.url})` });
    await buildThread({ author: s.member, chapter: s.chapter, body: `借图 ![](${theirs.url})` });
    expect((await get(theirs.url)).cache).to.equal(PUBLIC_CACHE);
    // An avatar made from a photo shown in a private chapter is a new image, public wherever it is shown.
    const patched = await api(s.uploader).patch('/api/v1/me', { avatarUploadId: s.photo.id });
    const avatarUrl: string = patched.body.user.avatarUrl;
    await buildThread({ author: s.uploader, chapter: s.chapter, body: `头像 ![](${avatarUrl})` });
    for (const path of [avatarUrl, avatarUrl.replace('.webp', '.thumb.webp')]) {
      const r = await get(path);
      expect(r.status, path).to.equal(200);
      expect(r.cache, path).to.equal(PUBLIC_CACHE);
    }
  });

  it('answers HEAD like GET, and a small PNG the same way as a photo', async () => {
    const s = await privatePhoto();
    const png = await (async () => {
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(await solidPng(64, 64, '#a0a'))], { type: 'image/png' }), 'a.png');
      const res = await fetch(`${server.url}/api/v1/uploads`, { method: 'POST', body: form, headers: { authorization: `Bearer ${s.uploader.token}` } });
      return ((await res.json()) as any).upload as { url: string };
    })();
    await buildThread({ author: s.uploader, chapter: s.chapter, body: `![](${png.url})` });
    expect((await fetch(server.url + png.url, { method: 'HEAD' })).status).to.equal(404);
    expect((await fetch(server.url + png.url, { method: 'HEAD', headers: { authorization: `Bearer ${s.member.token}` } })).status).to.equal(200);
  });
  /** A member who sent a photo to another in a private message, plus people around it. */
  async function messagedPhoto() {
    const [sender, recipient, outsider, moderator] = await Promise.all([buildUser(), buildUser(), buildUser(), buildUser({ role: 'moderator' })]);
    const photo = await upload(sender);
    const started = await api(sender).post('/api/v1/conversations', { to: [recipient.username], body: `订单截图 ![](${photo.url})` });
    expect(started.status, started.text).to.equal(201);
    return { sender, recipient, outsider, moderator, photo, conversationId: started.body.conversation.id as string };
  }
  const unknownPath = (url: string) => url.replace(/^\/uploads\/[a-f0-9]{32}/, '/uploads/' + 'e'.repeat(32));

  it('serves a photo sent in a private message to the participants and its uploader, to a moderator only once reported', async () => {
    const s = await messagedPhoto();
    // A reply in the same conversation (postMessage, not only the first message) records its photo too.
    const reply = await upload(s.recipient);
    const sent = await api(s.recipient).post(`/api/v1/conversations/${s.conversationId}/messages`, { body: `车牌照片 ![](${reply.url})` });
    expect(sent.status, sent.text).to.equal(201);
    const unknown = await get(unknownPath(s.photo.url));
    const paths = [s.photo.url, s.photo.thumbnailUrl, reply.url, reply.thumbnailUrl];
    for (const path of paths) {
      for (const [who, viewer] of [['anonymous', null], ['outsider', s.outsider], ['moderator before a report', s.moderator]] as const) {
        const r = await get(path, viewer);
        expect(r.status, `${who} ${path}`).to.equal(404);
        expect({ cache: r.cache, type: r.type, text: r.text }, who).to.deep.equal({ cache: unknown.cache, type: unknown.type, text: unknown.text });
      }
      for (const [who, viewer] of [['sender', s.sender], ['recipient', s.recipient]] as const) {
        const r = await get(path, viewer);
        expect(r.status, `${who} ${path}`).to.equal(200);
        expect(r.type).to.equal('image/webp');
        expect(r.cache, who).to.match(/^private\b/).and.not.to.contain('public');
      }
    }
    const report = await api(s.recipient).post(`/api/v1/conversations/${s.conversationId}/report`, { reason: '骚扰' });
    expect(report.status, report.text).to.equal(201);
    for (const path of paths) {
      const r = await get(path, s.moderator);
      expect(r.status, `moderator after a report ${path}`).to.equal(200);
      expect(r.cache).to.match(/^private\b/);
      // A report opens the conversation to moderators only, never to other members.
      expect((await get(path, s.outsider)).status, `outsider after a report ${path}`).to.equal(404);
      expect((await get(path)).status, `anonymous after a report ${path}`).to.equal(404);
    }
  });

  it('hides a photo sent in a message from a public post\'s readers too, and does not let a forward or a pasted URL open or lock one', async () => {
    const [sender, recipient, outsider] = await Promise.all([buildUser(), buildUser(), buildUser()]);
    // Shown publicly first, then sent in a message: private wins (the safe side), as for private chapters.
    const shared = await upload(sender);
    await buildThread({ author: sender, body: `提车作业 ![](${shared.url})` });
    expect((await get(shared.url)).cache).to.equal(PUBLIC_CACHE);
    const started = await api(sender).post('/api/v1/conversations', { to: [recipient.username], body: `原图 ![](${shared.url})` });
    expect(started.status, started.text).to.equal(201);
    expect((await get(shared.url)).status).to.equal(404);
    expect((await get(shared.url, outsider)).status).to.equal(404);
    expect((await get(shared.url, recipient)).status).to.equal(200);
    // The recipient forwards it to someone else: not their upload, so the new conversation opens nothing.
    const forwarded = await api(recipient).post('/api/v1/conversations', { to: [outsider.username], body: `转给你看 ![](${shared.thumbnailUrl})` });
    expect(forwarded.status, forwarded.text).to.equal(201);
    expect((await get(shared.url, outsider)).status).to.equal(404);
    expect((await get(shared.thumbnailUrl, outsider)).status).to.equal(404);
    // Someone else's public photo pasted into a message stays public.
    const theirs = await upload(outsider);
    await buildThread({ author: outsider, body: `公开 ![](${theirs.url})` });
    const pasted = await api(sender).post(`/api/v1/conversations/${started.body.conversation.id}/messages`, { body: `你看这张 ![](${theirs.url})` });
    expect(pasted.status, pasted.text).to.equal(201);
    expect((await get(theirs.url)).cache).to.equal(PUBLIC_CACHE);
  });
});
