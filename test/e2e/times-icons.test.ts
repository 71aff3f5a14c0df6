/**
 * Times and icons in a real Chromium with no colour-emoji font: relative <time>s stay in place
 * (the text the server wrote is kept, only refreshed), follow the browser's zone unless the member
 * chose one, live-arrived posts read the same way, and the icons are drawn SVG.
 */
import path from 'node:path';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { buildChapter, buildPost, buildThread, buildUser } from '../support/factories';
import { ARTIFACTS, useBrowserAndServer } from '../support/e2e';
import { Client } from '../support/client';
import { db } from '../../server/db';
import { User } from '../../server/models';

const OLD = '2025-11-03T12:00:00.000Z';

const timeOf = (page: Page, iso: string) =>
  page.evaluate((at) => {
    const el = document.querySelector<HTMLTimeElement>(`time[datetime="${at}"]`);
    return el ? { text: el.textContent, title: el.title } : null;
  }, iso);

describe('times and icons in a real browser (e2e)', function () {
  this.timeout(120_000);
  const e2e = useBrowserAndServer();

  it('a thread in zh-CN and en: relative times, full time on hover in the right zone, SVG icons, a live post alike', async () => {
    const reader = await buildUser({ displayName: '读者小林' });
    const writer = await buildUser({ displayName: '车主老周' });
    const { thread, post } = await buildThread({ author: writer, title: '新车提车一个月的感受', body: '续航比想象中好，**车机**也流畅。' });
    await db().query('UPDATE posts SET "createdAt" = ? WHERE id = ?', { replacements: ['2025-11-03 12:00:00.000 +00:00', post.id] });
    await buildPost({ thread, author: reader, body: '同感，周末一起去充电站看看？' });
    await e2e.server.resonance.dispatcher.drain();

    // No zone chosen, a browser in UTC: the page follows the browser (12:00, not the default 20:00).
    const page = await e2e.loggedIn(reader, { timezoneId: 'UTC' });
    await page.goto(`${e2e.server.url}/t/${thread.id}`);
    expect(await timeOf(page, OLD)).to.deep.equal({ text: '2025年11月3日', title: '2025年11月3日 12:00' });
    const fresh = await page.evaluate(() => [...document.querySelectorAll<HTMLTimeElement>('time[data-ago]')].map((t) => t.textContent).pop());
    expect(fresh).to.match(/^(刚刚|\d+ ?秒钟前|\d+ ?分钟前)$/);

    // The icons are drawn: an SVG with a size, where emoji would be an empty box without the font.
    const bell = await page.locator('.notif-link svg.icon-bell').boundingBox();
    expect(bell && bell.width > 10 && bell.height > 10, 'the bell is drawn').to.equal(true);
    expect(await page.locator('svg.icon-thumbs-up').count()).to.be.greaterThan(0);

    // A live-arrived post gets the same <time>: relative text, datetime and the full time as title.
    await new Client(e2e.server.url).withToken(writer.token).post(`/api/v1/threads/${thread.id}/posts`, { body: '刚到的回复' });
    await page.waitForFunction(() => [...document.querySelectorAll('.post-body')].some((n) => n.textContent?.includes('刚到的回复')), undefined, { timeout: 10_000 });
    const live = await page.evaluate(() => {
      const article = [...document.querySelectorAll('article.post')].find((n) => n.textContent?.includes('刚到的回复'))!;
      const time = article.querySelector<HTMLTimeElement>('time')!;
      return { text: time.textContent, title: time.title, datetime: time.dateTime, ago: time.hasAttribute('data-ago'), icon: !!article.querySelector('svg.icon-thumbs-up') };
    });
    expect(live.ago).to.equal(true);
    expect(live.datetime).to.match(/^\d{4}-\d\d-\d\dT/);
    expect(live.text).to.match(/^(刚刚|\d+ ?秒钟前)$/);
    expect(live.title).to.match(/^\d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d$/);
    expect(live.icon, 'the live post has the like icon').to.equal(true);
    await page.screenshot({ path: path.join(ARTIFACTS, 'thread-times-zh-CN.png'), fullPage: true });

    // A member who chose Asia/Shanghai keeps it whatever the browser says, in English too.
    await User.update({ timeZone: 'Asia/Shanghai' }, { where: { id: reader.user.id } });
    const en = await e2e.loggedIn(reader, { timezoneId: 'UTC', locale: 'en' });
    await en.goto(`${e2e.server.url}/lang/en?next=/t/${thread.id}`);
    expect(await timeOf(en, OLD)).to.deep.equal({ text: 'Nov 3, 2025', title: 'Nov 3, 2025, 20:00' });
    const enFresh = await en.evaluate(() => [...document.querySelectorAll<HTMLTimeElement>('time[data-ago]')].map((t) => t.textContent).pop());
    expect(enFresh).to.match(/^(just now|\d+ seconds? ago|\d+ minutes? ago)$/);
    await en.screenshot({ path: path.join(ARTIFACTS, 'thread-times-en.png'), fullPage: true });
  });

  it('settings offer the time zone; chapters show a drawn lock for private ones', async () => {
    const member = await buildUser({ displayName: '设置测试' });
    await buildChapter({ visibility: 'private', name: '车主俱乐部', slug: 'owners-club' });
    const page = await e2e.loggedIn(member, { timezoneId: 'Europe/Berlin' });
    await page.goto(`${e2e.server.url}/settings`);
    await page.selectOption('select[name="timeZone"]', 'Europe/Berlin');
    await Promise.all([page.waitForNavigation(), page.click('form[action="/settings"] button[type="submit"]')]);
    expect(await page.inputValue('select[name="timeZone"]')).to.equal('Europe/Berlin');
    expect(await page.getAttribute('body', 'data-time-zone')).to.equal('Europe/Berlin');
    await page.screenshot({ path: path.join(ARTIFACTS, 'settings-time-zone.png') });
    await page.goto(`${e2e.server.url}/chapters`);
    const lock = await page.locator('svg.icon-lock').first().boundingBox();
    expect(lock && lock.width > 8, 'the lock is drawn').to.equal(true);
    await page.screenshot({ path: path.join(ARTIFACTS, 'chapters-lock.png') });
  });
});
