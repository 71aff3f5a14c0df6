/**
 * The alert settings page (/admin/alerts) in a real browser: an admin arrives from the desk's
 * header link, adds a watch list with the plain form and sees it listed next to the built-in
 * crisis terms. Screenshot: test-artifacts/e2e/alert-admin.png.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { expect } from 'chai';
import { buildUser } from '../support/factories';
import { ARTIFACTS, useBrowserAndServer } from '../support/e2e';
import { Client } from '../support/client';
import { CannedResponse } from '../../server/models';

describe('alert settings page in a real browser (e2e)', function () {
  this.timeout(120_000);
  const e2e = useBrowserAndServer({ width: 1280, height: 1000 });
  let receiver: http.Server;

  before(async () => {
    // A DingTalk-like robot on 127.0.0.1, so the webhook section has a delivery to show.
    receiver = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"errcode":0,"errmsg":"ok"}'));
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  });
  after(async () => {
    // Not started when the suite was skipped (no Chromium); close(resolve) on nothing never resolves.
    if (receiver) await new Promise((resolve) => receiver.close(resolve));
  });

  it('an admin opens the page from the desk and adds a watch list', async () => {
    const admin = await buildUser({ role: 'admin', displayName: '社区管理员' });
    await buildUser({ role: 'pr', username: 'brand_official', displayName: '品牌官方' });
    await buildUser({ role: 'moderator', username: 'mod_wang', displayName: '版主老王' });
    const api = new Client(e2e.server.url).withToken(admin.token);
    expect((await api.put('/api/v1/alerts/settings', { officialUsername: 'brand_official', roundRobin: true, onDuty: ['mod_wang'] })).status).to.equal(200);
    await CannedResponse.create({ title: '致歉并跟进', body: '您好，非常抱歉给您带来不便，我们已安排专人今天联系您。', locale: 'zh-CN', createdById: admin.user.id });
    await CannedResponse.create({ title: 'Apology and follow-up', body: 'Sorry for the trouble; someone will contact you today.', locale: 'en', createdById: admin.user.id });

    const robot = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/robot/send?access_token=e2e-token`;
    const hook = await api.post('/api/v1/webhooks', { name: '公关值班钉钉群', format: 'dingtalk', url: robot, secret: 'SECe2e-secret-value', minSeverity: 5 });
    expect(hook.status, hook.text).to.equal(201);
    expect((await api.post(`/api/v1/webhooks/${hook.body.webhook.id}/test`)).body.delivery.status).to.equal('delivered');

    const page = await e2e.loggedIn(admin);
    await page.goto(`${e2e.server.url}/desk`);
    await Promise.all([page.waitForNavigation(), page.click('a[href="/admin/alerts"].desk-settings-link')]);
    expect(new URL(page.url()).pathname).to.equal('/admin/alerts');
    expect(await page.textContent('h1')).to.equal('预警设置');

    const form = page.locator('form[data-add-watch-list]');
    await form.locator('input[name="key"]').fill('召回与退款');
    await form.locator('textarea[name="terms"]').fill('召回\n退款，退货\n三包');
    await Promise.all([page.waitForNavigation(), form.locator('button[type="submit"]').click()]);
    expect(new URL(page.url()).search).to.equal('?done=watchAdded');
    expect(await page.locator('p.notice').textContent()).to.contain('词表已添加');
    const list = page.locator('[data-watch-list="召回与退款"]');
    expect(await list.locator('textarea[name="terms"]').inputValue()).to.equal('召回\n退款\n退货\n三包');
    expect(await list.textContent()).to.contain('4 个词');
    expect(await page.locator('.crisis-terms').textContent()).to.contain('鼓包');
    const watchLists = (await api.get('/api/v1/alerts/settings')).body.settings.watchLists;
    expect(watchLists).to.deep.equal([{ key: '召回与退款', terms: ['召回', '退款', '退货', '三包'] }]);

    // The browser's own validation stops an SLA of 0 before it is sent.
    await page.fill('input[name="sla.critical"]', '0');
    expect(await page.$eval('input[name="sla.critical"]', (el) => (el as HTMLInputElement).validity.rangeUnderflow)).to.equal(true);
    await page.fill('input[name="sla.critical"]', '15');

    await page.goto(`${e2e.server.url}/admin/alerts?done=watchAdded&tested=${hook.body.webhook.id}`);
    await page.screenshot({ path: path.join(ARTIFACTS, 'alert-admin.png'), fullPage: true });
    await page.context().close();
  });
});
