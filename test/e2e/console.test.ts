/**
 * The opinion console in a real browser: a PR user has /console open; another member posts a
 * strongly negative reply; the live stream shows it and the chart's negative count goes up,
 * without a reload. Screenshots go to test-artifacts/e2e.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { buildChapter, buildPost, buildThread, buildUser } from '../support/factories';
import { ARTIFACTS, useBrowserAndServer } from '../support/e2e';
import { Client } from '../support/client';

describe('opinion console in a real browser (e2e)', function () {
  this.timeout(120_000);
  const e2e = useBrowserAndServer({ width: 1440, height: 1000 });

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
    await e2e.server.resonance.dispatcher.drain();

    const pr = await buildUser({ role: 'pr', displayName: '品牌公关' });
    const page = await e2e.loggedIn(pr);
    await page.goto(`${e2e.server.url}/console`);
    await page.waitForFunction(() => document.querySelector<HTMLElement>('[data-chart="volume"]')?.dataset.total !== undefined, undefined, { timeout: 15_000 });
    await page.waitForFunction(() => document.querySelector('[data-live-status]')?.getAttribute('data-state') === 'live', undefined, { timeout: 15_000 });
    const negativeBefore = Number(await page.getAttribute('[data-chart="volume"]', 'data-negative'));
    await page.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));

    // Another session posts a strongly negative reply.
    const angry = await buildUser({ displayName: '愤怒的车主' });
    const reply = await new Client(e2e.server.url).withToken(angry.token).post(`/api/v1/threads/${thread!.id}/posts`, { body: '刚提车一周电池就鼓包了，售后推来推去，太垃圾了，坚决维权！' });
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
    await new Client(e2e.server.url).withToken(angry.token).post(`/api/v1/threads/${thread!.id}/posts`, { body: '暂停期间的新帖：客服态度很差' });
    await page.waitForFunction(() => /1/.test(document.querySelector('[data-pause]')?.textContent ?? ''), undefined, { timeout: 15_000 });
    expect(await page.locator('.stream-item', { hasText: '暂停期间的新帖' }).count()).to.equal(0);
    await page.click('[data-pause]');
    await page.waitForSelector('.stream-item >> text=暂停期间的新帖', { timeout: 5_000 });

    // A term drills down to the staff search page.
    const search = await e2e.loggedIn(pr, { locale: 'en-US' });
    await search.goto(`${e2e.server.url}/console/search?q=${encodeURIComponent('售后')}`);
    await search.waitForSelector('.result mark');
    await search.screenshot({ path: path.join(ARTIFACTS, 'console-search.png'), fullPage: true });
  });
  it('asks for a custom range in the viewer\'s time zone, checks it, and keeps it in drill-downs and the CSV export', async () => {
    const author = await buildUser({ displayName: '车友小周' });
    await buildThread({ author, title: '自定义时间范围', body: '续航表现很满意，充电也快' });
    await e2e.server.resonance.dispatcher.drain();
    const pr = await buildUser({ role: 'pr', displayName: '品牌公关二' });
    // Shanghai is UTC+8 all year: a wall-clock time there is the UTC instant plus 8 hours.
    const page = await e2e.loggedIn(pr, { locale: 'en-US', timezoneId: 'Asia/Shanghai' });
    await page.goto(`${e2e.server.url}/console`);
    await page.waitForFunction(() => document.querySelector<HTMLElement>('[data-chart="volume"]')?.dataset.total !== undefined, undefined, { timeout: 15_000 });

    const minute = 60_000;
    const fromUtc = Math.floor((Date.now() - 5 * 3_600_000) / minute) * minute;
    const toUtc = Math.floor((Date.now() + 3_600_000) / minute) * minute;
    const shanghai = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 16);
    const summaryUrls: URL[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/api/v1/opinion/summary')) summaryUrls.push(new URL(r.url()));
    });

    await page.selectOption('select[name="range"]', 'custom');
    await page.waitForSelector('[data-range-custom]:not([hidden])');
    // Prefilled with the window that was on screen (the last 24 h), in local time.
    expect(await page.inputValue('[data-range-from]')).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d$/);
    expect(await page.textContent('[data-range-zone]')).to.contain('Asia/Shanghai');

    // An end before the start is refused in the browser: a message, and no request.
    const before = summaryUrls.length;
    await page.fill('[data-range-from]', shanghai(toUtc));
    await page.fill('[data-range-to]', shanghai(fromUtc));
    await page.locator('[data-range-to]').dispatchEvent('change');
    await page.waitForSelector('[data-range-error]:not([hidden])');
    expect(await page.textContent('[data-range-error]')).to.equal('The start must be before the end.');
    expect(await page.getAttribute('[data-range-to]', 'aria-invalid')).to.equal('true');
    // More than the API's 400 days is refused as well.
    await page.fill('[data-range-from]', shanghai(toUtc - 401 * 86_400_000));
    await page.fill('[data-range-to]', shanghai(toUtc));
    await page.locator('[data-range-to]').dispatchEvent('change');
    await page.waitForFunction(() => /400 days/.test(document.querySelector('[data-range-error]')?.textContent ?? ''), undefined, { timeout: 5_000 });
    expect(summaryUrls.length).to.equal(before);

    // A valid range: the summary asks for exactly that window, in UTC.
    await page.fill('[data-range-from]', shanghai(fromUtc));
    await page.fill('[data-range-to]', shanghai(toUtc));
    // (fill fires change itself: the request may already be on its way)
    const deadline = Date.now() + 10_000;
    let url: URL | undefined;
    while (!(url = summaryUrls.find((u) => u.searchParams.get('to') === new Date(toUtc).toISOString())) && Date.now() < deadline) await page.waitForTimeout(100);
    if (!url) throw new Error(`no summary request for the custom range; asked for ${summaryUrls.map((u) => u.search).join(', ')}`);
    expect(url.searchParams.get('from')).to.equal(new Date(fromUtc).toISOString());
    expect(url.searchParams.get('interval')).to.equal('hour');
    expect(await page.isHidden('[data-range-error]')).to.equal(true);
    await page.waitForFunction(() => Number(document.querySelector<HTMLElement>('[data-chart="volume"]')?.dataset.total) > 0, undefined, { timeout: 10_000 });
    await page.screenshot({ path: path.join(ARTIFACTS, 'console-custom-range.png') });

    // The CSV export carries the same window.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-export]')]);
    const csv = new URL(download.url());
    expect(csv.pathname).to.equal('/api/v1/opinion/export.csv');
    expect([csv.searchParams.get('from'), csv.searchParams.get('to')]).to.deep.equal([new Date(fromUtc).toISOString(), new Date(toUtc).toISOString()]);
    expect(fs.readFileSync(await download.path(), 'utf8')).to.contain('续航表现很满意');

    // A term drills down to the search page with the same window.
    await Promise.all([page.waitForURL(/\/console\/search\?/), page.click('[data-terms="keywords"] a >> nth=0')]);
    const drilled = new URL(page.url());
    expect([drilled.searchParams.get('from'), drilled.searchParams.get('to')]).to.deep.equal([new Date(fromUtc).toISOString(), new Date(toUtc).toISOString()]);
    // The search page says which window it shows, and exports that window.
    expect(await page.getAttribute('time[data-local] >> nth=0', 'datetime')).to.equal(new Date(fromUtc).toISOString());
    // …in the viewer's zone, as it was picked (Shanghai wall clock).
    const pageLocale = (await page.getAttribute('body', 'data-locale')) ?? 'en';
    const flat = (x: string | null) => (x ?? '').replace(/[\s\u202f]+/g, ' ');
    const expectedText = new Intl.DateTimeFormat(pageLocale, { dateStyle: 'medium', timeStyle: 'short', hourCycle: 'h23', timeZone: 'Asia/Shanghai' }).format(new Date(fromUtc));
    expect(flat(await page.textContent('time[data-local] >> nth=0'))).to.equal(flat(expectedText));
    const exportHref = new URL((await page.getAttribute('a[href^="/api/v1/opinion/export.csv"]', 'href'))!, e2e.server.url);
    expect(exportHref.searchParams.get('to')).to.equal(new Date(toUtc).toISOString());
    await page.screenshot({ path: path.join(ARTIFACTS, 'console-search-range.png') });
  });
});
