/**
 * KOLs of a real community on a real server: the graph loads from the database, the kol processor
 * adds replies, mentions and likes as they happen, and GET /api/v1/kols ranks accounts that many
 * distinct members engage with above busy accounts nobody answers, explaining each score. The
 * server recomputes on its worker thread here (threshold 0), as it does for a large community.
 */
import { expect } from 'chai';
import { startServer, type TestServer } from '../support/server';
import { Client } from '../support/client';
import { buildPost, buildThread, buildUser, type BuiltUser } from '../support/factories';
import { recomputeKols, isKol } from '../../server/services/kol';

/** Every recompute on the worker thread (by default only graphs of 50,000+ edges use it). */
const THREADED = { KOL_RECOMPUTE_THREAD_MIN_EDGES: '0' };

describe('KOL leaderboard', function () {
  this.timeout(60_000);
  let server: TestServer;
  let influencer: BuiltUser;
  let spammer: BuiltUser;
  before(async () => {
    server = await startServer(THREADED);
    influencer = await buildUser({ displayName: '资深车主' });
    spammer = await buildUser({ displayName: '刷屏号' });
    const members = await Promise.all(Array.from({ length: 12 }, () => buildUser()));
    const { thread, post } = await buildThread({ author: influencer, body: '长测一万公里：续航、车机和售后的真实体验' });
    // Twelve members reply to the influencer and like the post; the spammer replies to all of them.
    for (const m of members) {
      await buildPost({ thread, author: m, body: `谢谢分享 @${influencer.username}`, replyTo: post.id });
      await new Client(server.url).withToken(m.token).post(`/api/v1/posts/${post.id}/like`);
    }
    const { thread: other } = await buildThread({ author: members[0], body: '周末有人去试驾吗' });
    for (const m of members) {
      const { post: p } = await buildPost({ thread: other, author: m, body: '我去' });
      await buildPost({ thread: other, author: spammer, body: `@${m.username} 加我微信买配件`, replyTo: p.id });
    }
    await server.resonance.dispatcher.drain();
    await recomputeKols();
  });
  after(() => server?.close());

  it('ranks the account many members engage with first and the spammer far below, with reasons in the viewer’s language', async () => {
    const pr = await buildUser({ role: 'pr' });
    const res = await new Client(server.url).withToken(pr.token).get('/api/v1/kols?limit=50');
    expect(res.status, res.text).to.equal(200);
    const items = res.body.items as { username?: string; source: string; rank: number; score: number; reasons: string[]; parts: Record<string, number>; evidence: string[] }[];
    expect(items[0]).to.deep.include({ username: influencer.username, source: 'forum', rank: 1 });
    expect(items[0].reasons.join(' ')).to.match(/位不同用户/); // zh-CN by default
    expect(items[0].evidence.length).to.be.above(0);
    expect(items[0].parts).to.have.keys(['centrality', 'core', 'engagers', 'reach', 'recency', 'volume']);
    const spam = items.find((i) => i.username === spammer.username);
    if (spam) expect(spam.score).to.be.below(items[0].score / 2);
    const en = await new Client(server.url).withToken(pr.token).get('/api/v1/kols?limit=1&lang=en');
    expect(en.body.items[0].reasons.join(' ')).to.match(/distinct accounts/);
  });

  it('flags KOLs by the admins’ thresholds, at once when they change them', async () => {
    const admin = await buildUser({ role: 'admin' });
    const c = new Client(server.url).withToken(admin.token);
    expect((await c.put('/api/v1/console/settings', { kol: { minScore: 0, topN: 1 } })).status).to.equal(200);
    expect(isKol('forum', influencer.username)).to.equal(true);
    expect(isKol('forum', spammer.username)).to.equal(false);
    expect((await c.put('/api/v1/console/settings', { kol: { minScore: 100, topN: 1 } })).status).to.equal(200);
    expect(isKol('forum', influencer.username)).to.equal(false);
  });

  it('rebuilds the same ranking from the database after a restart', async () => {
    const pr = await buildUser({ role: 'pr' });
    const before = (await new Client(server.url).withToken(pr.token).get('/api/v1/kols?limit=5')).body.items.map((i: { username: string }) => i.username);
    const dataDir = server.dataDir;
    await server.close({ keepData: true });
    server = await startServer({ ...THREADED, DATA_DIR: dataDir });
    const after = (await new Client(server.url).withToken(pr.token).get('/api/v1/kols?limit=5')).body.items.map((i: { username: string }) => i.username);
    expect(after[0]).to.equal(influencer.username);
    expect(after).to.deep.equal(before);
    // Each author's sentiment trend is rebuilt from the stored analyses too.
    const top = (await new Client(server.url).withToken(pr.token).get('/api/v1/kols?limit=1')).body.items[0];
    expect(top.sentiment.items).to.equal(1);
    expect(top.sentiment.trend).to.have.length(1);
  });

  it('ranks a newcomer whom many members start engaging with after a recompute (concurrent recomputes share one run)', async () => {
    const newcomer = await buildUser({ displayName: '新晋达人' });
    const fans = await Promise.all(Array.from({ length: 20 }, () => buildUser()));
    const { thread, post } = await buildThread({ author: newcomer, body: '冬季续航实测：零下十度掉电多少' });
    for (const f of fans) {
      await buildPost({ thread, author: f, body: `学到了 @${newcomer.username}`, replyTo: post.id });
      await new Client(server.url).withToken(f.token).post(`/api/v1/posts/${post.id}/like`);
    }
    await server.resonance.dispatcher.drain();
    const pr = await buildUser({ role: 'pr' });
    const rank = async () => ((await new Client(server.url).withToken(pr.token).get('/api/v1/kols?limit=50')).body.items as { username?: string; rank: number }[]).find((i) => i.username === newcomer.username)?.rank;
    const first = recomputeKols();
    const second = recomputeKols();
    await Promise.all([first, second]);
    expect(await rank()).to.equal(1);
  });

  it('is for console viewers only, and validates its limit', async () => {
    const member = await buildUser();
    expect((await new Client(server.url).withToken(member.token).get('/api/v1/kols')).status).to.equal(403);
    expect((await new Client(server.url).get('/api/v1/kols')).status).to.equal(401);
    const pr = await buildUser({ role: 'pr' });
    expect((await new Client(server.url).withToken(pr.token).get('/api/v1/kols?limit=0')).status).to.equal(400);
  });
});
