/**
 * One member's afternoon in a real browser (issue #12's browser test): she searches the forum from
 * the header box, opens the thread she finds, starts a reply, quotes another post without losing
 * what she typed, adds a photo, posts; someone answers her, and opening the notification marks it
 * read (the bell's badge goes out). Screenshots: test-artifacts/e2e/journey-*.png.
 */
import path from 'node:path';
import sharp from 'sharp';
import { expect } from 'chai';
import { buildPost, buildThread, buildUser } from '../support/factories';
import { ARTIFACTS, useBrowserAndServer } from '../support/e2e';
import { Client } from '../support/client';
import { waitFor } from '../support/wait';
import { Analysis, Notification, Post } from '../../server/models';

type Marked = { __noReload?: boolean };

describe('a member searches, replies with a quote and a photo, and reads her notification (e2e)', function () {
  this.timeout(180_000);
  const e2e = useBrowserAndServer({ width: 1100, height: 900 });

  it('keeps the draft through the quote, shows the photo, and marks the opened notification read', async () => {
    const owner = await buildUser({ displayName: '车主老陈' });
    const other = await buildUser({ displayName: '北京小林' });
    const fan = await buildUser({ displayName: '深圳小周' });
    const { thread, post: first } = await buildThread({ author: owner, title: '冬季续航实测：零下十度跑了多少', body: '零下十度，满电跑了 380 公里，空调 22 度。' });
    const { post: answer } = await buildPost({ thread, author: other, body: '我这边冬天续航大概打七折。' });
    await e2e.server.resonance.dispatcher.drain();
    await waitFor(async () => (await Analysis.count({ where: { docId: [`post:${first.id}`, `post:${answer.id}`] } })) === 2, 'the posts are indexed', 30_000);

    const page = await e2e.loggedIn(fan);
    // Search from the header of any page.
    await page.goto(`${e2e.server.url}/`);
    await page.fill('input[data-header-search]', '续航');
    await Promise.all([page.waitForNavigation(), page.press('input[data-header-search]', 'Enter')]);
    const hit = page.locator(`.search-result[data-hit="post:${first.id}"], .search-result[data-hit="thread:${thread.id}"]`).first();
    await hit.waitFor();
    expect(await page.locator('.search-result mark').allTextContents()).to.include('续航');
    await page.screenshot({ path: path.join(ARTIFACTS, 'journey-search.png'), fullPage: true });
    await Promise.all([page.waitForNavigation(), hit.locator('a').first().click()]);
    expect(new URL(page.url()).pathname).to.equal(`/t/${thread.id}`);

    // A half-typed reply, then 引用 on the other member's post: no reload, the text stays.
    await page.evaluate(() => ((window as unknown as Marked).__noReload = true));
    const box = page.locator('[data-reply-form] textarea[name="body"]');
    await box.click();
    await page.keyboard.type('同款车，', { delay: 15 });
    await page.click(`#p${answer.id} a[href*="quote="]`);
    await page.waitForFunction(() => (document.querySelector<HTMLTextAreaElement>('[data-reply-form] textarea')?.value ?? '').includes('打七折'), undefined, { timeout: 10_000 });
    expect(await page.evaluate(() => (window as unknown as Marked).__noReload), 'the quote did not reload the page').to.equal(true);
    expect(await box.inputValue()).to.match(/^同款车，\n\n> @/);
    await page.keyboard.type('我也差不多。', { delay: 15 });

    // A photo by the image button, inserted at the caret.
    const photo = await sharp({ create: { width: 1600, height: 1200, channels: 3, background: '#1f77b4' } }).jpeg().toBuffer();
    await page.setInputFiles('[data-composer-tools] [data-upload-input]', { name: 'dashboard.jpg', mimeType: 'image/jpeg', buffer: photo });
    await page.waitForFunction(() => /!\[\]\(\/uploads\/[a-f0-9]{32}-1280x960\.webp\)/.test((document.querySelector('#reply-body') as HTMLTextAreaElement).value), undefined, { timeout: 20_000 });
    const typed = await box.inputValue();
    expect(typed).to.include('同款车，').and.include('打七折').and.include('我也差不多。');
    await page.locator('#reply').screenshot({ path: path.join(ARTIFACTS, 'journey-composer.png') });

    await page.click('[data-reply-form] button[type="submit"]');
    const mine = page.locator('.post', { hasText: '我也差不多。' });
    await mine.locator('img[src$="1280x960.webp"]').waitFor({ timeout: 20_000 });
    const posted = await Post.findOne({ where: { threadId: thread.id, authorId: fan.user.id } });
    expect(posted!.body).to.equal(typed);
    expect(posted!.replyToId).to.equal(answer.id);
    // The reply names whom it answers, by floor.
    expect(await mine.locator('.reply-ref').textContent()).to.include(`@${other.username}`);

    // Someone answers her: the bell lights up; opening the notification marks it read.
    await new Client(e2e.server.url).withToken(other.token).post(`/api/v1/threads/${thread.id}/posts`, { body: '收到，谢谢分享图片', replyTo: String(posted!.id) });
    await e2e.server.resonance.dispatcher.drain();
    await waitFor(async () => (await Notification.count({ where: { userId: fan.user.id, readAt: null } })) > 0, 'the reply notification exists', 30_000);
    await page.goto(`${e2e.server.url}/notifications`);
    const badge = page.locator('[data-unread-badge]');
    expect(await badge.isVisible(), 'the unread badge shows').to.equal(true);
    const unread = page.locator('[data-notification-list] li.unread a').first();
    await page.screenshot({ path: path.join(ARTIFACTS, 'journey-notifications.png'), fullPage: true });
    await Promise.all([page.waitForNavigation(), unread.click()]);
    expect(new URL(page.url()).pathname).to.equal(`/t/${thread.id}`);
    expect(await Notification.count({ where: { userId: fan.user.id, readAt: null } })).to.equal(0);
    expect(await page.locator('[data-unread-badge]').isHidden(), 'the badge is out once the notification is opened').to.equal(true);
    await page.goto(`${e2e.server.url}/notifications`);
    expect(await page.locator('[data-notification-list] li.unread').count()).to.equal(0);
  });
});
