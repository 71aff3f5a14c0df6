/** Member insight for staff: interests, tags, activity, sentiment, influence; nothing for members or for opted-out members. */
import { expect } from 'chai';
import { startServer, type TestServer } from '../support/server';
import { Client } from '../support/client';
import { buildChapter, buildPost, buildThread, buildUser } from '../support/factories';
import { AuditEntry } from '../../server/models';

describe('member insight (Social CRM)', function () {
  this.timeout(30_000);
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server?.close());

  it('shows staff a member’s interests, staff tags, timeline, sentiment by day, chapters and influence', async () => {
    const chapter = await buildChapter({ name: '成都同城会' });
    const fan = await buildUser({ displayName: '续航党' });
    const { thread, post: first } = await buildThread({ author: fan, chapter, body: '冬季续航实测：续航掉了三成，充电桩也难找，失望' });
    await buildPost({ thread, author: fan, body: '续航问题希望官方尽快回应', replyTo: first.id });
    const { post: liked } = await buildPost({ thread, body: '电池保温做得不错，续航还行' });
    await new Client(server.url).withToken(fan.token).post(`/api/v1/posts/${liked.id}/like`);
    await new Client(server.url).withToken(fan.token).post(`/api/v1/chapters/${chapter.slug}/join`);
    await server.resonance.dispatcher.drain();

    const pr = await buildUser({ role: 'pr' });
    const staff = new Client(server.url).withToken(pr.token);
    expect((await staff.post(`/api/v1/users/${fan.username}/tags`, { tag: '车主' })).status).to.equal(201);
    expect((await staff.post(`/api/v1/users/${fan.username}/tags`, { tag: '车主' })).status).to.equal(409);
    expect(await AuditEntry.count({ where: { action: 'member.tag' } })).to.equal(1);
    const res = await staff.get(`/api/v1/users/${fan.username}/insight`);
    expect(res.status, res.text).to.equal(200);
    const i = res.body.insight;
    expect(i.optedOut).to.equal(false);
    expect(i.interests[0].tag).to.equal('续航');
    expect(i.staffTags).to.deep.equal(['车主']);
    expect(i.timeline.map((e: { kind: string }) => e.kind)).to.include.members(['post', 'reply', 'like']);
    expect(i.sentiment).to.have.length(1);
    expect(i.sentiment[0].posts).to.equal(2);
    expect(i.sentiment[0].avg).to.be.below(0);
    expect(i.chapters.map((c: { name: string }) => c.name)).to.include('成都同城会');

    const page = await staff.get(`/u/${fan.username}`);
    expect(page.text).to.include('data-insight');
    expect(page.text).to.include('车主');
  });

  it('shows nothing to members, and nothing about members who opted out of analytics', async () => {
    const fan = await buildUser();
    await buildThread({ author: fan, body: '我不想被分析' });
    const member = await buildUser();
    expect((await new Client(server.url).withToken(member.token).get(`/api/v1/users/${fan.username}/insight`)).status).to.equal(403);
    expect((await new Client(server.url).withToken(member.token).get(`/u/${fan.username}`)).text).to.not.include('data-insight');
    expect((await new Client(server.url).withToken(member.token).post(`/api/v1/users/${fan.username}/tags`, { tag: 'x' })).status).to.equal(403);
    expect((await new Client(server.url).withToken(fan.token).patch('/api/v1/me', { analyticsConsent: false })).status).to.equal(200);
    const pr = await buildUser({ role: 'pr' });
    const res = await new Client(server.url).withToken(pr.token).get(`/api/v1/users/${fan.username}/insight`);
    expect(res.body.insight).to.deep.equal({ optedOut: true });
    // Moderators see insight but do not tag (a CRM label is a PR decision).
    const mod = await buildUser({ role: 'moderator' });
    expect((await new Client(server.url).withToken(mod.token).post(`/api/v1/users/${fan.username}/tags`, { tag: 'x' })).status).to.equal(403);
  });
});
