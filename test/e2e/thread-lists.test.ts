/** Thread lists and floors in a real browser (issue #12): sort tabs, pinned rows, names; floors on a live reply. */
import path from 'node:path';
import { expect } from 'chai';
import { addMember, buildCategory, buildChapter, buildPost, buildThread, buildUser } from '../support/factories';
import { ARTIFACTS, useBrowserAndServer } from '../support/e2e';
import { Client } from '../support/client';

describe('thread lists and floors in a real browser (e2e)', function () {
  this.timeout(180_000);
  const e2e = useBrowserAndServer({ width: 1200, height: 900 });

  it('shows names, pinned threads, counts and sorts on the lists, and floors on a live reply, in zh-CN and en', async () => {
    const moderator = await buildUser({ role: 'moderator', displayName: '版主小林' });
    const alice = await buildUser({ displayName: '爱丽丝' });
    const bob = await buildUser({ displayName: '小波' });
    const chapter = await buildChapter({ slug: 'shenzhen', name: '深圳车友会' });
    const category = await buildCategory({ slug: 'service', name: '售后服务' });
    await addMember(chapter, alice);
    const { thread: rules } = await buildThread({ author: moderator, chapter, category, title: '深圳车友会版规（发帖前必读）' });
    const { thread: trip } = await buildThread({ author: alice, chapter, category, title: '周末大梅沙自驾，有人一起吗？' });
    await buildThread({ author: bob, chapter, title: '南山哪家门店保养快？' });
    await buildThread({ author: bob, category, title: '冬季续航掉得厉害正常吗' });
    const first = await buildPost({ thread: trip, author: bob, body: '我去！几点集合？' });
    await buildPost({ thread: trip, author: alice, body: '早上九点，海滨栈道停车场。', replyTo: first.post.id });
    const mod = new Client(e2e.server.url).withToken(moderator.token);
    await mod.post(`/api/v1/threads/${rules.id}/pin`, { pinned: true, reason: '版规置顶' });
    await e2e.server.resonance.dispatcher.drain();

    for (const locale of ['zh-CN', 'en'] as const) {
      const page = await e2e.loggedIn(bob, { locale });
      await page.goto(`${e2e.server.url}/c/shenzhen`);
      const firstRow = page.locator('.thread-row').first();
      expect(await firstRow.locator('.thread-title').textContent()).to.include('版规');
      expect(await firstRow.locator('.tag.pin').textContent()).to.equal(locale === 'en' ? 'Pinned' : '置顶');
      expect(await page.locator('.thread-meta .tag.chapter').first().textContent()).to.equal('深圳车友会');
      expect(await page.locator('.sort-tabs a.current').textContent()).to.equal(locale === 'en' ? 'Latest' : '最新回复');
      await page.screenshot({ path: path.join(ARTIFACTS, `lists-chapter-${locale}.png`), fullPage: true });

      await page.goto(`${e2e.server.url}/`);
      await page.screenshot({ path: path.join(ARTIFACTS, `lists-home-${locale}.png`), fullPage: true });
      await page.click(`.sort-tabs a:has-text("${locale === 'en' ? 'Top' : '热门'}")`);
      await page.waitForURL(/sort=top/);
      expect(await page.locator('.thread-row .thread-title').first().textContent()).to.include('大梅沙');
      await page.screenshot({ path: path.join(ARTIFACTS, `lists-home-top-${locale}.png`), fullPage: true });

      await page.goto(`${e2e.server.url}/categories/service?sort=unanswered`);
      const titles = await page.locator('.thread-row .thread-title').allTextContents();
      expect(titles).to.include('冬季续航掉得厉害正常吗').and.not.include('周末大梅沙自驾，有人一起吗？');
      await page.screenshot({ path: path.join(ARTIFACTS, `lists-category-unanswered-${locale}.png`), fullPage: true });
      await page.close();
    }

    // The thread: floors and replied-to authors, and a live reply arriving with its floor.
    const pa = await e2e.loggedIn(alice);
    const pb = await e2e.loggedIn(bob, { locale: 'en' });
    await pa.goto(`${e2e.server.url}/t/${trip.id}`);
    await pb.goto(`${e2e.server.url}/t/${trip.id}`);
    expect(await pa.locator('.post .floor').allTextContents()).to.deep.equal(['1楼', '2楼', '3楼']);
    expect(await pa.locator('.reply-ref').first().textContent()).to.include(`回复 @${bob.username} 的 2楼`);
    await pb.waitForFunction(() => document.querySelector('[data-presence]')?.textContent?.includes('2'), undefined, { timeout: 15_000 });
    await pa.fill('textarea[name="body"]', '再补充一句：记得带防晒。');
    await pa.click('[data-reply-form] button[type="submit"]');
    const live = pb.locator('.post', { hasText: '记得带防晒' });
    await live.waitFor({ timeout: 15_000 });
    expect(await live.locator('.floor').textContent()).to.equal('#4');
    await pa.screenshot({ path: path.join(ARTIFACTS, 'lists-thread-zh-CN.png'), fullPage: true });
    await pb.screenshot({ path: path.join(ARTIFACTS, 'lists-thread-en.png'), fullPage: true });

    // A moderator sees the pin tools on the thread page.
    const pm = await e2e.loggedIn(moderator);
    await pm.goto(`${e2e.server.url}/t/${rules.id}`);
    await pm.click('.thread-tools summary');
    await pm.screenshot({ path: path.join(ARTIFACTS, 'lists-thread-tools-zh-CN.png') });
    expect(await pm.locator('.thread-tools button[value="unpin"]').isVisible()).to.equal(true);
  });
});
