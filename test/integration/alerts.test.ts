/**
 * The alert desk end to end on a real server: posts and reports become ranked cases on /desk
 * (with their reasons), related signals group into one case, the quiet cases raise nothing,
 * and the workflow holds: claim races, mandatory notes, SLA escalation on a clock the test
 * sets, official responses, reporters told the outcome, an audit entry for every step, and
 * nobody but staff reaching the desk's API or sockets.
 */
import { expect } from 'chai';
import { io as connect, type Socket } from 'socket.io-client';
import { startServer, type TestServer } from '../support/server';
import { Client } from '../support/client';
import { until } from '../support/sockets';
import { waitFor } from '../support/wait';
import { buildChapter, buildPost, buildThread, buildUser, type BuiltUser } from '../support/factories';
import type { DeskAlert, DeskClientToServerEvents, DeskServerToClientEvents } from '../../server/realtime/contract';
import { Alert, AuditEntry, Flag, Mention, Notification, OutboxEvent, Post, SentimentLabel } from '../../server/models';
import { escalateOverdue } from '../../server/services/alerts';

type DeskSocket = Socket<DeskServerToClientEvents, DeskClientToServerEvents>;

function openDesk(url: string, token?: string): Promise<DeskSocket | Error> {
  const s: DeskSocket = connect(`${url}/desk`, { transports: ['websocket'], auth: token ? { token } : {}, reconnection: false, forceNew: true });
  return new Promise((resolve) => {
    s.once('connect', () => resolve(s));
    s.once('connect_error', (err) => {
      s.close();
      resolve(err);
    });
  });
}

