/**
 * Sanctions (issue #10): warn, suspend, ban and lift through the real API. Reasons are mandatory,
 * every action is audited with the standing before and after, a warned member is notified with
 * the reason, a suspended member's live socket ends and they can read but not write, and a
 * suspension ends by itself (checked with a controllable clock and a past end date, no sleeping).
 */
import { expect } from 'chai';
import { startServer, type TestServer } from '../support/server';
import { Client } from '../support/client';
import { openSocket, collect, type TestSocket } from '../support/sockets';
import { waitFor } from '../support/wait';
import { buildThread, buildUser, type BuiltUser } from '../support/factories';
import { AuditEntry, OutboxEvent, Sanction, User } from '../../server/models';
import { actorFor } from '../../server/services/accounts';
import { standingOf } from '../../server/services/sanctions';

describe('sanctions: warn, suspend, ban, lift', function () {
  this.timeout(60_000);
  let server: TestServer;
  let moderator: BuiltUser;
  let admin: BuiltUser;
  const sockets: TestSocket[] = [];
  const api = (u: BuiltUser | null) => new Client(server.url).withToken(u?.token ?? null);
  const login = async (u: BuiltUser) => {
    const res = await new Client(server.url).post('/api/v1/auth/login', { username: u.username, password: u.password });
    expect(res.status, res.text).to.equal(200);
    return res.body.token as string;
  };
  const auditOf = (action: string, userId: number) => AuditEntry.findAll({ where: { action, subjectType: 'user', subjectId: String(userId) }, order: [['id', 'ASC']] });

  before(async () => {
    server = await startServer();
    moderator = await buildUser({ role: 'moderator', displayName: '版主小张' });
    admin = await buildUser({ role: 'admin' });
  });
  afterEach(() => sockets.splice(0).forEach((s) => s.disconnect()));
  after(() => server?.close());

  it('refuses a sanction or a lift without a reason, and a suspension without an end', async () => {
    const member = await buildUser();
    const cases: Array<[string, object]> = [
      ['reason', { kind: 'warn' }],
      ['reason', { kind: 'ban', reason: '   ' }],
      ['days', { kind: 'suspend', reason: '刷屏' }],
      ['until', { kind: 'suspend', reason: '刷屏', until: new Date(Date.now() - 60_000).toISOString() }],
      ['days', { kind: 'warn', reason: '刷屏', days: 3 }],
      ['kind', { kind: 'mute', reason: '刷屏' }],
    ];
    for (const [field, body] of cases) {
      const res = await api(moderator).post(`/api/v1/users/${member.username}/sanctions`, body);
      expect(res.status, `${JSON.stringify(body)}: ${res.text}`).to.equal(400);
      expect(res.body.error.code).to.equal('validation_failed');
      expect(res.body.error.field).to.equal(field);
    }
    expect(await Sanction.count({ where: { userId: member.user.id } })).to.equal(0);
    const ok = await api(moderator).post(`/api/v1/users/${member.username}/sanctions`, { kind: 'warn', reason: '第一次提醒' });
    expect(ok.status, ok.text).to.equal(201);
    const lift = await api(moderator).post(`/api/v1/sanctions/${ok.body.sanction.id}/lift`, {});
    expect(lift.status).to.equal(400);
    expect(lift.body.error.code).to.equal('validation_failed');
    expect((await Sanction.findByPk(ok.body.sanction.id))!.liftedAt).to.equal(null);
  });

  it('a warning notifies the member with the reason, is audited, and leaves them able to post', async () => {
    const member = await buildUser();
    const { thread } = await buildThread();
    const res = await api(moderator).post(`/api/v1/users/${member.username}/sanctions`, { kind: 'warn', reason: '请勿人身攻击' });
    expect(res.status, res.text).to.equal(201);
    expect(res.body.sanction).to.include({ kind: 'warn', reason: '请勿人身攻击' });
    expect(res.body.sanction.actor.username).to.equal(moderator.username);
    expect(res.body.user).to.include({ username: member.username, status: 'active' });

    const notes = await api(member).get('/api/v1/notifications');
    expect(notes.body.unread).to.equal(1);
    expect(notes.body.items[0]).to.include({ kind: 'sanction' });
    expect(notes.body.items[0].sanction).to.deep.equal({ kind: 'warn', reason: '请勿人身攻击' });
    expect(notes.body.items[0].actor, 'the member is not told which moderator').to.equal(undefined);
    const page = await api(member).get('/notifications');
    expect(page.text).to.include('请勿人身攻击').and.include('你收到了版主的警告');

    const [entry] = await auditOf('user.warn', member.user.id);
    expect(entry.actorId).to.equal(moderator.user.id);
    expect(entry.reason).to.equal('请勿人身攻击');
    expect(entry.data).to.deep.include({ kind: 'warn', before: { status: 'active', until: null }, after: { status: 'active', until: null } });
    expect((await api(member).post(`/api/v1/threads/${thread.id}/posts`, { body: '收到，下次注意' })).status).to.equal(201);
  });

  it('a suspension ends the live socket, keeps reading open, closes writing, and is audited with before/after', async () => {
    const member = await buildUser();
    const { thread, post } = await buildThread();
    const socket = await openSocket(server.url, member.token);
    sockets.push(socket);
    const ended = collect(socket, 'session:ended');
    const gone = new Promise<void>((resolve) => socket.once('disconnect', () => resolve()));

    const res = await api(moderator).post(`/api/v1/users/${member.username}/sanctions`, { kind: 'suspend', reason: '连续刷屏广告', days: 3 });
    expect(res.status, res.text).to.equal(201);
    expect(res.body.user.status).to.equal('suspended');
    const until = new Date(res.body.user.suspendedUntil).getTime();
    expect(until - Date.now()).to.be.within(3 * 86400_000 - 120_000, 3 * 86400_000);
    await gone;
    expect(ended).to.deep.equal([{ reason: 'suspended' }]);

    expect((await api(member).get(`/api/v1/threads/${thread.id}`)).status, 'reading still works').to.equal(200);
    const write = await api(member).post(`/api/v1/threads/${thread.id}/posts`, { body: '还能发吗' });
    expect(write.status).to.equal(403);
    expect(write.body.error.message).to.match(/suspended/);
    // Nor is the report form shown to one who may not report.
    expect((await api(member).get(`/p/${post.id}/flag`)).status).to.equal(403);

    const [entry] = await auditOf('user.suspend', member.user.id);
    expect(entry.reason).to.equal('连续刷屏广告');
    expect(entry.data.before).to.deep.equal({ status: 'active', until: null });
    expect(entry.data.after).to.deep.equal({ status: 'suspended', until: res.body.user.suspendedUntil });
    // The domain events went into the outbox with the write.
    const events = await OutboxEvent.findAll({ where: { type: ['member.sanctioned', 'access.revoked'] } });
    const mine = events.filter((e) => e.payload.userId === member.user.id).map((e) => `${e.type}:${String(e.payload.kind ?? e.payload.reason)}`);
    expect(mine).to.have.members(['member.sanctioned:suspend', 'access.revoked:suspended']);
  });

  it('a suspension ends by itself: the actor is built against the clock', async () => {
    const member = await buildUser();
    const { thread } = await buildThread();
    const res = await api(moderator).post(`/api/v1/users/${member.username}/sanctions`, { kind: 'suspend', reason: '冷静一下', until: new Date(Date.now() + 2 * 3600_000).toISOString() });
    expect(res.status, res.text).to.equal(201);
    const user = (await User.findByPk(member.user.id))!;
    const end = user.suspendedUntil!.getTime();
    expect((await actorFor(user, null, null, new Date(end - 1))).suspended, 'a moment before the end').to.equal(true);
    expect((await actorFor(user, null, null, new Date(end))).suspended, 'at the end').to.equal(false);
    expect(standingOf(user, new Date(end + 1)).status).to.equal('active');

    // The same through HTTP: move the end into the past in the database; a fresh session may write.
    await User.update({ suspendedUntil: new Date(Date.now() - 1000) }, { where: { id: member.user.id } });
    const token = await login(member);
    const write = await new Client(server.url).withToken(token).post(`/api/v1/threads/${thread.id}/posts`, { body: '禁言结束了' });
    expect(write.status, write.text).to.equal(201);
    const list = await api(moderator).get(`/api/v1/users/${member.username}/sanctions`);
    expect(list.body.user.status).to.equal('active');
    const active = await api(moderator).get(`/api/v1/users?q=${member.username}&status=active`);
    expect(active.body.items.map((u: { username: string }) => u.username)).to.deep.equal([member.username]);
  });

  it('a ban has no end; suspending a banned member is a conflict; lifting restores writing', async () => {
    const member = await buildUser();
    const { thread } = await buildThread();
    const ban = await api(admin).post(`/api/v1/users/${member.username}/sanctions`, { kind: 'ban', reason: '发布违法信息' });
    expect(ban.status, ban.text).to.equal(201);
    expect(ban.body.user.status).to.equal('banned');
    expect(ban.body.user.suspendedUntil).to.equal(undefined);
    expect((await User.findByPk(member.user.id))!.suspendedUntil).to.equal(null);
    const far = await actorFor((await User.findByPk(member.user.id))!, null, null, new Date(Date.now() + 100 * 365 * 86400_000));
    expect(far.suspended, 'a ban never expires').to.equal(true);

    const again = await api(moderator).post(`/api/v1/users/${member.username}/sanctions`, { kind: 'suspend', reason: '再加一条', days: 1 });
    expect(again.status).to.equal(409);
    expect((await api(member).post(`/api/v1/threads/${thread.id}/posts`, { body: '试试' })).status).to.equal(403);

    const lift = await api(moderator).post(`/api/v1/sanctions/${ban.body.sanction.id}/lift`, { reason: '申诉成功' });
    expect(lift.status, lift.text).to.equal(200);
    expect(lift.body.user.status).to.equal('active');
    expect(lift.body.sanction.liftReason).to.equal('申诉成功');
    expect(lift.body.sanction.liftedBy.username).to.equal(moderator.username);
    expect((await api(member).post(`/api/v1/threads/${thread.id}/posts`, { body: '解封了，谢谢' })).status, 'the same session writes again').to.equal(201);
    const [entry] = await auditOf('user.liftSanction', member.user.id);
    expect(entry.reason).to.equal('申诉成功');
    expect(entry.data).to.deep.include({ kind: 'ban', before: { status: 'banned', until: null }, after: { status: 'active', until: null } });
    expect((await api(moderator).post(`/api/v1/sanctions/${ban.body.sanction.id}/lift`, { reason: '再解一次' })).status).to.equal(409);
  });

  it('lifting one sanction leaves the others in force', async () => {
    const member = await buildUser();
    const suspend = await api(moderator).post(`/api/v1/users/${member.username}/sanctions`, { kind: 'suspend', reason: '第一次', days: 5 });
    const ban = await api(moderator).post(`/api/v1/users/${member.username}/sanctions`, { kind: 'ban', reason: '屡教不改' });
    expect([suspend.status, ban.status]).to.deep.equal([201, 201]);
    const lift = await api(admin).post(`/api/v1/sanctions/${ban.body.sanction.id}/lift`, { reason: '改为禁言' });
    expect(lift.body.user.status).to.equal('suspended');
    expect(lift.body.user.suspendedUntil).to.equal(suspend.body.user.suspendedUntil);
    const history = await api(moderator).get(`/api/v1/users/${member.username}/sanctions`);
    expect(history.body.items.map((s: { kind: string; liftedAt?: string }) => [s.kind, !!s.liftedAt])).to.deep.equal([['ban', true], ['suspend', false]]);
  });

  it('follows the policy: moderators sanction members only, nobody sanctions themselves, members list nothing', async () => {
    const otherModerator = await buildUser({ role: 'moderator' });
    const member = await buildUser();
    const tries: Array<[BuiltUser, BuiltUser, number]> = [
      [moderator, otherModerator, 403],
      [moderator, moderator, 403],
      [admin, admin, 403],
      [member, moderator, 403],
      [admin, otherModerator, 201],
    ];
    for (const [who, target, status] of tries) {
      const res = await api(who).post(`/api/v1/users/${target.username}/sanctions`, { kind: 'warn', reason: 'policy' });
      expect(res.status, `${who.user.role} -> ${target.user.role}: ${res.text}`).to.equal(status);
    }
    expect((await api(member).get(`/api/v1/users/${moderator.username}/sanctions`)).status).to.equal(403);
    expect((await api(null).get('/api/v1/users')).status).to.equal(401);
    expect((await api(moderator).post('/api/v1/users/no_such_user/sanctions', { kind: 'warn', reason: 'x' })).status).to.equal(404);
    expect((await api(moderator).post('/api/v1/sanctions/999999/lift', { reason: 'x' })).status).to.equal(404);
  });

  it('the person page form: a reason is required, then the suspension shows in the list', async () => {
    const member = await buildUser({ displayName: '页面测试会员' });
    const browser = new Client(server.url);
    await browser.browserLogin(moderator.username, moderator.password);
    const page = await browser.get(`/admin/people/${member.username}`);
    expect(page.status).to.equal(200);
    expect(page.text).to.include('data-sanction-form');
    const missing = await browser.post(`/admin/people/${member.username}/sanctions`, new URLSearchParams({ _csrf: browser.csrf!, kind: 'suspend', days: '2', reason: '' }));
    expect(missing.status).to.equal(400);
    expect(missing.text).to.include('form-error');
    const done = await browser.post(`/admin/people/${member.username}/sanctions`, new URLSearchParams({ _csrf: browser.csrf!, kind: 'suspend', days: '2', reason: '页面上禁言' }));
    expect(done.status, done.text.slice(0, 300)).to.equal(303);
    const list = await browser.get(`/admin/people?q=${encodeURIComponent('页面测试')}&status=suspended`);
    expect(list.text).to.include(`data-username="${member.username}"`).and.include('禁言至');
    await waitFor(async () => (await auditOf('user.suspend', member.user.id)).length === 1, 'the suspension is audited');
  });
});
