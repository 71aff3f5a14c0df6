/**
 * /admin/alerts (预警设置) by plain form posts, as a browser without JavaScript sends them: the
 * settings reach the same service as the JSON API (GET /api/v1/alerts/settings shows them),
 * invalid input re-renders the page with the message and changes nothing, watch lists, canned
 * responses and webhooks are added, edited and removed, every change is audited, and nobody but
 * an admin reaches the page or its forms.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { startServer, type TestServer } from '../support/server';
import { Client, type Reply } from '../support/client';
import { buildUser, PASSWORD, type BuiltUser } from '../support/factories';
import { AuditEntry, CannedResponse, Webhook, WebhookDelivery } from '../../server/models';

type Fields = Record<string, string | string[]>;

/** A browser session's form post (the CSRF token in the body, as a <form> sends it). */
function submit(browser: Client, path: string, fields: Fields = {}): Promise<Reply> {
  const body = new URLSearchParams({ _csrf: browser.csrf ?? '' });
  for (const [name, value] of Object.entries(fields)) for (const v of Array.isArray(value) ? value : [value]) body.append(name, v);
  return browser.post(path, body, { 'x-csrf-token': '' });
}

const auditCount = (action: string) => AuditEntry.count({ where: { action } });
/** The text between the tags, with tags removed, for "the page says so" checks. */
const textOf = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/&quot;/g, '"').replace(/&#x27;/g, "'").replace(/&amp;/g, '&').replace(/\s+/g, ' ');
const errorOf = (html: string) => /<p class="form-error" role="alert">([^<]*)<\/p>/.exec(html)?.[1] ?? null;

describe('alert settings admin page (/admin/alerts)', function () {
  this.timeout(30_000);
  let server: TestServer;
  let admin: BuiltUser;
  let browser: Client;
  let api: Client;
  let receiver: http.Server;
  let receiverUrl: string;
  const received: string[] = [];

  const settings = async () => {
    const res = await api.get('/api/v1/alerts/settings');
    expect(res.status, res.text).to.equal(200);
    return res.body.settings as { thresholds: Record<string, number>; sla: Record<string, number>; watchLists: { key: string; terms: string[] }[]; officialUsername: string | null; roundRobin: boolean; onDuty: string[] };
  };
  /** The settings form as the page fills it, with some fields changed. */
  const settingsForm = async (changes: Fields): Promise<Fields> => {
    const s = await settings();
    return {
      'thresholds.negativeMinSeverity': String(s.thresholds.negativeMinSeverity),
      'thresholds.kolTrendDrop': String(s.thresholds.kolTrendDrop),
      'thresholds.flagEscalateAt': String(s.thresholds.flagEscalateAt),
      'sla.critical': String(s.sla.critical),
      'sla.high': String(s.sla.high),
      'sla.normal': String(s.sla.normal),
      officialUsername: s.officialUsername ?? '',
      ...(s.roundRobin ? { roundRobin: 'on' } : {}),
      onDuty: s.onDuty,
      ...changes,
    };
  };

  before(async () => {
    server = await startServer();
    admin = await buildUser({ role: 'admin', displayName: '管理员' });
    browser = new Client(server.url);
    await browser.browserLogin(admin.username, PASSWORD);
    api = new Client(server.url).withToken(admin.token);
    receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push(body);
        // Answers as a DingTalk robot does (HTTP 200 and errcode 0), or fails on /fail.
        if (req.url?.startsWith('/fail')) res.writeHead(500, { 'content-type': 'text/plain' }).end('receiver broke');
        else res.writeHead(200, { 'content-type': 'application/json' }).end('{"errcode":0,"errmsg":"ok"}');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/ding?access_token=tok-1234`;
  });
  after(async () => {
    await new Promise((resolve) => receiver?.close(resolve));
    await server?.close();
  });

  it('shows the page in Chinese with number inputs bounded as the schema bounds them, linked from /admin and the desk', async () => {
    const page = await browser.get('/admin/alerts');
    expect(page.status, page.text.slice(0, 300)).to.equal(200);
    expect(page.text).to.contain('<h1>预警设置</h1>');
    expect(page.text).to.match(/name="sla.critical" value="15" min="1" max="10080"/);
    expect(page.text).to.match(/name="thresholds.negativeMinSeverity" value="\d+" min="1" max="10" step="1"/);
    expect(page.text).to.match(/name="thresholds.kolTrendDrop" value="[\d.]+" min="0.05" max="2" step="0.05"/);
    // The built-in crisis terms are listed read-only, by category.
    expect(textOf(page.text)).to.contain('安全').and.contain('鼓包').and.contain('法律维权').and.contain('起诉');
    expect(page.text).to.contain('action="/admin/alerts/settings"');
    expect((await browser.get('/admin')).text).to.contain('href="/admin/alerts"');
    expect((await browser.get('/desk')).text).to.contain('href="/admin/alerts"');
    const en = await browser.get('/admin/alerts?lang=en', { 'accept-language': 'en' });
    expect(en.status).to.equal(200);
    expect(en.text).to.contain('<h1>Alert settings</h1>').and.contain('Time to claim (minutes)');
  });

  it('saves SLA minutes, thresholds, the official account and who is on duty; the API reflects it; audited', async () => {
    const official = await buildUser({ role: 'pr', username: 'brand_official' });
    const moderator = await buildUser({ role: 'moderator', username: 'duty_mod' });
    const before = await auditCount('alerts.configure');
    const page = await browser.get('/admin/alerts');
    expect(page.text).to.contain('value="duty_mod"');
    const res = await submit(browser, '/admin/alerts/settings', await settingsForm({
      'sla.critical': '10', 'sla.high': '45', 'sla.normal': '300',
      'thresholds.negativeMinSeverity': '7', 'thresholds.kolTrendDrop': '0.4', 'thresholds.flagEscalateAt': '5',
      officialUsername: official.username, roundRobin: 'on', onDuty: [moderator.username, official.username],
    }));
    expect(res.status, res.text.slice(0, 500)).to.equal(303);
    expect(res.headers.get('location')).to.equal('/admin/alerts?done=settings#settings');
    const s = await settings();
    expect(s.sla).to.deep.equal({ critical: 10, high: 45, normal: 300 });
    expect(s.thresholds).to.include({ negativeMinSeverity: 7, kolTrendDrop: 0.4, flagEscalateAt: 5 });
    expect(s.officialUsername).to.equal('brand_official');
    expect(s.roundRobin).to.equal(true);
    expect([...s.onDuty].sort()).to.deep.equal(['brand_official', 'duty_mod']);
    expect(await auditCount('alerts.configure')).to.equal(before + 1);
    const after = await browser.get('/admin/alerts?done=settings');
    expect(after.text).to.contain('规则与时限已保存');
    expect(after.text).to.match(/name="sla.high" value="45"/);
    expect(after.text).to.match(/name="onDuty" value="duty_mod" checked/);

    // Unticking everything turns round-robin off and clears the duty list (a form sends nothing for them).
    const cleared = await submit(browser, '/admin/alerts/settings', await settingsForm({ roundRobin: [], onDuty: [] }));
    expect(cleared.status).to.equal(303);
    expect((await settings()).roundRobin).to.equal(false);
    expect((await settings()).onDuty).to.deep.equal([]);
  });

  it('refuses an SLA of 0, a threshold out of range, an unknown or non-staff official account: the page says so and nothing changes', async () => {
    const member = await buildUser({ username: 'plain_member' });
    const stored = await settings();
    const before = await auditCount('alerts.configure');

    const zero = await submit(browser, '/admin/alerts/settings', await settingsForm({ 'sla.critical': '0', 'sla.high': '30' }));
    expect(zero.status).to.equal(400);
    expect(errorOf(zero.text)).to.contain('紧急（严重度 ≥ 8）').and.contain('1 到 10080');
    // What was typed stays in the form so it can be corrected.
    expect(zero.text).to.match(/name="sla.critical" value="0"/);
    expect(zero.text).to.match(/name="sla.high" value="30"/);

    const empty = await submit(browser, '/admin/alerts/settings', await settingsForm({ 'sla.normal': '' }));
    expect(empty.status).to.equal(400);
    expect(errorOf(empty.text)).to.contain('一般（严重度 ≤ 4）');

    const severity = await submit(browser, '/admin/alerts/settings', await settingsForm({ 'thresholds.negativeMinSeverity': '11' }));
    expect(severity.status).to.equal(400);
    expect(errorOf(severity.text)).to.contain('负面帖最低严重度').and.contain('1 到 10');

    const unknown = await submit(browser, '/admin/alerts/settings', await settingsForm({ officialUsername: 'nobody_here', 'sla.critical': '5' }));
    expect(unknown.status).to.equal(400);
    expect(errorOf(unknown.text)).to.contain('@nobody_here').and.contain('不存在');
    expect(unknown.text).to.match(/name="officialUsername" value="nobody_here"/);

    const notStaff = await submit(browser, '/admin/alerts/settings', await settingsForm({ officialUsername: member.username }));
    expect(notStaff.status).to.equal(400);
    expect(errorOf(notStaff.text)).to.contain(`@${member.username}`);

    const dutyMember = await submit(browser, '/admin/alerts/settings', await settingsForm({ onDuty: [member.username] }));
    expect(dutyMember.status).to.equal(400);
    expect(errorOf(dutyMember.text)).to.contain('值班人员');

    // The API goes through the same service: it refuses the same account.
    const viaApi = await api.put('/api/v1/alerts/settings', { officialUsername: 'nobody_here' });
    expect(viaApi.status).to.equal(400);
    expect(viaApi.body.error.field).to.equal('officialUsername');

    expect(await settings()).to.deep.equal(stored);
    expect(await auditCount('alerts.configure')).to.equal(before);
  });

  it('warns on the page when the stored official account stopped being staff', async () => {
    const official = await buildUser({ role: 'pr', username: 'soon_demoted' });
    expect((await api.put('/api/v1/alerts/settings', { officialUsername: official.username })).status).to.equal(200);
    official.user.role = 'member';
    await official.user.save();
    const page = await browser.get('/admin/alerts');
    expect(textOf(page.text)).to.contain('当前设置的官方账号 @soon_demoted');
    expect((await api.put('/api/v1/alerts/settings', { officialUsername: null })).status).to.equal(200);
    expect(textOf((await browser.get('/admin/alerts')).text)).to.not.contain('当前设置的官方账号');
  });

  it('adds a watch list from lines and commas, edits and renames it, refuses a duplicate, deletes it; audited', async () => {
    const before = await auditCount('alerts.configure');
    const added = await submit(browser, '/admin/alerts/watch-lists', { add: '1', key: '召回', terms: '召回\n退款，退货, 召回\n\n 三包 ' });
    expect(added.status, added.text.slice(0, 400)).to.equal(303);
    expect((await settings()).watchLists).to.deep.equal([{ key: '召回', terms: ['召回', '退款', '退货', '三包'] }]);
    const page = (await browser.get('/admin/alerts')).text;
    expect(page).to.contain('data-watch-list="召回"');
    expect(page).to.contain('召回\n退款\n退货\n三包</textarea>');

    const duplicate = await submit(browser, '/admin/alerts/watch-lists', { add: '1', key: '召回', terms: '别的' });
    expect(duplicate.status).to.equal(409);
    expect(errorOf(duplicate.text)).to.contain('召回');
    // The add form keeps what was typed.
    expect(duplicate.text).to.contain('>别的</textarea>');

    const noTerms = await submit(browser, '/admin/alerts/watch-lists', { add: '1', key: '空表', terms: ' ,， \n' });
    expect(noTerms.status).to.equal(400);
    expect(errorOf(noTerms.text)).to.contain('词语');

    const tooLong = await submit(browser, '/admin/alerts/watch-lists', { add: '1', key: '长词', terms: '长'.repeat(33) });
    expect(tooLong.status).to.equal(400);

    const edited = await submit(browser, '/admin/alerts/watch-lists/update', { original: '召回', key: '召回与退款', terms: '召回,退款' });
    expect(edited.status).to.equal(303);
    expect((await settings()).watchLists).to.deep.equal([{ key: '召回与退款', terms: ['召回', '退款'] }]);

    const gone = await submit(browser, '/admin/alerts/watch-lists/update', { original: '召回', key: '召回', terms: 'x' });
    expect(gone.status).to.equal(404);
    expect(errorOf(gone.text)).to.contain('已不存在');

    const deleted = await submit(browser, '/admin/alerts/watch-lists/delete', { original: '召回与退款', key: 'whatever was typed', terms: '' });
    expect(deleted.status).to.equal(303);
    expect((await settings()).watchLists).to.deep.equal([]);
    expect(await auditCount('alerts.configure')).to.equal(before + 3);
    const entries = await AuditEntry.findAll({ where: { action: 'alerts.configure', actorId: admin.user.id }, order: [['id', 'DESC']], limit: 1 });
    expect((entries[0].data as { after: { watchLists: unknown[] } }).after.watchLists).to.deep.equal([]);
  });

  it('adds, edits and deletes canned responses grouped by locale; the desk API lists them; audited', async () => {
    const created = await auditCount('canned.create');
    const res = await submit(browser, '/admin/alerts/canned', { add: '1', title: '致歉模板', locale: 'zh-CN', body: '您好，非常抱歉给您带来不便。' });
    expect(res.status, res.text.slice(0, 400)).to.equal(303);
    const en = await submit(browser, '/admin/alerts/canned', { add: '1', title: 'Apology', locale: 'en', body: 'Sorry for the trouble.' });
    expect(en.status).to.equal(303);
    const row = (await CannedResponse.findOne({ where: { title: '致歉模板' } }))!;
    expect(row.locale).to.equal('zh-CN');
    expect(await auditCount('canned.create')).to.equal(created + 2);
    const page = (await browser.get('/admin/alerts')).text;
    const zhAt = page.indexOf('致歉模板');
    const enAt = page.indexOf('value="Apology"');
    expect(zhAt).to.be.above(0);
    expect(enAt).to.be.above(zhAt);
    expect(page.slice(zhAt, enAt)).to.contain('<h3>英文');

    const bad = await submit(browser, '/admin/alerts/canned', { add: '1', title: '', locale: 'zh-CN', body: '内容还在' });
    expect(bad.status).to.equal(400);
    expect(errorOf(bad.text)).to.contain('标题');
    expect(bad.text).to.contain('>内容还在</textarea>');
    const badLocale = await submit(browser, '/admin/alerts/canned', { add: '1', title: 'x', locale: 'fr', body: 'y' });
    expect(badLocale.status).to.equal(400);

    const edited = await submit(browser, `/admin/alerts/canned/${row.id}`, { title: '致歉（新版）', locale: 'zh-CN', body: '您好，我们已安排专人联系您。' });
    expect(edited.status).to.equal(303);
    await row.reload();
    expect(row.title).to.equal('致歉（新版）');
    expect(row.body).to.equal('您好，我们已安排专人联系您。');
    const listed = await api.get('/api/v1/canned-responses');
    expect(listed.body.items.map((c: { title: string }) => c.title)).to.include('致歉（新版）');
    expect(await auditCount('canned.update')).to.be.at.least(1);

    const emptied = await submit(browser, `/admin/alerts/canned/${row.id}`, { title: '致歉（新版）', locale: 'zh-CN', body: '   ' });
    expect(emptied.status).to.equal(400);
    await row.reload();
    expect(row.body).to.equal('您好，我们已安排专人联系您。');

    const deleted = await submit(browser, `/admin/alerts/canned/${row.id}/delete`);
    expect(deleted.status).to.equal(303);
    expect(await CannedResponse.findByPk(row.id)).to.equal(null);
    const entry = await AuditEntry.findOne({ where: { action: 'canned.delete', subjectId: String(row.id) } });
    expect(entry!.actorId).to.equal(admin.user.id);
    expect((await submit(browser, `/admin/alerts/canned/${row.id}/delete`)).status).to.equal(404);
  });

  it('adds a webhook, sends a test to a local receiver and shows the delivery, deactivates and deletes it; audited; the secret never shows', async () => {
    const res = await submit(browser, '/admin/alerts/webhooks', { add: '1', name: '公关钉钉群', format: 'dingtalk', url: receiverUrl, secret: 'SECtopsecret-value-42', events: ['alert.raised', 'alert.escalated'], minSeverity: '6' });
    expect(res.status, res.text.slice(0, 400)).to.equal(303);
    const hook = (await Webhook.findOne({ where: { name: '公关钉钉群' } }))!;
    expect(hook).to.not.equal(null);
    expect(hook).to.include({ format: 'dingtalk', minSeverity: 6, active: true });
    expect(hook.events).to.deep.equal(['alert.raised', 'alert.escalated']);
    expect(await AuditEntry.count({ where: { action: 'webhook.create', subjectId: String(hook.id) } })).to.equal(1);
    let page = (await browser.get('/admin/alerts')).text;
    expect(page).to.contain(`data-webhook="${hook.id}"`);
    expect(page).to.contain(`http://127.0.0.1:${new URL(receiverUrl).port}/…`);
    expect(page).to.not.contain('SECtopsecret').and.not.contain('tok-1234');

    const tested = await submit(browser, `/admin/alerts/webhooks/${hook.id}/test`);
    expect(tested.status).to.equal(303);
    expect(tested.headers.get('location')).to.equal(`/admin/alerts?done=webhookTested&tested=${hook.id}#webhooks`);
    expect(received.length).to.equal(1);
    const delivery = (await WebhookDelivery.findOne({ where: { webhookId: hook.id } }))!;
    expect(delivery.status).to.equal('delivered');
    page = (await browser.get(tested.headers.get('location')!)).text;
    expect(page).to.contain(`data-delivery="${delivery.id}"`);
    expect(page).to.match(/<details class="webhook-deliveries" open>/);
    expect(textOf(page)).to.contain('已送达').and.contain('200');

    // A receiver that fails: the log says how (status code), and the test send does not retry.
    const failing = await submit(browser, '/admin/alerts/webhooks', { add: '1', name: '坏掉的接收端', format: 'generic', url: `${new URL(receiverUrl).origin}/fail`, events: 'alert.raised', minSeverity: '1' });
    expect(failing.status).to.equal(303);
    const broken = (await Webhook.findOne({ where: { name: '坏掉的接收端' } }))!;
    expect((await submit(browser, `/admin/alerts/webhooks/${broken.id}/test`)).status).to.equal(303);
    const failed = (await WebhookDelivery.findOne({ where: { webhookId: broken.id } }))!;
    expect(failed).to.include({ status: 'failed', attempts: 1, lastStatusCode: 500 });
    page = (await browser.get(`/admin/alerts?done=webhookTested&tested=${broken.id}`)).text;
    const brokenCard = page.slice(page.indexOf(`data-webhook="${broken.id}"`));
    expect(textOf(brokenCard)).to.contain('失败').and.contain('500');
    expect((await submit(browser, `/admin/alerts/webhooks/${broken.id}/delete`)).status).to.equal(303);

    const off = await submit(browser, `/admin/alerts/webhooks/${hook.id}/active`, { active: '0' });
    expect(off.status).to.equal(303);
    await hook.reload();
    expect(hook.active).to.equal(false);
    expect((await browser.get('/admin/alerts')).text).to.contain(`action="/admin/alerts/webhooks/${hook.id}/active"`);
    const update = await AuditEntry.findOne({ where: { action: 'webhook.update', subjectId: String(hook.id) } });
    expect((update!.data as { after: { active: boolean } }).after.active).to.equal(false);

    const deleted = await submit(browser, `/admin/alerts/webhooks/${hook.id}/delete`);
    expect(deleted.status).to.equal(303);
    expect(await Webhook.findByPk(hook.id)).to.equal(null);
    expect(await AuditEntry.count({ where: { action: 'webhook.delete', subjectId: String(hook.id) } })).to.equal(1);
  });

  it('refuses a webhook with a bad URL, a short secret, no events or an unknown format, keeping the form', async () => {
    const count = await Webhook.count();
    const base = { add: '1', name: '坏的', format: 'slack', url: receiverUrl, events: ['alert.raised'], minSeverity: '1' };
    const cases: [Fields, string][] = [
      [{ url: 'ftp://example.com/x' }, '接收地址'],
      [{ url: 'not a url' }, '接收地址'],
      [{ secret: 'short' }, '签名密钥'],
      [{ events: [] }, '事件'],
      [{ format: 'teams' }, '格式'],
      [{ minSeverity: '0' }, '1 到 10'],
      [{ name: '' }, '名称'],
    ];
    for (const [change, mention] of cases) {
      const res = await submit(browser, '/admin/alerts/webhooks', { ...base, ...change });
      expect(res.status, JSON.stringify(change)).to.equal(400);
      expect(errorOf(res.text), JSON.stringify(change)).to.contain(mention);
    }
    const kept = await submit(browser, '/admin/alerts/webhooks', { ...base, secret: 'short', events: ['alert.escalated'] });
    expect(kept.text).to.contain('value="坏的"');
    expect(kept.text).to.match(/name="events" value="alert.escalated" checked/);
    expect(kept.text).to.not.match(/name="events" value="alert.raised" checked/);
    expect(kept.text).to.not.contain('value="short"');
    expect(await Webhook.count()).to.equal(count);
  });

  it('members, moderators and PR get 403 on the page and every form; anonymous visitors are sent to log in; nothing changes', async () => {
    const hook = await Webhook.create({ name: 'keep', format: 'generic', url: receiverUrl, secret: null, events: ['alert.raised'], minSeverity: 1, active: true, createdById: admin.user.id });
    const canned = await CannedResponse.create({ title: 'keep', body: 'keep', locale: 'zh-CN', createdById: admin.user.id });
    expect((await api.put('/api/v1/alerts/settings', { watchLists: [{ key: 'keep', terms: ['keep'] }] })).status).to.equal(200);
    const stored = await settings();
    const audits = await AuditEntry.count();
    const posts: [string, Fields][] = [
      ['/admin/alerts/settings', await settingsForm({ 'sla.critical': '1' })],
      ['/admin/alerts/watch-lists', { key: 'x', terms: 'x' }],
      ['/admin/alerts/watch-lists/update', { original: 'keep', key: 'x', terms: 'x' }],
      ['/admin/alerts/watch-lists/delete', { original: 'keep' }],
      ['/admin/alerts/canned', { title: 'x', locale: 'zh-CN', body: 'x' }],
      [`/admin/alerts/canned/${canned.id}`, { title: 'x', locale: 'zh-CN', body: 'x' }],
      [`/admin/alerts/canned/${canned.id}/delete`, {}],
      ['/admin/alerts/webhooks', { name: 'x', format: 'generic', url: receiverUrl, events: 'alert.raised', minSeverity: '1' }],
      [`/admin/alerts/webhooks/${hook.id}/active`, { active: '0' }],
      [`/admin/alerts/webhooks/${hook.id}/test`, {}],
      [`/admin/alerts/webhooks/${hook.id}/delete`, {}],
    ];
    const sent = received.length;
    for (const role of ['member', 'moderator', 'pr'] as const) {
      const u = await buildUser({ role });
      const b = new Client(server.url);
      await b.browserLogin(u.username, PASSWORD);
      const page = await b.get('/admin/alerts');
      expect(page.status, role).to.equal(403);
      expect(page.text).to.not.contain('action="/admin/alerts/settings"');
      for (const [path, fields] of posts) expect((await submit(b, path, fields)).status, `${role} ${path}`).to.equal(403);
      // The desk shows no link to the settings (moderators and PR reach the desk; members do not).
      if (role !== 'member') expect((await b.get('/desk')).text).to.not.contain('href="/admin/alerts"');
    }
    const anonymous = new Client(server.url);
    const redirect = await anonymous.get('/admin/alerts');
    expect(redirect.status).to.equal(303);
    expect(redirect.headers.get('location')).to.equal('/login?next=%2Fadmin%2Falerts');
    expect(await settings()).to.deep.equal(stored);
    expect(await Webhook.findByPk(hook.id)).to.include({ active: true });
    expect((await CannedResponse.findByPk(canned.id))!.title).to.equal('keep');
    expect(received.length).to.equal(sent);
    expect(await AuditEntry.count()).to.equal(audits);
  });
});