describe('alert desk (rules, cases, workflow)', function () {
  this.timeout(60_000);
  let server: TestServer;
  let admin: BuiltUser;
  let moderator: BuiltUser;
  let moderator2: BuiltUser;
  let pr: BuiltUser;
  const sockets: DeskSocket[] = [];
  const as = (u: BuiltUser | null) => new Client(server.url).withToken(u?.token ?? null);
  const drain = () => server.resonance.dispatcher.drain();
  /** The active case whose subject is this thread. */
  const caseOfThread = async (threadId: number) => Alert.findOne({ where: { threadId }, order: [['id', 'DESC']] });

  before(async () => {
    server = await startServer();
    [admin, moderator, moderator2, pr] = await Promise.all([buildUser({ role: 'admin' }), buildUser({ role: 'moderator' }), buildUser({ role: 'moderator' }), buildUser({ role: 'pr' })]);
  });
  afterEach(() => sockets.splice(0).forEach((s) => s.disconnect()));
  after(() => server?.close());

  it('admits moderators, PR staff and admins to /desk; refuses members, API keys and anonymous sockets', async () => {
    const member = await buildUser();
    expect(String(await openDesk(server.url))).to.contain('unauthenticated');
    expect(String(await openDesk(server.url, member.token))).to.contain('forbidden');
    const key = (await as(admin).post('/api/v1/api-keys', { name: 'k', scopes: ['ingest'] })).body.key;
    expect(String(await openDesk(server.url, key))).to.contain('unauthenticated');
    for (const staff of [moderator, pr, admin]) {
      const s = await openDesk(server.url, staff.token);
      expect(s).to.not.be.instanceOf(Error);
      sockets.push(s as DeskSocket);
    }
  });

  it('members, keys and anonymous visitors never reach the desk API; staff do', async () => {
    const member = await buildUser();
    const key = (await as(admin).post('/api/v1/api-keys', { name: 'k2', scopes: ['ingest'] })).body.key;
    expect((await as(null).get('/api/v1/alerts')).status).to.equal(401);
    expect((await as(member).get('/api/v1/alerts')).status).to.equal(403);
    expect((await new Client(server.url).withToken(key).get('/api/v1/alerts')).status).to.equal(403);
    expect((await as(member).post('/api/v1/alerts/1/claim', {})).status).to.equal(403);
    expect((await as(member).get('/desk')).status).to.equal(403);
    for (const staff of [moderator, pr, admin]) expect((await as(staff).get('/api/v1/alerts')).status).to.equal(200);
    expect((await as(pr).get('/api/v1/audit')).status).to.equal(403);
    expect((await as(moderator).put('/api/v1/alerts/settings', { sla: { critical: 5 } })).status).to.equal(403);
  });

  it('raises nothing for items written longer ago than ALERT_MAX_ITEM_AGE_HOURS (a backfill of old mentions), and does for the same text today', async () => {
    const key = (await as(admin).post('/api/v1/api-keys', { name: 'backfill', scopes: ['ingest'] })).body.key;
    const text = '小区充电桩旁边一台车的电池起火了，消防车来了三辆';
    const items = [
      { source: 'weibo', externalId: 'old-fire', author: { handle: 'backfill_a' }, text, publishedAt: new Date(Date.now() - 3 * 86_400_000).toISOString() },
      { source: 'weibo', externalId: 'new-fire', author: { handle: 'backfill_b' }, text, publishedAt: new Date().toISOString() },
    ];
    expect((await new Client(server.url).withToken(key).post('/api/v1/mentions', { items })).status).to.equal(202);
    await drain();
    const [old, fresh] = await Promise.all(['old-fire', 'new-fire'].map((externalId) => Mention.findOne({ where: { externalId } })));
    await waitFor(async () => (await Alert.count({ where: { mentionId: fresh!.id } })) > 0, 'the case of today\'s mention');
    expect(await Alert.count({ where: { mentionId: old!.id } })).to.equal(0);
  });

  it('a crisis post (起火) from an ordinary member reaches a connected desk as a ranked watchword case with its evidence', async () => {
    const s = (await openDesk(server.url, moderator.token)) as DeskSocket;
    sockets.push(s);
    const raised: DeskAlert[] = [];
    s.on('alert:raised', ({ alert }) => raised.push(alert));
    const chapter = await buildChapter({ name: '深圳同城会' });
    // Worded calmly on purpose: the watchword must fire whatever the sentiment model says.
    const { thread, post } = await buildThread({ chapter, title: '停车场的情况', body: '今天下午地库里有台车的电池起火了，消防已经到场。' });
    await drain();
    await until(() => raised.some((a) => a.subject.postId === String(post.id)), 10_000, 'alert:raised');
    const alert = raised.find((a) => a.subject.postId === String(post.id))!;
    expect(alert.kinds).to.include('watchword');
    expect(alert.severity).to.be.at.least(7);
    expect(alert.status).to.equal('open');
    expect(alert.subject).to.deep.include({ threadId: String(thread.id), chapter: { slug: chapter.slug, name: '深圳同城会' }, term: '起火' });
    expect(alert.reasons.some((r) => r.includes('起火'))).to.equal(true);
    expect(new Date(alert.slaDueAt).getTime()).to.be.greaterThan(new Date(alert.createdAt).getTime());

    const detail = (await as(moderator).get(`/api/v1/alerts/${alert.id}`)).body;
    expect(detail.post.body).to.contain('起火');
    expect(detail.thread).to.deep.include({ id: String(thread.id), title: '停车场的情况' });
    expect(detail.author.username).to.be.a('string');
    expect(detail.signals[0]).to.deep.include({ kind: 'watchword' });
    expect(detail.signals[0].parts.terms).to.contain('起火');
  });

  it('the quiet cases raise nothing: a calm announcement, a question, praise, an ordinary reply', async () => {
    const quiet = [
      '周六下午两点上海同城会组织试驾活动，欢迎大家报名参加。',
      '请问冬天开暖气续航大概能跑多少公里？',
      '新版本更新以后车机流畅多了，点赞！',
      '同意楼上，周末一起去看看。',
    ];
    const ids: number[] = [];
    for (const body of quiet) ids.push((await buildThread({ body })).thread.id);
    await drain();
    for (const id of ids) expect(await caseOfThread(id), `case for thread ${id}`).to.equal(null);
  });

  it('two negative posts in one thread are one case with two signals, at the stronger severity', async () => {
    const { thread } = await buildThread({ body: '刚提车三天车机就死机，客服一直推脱，太失望了，再也不买了！' });
    await drain();
    const first = await caseOfThread(thread.id);
    expect(first, 'first negative post opens a case').to.not.equal(null);
    await buildPost({ thread, body: '我也是，售后态度极差，投诉了两次都没人管，太垃圾了！' });
    await drain();
    const cases = await Alert.findAll({ where: { threadId: thread.id } });
    expect(cases).to.have.length(1);
    expect(cases[0].signalCount).to.equal(2);
    expect(cases[0].severity).to.be.at.least(first!.severity);
  });

  it('member reports: several on one post escalate the case, and every reporter is told the outcome', async () => {
    const { thread, post } = await buildThread({ body: '这个帖子内容正常。' });
    const reporters = await Promise.all([buildUser(), buildUser(), buildUser()]);
    await as(reporters[0]).post(`/api/v1/posts/${post.id}/flag`, { reason: '广告' });
    await drain();
    const one = await caseOfThread(thread.id);
    expect(one!.kinds).to.deep.equal(['flag']);
    const severityWithOne = one!.severity;
    for (const r of reporters.slice(1)) expect((await as(r).post(`/api/v1/posts/${post.id}/flag`, { reason: '垃圾广告' })).status).to.equal(201);
    await drain();
    const three = (await caseOfThread(thread.id))!;
    expect(three.id).to.equal(one!.id);
    expect(three.signalCount).to.equal(3);
    expect(three.severity).to.be.greaterThan(severityWithOne).and.at.least(7);

    expect((await as(moderator).post(`/api/v1/alerts/${three.id}/resolve`, {})).status, 'a note is mandatory').to.equal(400);
    const res = await as(moderator).post(`/api/v1/alerts/${three.id}/resolve`, { note: '已删除广告并警告发帖人' });
    expect(res.status, res.text).to.equal(200);
    expect(res.body.alert).to.deep.include({ status: 'resolved', closingNote: '已删除广告并警告发帖人' });
    for (const r of reporters) {
      expect(await Notification.count({ where: { userId: r.user.id, kind: 'flag_resolved', postId: post.id } })).to.equal(1);
    }
    expect(await Flag.count({ where: { postId: post.id, status: 'resolved' } })).to.equal(3);
    const resolved = await AuditEntry.findOne({ where: { action: 'alert.resolved', subjectId: String(three.id) } });
    expect(resolved).to.deep.include({ actorId: moderator.user.id, reason: '已删除广告并警告发帖人' });
  });

  it('claim races: of two moderators claiming at once exactly one wins; the other gets 409 and the audit log one claim', async () => {
    const { thread } = await buildThread({ body: '电池鼓包了，4S店说不保修，我要去维权！' });
    await drain();
    const alert = (await caseOfThread(thread.id))!;
    const [a, b] = await Promise.all([as(moderator).post(`/api/v1/alerts/${alert.id}/claim`, {}), as(moderator2).post(`/api/v1/alerts/${alert.id}/claim`, {})]);
    expect([a.status, b.status].sort()).to.deep.equal([200, 409]);
    const loser = a.status === 409 ? a : b;
    expect(loser.body.error.code).to.equal('conflict');
    const after = (await Alert.findByPk(alert.id))!;
    expect(after.status).to.equal('claimed');
    expect([moderator.user.id, moderator2.user.id]).to.include(after.assigneeId);
    expect(await AuditEntry.count({ where: { action: 'alert.claimed', subjectId: String(alert.id) } })).to.equal(1);
  });

  it('an unclaimed case past its SLA escalates (admins notified, a webhook event recorded); a claimed one does not', async () => {
    const s = (await openDesk(server.url, admin.token)) as DeskSocket;
    sockets.push(s);
    const updates: { alert: DeskAlert; change: string }[] = [];
    s.on('alert:updated', (u) => updates.push(u));
    const { thread: t1 } = await buildThread({ body: '车机又黑屏了，客服一直推脱，太差劲了，非常失望！' });
    const { thread: t2 } = await buildThread({ body: '刹车失灵差点出事故，太可怕了！' });
    await drain();
    const open = (await caseOfThread(t1.id))!;
    const claimed = (await caseOfThread(t2.id))!;
    expect((await as(pr).post(`/api/v1/alerts/${claimed.id}/claim`, {})).status).to.equal(200);

    // The clock: a time after both SLAs.
    const later = new Date(Math.max(open.slaDueAt.getTime(), claimed.slaDueAt.getTime()) + 60_000);
    await escalateOverdue(new Date(open.slaDueAt.getTime() - 1000));
    expect((await Alert.findByPk(open.id))!.escalatedAt, 'not before its SLA').to.equal(null);
    const n = await escalateOverdue(later);
    expect(n).to.be.at.least(1);
    expect((await Alert.findByPk(open.id))!.escalatedAt).to.not.equal(null);
    expect((await Alert.findByPk(claimed.id))!.escalatedAt).to.equal(null);
    expect(await Notification.count({ where: { userId: admin.user.id, kind: 'alert_escalated' } })).to.be.at.least(1);
    const events = await OutboxEvent.findAll({ where: { type: 'alert.escalated' } });
    expect(events.map((e) => (typeof e.payload === 'string' ? JSON.parse(e.payload) : e.payload).alertId)).to.include(open.id);
    expect(await escalateOverdue(later), 'escalates once').to.equal(0);
    await drain();
    await until(() => updates.some((u) => u.alert.id === String(open.id) && u.change === 'escalated' && u.alert.escalated), 5000, 'alert:updated escalated');
  });

  it('responding posts in the thread as the brand account, marks the case responded, and is audited', async () => {
    const official = await buildUser({ role: 'pr', username: `brand_${Date.now() % 100000}` });
    const fan = await buildUser();
    expect((await as(admin).put('/api/v1/alerts/settings', { officialUsername: fan.username })).status, 'a member cannot speak for the brand').to.equal(400);
    expect((await as(admin).put('/api/v1/alerts/settings', { officialUsername: 'no_such_user' })).status).to.equal(400);
    expect((await as(admin).put('/api/v1/alerts/settings', { officialUsername: official.username })).status).to.equal(200);
    const { thread, post } = await buildThread({ body: '充电桩坏了一个月没人修，投诉无门，太失望了！' });
    await drain();
    const alert = (await caseOfThread(thread.id))!;
    expect((await as(pr).post(`/api/v1/alerts/${alert.id}/respond`, { body: '' })).status).to.equal(400);
    const res = await as(pr).post(`/api/v1/alerts/${alert.id}/respond`, { body: '您好，非常抱歉给您带来不便，我们已安排工作人员今天联系您。' });
    expect(res.status, res.text).to.equal(200);
    expect(res.body.alert.status).to.equal('responded');
    expect(res.body.alert.assignee.username).to.equal(pr.username);
    const reply = (await Post.findByPk(Number(res.body.post.id)))!;
    expect(reply.authorId).to.equal(official.user.id);
    expect(reply.threadId).to.equal(thread.id);
    expect(reply.replyToId).to.equal(post.id);
    const entry = await AuditEntry.findOne({ where: { action: 'alert.responded', subjectId: String(alert.id) } });
    expect(entry!.actorId).to.equal(pr.user.id);
    expect((entry!.data as { as?: string }).as).to.equal(official.username);
    await as(admin).put('/api/v1/alerts/settings', { officialUsername: null });
  });

  it('dismissing needs a reason; reopening too; the audit log lists every step for admins, newest first, and exports CSV', async () => {
    const { thread } = await buildThread({ body: '服务太差了，再也不来了，非常失望！' });
    await drain();
    const alert = (await caseOfThread(thread.id))!;
    expect((await as(moderator).post(`/api/v1/alerts/${alert.id}/dismiss`, { reason: '' })).status).to.equal(400);
    expect((await as(moderator).post(`/api/v1/alerts/${alert.id}/dismiss`, { reason: '玩笑话，不是真投诉' })).status).to.equal(200);
    expect((await as(moderator).post(`/api/v1/alerts/${alert.id}/dismiss`, { reason: '再次' })).status, 'closed already').to.equal(409);
    expect((await as(moderator).post(`/api/v1/alerts/${alert.id}/reopen`, {})).status).to.equal(400);
    expect((await as(moderator).post(`/api/v1/alerts/${alert.id}/reopen`, { reason: '作者又发了补充说明' })).status).to.equal(200);
    expect((await as(moderator).post(`/api/v1/alerts/${alert.id}/feedback`, { verdict: 'maybe' })).status).to.equal(400);
    expect((await as(moderator).post(`/api/v1/alerts/${alert.id}/feedback`, { verdict: 'not_negative' })).status).to.equal(200);
    // The verdict is a labelled example for retraining: the post's text, the model's guess, the human label.
    const label = await SentimentLabel.findOne({ where: { itemKind: 'post', itemId: alert.postId!, userId: moderator.user.id } });
    expect(label).to.not.equal(null);
    expect(label!).to.deep.include({ label: 'neutral', predictedLabel: 'negative', source: 'alert', alertId: alert.id });
    expect(label!.text).to.contain('服务太差了');

    const log = (await as(admin).get(`/api/v1/audit?subjectType=alert&subjectId=${alert.id}`)).body;
    expect(log.items.map((e: { action: string }) => e.action)).to.deep.equal(['alert.feedback', 'alert.reopened', 'alert.dismissed']);
    expect((await as(admin).get(`/api/v1/audit?action=sentiment.label&subjectId=${alert.postId}`)).body.items).to.have.length(1);
    expect(log.items[1]).to.deep.include({ reason: '作者又发了补充说明' });
    expect(log.items[2].actor.username).to.equal(moderator.username);
    expect(log.items[2].data.before.status).to.equal('open');
    expect(log.items[2].data.after.status).to.equal('dismissed');
    const csv = await as(admin).get(`/api/v1/audit/export.csv?subjectType=alert&subjectId=${alert.id}`);
    expect(csv.status).to.equal(200);
    expect(csv.headers.get('content-type')).to.contain('text/csv');
    expect(csv.text).to.contain('alert.dismissed').and.contain('玩笑话，不是真投诉');
    expect((await as(admin).get('/api/v1/audit?from=yesterday')).status).to.equal(400);
    expect((await as(admin).get('/api/v1/audit?to=0.5')).status, 'a number is not a time').to.equal(400);
    expect((await as(admin).get('/api/v1/audit/export.csv?to=0.5')).status).to.equal(400);
    // The page: admins browse it (filtered by action prefix), everyone else is refused.
    const page = await as(admin).get('/admin/audit?action=alert.');
    expect(page.status).to.equal(200);
    expect(page.text).to.contain('alert.dismissed').and.contain('玩笑话，不是真投诉');
    expect(page.text, 'the export keeps the filter').to.match(/\/api\/v1\/audit\/export\.csv\?action(=|&#x3D;)alert\./);
    expect((await as(moderator).get('/admin/audit')).status).to.equal(403);
  });

  it('lists the queue by severity, then age; filters by status and mine', async () => {
    const list = (await as(moderator).get('/api/v1/alerts')).body.items as DeskAlert[];
    expect(list.length).to.be.greaterThan(0);
    for (let i = 1; i < list.length; i++) {
      expect(list[i - 1].severity >= list[i].severity).to.equal(true);
      if (list[i - 1].severity === list[i].severity) expect(list[i - 1].createdAt <= list[i].createdAt).to.equal(true);
    }
    expect(list.every((a) => ['open', 'claimed', 'responded'].includes(a.status))).to.equal(true);
    const resolved = (await as(moderator).get('/api/v1/alerts?status=resolved')).body.items as DeskAlert[];
    expect(resolved.length).to.be.greaterThan(0);
    expect(resolved.every((a) => a.status === 'resolved')).to.equal(true);
    const mine = (await as(pr).get('/api/v1/alerts?mine=1')).body.items as DeskAlert[];
    expect(mine.every((a) => a.assignee?.username === pr.username)).to.equal(true);
    expect((await as(moderator).get('/api/v1/alerts?status=bogus')).status).to.equal(400);
    const reports = (await as(moderator).get('/api/v1/alerts?status=resolved&kind=flag')).body.items as DeskAlert[];
    expect(reports.length).to.be.greaterThan(0);
    expect(reports.every((a) => a.kinds.includes('flag'))).to.equal(true);
  });

  it('assigning is for shift leads, to responders only', async () => {
    const { thread } = await buildThread({ body: '客服态度恶劣，问题拖了两个月，非常愤怒！' });
    await drain();
    const alert = (await caseOfThread(thread.id))!;
    const member = await buildUser();
    expect((await as(pr).post(`/api/v1/alerts/${alert.id}/assign`, { username: moderator2.username })).status).to.equal(403);
    expect((await as(moderator).post(`/api/v1/alerts/${alert.id}/assign`, { username: member.username })).status).to.equal(400);
    const res = await as(moderator).post(`/api/v1/alerts/${alert.id}/assign`, { username: pr.username, reason: '交给公关' });
    expect(res.status, res.text).to.equal(200);
    expect(res.body.alert).to.deep.include({ status: 'claimed' });
    expect(res.body.alert.assignee.username).to.equal(pr.username);
    await waitFor(async () => (await AuditEntry.count({ where: { action: 'alert.assigned', subjectId: String(alert.id) } })) === 1, 'assign audited');
  });

  it('round-robin: new cases go to the least-loaded responder on duty; off duty gets none', async () => {
    const [a, b] = await Promise.all([buildUser({ role: 'moderator' }), buildUser({ role: 'pr' })]);
    expect((await as(a).put('/api/v1/desk/duty', { onDuty: true })).body.onDuty).to.equal(true);
    expect((await as(b).put('/api/v1/desk/duty', { onDuty: true })).body.onDuty).to.equal(true);
    expect((await as(a).put('/api/v1/desk/duty', { onDuty: 'yes' })).status).to.equal(400);
    expect((await as(await buildUser()).put('/api/v1/desk/duty', { onDuty: true })).status).to.equal(403);
    // Only the two of them on duty (earlier tests' responders are not).
    expect((await as(admin).put('/api/v1/alerts/settings', { roundRobin: true, onDuty: [a.username, b.username] })).status).to.equal(200);
    try {
      const assignees: (number | null)[] = [];
      for (const body of ['续航缩水严重，客服还不承认，太坑了！', '车机一周死机三次，售后一直推脱，非常失望！']) {
        const { thread } = await buildThread({ body });
        await drain();
        const c = (await caseOfThread(thread.id))!;
        // Assigned, still open: its SLA runs until the assignee claims it.
        expect(c.status).to.equal('open');
        assignees.push(c.assigneeId);
      }
      expect(new Set(assignees), 'one case each').to.deep.equal(new Set([a.user.id, b.user.id]));
      expect(await AuditEntry.count({ where: { action: 'alert.assign', reason: 'round-robin' } })).to.be.at.least(2);
      // a takes on one more (claims it): the next case goes to b, the less loaded.
      const { thread: extra } = await buildThread({ body: '门店服务态度恶劣，等了两小时没人管，太失望了！' });
      await drain();
      const extraCase = (await caseOfThread(extra.id))!;
      await as(a).post(`/api/v1/alerts/${extraCase.id}/claim`, {});
      const assignedBefore = (await Alert.findByPk(extraCase.id))!;
      expect(assignedBefore.assigneeId).to.equal(a.user.id);
      const { thread: next } = await buildThread({ body: '保养预约一直约不上，电话也打不通，太差了！' });
      await drain();
      expect((await caseOfThread(next.id))!.assigneeId, 'least loaded').to.equal(b.user.id);
      // b goes off duty: the next case goes to a, although a is busier now.
      expect((await as(b).put('/api/v1/desk/duty', { onDuty: false })).body.onDuty).to.equal(false);
      const { thread } = await buildThread({ body: '充电口接触不良，修了三次还是坏，气死了！' });
      await drain();
      expect((await caseOfThread(thread.id))!.assigneeId).to.equal(a.user.id);
      // An assigned case nobody claims escalates like any other.
      const unclaimed = (await caseOfThread(thread.id))!;
      await escalateOverdue(new Date(unclaimed.slaDueAt.getTime() + 1000));
      expect((await Alert.findByPk(unclaimed.id))!.escalatedAt).to.not.equal(null);
    } finally {
      await as(admin).put('/api/v1/alerts/settings', { roundRobin: false, onDuty: [] });
    }
  });

  it('a private chapter’s case reaches webhooks without its title or excerpt', async () => {
    const insider = await buildUser();
    const secret = await buildChapter({ visibility: 'private', name: '内部车友会', members: [insider] });
    const { thread } = await buildThread({ chapter: secret, author: insider, title: '内部消息', body: '内部测试车电池鼓包冒烟了，先别外传' });
    await drain();
    const alert = (await caseOfThread(thread.id))!;
    const raised = (await OutboxEvent.findAll({ where: { type: 'alert.raised' } })).map((e) => (typeof e.payload === 'string' ? JSON.parse(e.payload) : e.payload)).find((p) => p.alertId === alert.id);
    expect(raised).to.not.equal(undefined);
    expect(raised.summary).to.equal('');
    expect(raised.title).to.not.contain('内部消息');
    expect(JSON.stringify(raised)).to.not.contain('鼓包冒烟');
    // The desk itself shows it all (staff read private chapters).
    expect(alert.title).to.contain('内部消息');
  });

  it('hidden posts on the desk: moderators see them marked hidden, PR staff do not', async () => {
    const { thread, post } = await buildThread({ body: '电池起火了，太吓人了！' });
    await drain();
    const alert = (await caseOfThread(thread.id))!;
    expect((await as(moderator).post(`/api/v1/posts/${post.id}/hide`, { reason: '核实中' })).status).to.equal(200);
    const asModerator = (await as(moderator).get(`/api/v1/alerts/${alert.id}`)).body;
    expect(asModerator.post).to.deep.include({ id: String(post.id), hidden: true });
    const asPr = (await as(pr).get(`/api/v1/alerts/${alert.id}`)).body;
    expect(asPr.post).to.equal(undefined);
    expect(asPr.context.some((p: { id: string }) => p.id === String(post.id))).to.equal(false);
  });

  it('a stronger signal after someone took the case opens a new case; a weaker one joins it', async () => {
    const { thread } = await buildThread({ body: '售后响应太慢了，等了一周，非常失望！' });
    await drain();
    const first = (await caseOfThread(thread.id))!;
    expect((await as(moderator).post(`/api/v1/alerts/${first.id}/claim`, {})).status).to.equal(200);
    await buildPost({ thread, body: '售后真的慢，我也等了好几天，很失望。' });
    await drain();
    const weaker = await Alert.findAll({ where: { threadId: thread.id } });
    expect(weaker.length, 'a no-worse signal joins the claimed case').to.equal(1);
    const { post: fire } = await buildPost({ thread, body: '更严重的是我的车昨晚在车库起火了！' });
    await drain();
    const cases = await Alert.findAll({ where: { threadId: thread.id }, order: [['id', 'ASC']] });
    expect(cases).to.have.length(2);
    expect(cases[1]).to.deep.include({ status: 'open', postId: fire.id });
    expect(cases[1].severity).to.be.greaterThan(first.severity);
  });

  it('two responders answering at once: one reply is posted, the other gets 409; nobody answers a case someone else holds', async () => {
    const { thread } = await buildThread({ body: '空调装完第二天就漏水，师傅不接电话，太差了！' });
    await drain();
    const alert = (await caseOfThread(thread.id))!;
    const before = await Post.count({ where: { threadId: thread.id } });
    const [a, b] = await Promise.all([
      as(moderator).post(`/api/v1/alerts/${alert.id}/respond`, { body: '您好，我们马上安排师傅上门。' }),
      as(pr).post(`/api/v1/alerts/${alert.id}/respond`, { body: '您好，已为您登记加急处理。' }),
    ]);
    expect([a.status, b.status].sort()).to.deep.equal([200, 409]);
    expect(await Post.count({ where: { threadId: thread.id } })).to.equal(before + 1);
    const winner = a.status === 200 ? moderator : pr;
    const loser = a.status === 200 ? pr : moderator;
    expect((await as(loser).post(`/api/v1/alerts/${alert.id}/respond`, { body: '补充一句' })).status).to.equal(409);
    expect((await as(winner).post(`/api/v1/alerts/${alert.id}/respond`, { body: '补充：师傅预计下午两点到。' })).status, 'the holder may follow up').to.equal(200);
  });

  it('closing a case someone else holds is for shift leads; PR may close its own', async () => {
    const { thread } = await buildThread({ body: '新款手机发热严重，玩十分钟就烫手，太失望了！' });
    await drain();
    const alert = (await caseOfThread(thread.id))!;
    expect((await as(moderator2).post(`/api/v1/alerts/${alert.id}/claim`, {})).status).to.equal(200);
    expect((await as(pr).post(`/api/v1/alerts/${alert.id}/resolve`, { note: '已处理' })).status).to.equal(403);
    expect((await as(pr).post(`/api/v1/alerts/${alert.id}/release`, { reason: '我来' })).status).to.equal(403);
    expect((await as(moderator).post(`/api/v1/alerts/${alert.id}/resolve`, { note: '值班长代为关闭：已电话回访' })).status).to.equal(200);
    const { thread: mine } = await buildThread({ body: '耳机用了三天就断连，客服踢皮球，太差了！' });
    await drain();
    const own = (await caseOfThread(mine.id))!;
    expect((await as(pr).post(`/api/v1/alerts/${own.id}/claim`, {})).status).to.equal(200);
    expect((await as(pr).post(`/api/v1/alerts/${own.id}/resolve`, { note: '已补发新耳机' })).status).to.equal(200);
  });
});
