/** Live threads over real Socket.IO connections to a real server. */
import { expect } from 'chai';
import { startServer, type TestServer } from '../support/server';
import { Client } from '../support/client';
import { openSocket, request, collect, until, quietFor, type TestSocket } from '../support/sockets';
import { buildUser, buildChapter, buildThread, buildPost } from '../support/factories';
import { TYPING_TTL_MS } from '../../server/realtime/contract';

describe('live threads (Socket.IO)', () => {
  let server: TestServer;
  const sockets: TestSocket[] = [];
  const open = async (token?: string, extra?: { cookie?: string }) => {
    const s = await openSocket(server.url, token, extra);
    sockets.push(s);
    return s;
  };
  const api = (token?: string) => new Client(server.url).withToken(token ?? null);

  before(async () => {
    server = await startServer({}, { realtime: { limits: { commandsPerSocket: 15, windowMs: 2_000 } } });
  });
  afterEach(() => {
    sockets.splice(0).forEach((s) => s.disconnect());
  });
  after(async () => server.close());

  it('joins a thread and streams post:created, post:updated, post:liked and post:removed after commit', async () => {
    const author = await buildUser();
    const fan = await buildUser();
    const { thread } = await buildThread({ author });
    await server.resonance.dispatcher.drain(); // the thread's own first post is not part of this test
    const reader = await open();
    const join = await request(reader, 'thread:join', { threadId: String(thread.id) });
    expect(join.ok).to.equal(true);
    if (join.ok) expect(join.data.thread.id).to.equal(String(thread.id));
    const created = collect(reader, 'post:created');
    const updated = collect(reader, 'post:updated');
    const liked = collect(reader, 'post:liked');
    const removed = collect(reader, 'post:removed');

    const res = await api(author.token).post(`/api/v1/threads/${thread.id}/posts`, { body: '实时 **你好**' });
    await until(() => created.length === 1, 5000, 'post:created');
    expect(created[0].post).to.deep.include({ id: res.body.post.id, body: '实时 **你好**' });
    expect(created[0].post.html).to.contain('<strong>你好</strong>');

    await api(author.token).patch(`/api/v1/posts/${res.body.post.id}`, { body: '改了' });
    await until(() => updated.length === 1, 5000, 'post:updated');
    expect(updated[0].post.body).to.equal('改了');

    await api(fan.token).post(`/api/v1/posts/${res.body.post.id}/like`);
    await until(() => liked.length === 1, 5000, 'post:liked');
    expect(liked[0]).to.deep.equal({ threadId: String(thread.id), postId: res.body.post.id, likes: 1 });

    await api(author.token).delete(`/api/v1/posts/${res.body.post.id}`);
    await until(() => removed.length === 1, 5000, 'post:removed');
    expect(removed[0]).to.deep.equal({ threadId: String(thread.id), postId: res.body.post.id, reason: 'deleted' });
  });

  it('stops streaming after thread:leave', async () => {
    const { thread, author } = await buildThread();
    const reader = await open();
    await request(reader, 'thread:join', { threadId: String(thread.id) });
    const left = await request(reader, 'thread:leave', { threadId: String(thread.id) });
    expect(left).to.deep.equal({ ok: true, data: null });
    const silent = quietFor(reader, 'post:created', 600);
    await buildPost({ thread, author });
    expect(await silent).to.equal(true);
  });

  it('replays every post after lastSeenPostId before streaming, in order', async () => {
    const { thread, post: first } = await buildThread();
    const missed = [];
    for (let i = 0; i < 5; i++) missed.push((await buildPost({ thread, body: `离线期间 ${i}` })).post);
    await server.resonance.dispatcher.drain(); // only the replay may deliver these
    const reader = await open();
    const created = collect(reader, 'post:created');
    const join = await request(reader, 'thread:join', { threadId: String(thread.id), lastSeenPostId: String(missed[1].id) });
    expect(join.ok && join.data.replayed).to.equal(3);
    // Replayed posts arrive before the ack resolves.
    expect(created.map((c) => c.post.id)).to.deep.equal(missed.slice(2).map((p) => String(p.id)));
    expect(created.every((c) => c.replay === true)).to.equal(true);
    const fromStart = await open();
    const all = collect(fromStart, 'post:created');
    await request(fromStart, 'thread:join', { threadId: String(thread.id), lastSeenPostId: String(first.id) });
    expect(all).to.have.length(5);
  });

  it('delivers concurrent posts from several clients to every reader: none lost, none duplicated, order by id recoverable', async () => {
    const { thread } = await buildThread();
    const posters = await Promise.all(Array.from({ length: 4 }, () => buildUser()));
    const readers = await Promise.all(Array.from({ length: 3 }, () => open()));
    const seen = readers.map((r) => collect(r, 'post:created'));
    for (const r of readers) await request(r, 'thread:join', { threadId: String(thread.id) });
    const results = await Promise.all(
      posters.flatMap((p) => Array.from({ length: 5 }, (_, i) => api(p.token).post(`/api/v1/threads/${thread.id}/posts`, { body: `${p.username} #${i}` }))),
    );
    const ids = results.map((r) => r.body.post.id as string).sort((a, b) => Number(a) - Number(b));
    expect(ids).to.have.length(20);
    for (const s of seen) {
      await until(() => s.length >= 20, 8000, 'all 20 posts');
      await new Promise((r) => setTimeout(r, 100));
      const got = s.map((e) => e.post.id);
      expect(new Set(got).size).to.equal(got.length);
      expect([...got].sort((a, b) => Number(a) - Number(b))).to.deep.equal(ids);
      // The outbox is processed in commit order, so the stream is already ordered by id.
      expect(got).to.deep.equal(ids);
    }
  });

  it('refuses to join a private chapter thread unless a member or staff', async () => {
    const member = await buildUser();
    const chapter = await buildChapter({ visibility: 'private', members: [member] });
    const { thread } = await buildThread({ chapter, author: member });
    const stranger = await buildUser();
    const pr = await buildUser({ role: 'pr' });
    const anon = await request(await open(), 'thread:join', { threadId: String(thread.id) });
    expect(anon).to.deep.equal({ ok: false, error: { code: 'unauthenticated', message: 'Authentication required' } });
    const denied = await request(await open(stranger.token), 'thread:join', { threadId: String(thread.id) });
    expect(denied.ok).to.equal(false);
    if (!denied.ok) expect(denied.error.code).to.equal('forbidden');
    expect((await request(await open(member.token), 'thread:join', { threadId: String(thread.id) })).ok).to.equal(true);
    expect((await request(await open(pr.token), 'thread:join', { threadId: String(thread.id) })).ok).to.equal(true);
    const missing = await request(await open(), 'thread:join', { threadId: '99999999' });
    expect(!missing.ok && missing.error.code).to.equal('not_found');
  });

  it('authenticates the handshake by session cookie as well as auth.token, and rejects a bad token', async () => {
    const u = await buildUser();
    const chapter = await buildChapter({ visibility: 'private', members: [u] });
    const { thread } = await buildThread({ chapter, author: u });
    const viaCookie = await open(undefined, { cookie: `rs_session=${u.token}` });
    expect((await request(viaCookie, 'thread:join', { threadId: String(thread.id) })).ok).to.equal(true);
    let error: Error | null = null;
    await openSocket(server.url, 'rs_not-a-real-token').catch((e: Error) => (error = e));
    expect(error).to.be.instanceOf(Error);
    expect(String(error)).to.contain('unauthenticated');
  });

  it('stops a member’s stream at once when they leave or are removed from a private chapter', async () => {
    const member = await buildUser();
    const writer = await buildUser();
    const chapter = await buildChapter({ visibility: 'private', members: [member, writer] });
    const { thread } = await buildThread({ chapter, author: writer });
    const s = await open(member.token);
    expect((await request(s, 'thread:join', { threadId: String(thread.id) })).ok).to.equal(true);
    const revoked = collect(s, 'thread:revoked');
    const created = collect(s, 'post:created');
    await api(member.token).post(`/api/v1/chapters/${chapter.slug}/leave`);
    await until(() => revoked.length === 1, 5000, 'thread:revoked');
    expect(revoked[0]).to.deep.equal({ threadId: String(thread.id) });
    await api(writer.token).post(`/api/v1/threads/${thread.id}/posts`, { body: '成员退出后的帖子' });
    await server.resonance.dispatcher.drain();
    await new Promise((r) => setTimeout(r, 200));
    expect(created).to.have.length(0);
    const rejoin = await request(s, 'thread:join', { threadId: String(thread.id) });
    expect(!rejoin.ok && rejoin.error.code).to.equal('forbidden');
  });

  it('updates presence with the viewer count and logged-in names', async () => {
    const a = await buildUser({ displayName: '阿强' });
    const b = await buildUser({ displayName: '小美' });
    const { thread } = await buildThread();
    const sa = await open(a.token);
    const presence = collect(sa, 'presence:updated');
    await request(sa, 'thread:join', { threadId: String(thread.id) });
    const sb = await open(b.token);
    await request(sb, 'thread:join', { threadId: String(thread.id) });
    const anon = await open();
    await request(anon, 'thread:join', { threadId: String(thread.id) });
    await until(() => presence.some((p) => p.viewers === 3), 3000, 'presence of 3');
    const last = presence.at(-1)!;
    expect(last.members.map((m) => m.displayName).sort()).to.deep.equal(['小美', '阿强'].sort());
    anon.disconnect();
    sb.disconnect();
    await until(() => presence.at(-1)!.viewers === 1, 3000, 'presence back to 1');
    expect(presence.at(-1)!.members.map((m) => m.username)).to.deep.equal([a.username]);
  });

  it('broadcasts typing to others only, with an expiry, and only for joined, logged-in sockets', async () => {
    const a = await buildUser({ displayName: '打字的人' });
    const { thread } = await buildThread();
    const typist = await open(a.token);
    const watcher = await open();
    await request(watcher, 'thread:join', { threadId: String(thread.id) });
    const notJoined = await request(typist, 'typing:start', { threadId: String(thread.id) });
    expect(!notJoined.ok && notJoined.error.code).to.equal('forbidden');
    await request(typist, 'thread:join', { threadId: String(thread.id) });
    const typing = collect(watcher, 'typing');
    const own = collect(typist, 'typing');
    expect((await request(typist, 'typing:start', { threadId: String(thread.id) })).ok).to.equal(true);
    await until(() => typing.length === 1, 3000, 'typing');
    expect(typing[0]).to.deep.equal({ threadId: String(thread.id), username: a.username, displayName: '打字的人', expiresInMs: TYPING_TTL_MS });
    // Renewals within 2 s are absorbed (the indicator is still alive on clients).
    await request(typist, 'typing:start', { threadId: String(thread.id) });
    await new Promise((r) => setTimeout(r, 200));
    expect(typing).to.have.length(1);
    expect(own).to.have.length(0);
    const anonTyping = await request(watcher, 'typing:start', { threadId: String(thread.id) });
    expect(!anonTyping.ok && anonTyping.error.code).to.equal('unauthenticated');
  });

  it('pushes notification:created to the mentioned member’s own room only', async () => {
    const target = await buildUser();
    const other = await buildUser();
    const author = await buildUser();
    const st = await open(target.token);
    const so = await open(other.token);
    const mine = collect(st, 'notification:created');
    const theirs = collect(so, 'notification:created');
    const { thread } = await buildThread({ author });
    await api(author.token).post(`/api/v1/threads/${thread.id}/posts`, { body: `@${target.username} 快来` });
    await until(() => mine.length === 1, 5000, 'notification');
    expect(mine[0].notification).to.include({ kind: 'mention', read: false });
    expect(mine[0].unread).to.equal(1);
    expect(theirs).to.have.length(0);
  });

  it('answers malformed payloads with validation_failed and ignores unknown events without crashing', async () => {
    const s = await open();
    for (const bad of [null, 42, 'x', {}, { threadId: 12 }, { threadId: '../../etc' }, { threadId: '1', lastSeenPostId: { $gt: 1 } }, { threadId: 'x'.repeat(5000) }]) {
      const r = await request(s, 'thread:join', bad as never);
      expect(r.ok, JSON.stringify(bad)).to.equal(false);
      if (!r.ok) expect(r.error.code).to.equal('validation_failed');
    }
    (s.emit as (e: string, ...a: unknown[]) => void)('no:such:event', { a: 1 });
    (s.emit as (e: string, ...a: unknown[]) => void)('thread:join'); // no payload, no ack
    const { thread } = await buildThread();
    const ok = await request(s, 'thread:join', { threadId: String(thread.id) });
    expect(ok.ok).to.equal(true);
    expect(s.connected).to.equal(true);
  });

  it('disconnects a socket that sends a payload over the size limit', async () => {
    const s = await open();
    const closed = new Promise<string>((resolve) => s.once('disconnect', (reason) => resolve(reason)));
    s.emit('thread:join', { threadId: '1', lastSeenPostId: '1', pad: 'x'.repeat(64 * 1024) } as never, () => undefined);
    expect(await closed).to.be.a('string');
  });

  it('rate-limits a flood of commands: rate_limited acks, then a disconnect', async () => {
    const { thread } = await buildThread();
    const s = await open();
    const disconnected = new Promise<void>((resolve) => s.once('disconnect', () => resolve()));
    const acks = await Promise.all(Array.from({ length: 30 }, () => request(s, 'thread:join', { threadId: String(thread.id) })));
    const limited = acks.filter((a) => !a.ok && a.error.code === 'rate_limited');
    expect(acks.filter((a) => a.ok)).to.have.length(15);
    expect(limited).to.have.length(15);
    for (let i = 0; i < 30 && s.connected; i++) s.emit('typing:start', { threadId: String(thread.id) });
    await disconnected;
    expect(s.connected).to.equal(false);
  });
});
