/**
 * Live connections end with the access behind them: logout, password change and role change
 * disconnect a session's sockets; a revoked session cannot run a privileged command; a
 * cookie-authenticated handshake must come from our own origin; and opening more sockets from
 * one address buys no more commands or replays.
 */
import { expect } from 'chai';
import { io as connect } from 'socket.io-client';
import { startServer, type TestServer } from '../support/server';
import { Client } from '../support/client';
import { openSocket, request, collect, until, type TestSocket } from '../support/sockets';
import { buildUser, buildChapter, buildThread, buildPost, type BuiltUser } from '../support/factories';
import { Credential } from '../../server/models';
import { secretHashOf } from '../../server/services/accounts';

/** Connect with arbitrary handshake headers; resolves with the socket or the connect error. */
function tryConnect(url: string, extraHeaders: Record<string, string>, token?: string): Promise<TestSocket | Error> {
  const s = connect(url, { transports: ['websocket'], extraHeaders, auth: token ? { token } : {}, reconnection: false, forceNew: true }) as TestSocket;
  return new Promise((resolve) => {
    s.once('connect', () => resolve(s));
    s.once('connect_error', (err) => {
      s.close();
      resolve(err);
    });
  });
}

/** A second, independent login session of the same user. */
async function secondSession(server: TestServer, u: BuiltUser): Promise<string> {
  const res = await new Client(server.url).post('/api/v1/auth/login', { username: u.username, password: u.password });
  expect(res.status, res.text).to.equal(200);
  return res.body.token;
}

describe('live connections follow the access behind them', function () {
  this.timeout(30_000);
  let server: TestServer;
  const sockets: TestSocket[] = [];
  const open = async (token?: string, extra?: { cookie?: string }) => {
    const s = await openSocket(server.url, token, extra);
    sockets.push(s);
    return s;
  };
  const api = (token?: string) => new Client(server.url).withToken(token ?? null);
  const disconnected = (s: TestSocket) => new Promise<void>((resolve) => (s.connected ? s.once('disconnect', () => resolve()) : resolve()));

  /** A private chapter thread with a member reading it live over `socket`. */
  async function readerInPrivateThread(token?: string) {
    const member = await buildUser();
    const writer = await buildUser();
    const chapter = await buildChapter({ visibility: 'private', members: [member, writer] });
    const { thread } = await buildThread({ chapter, author: writer });
    const socket = await open(token ?? member.token);
    expect((await request(socket, 'thread:join', { threadId: String(thread.id) })).ok).to.equal(true);
    return { member, writer, chapter, thread, socket };
  }

  before(async () => {
    server = await startServer({ PUBLIC_URL: 'https://forum.example.cn' }, { realtime: { limits: { socketsPerAddress: 1_000 } } });
  });
  afterEach(() => {
    sockets.splice(0).forEach((s) => s.disconnect());
  });
  after(async () => server.close());

  it('logout disconnects that session’s sockets, and only that session’s', async () => {
    const { member, writer, thread, socket } = await readerInPrivateThread();
    const otherToken = await secondSession(server, member);
    const other = await open(otherToken);
    expect((await request(other, 'thread:join', { threadId: String(thread.id) })).ok).to.equal(true);
    const ended = collect(socket, 'session:ended');
    const created = collect(socket, 'post:created');
    const gone = disconnected(socket);

    expect((await api(member.token).post('/api/v1/auth/logout')).status).to.equal(204);
    await gone;
    expect(ended).to.deep.equal([{ reason: 'logout' }]);

    const otherCreated = collect(other, 'post:created');
    await api(writer.token).post(`/api/v1/threads/${thread.id}/posts`, { body: '退出登录之后的私密帖子' });
    await until(() => otherCreated.length === 1, 5000, 'the other session still streams');
    expect(created).to.have.length(0);
    expect(other.connected).to.equal(true);
  });

  it('a password change disconnects every other session; the one that changed it stays', async () => {
    const { member, thread, socket } = await readerInPrivateThread();
    const currentToken = await secondSession(server, member);
    const current = await open(currentToken);
    expect((await request(current, 'thread:join', { threadId: String(thread.id) })).ok).to.equal(true);
    const gone = disconnected(socket);
    const ended = collect(socket, 'session:ended');

    const wrong = await api(currentToken).post('/api/v1/me/password', { currentPassword: 'not-my-password', newPassword: 'a-new-password-1' });
    expect(wrong.status).to.equal(400);
    expect(socket.connected, 'a refused change ends nothing').to.equal(true);

    const res = await api(currentToken).post('/api/v1/me/password', { currentPassword: member.password, newPassword: 'a-new-password-1' });
    expect(res.status, res.text).to.equal(204);
    await gone;
    expect(ended).to.deep.equal([{ reason: 'password' }]);
    expect(current.connected).to.equal(true);
    expect((await api(member.token).get('/api/v1/me')).status, 'the old session is revoked').to.equal(401);
    expect((await api(currentToken).get('/api/v1/me')).status).to.equal(200);
    const login = await new Client(server.url).post('/api/v1/auth/login', { username: member.username, password: 'a-new-password-1' });
    expect(login.status).to.equal(200);
  });

  it('a role change disconnects the user’s sockets so they reconnect with the new role', async () => {
    const moderator = await buildUser({ role: 'moderator' });
    const admin = await buildUser({ role: 'admin' });
    const chapter = await buildChapter({ visibility: 'private' });
    const { thread } = await buildThread({ chapter });
    const s = await open(moderator.token);
    expect((await request(s, 'thread:join', { threadId: String(thread.id) })).ok, 'staff read private chapters').to.equal(true);
    const gone = disconnected(s);
    const res = await api(admin.token).put(`/api/v1/users/${moderator.username}/role`, { role: 'member', reason: 'stepped down' });
    expect(res.status, res.text).to.equal(200);
    await gone;
    const again = await open(moderator.token);
    const join = await request(again, 'thread:join', { threadId: String(thread.id) });
    expect(!join.ok && join.error.code).to.equal('forbidden');
  });

  it('re-checks the session on each privileged command: a session revoked elsewhere cannot join or replay', async () => {
    const { member, writer, chapter, socket } = await readerInPrivateThread();
    const { thread: second } = await buildThread({ chapter, author: writer });
    const { post } = await buildPost({ thread: second, author: writer, body: '错过的私密回复' });
    // Revoked behind the server's back (another process, an admin script): no event, no cache drop here.
    await Credential.update({ revokedAt: new Date() }, { where: { secretHash: secretHashOf(member.token) } });
    const replayed = collect(socket, 'post:created');
    const gone = disconnected(socket);
    const join = await request(socket, 'thread:join', { threadId: String(second.id), lastSeenPostId: String(post.id - 1) });
    expect(!join.ok && join.error.code).to.equal('unauthenticated');
    await gone;
    expect(replayed).to.have.length(0);
  });

  describe('cookie-authenticated handshakes must come from PUBLIC_URL', () => {
    it('refuses a foreign Origin with the session cookie, accepts our own, and accepts bearer tokens from anywhere', async () => {
      const u = await buildUser();
      const evil = await tryConnect(server.url, { cookie: `rs_session=${u.token}`, origin: 'https://evil.example' });
      expect(evil).to.be.instanceOf(Error);
      expect(String(evil)).to.contain('forbidden');
      const lookalike = await tryConnect(server.url, { cookie: `rs_session=${u.token}`, origin: 'https://forum.example.cn.evil.example' });
      expect(lookalike).to.be.instanceOf(Error);

      const ours = await tryConnect(server.url, { cookie: `rs_session=${u.token}`, origin: 'https://forum.example.cn' });
      expect(ours).to.not.be.instanceOf(Error);
      sockets.push(ours as TestSocket);
      // No ambient credential: a token must be presented on purpose, so the origin does not matter.
      const bearer = await tryConnect(server.url, { origin: 'https://evil.example' }, u.token);
      expect(bearer).to.not.be.instanceOf(Error);
      sockets.push(bearer as TestSocket);
    });
  });
});

