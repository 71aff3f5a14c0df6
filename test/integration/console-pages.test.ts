/**
 * The opinion console's pages and settings: who gets in, what admins can change (audit-logged),
 * and the staff search page that every chart drills down to.
 */
import { expect } from 'chai';
import { startServer, type TestServer } from '../support/server';
import { Client } from '../support/client';
import { buildChapter, buildThread, buildUser } from '../support/factories';
import { AuditEntry } from '../../server/models';

describe('opinion console pages and settings', function () {
  this.timeout(30_000);
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server?.close());

  it('sends anonymous visitors to log in, refuses members, and opens for pr, admin and moderators', async () => {
    const anonymous = await new Client(server.url).get('/console');
    expect(anonymous.status).to.equal(303);
    expect(anonymous.headers.get('location')).to.equal('/login?next=%2Fconsole');
    const member = await buildUser();
    expect((await new Client(server.url).withToken(member.token).get('/console')).status).to.equal(403);
    expect((await new Client(server.url).withToken(member.token).get('/console/search')).status).to.equal(403);
    for (const role of ['pr', 'admin', 'moderator'] as const) {
      const staff = await buildUser({ role });
      const page = await new Client(server.url).withToken(staff.token).get('/console');
      expect(page.status, role).to.equal(200);
      expect(page.text).to.include('data-console');
      expect(page.text).to.include('/static/dist/console.js');
    }
  });

  it('keeps watch lists and KOL thresholds: viewers read them, only admins change them, every change is audited', async () => {
    const [member, pr, admin] = await Promise.all([buildUser(), buildUser({ role: 'pr' }), buildUser({ role: 'admin' })]);
    expect((await new Client(server.url).withToken(member.token).get('/api/v1/console/settings')).status).to.equal(403);
    const read = await new Client(server.url).withToken(pr.token).get('/api/v1/console/settings');
    expect(read.status).to.equal(200);
    expect(read.body.settings.watchLists).to.deep.equal([]);
    const settings = { watchLists: [{ key: '我们', terms: ['小米汽车', 'SU7'], side: 'ours' }, { key: '对手', terms: ['特斯拉'], side: 'competitor' }], kol: { topN: 20 } };
    expect((await new Client(server.url).withToken(pr.token).put('/api/v1/console/settings', settings)).status).to.equal(403);
    const bad = await new Client(server.url).withToken(admin.token).put('/api/v1/console/settings', { watchLists: [{ key: 'x\u0000', terms: ['a'] }] });
    expect(bad.status).to.equal(400);
    expect(bad.body.error.code).to.equal('validation_failed');
    const auditsBefore = await AuditEntry.count({ where: { action: 'console.configure' } });
    const put = await new Client(server.url).withToken(admin.token).put('/api/v1/console/settings', settings);
    expect(put.status, put.text).to.equal(200);
    expect(put.body.settings.watchLists).to.deep.equal(settings.watchLists);
    expect(put.body.settings.kol.topN).to.equal(20);
    expect(await AuditEntry.count({ where: { action: 'console.configure' } })).to.equal(auditsBefore + 1);
    const entry = await AuditEntry.findOne({ where: { action: 'console.configure' }, order: [['id', 'DESC']] });
    const data = (typeof entry!.data === 'string' ? JSON.parse(entry!.data) : entry!.data) as { before: { watchLists: unknown[] }; after: { watchLists: unknown[] } };
    expect(data.before.watchLists).to.deep.equal([]);
    expect(data.after.watchLists).to.have.length(2);
    const again = await new Client(server.url).withToken(pr.token).get('/api/v1/console/settings');
    expect(again.body.settings.watchLists).to.deep.equal(settings.watchLists);
  });

  it('the staff search page shows matching posts with sentiment, highlights and reasons, and private chapters to staff only', async () => {
    const pr = await buildUser({ role: 'pr' });
    const chapter = await buildChapter({ visibility: 'private', name: '内部同城会' });
    await buildThread({ chapter, body: '这次售后维修拖了两周还没修好，非常失望' });
    await server.resonance.dispatcher.drain();
    const page = await new Client(server.url).withToken(pr.token).get(`/console/search?q=${encodeURIComponent('售后')}`);
    expect(page.status).to.equal(200);
    expect(page.text).to.include('<mark>售后</mark>');
    expect(page.text).to.include('sentiment-badge negative');
    expect(page.text).to.include('class="reason"');
    // Reasons read in the page's language: stored codes ("cue:z_all(+1.02)") never show raw.
    const reasons = [...page.text.matchAll(/<span class="reason">([^<]*)<\/span>/g)].map((m) => m[1]);
    expect(reasons.length).to.be.greaterThan(0);
    for (const r of reasons) expect(r).not.to.match(/cue:|negated|lexicon|\(/);
    expect(reasons.every((r) => /（[+-]?\d/.test(r)), reasons.join(' | ')).to.equal(true);
    expect(page.text).to.include('内部同城会');
    const bad = await new Client(server.url).withToken(pr.token).get('/console/search?sentiment=angry');
    expect(bad.status).to.equal(400);
  });
});
