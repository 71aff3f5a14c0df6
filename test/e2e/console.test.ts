/**
 * The opinion console in a real browser: a PR user has /console open; another member posts a
 * strongly negative reply; the live stream shows it and the chart's negative count goes up,
 * without a reload. Screenshots go to test-artifacts/e2e.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { startServer, type TestServer } from '../support/server';
import { buildChapter, buildPost, buildThread, buildUser, type BuiltUser } from '../support/factories';
import { launchBrowser, signedInPage } from '../support/browser';
import { Client } from '../support/client';

const ARTIFACTS = path.resolve('test-artifacts/e2e');

describe('opinion console in a real browser (e2e)', function () {
  this.timeout(120_000);
  let server: TestServer;
  let browser: Browser;

  before(async function () {
    browser = await launchBrowser(this);
    server = await startServer();
    fs.mkdirSync(ARTIFACTS, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  const loggedIn = (user: BuiltUser, locale = 'zh-CN'): Promise<Page> => signedInPage(browser, server.url, user, { locale, width: 1440, height: 1000 });

  it('streams a new negative reply and counts it in the chart without a reload', async () => {
    // Some history, so the charts have something to draw.
    const chapters = [await buildChapter({ name: '深圳同城会' }), await buildChapter({ name: '上海同城会' })];
    const fans = await Promise.all([buildUser({ displayName: '老王' }), buildUser({ displayName: '小李' }), buildUser({ displayName: '阿美' })]);
    const bodies = ['新版车机流畅多了，导航很准，点赞', '周末同城会试驾活动报名方式：回帖留言即可', '充电桩排队一小时，太失望了', '售后响应很快，值了', '续航比宣传的少太多，后悔买了'];
    let thread = null as Awaited<ReturnType<typeof buildThread>>['thread'] | null;
    for (let i = 0; i < bodies.length; i++) {
      const built = await buildThread({ author: fans[i % 3], chapter: chapters[i % 2], title: `话题 ${i + 1}`, body: bodies[i] });
      thread ??= built.thread;
      await buildPost({ thread: built.thread, author: fans[(i + 1) % 3], body: '同意楼上' });
    }
    await server.resonance.dispatcher.drain();

    const pr = await buildUser({ role: 'pr', displayName: '品牌公关' });
    const page = await loggedIn(pr);
    await page.goto(`${server.url}/console`);
    await page.waitForFunction(() => document.querySelector<HTMLElement>('[data-chart="volume"]')?.dataset.total !== undefined, undefined, { timeout: 15_000 });
    await page.waitForFunction(() => document.querySelector('[data-live-status]')?.getAttribute('data-state') === 'live', undefined, { timeout: 15_000 });
    const negativeBefore = Number(await page.getAttribute('[data-chart="volume"]', 'data-negative'));
    await page.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));

    // Another session posts a strongly negative reply.
    const angry = await buildUser({ displayName: '愤怒的车主' });
    const reply = await new Client(server.url).withToken(angry.token).post(`/api/v1/threads/${thread!.id}/posts`, { body: '刚提车一周电池就鼓包了，售后推来推去，太垃圾了，坚决维权！' });
    expect(reply.status, reply.text).to.equal(201);

    await page.waitForSelector('.stream-item.sentiment-negative >> text=电池就鼓包', { timeout: 15_000 });
    await page.waitForFunction((before) => Number(document.querySelector<HTMLElement>('[data-chart="volume"]')?.dataset.negative) > before, negativeBefore, { timeout: 15_000 });
    expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).to.equal(true);
    const item = page.locator('.stream-item', { hasText: '电池就鼓包' });
    expect(await item.locator('.sentiment-badge').textContent()).to.equal('负面');
    expect(await item.locator('.reason').count()).to.be.above(0);
    expect(await item.locator('a.stream-text').getAttribute('href')).to.equal(`/t/${thread!.id}#p${reply.body.post.id}`);
    await page.screenshot({ path: path.join(ARTIFACTS, 'console.png'), fullPage: true });

    // Pausing keeps what arrives and shows it on resume.
    await page.click('[data-pause]');
    await new Client(server.url).withToken(angry.token).post(`/api/v1/threads/${thread!.id}/posts`, { body: '暂停期间的新帖：客服态度很差' });
    await page.waitForFunction(() => /1/.test(document.querySelector('[data-pause]')?.textContent ?? ''), undefined, { timeout: 15_000 });
    expect(await page.locator('.stream-item', { hasText: '暂停期间的新帖' }).count()).to.equal(0);
    await page.click('[data-pause]');
    await page.waitForSelector('.stream-item >> text=暂停期间的新帖', { timeout: 5_000 });

    // A term drills down to the staff search page.
    const search = await loggedIn(pr, 'en-US');
    await search.goto(`${server.url}/console/search?q=${encodeURIComponent('售后')}`);
    await search.waitForSelector('.result mark');
    await search.screenshot({ path: path.join(ARTIFACTS, 'console-search.png'), fullPage: true });
  });
});
