/**
 * Private messages against a real server, real SQLite and real sockets: only participants read
 * (API, page, socket join); messages arrive live and replay after a reconnect from a cursor; a
 * blocked member's messages never arrive; new accounts start few conversations; staff read a
 * conversation only once it is reported, and every such read is audit-logged.
 */
import { expect } from 'chai';
import { startServer, type TestServer } from '../support/server';
import { Client } from '../support/client';
import { openSocket, request, collect, until, quietFor, type TestSocket } from '../support/sockets';
import { TYPING_TTL_MS } from '../../server/realtime/contract';
import { buildUser, type BuiltUser } from '../support/factories';
import { waitFor } from '../support/wait';
import { AuditEntry, Message, Notification, User } from '../../server/models';
import { conversationsProcessor } from '../../server/workers/conversations';
import { postMessage } from '../../server/services/conversations';
import { db } from '../../server/db';
import { sqlDate } from '../../server/sql';

describe('private messages', function () {
  this.timeout(30_000);
  let server: TestServer;
  const sockets: TestSocket[] = [];
  const api = (u?: BuiltUser) => new Client(server.url).withToken(u?.token ?? null);
  const open = async (u: BuiltUser) => {
    const s = await openSocket(server.url, u.token);
    sockets.push(s);
    return s;
  };
  /** An account that is old enough not to be limited as a new one. */
  async function veteran(opts: { role?: 'moderator' | 'admin' } = {}): Promise<BuiltUser> {
    const u = await buildUser(opts);
    await db().query('UPDATE "users" SET "createdAt" = $1 WHERE "id" = $2', { bind: [sqlDate(new Date(Date.now() - 30 * 86_400_000)), u.user.id] });
    return u;
  }
  async function start(from: BuiltUser, to: BuiltUser[], body = '你好，想问一下提车的事') {
    const res = await api(from).post('/api/v1/conversations', { to: to.map((u) => u.username), body });
    expect(res.status, res.text).to.equal(201);
    return { id: res.body.conversation.id as string, message: res.body.message };
  }

  before(async () => {
    server = await startServer({ RATE_LIMIT_NEW_ACCOUNT_CONVERSATIONS_PER_HOUR: '2', MESSAGES_MAX_PARTICIPANTS: '4' });
  });
  afterEach(() => {
    for (const s of sockets.splice(0)) s.close();
  });
  after(async () => {
    await server?.close();
  });

  it('starts a conversation, lists it with unread state for the recipient, and continues a one-to-one one', async () => {
    const [a, b] = [await veteran(), await veteran()];
    const first = await start(a, [b]);
    expect(first.message.body).to.equal('你好，想问一下提车的事');
    const list = await api(b).get('/api/v1/conversations');
    expect(list.status).to.equal(200);
    const item = list.body.items.find((c: { id: string }) => c.id === first.id);
    expect(item.unread).to.equal(1);
    expect(item.lastMessage.author.username).to.equal(a.username);
    expect(item.participants.map((p: { username: string }) => p.username).sort()).to.deep.equal([a.username, b.username].sort());
    // Reading marks it read.
    expect((await api(b).get(`/api/v1/conversations/${first.id}`)).body.messages).to.have.length(1);
    const after = (await api(b).get('/api/v1/conversations')).body.items.find((c: { id: string }) => c.id === first.id);
    expect(after.unread).to.equal(0);
    // Writing to the same one person again continues the conversation.
    const again = await start(a, [b], '还有一个问题');
    expect(again.id).to.equal(first.id);
  });

  it('pages a long conversation: the latest 100 messages, older ones a link away, history not live', async () => {
    const [a, b] = await Promise.all([veteran(), veteran()]);
    const { id } = await start(a, [b], '第 1 条');
    // Written through the service (the API's rate limit is not what this tests).
    for (let i = 2; i <= 105; i++) await postMessage((i % 2 ? a : b).actor, Number(id), `第 ${i} 条`);
    const client = new Client(server.url);
    await client.browserLogin(b.username, b.password);
    const latest = await client.get(`/messages/${id}`);
    const bodies = (html: string) => [...html.matchAll(/<div class="message-body post-body"><p>第 (\d+) 条<\/p>/g)].map((m) => Number(m[1]));
    expect(bodies(latest.text)).to.deep.equal(Array.from({ length: 100 }, (_, i) => i + 6));
    expect(latest.text).to.include('data-live-enabled="true"');
    const older = /<a href="(\/messages\/\d+\?before(?:=|&#x3D;)\d+)">更早的消息<\/a>/.exec(latest.text); // Handlebars writes = as &#x3D;
    expect(older, 'a link to older messages').to.not.equal(null);
    const history = await client.get(older![1].replace('&#x3D;', '='));
    expect(bodies(history.text)).to.deep.equal([1, 2, 3, 4, 5]);
    expect(history.text).to.include('data-live-enabled="false"');
    expect(history.text).to.include(`href="/messages/${id}">回到最新消息</a>`);
    expect(history.text).not.to.include('更早的消息');
    expect((await client.get(`/messages/${id}?before=abc`)).status).to.equal(400);
  });

  it('refuses groups over MESSAGES_MAX_PARTICIPANTS and unknown recipients with validation_failed', async () => {
    const a = await veteran();
    const others = [await buildUser(), await buildUser(), await buildUser(), await buildUser()];
    const big = await api(a).post('/api/v1/conversations', { to: others.map((u) => u.username), body: '大家好' });
    expect(big.status).to.equal(400);
    expect(big.body.error.code).to.equal('validation_failed');
    const unknown = await api(a).post('/api/v1/conversations', { to: ['nobody_here_42'], body: '你好' });
    expect(unknown.status).to.equal(400);
    const self = await api(a).post('/api/v1/conversations', { to: [a.username], body: '你好' });
    expect(self.status).to.equal(400);
    const group = await start(a, others.slice(0, 3), '群聊');
    expect((await api(others[2]).get(`/api/v1/conversations/${group.id}`)).status).to.equal(200);
  });

  it('answers 404 to outsiders on the API, the page and the socket join', async () => {
    const [a, b, outsider] = [await veteran(), await veteran(), await buildUser()];
    const { id } = await start(a, [b]);
    const read = await api(outsider).get(`/api/v1/conversations/${id}`);
    expect(read.status).to.equal(404);
    expect(read.body.error.code).to.equal('not_found');
    expect((await api(outsider).post(`/api/v1/conversations/${id}/messages`, { body: '我也来' })).status).to.equal(404);
    expect((await api(outsider).post(`/api/v1/conversations/${id}/report`, { reason: '看看' })).status).to.equal(404);
    expect((await api().get(`/api/v1/conversations/${id}`)).status).to.equal(404);
    // The same answer as for a conversation that does not exist.
    expect((await api(outsider).get('/api/v1/conversations/999999')).status).to.equal(404);
    const page = new Client(server.url);
    await page.browserLogin(outsider.username, outsider.password);
    expect((await page.get(`/messages/${id}`)).status).to.equal(404);
    const socket = await open(outsider);
    const ack = await request(socket, 'conversation:join', { conversationId: id });
    expect(ack.ok).to.equal(false);
    expect(ack.ok === false && ack.error.code).to.equal('not_found');
  });

  it('shows typing to the other participants only: joined sockets, not the typist, never a blocker', async () => {
    const [a, b, c] = [await veteran(), await veteran(), await veteran()];
    const { id } = await start(a, [b, c], '群聊：周末提车');
    const [aSocket, bSocket, cSocket] = [await open(a), await open(b), await open(c)];
    const notJoined = await request(aSocket, 'conversation:typing', { conversationId: id });
    expect(!notJoined.ok && notJoined.error.code).to.equal('forbidden');
    for (const s of [aSocket, bSocket, cSocket]) expect((await request(s, 'conversation:join', { conversationId: id })).ok).to.equal(true);
    const [own, atB, atC] = [collect(aSocket, 'conversation:typing'), collect(bSocket, 'conversation:typing'), collect(cSocket, 'conversation:typing')];
    expect((await request(aSocket, 'conversation:typing', { conversationId: id })).ok).to.equal(true);
    await until(() => atB.length === 1 && atC.length === 1, 3_000, 'typing at b and c');
    expect(atB[0]).to.deep.equal({ conversationId: id, username: a.username, displayName: a.user.displayName, expiresInMs: TYPING_TTL_MS });
    expect(own).to.have.length(0);
    // c blocks a: a's typing reaches b only (after the 2 s renewal window).
    expect((await api(c).post(`/api/v1/users/${a.username}/block`)).status).to.equal(200);
    await new Promise((r) => setTimeout(r, 2_100));
    expect((await request(aSocket, 'conversation:typing', { conversationId: id })).ok).to.equal(true);
    await until(() => atB.length === 2, 3_000, 'typing at b again');
    expect(await quietFor(cSocket, 'conversation:typing', 300)).to.equal(true);
    expect(atC).to.have.length(1);
    // An outsider's socket cannot announce itself in the room.
    const outsider = await open(await veteran());
    const forged = await request(outsider, 'conversation:typing', { conversationId: id });
    expect(!forged.ok && forged.error.code).to.equal('forbidden');
  });

  it('delivers a message live to the other participant and replays what a reconnecting client missed', async () => {
    const [a, b] = [await veteran(), await veteran()];
    const { id, message: first } = await start(a, [b]);
    await server.resonance.dispatcher.drain();
    const bSocket = await open(b);
    const live = collect(bSocket, 'message:created');
    const joined = await request(bSocket, 'conversation:join', { conversationId: id });
    expect(joined.ok, JSON.stringify(joined)).to.equal(true);
    const sent = await api(a).post(`/api/v1/conversations/${id}/messages`, { body: '车到店了吗？' });
    expect(sent.status).to.equal(201);
    await until(() => live.length === 1, 5_000, 'the live message');
    expect(live[0].message.id).to.equal(sent.body.message.id);
    expect(live[0].message.author.username).to.equal(a.username);
    expect(live[0].replay).to.equal(undefined);

    // b goes away; two messages are sent meanwhile; b reconnects with its cursor.
    bSocket.close();
    const missed = [];
    for (const body of ['到了，明天来提', '记得带身份证']) missed.push((await api(a).post(`/api/v1/conversations/${id}/messages`, { body })).body.message.id);
    await server.resonance.dispatcher.drain();
    const again = await open(b);
    const replayed = collect(again, 'message:created');
    const ack = await request(again, 'conversation:join', { conversationId: id, lastSeenMessageId: live[0].message.id });
    expect(ack.ok).to.equal(true);
    expect(ack.ok && ack.data.replayed).to.equal(2);
    expect(replayed.map((p) => p.message.id)).to.deep.equal(missed);
    expect(replayed.every((p) => p.replay === true)).to.equal(true);
    expect(replayed.map((p) => p.message.id)).to.not.include(first.id);
  });

  it('notifies the recipient, grouped per conversation, and reading the conversation marks them read', async () => {
    const [a, b] = [await veteran(), await veteran()];
    const { id } = await start(a, [b]);
    await api(a).post(`/api/v1/conversations/${id}/messages`, { body: '在吗' });
    await waitFor(async () => (await Notification.count({ where: { userId: b.user.id, kind: 'message' } })) === 2, 'two message notifications');
    const notes = await api(b).get('/api/v1/notifications');
    const mine = notes.body.items.filter((n: { kind: string }) => n.kind === 'message');
    expect(mine.map((n: { url: string }) => n.url)).to.deep.equal([`/messages/${id}`, `/messages/${id}`]);
    const page = new Client(server.url);
    await page.browserLogin(b.username, b.password);
    const list = await page.get('/notifications');
    expect(list.text.match(/data-notification-id=/g)?.length).to.equal(1);
    expect((await page.get(`/messages/${id}`)).status).to.equal(200);
    expect(await Notification.count({ where: { userId: b.user.id, kind: 'message', readAt: null } })).to.equal(0);
    // The author is not notified of their own messages.
    expect(await Notification.count({ where: { userId: a.user.id, kind: 'message' } })).to.equal(0);
  });

  it("a blocked member cannot start a conversation with the blocker, and their messages arrive neither stored nor live", async () => {
    const [a, b] = [await veteran(), await veteran()];
    const { id } = await start(a, [b]);
    await server.resonance.dispatcher.drain();
    const blocked = await api(b).post(`/api/v1/users/${a.username}/block`);
    expect(blocked.status, blocked.text).to.equal(200);
    expect((await api(b).get('/api/v1/me/blocks')).body.items.map((x: { user: { username: string } }) => x.user.username)).to.deep.equal([a.username]);

    const bSocket = await open(b);
    const live = collect(bSocket, 'message:created');
    expect((await request(bSocket, 'conversation:join', { conversationId: id })).ok).to.equal(true);
    const refused = await api(a).post(`/api/v1/conversations/${id}/messages`, { body: '为什么不理我' });
    expect(refused.status).to.equal(403);
    expect(refused.body.error.code).to.equal('forbidden');
    // The refusal does not say "blocked" (the blocked member is not told).
    expect(refused.body.error.message).to.not.match(/block|屏蔽/i);
    const fresh = await api(a).post('/api/v1/conversations', { to: [b.username], body: '换个对话' });
    expect(fresh.status).to.equal(403);
    // The blocker may not write either until they unblock, and is told why.
    const own = await api(b).post(`/api/v1/conversations/${id}/messages`, { body: '我自己的消息' });
    expect(own.status).to.equal(403);
    expect(own.body.error.message).to.match(/unblock|解除屏蔽/i);
    // Once the pipeline is idle, a command's ack on the same connection comes after anything pushed before it.
    await server.resonance.dispatcher.drain();
    await request(bSocket, 'conversation:join', { conversationId: id });
    expect(live).to.deep.equal([]);
    const stored = await api(b).get(`/api/v1/conversations/${id}`);
    expect(stored.body.messages.map((m: { body: string }) => m.body)).to.deep.equal(['你好，想问一下提车的事']);
    expect(await Notification.count({ where: { userId: b.user.id, kind: 'message' } })).to.equal(1);

    // Unblocked (from the settings page's list), messages flow again.
    const page = new Client(server.url);
    await page.browserLogin(b.username, b.password);
    const settings = await page.get('/settings');
    expect(settings.text).to.include(`/blocks/${a.username}/delete`);
    expect((await page.post(`/blocks/${a.username}/delete`, new URLSearchParams({ _csrf: page.csrf ?? '' }))).status).to.equal(303);
    const ok = await api(a).post(`/api/v1/conversations/${id}/messages`, { body: '现在可以了' });
    expect(ok.status).to.equal(201);
    await until(() => live.length === 1, 5_000, 'the message after unblocking');
    expect(live[0].message.body).to.equal('现在可以了');
  });

  it('leaves a blocker out of the live push of a message written before the block (the processor re-checks)', async () => {
    const [a, b, c] = [await veteran(), await veteran(), await veteran()];
    const { id } = await start(a, [b, c], '三人群聊');
    await server.resonance.dispatcher.drain();
    const [bSocket, cSocket] = [await open(b), await open(c)];
    const [bSeen, cSeen] = [collect(bSocket, 'message:created'), collect(cSocket, 'message:created')];
    for (const s of [bSocket, cSocket]) expect((await request(s, 'conversation:join', { conversationId: id })).ok).to.equal(true);
    const message = await Message.findOne({ where: { conversationId: Number(id) } });
    // The block lands between the write and the push: the event is handled as the pipeline would.
    expect((await api(b).post(`/api/v1/users/${a.username}/block`)).status).to.equal(200);
    await conversationsProcessor(server.resonance.io).handleBatch!([
      { type: 'message.created', messageId: message!.id, conversationId: Number(id), authorId: a.user.id, recipientIds: [b.user.id, c.user.id], eventId: 0, at: new Date() },
    ]);
    await until(() => cSeen.length === 1, 5_000, 'the push to the participant who blocked no one');
    await request(bSocket, 'conversation:join', { conversationId: id });
    expect(bSeen).to.deep.equal([]);
    // What a wrote after the block is not shown to b, while c reads it (a group: the sender is refused only towards b).
    expect((await api(a).post(`/api/v1/conversations/${id}/messages`, { body: '还在吗' })).status).to.equal(403);
  });

  it('limits how many conversations a new account starts per hour, with the contract error', async () => {
    const newbie = await buildUser();
    const targets = [await buildUser(), await buildUser(), await buildUser()];
    // A failed attempt (a mistyped name) spends nothing.
    expect((await api(newbie).post('/api/v1/conversations', { to: ['nobody_here_42'], body: '你好' })).status).to.equal(400);
    await start(newbie, [targets[0]]);
    await start(newbie, [targets[1]]);
    const third = await api(newbie).post('/api/v1/conversations', { to: [targets[2].username], body: '加个好友' });
    expect(third.status).to.equal(429);
    expect(third.body.error.code).to.equal('rate_limited');
    expect(Number(third.headers.get('retry-after'))).to.be.greaterThan(0);
    // Replying in an existing conversation is not starting one.
    const convs = (await api(newbie).get('/api/v1/conversations')).body.items;
    expect((await api(newbie).post(`/api/v1/conversations/${convs[0].id}/messages`, { body: '补充一句' })).status).to.equal(201);
    // An older account is not limited so.
    const old = await veteran();
    for (const t of targets) await start(old, [t]);
  });

  it('staff get 404 before a report, can read after it, and each read is audit-logged', async () => {
    const [a, b] = [await veteran(), await veteran()];
    const moderator = await veteran({ role: 'moderator' });
    const { id, message } = await start(a, [b], '加我微信，低价出车');
    expect((await api(moderator).get(`/api/v1/conversations/${id}`)).status).to.equal(404);
    const modPage = new Client(server.url);
    await modPage.browserLogin(moderator.username, moderator.password);
    expect((await modPage.get(`/messages/${id}`)).status).to.equal(404);
    expect(await AuditEntry.count({ where: { action: 'conversation.read', subjectId: id } })).to.equal(0);

    const report = await api(b).post(`/api/v1/conversations/${id}/report`, { reason: '广告骚扰', messageId: message.id });
    expect(report.status, report.text).to.equal(201);
    const reports = await api(moderator).get('/api/v1/reported-conversations');
    expect(reports.body.items.map((r: { conversationId: string }) => r.conversationId)).to.include(id);
    expect((await api(a).get('/api/v1/reported-conversations')).status).to.equal(403);

    const read = await api(moderator).get(`/api/v1/conversations/${id}`);
    expect(read.status).to.equal(200);
    expect(read.body.messages[0].body).to.equal('加我微信，低价出车');
    const page = await modPage.get(`/messages/${id}`);
    expect(page.status).to.equal(200);
    expect(page.text).to.include('加我微信，低价出车');
    expect(page.text).to.not.include('data-message-form');
    const entries = await AuditEntry.findAll({ where: { action: 'conversation.read', subjectType: 'conversation', subjectId: id } });
    expect(entries.map((e) => e.actorId)).to.deep.equal([moderator.user.id, moderator.user.id]);
    // Reading is not writing: staff cannot post into it, nor follow it live.
    expect((await api(moderator).post(`/api/v1/conversations/${id}/messages`, { body: '版主提醒' })).status).to.equal(404);
    const socket = await open(moderator);
    const ack = await request(socket, 'conversation:join', { conversationId: id });
    expect(ack.ok === false && ack.error.code).to.equal('not_found');
    // A member who is not staff still gets 404 after the report.
    const outsider = await buildUser();
    expect((await api(outsider).get(`/api/v1/conversations/${id}`)).status).to.equal(404);
    expect(await User.count()).to.be.greaterThan(0);
  });

  it('exports the messages a member wrote and their blocks; deleting the account keeps them for the others, anonymised', async () => {
    const [a, b] = [await veteran(), await veteran()];
    const { id } = await start(a, [b], '我的私信');
    await api(a).post(`/api/v1/users/${b.username}/block`);
    const exported = (await api(a).get('/api/v1/me/export')).body;
    expect(exported.messages.map((m: { body: string }) => m.body)).to.deep.equal(['我的私信']);
    expect(exported.conversations.map((c: { id: string }) => c.id)).to.deep.equal([id]);
    expect(exported.blocks).to.have.length(1);
    expect((await api(a).delete('/api/v1/me', { password: a.password })).status).to.equal(204);
    const seen = await api(b).get(`/api/v1/conversations/${id}`);
    expect(seen.body.messages.map((m: { body: string; author: { displayName: string } }) => [m.body, m.author.displayName])).to.deep.equal([['我的私信', '—']]);
  });

  it('renders /messages, the composer and the profile entry point in Chinese', async () => {
    const [a, b] = [await veteran(), await veteran()];
    const { id } = await start(a, [b]);
    const page = new Client(server.url);
    await page.browserLogin(b.username, b.password);
    const list = await page.get('/messages');
    expect(list.status).to.equal(200);
    expect(list.text).to.include(`href="/messages/${id}"`);
    expect(list.text).to.match(/class="unread"/);
    const profile = await page.get(`/u/${a.username}`);
    expect(profile.text).to.include(`/messages/new?to=${a.username}`);
    const form = await page.get(`/messages/new?to=${a.username}`);
    expect(form.text).to.include(`value="${a.username}"`);
    // The page form: an empty body re-renders with the message next to it and the draft kept.
    const bad = await page.post('/messages', new URLSearchParams({ _csrf: page.csrf ?? '', to: a.username, body: '   ' }));
    expect(bad.status).to.equal(400);
    expect(bad.text).to.include('form-error');
    const sent = await page.post(`/messages/${id}`, new URLSearchParams({ _csrf: page.csrf ?? '', body: '收到，谢谢' }));
    expect(sent.status).to.equal(303);
    expect(sent.headers.get('location')).to.match(new RegExp(`^/messages/${id}#m\\d+$`));
  });
});