describe('socket limits count the client, not the socket', function () {
  this.timeout(30_000);
  let server: TestServer;
  const sockets: TestSocket[] = [];

  before(async () => {
    server = await startServer(
      {},
      { realtime: { limits: { commandsPerSocket: 1_000, commandsPerClient: 40, replayPostsPerClient: 60, socketsPerAddress: 5, windowMs: 60_000 } } },
    );
  });
  afterEach(() => {
    sockets.splice(0).forEach((s) => s.disconnect());
  });
  after(async () => server.close());

  it('caps concurrent sockets per address, and frees a slot on disconnect', async () => {
    for (let i = 0; i < 5; i++) sockets.push(await openSocket(server.url));
    const sixth = await tryConnect(server.url, {});
    expect(String(sixth)).to.contain('rate_limited');
    sockets.shift()!.disconnect();
    await new Promise((r) => setTimeout(r, 100));
    const again = await tryConnect(server.url, {});
    expect(again).to.not.be.instanceOf(Error);
    sockets.push(again as TestSocket);
  });

  it('shares one command budget and one replay budget across the sockets of one address', async () => {
    const { thread, author } = await buildThread();
    for (let i = 0; i < 12; i++) await buildPost({ thread, author, body: `回放 ${i}` });
    expect((await request(await openAndKeep(), 'thread:join', { threadId: String(thread.id) })).ok).to.equal(true);
    // Each join replays the thread's 13 posts; the budget of 60 posts allows four, whichever socket asks.
    const results: string[] = [];
    for (let i = 0; i < 8; i++) {
      const s = sockets[i % 4] ?? (await openAndKeep());
      const res = await request(s, 'thread:join', { threadId: String(thread.id), lastSeenPostId: '0' });
      results.push(res.ok ? 'ok' : res.error.code);
    }
    expect(results.filter((r) => r === 'ok')).to.have.length(4);
    expect(results.slice(4)).to.deep.equal(['rate_limited', 'rate_limited', 'rate_limited', 'rate_limited']);

    // Commands: 40 per address in all (9 used above), spread over the sockets.
    const codes: string[] = [];
    for (let i = 0; i < 40; i++) {
      const res = await request(sockets[i % sockets.length], 'thread:leave', { threadId: String(thread.id) });
      codes.push(res.ok ? 'ok' : res.error.code);
    }
    expect(codes.filter((c) => c === 'ok')).to.have.length(31);
    expect(codes.slice(31).every((c) => c === 'rate_limited')).to.equal(true);
  });

  async function openAndKeep() {
    const s = await openSocket(server.url);
    sockets.push(s);
    return s;
  }
});
