/**
 * The alert desk in a real browser: a moderator has /desk open; a crisis post from another
 * session appears in the queue without a reload; the moderator opens it, claims it and resolves
 * it with a note. Screenshots go to test-artifacts/e2e (desk.png is the README's).
 */
import path from 'node:path';
import { expect } from 'chai';
import { buildChapter, buildPost, buildThread, buildUser } from '../support/factories';
import { ARTIFACTS, useBrowserAndServer } from '../support/e2e';
import { Client } from '../support/client';
import { Alert } from '../../server/models';

describe('alert desk in a real browser (e2e)', function () {
  this.timeout(120_000);
  const e2e = useBrowserAndServer({ width: 1440, height: 1000 });

  it('shows a crisis post live; the moderator claims and resolves it', async () => {
    // A queue with some history: a complaint thread, a reported post.
    const chapter = await buildChapter({ name: '杭州同城会' });
    const fans = await Promise.all([buildUser({ displayName: '老王' }), buildUser({ displayName: '小李' })]);
    const { thread } = await buildThread({ author: fans[0], chapter, title: '售后体验', body: '保养等了三个小时，客服态度很差，非常失望！' });
    await buildPost({ thread, author: fans[1], body: '同感，售后太差劲了，投诉也没人理。' });
    const { post: spam } = await buildThread({ author: fans[1], title: '低价出售', body: '加微信领优惠券，低价出售配件' });
    await new Client(e2e.server.url).withToken(fans[0].token).post(`/api/v1/posts/${spam.id}/flag`, { reason: '广告' });
    await e2e.server.resonance.dispatcher.drain();

    const moderator = await buildUser({ role: 'moderator', displayName: '值班版主' });
    const page = await e2e.loggedIn(moderator);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${e2e.server.url}/desk`);
    await page.waitForFunction(() => document.querySelector('[data-live-status]')?.getAttribute('data-state') === 'live', undefined, { timeout: 15_000 });
    await page.waitForSelector('.desk-card', { timeout: 15_000 });
    await page.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));

    // Another session: a member reports a battery fire.
    const owner = await buildUser({ displayName: '着急的车主' });
    const res = await new Client(e2e.server.url).withToken(owner.token).post('/api/v1/threads', { title: '地库里电池冒烟了', body: '刚停好车电池就鼓包冒烟了，物业已经报警，大家注意安全！', chapter: chapter.slug });
    expect(res.status, res.text).to.equal(201);

    const crisis = page.locator('.desk-card', { hasText: '地库里电池冒烟了' });
    await crisis.waitFor({ timeout: 15_000 });
    expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).to.equal(true);
    // Ranked first: a safety watchword outranks the complaint and the report.
    expect(await page.locator('.desk-card').first().textContent()).to.contain('地库里电池冒烟了');

    await crisis.click();
    await page.waitForSelector('.desk-detail .desk-post.subject >> text=鼓包冒烟', { timeout: 15_000 });
    await page.getByRole('button', { name: '认领' }).click();
    await page.waitForSelector('.desk-detail .status-claimed', { timeout: 15_000 });
    await page.screenshot({ path: path.join(ARTIFACTS, 'desk.png'), fullPage: false });

    const alertId = Number((await crisis.getAttribute('data-alert'))!);
    expect((await Alert.findByPk(alertId))!.assigneeId).to.equal(moderator.user.id);
    await page.locator('.desk-close input').first().fill('已联系车主与物业，现场无人受伤，安排道路救援');
    await page.getByRole('button', { name: '解决' }).click();
    await page.waitForSelector('.desk-detail .status-resolved', { timeout: 15_000 });
    await page.waitForFunction((id) => !document.querySelector(`.desk-list [data-alert="${id}"]`), alertId, { timeout: 15_000 });
    const after = (await Alert.findByPk(alertId))!;
    expect(after.status).to.equal('resolved');
    expect(after.closingNote).to.contain('已联系车主');
    expect(errors, errors.join('\n')).to.deep.equal([]);
  });

  it('members are refused the desk page', async () => {
    const member = await buildUser();
    const page = await e2e.loggedIn(member);
    const response = await page.goto(`${e2e.server.url}/desk`);
    expect(response!.status()).to.equal(403);
  });
});
