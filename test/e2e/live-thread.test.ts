/** Two members in two real browsers on one thread: live replies, typing, and a mention badge, without reloads. */
import path from 'node:path';
import { expect } from 'chai';
import { buildUser, buildThread } from '../support/factories';
import { ARTIFACTS, useBrowserAndServer } from '../support/e2e';
import { Client } from '../support/client';
import { TYPING_TTL_MS } from '../../server/realtime/contract';

describe('live thread in a real browser (e2e)', function () {
  this.timeout(120_000);
  const e2e = useBrowserAndServer();

  it('shows a reply, the typing line and a mention badge in the other browser without reload', async () => {
    const alice = await buildUser({ displayName: '爱丽丝' });
    const bob = await buildUser({ displayName: '小波' });
    const { thread } = await buildThread({ author: bob, title: '周末试驾活动报名', body: '有兴趣的朋友回帖报名～' });
    await e2e.server.resonance.dispatcher.drain();

    const pa = await e2e.loggedIn(alice);
    const pb = await e2e.loggedIn(bob);
    await pa.goto(`${e2e.server.url}/t/${thread.id}`);
    await pb.goto(`${e2e.server.url}/t/${thread.id}`);
    // A marker that a reload would wipe out.
    await pb.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));

    // Presence: both pages see two readers.
    await pb.waitForFunction(() => document.querySelector('[data-presence]')?.textContent?.includes('2'), undefined, { timeout: 15_000 });

    // Typing in one browser shows the typing line in the other...
    await pa.click('textarea[name="body"]');
    await pa.keyboard.type('我报名', { delay: 30 });
    await pb.waitForFunction(() => document.querySelector('[data-typing]')?.textContent?.includes('爱丽丝'), undefined, { timeout: 10_000 });

    // ...and the reply (with a mention of bob) appears there without reload; the typing line clears.
    await pa.fill('textarea[name="body"]', `我报名 @${bob.username} 周六见！`);
    await pa.click('[data-reply-form] button[type="submit"]');
    await pb.waitForFunction(() => [...document.querySelectorAll('.post-body')].some((n) => n.textContent?.includes('周六见')), undefined, { timeout: 10_000 });
    expect(await pb.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).to.equal(true);
    await pb.waitForFunction(() => (document.querySelector('[data-typing]')?.textContent ?? '') === '', undefined, { timeout: 10_000 });
    // The author's own page shows the post once (no duplicate from the socket echo).
    await pa.waitForTimeout(500);
    expect(await pa.locator('.post-body', { hasText: '周六见' }).count()).to.equal(1);
    expect(await pa.locator('textarea[name="body"]').inputValue()).to.equal('');

    // The mention lights up bob's notification badge.
    await pb.waitForFunction(() => {
      const badge = document.querySelector('[data-unread-badge]');
      return badge && !badge.classList.contains('hidden') && badge.textContent?.trim() === '1';
    }, undefined, { timeout: 10_000 });

    await pa.screenshot({ path: path.join(ARTIFACTS, 'live-thread-alice.png'), fullPage: true });
    await pb.screenshot({ path: path.join(ARTIFACTS, 'live-thread-bob.png'), fullPage: true });
  });

  it('catches up after a disconnect: posts made while offline appear after reconnect, in order', async () => {
    const reader = await buildUser();
    const writer = await buildUser();
    const { thread } = await buildThread({ author: writer });
    await e2e.server.resonance.dispatcher.drain();
    const page = await e2e.loggedIn(reader);
    await page.goto(`${e2e.server.url}/t/${thread.id}`);
    await page.waitForFunction(() => document.querySelector('[data-presence]')?.textContent !== '', undefined, { timeout: 15_000 });
    // Go offline at the network level: the socket drops and nothing is delivered.
    await page.context().setOffline(true);
    const api = new Client(e2e.server.url).withToken(writer.token);
    for (const text of ['离线一', '离线二', '离线三']) await api.post(`/api/v1/threads/${thread.id}/posts`, { body: text });
    await e2e.server.resonance.dispatcher.drain();
    await page.waitForTimeout(500);
    // Nothing arrived while offline, so what shows up next can only come from the replay.
    expect(await page.locator('.post-body', { hasText: '离线' }).count()).to.equal(0);
    await page.context().setOffline(false);
    await page.waitForFunction(() => [...document.querySelectorAll('.post-body')].some((n) => n.textContent?.includes('离线三')), undefined, { timeout: 30_000 });
    const bodies = await page.locator('.post-body').allTextContents();
    const tail = bodies.slice(-3).map((b) => b.trim());
    expect(tail).to.deep.equal(['离线一', '离线二', '离线三']);
  });

  it('shows a "new posts" pill instead of jumping when the reader has scrolled up', async () => {
    const reader = await buildUser();
    const writer = await buildUser();
    const { thread } = await buildThread({ author: writer, body: '长帖 第一楼' });
    const api = new Client(e2e.server.url).withToken(writer.token);
    for (let i = 0; i < 25; i++) await api.post(`/api/v1/threads/${thread.id}/posts`, { body: `楼层 ${i}\n\n内容内容内容内容\n\n更多内容` });
    await e2e.server.resonance.dispatcher.drain();
    const page = await e2e.loggedIn(reader);
    await page.goto(`${e2e.server.url}/t/${thread.id}`);
    await page.waitForFunction(() => document.querySelector('[data-presence]')?.textContent !== '', undefined, { timeout: 15_000 });
    await page.evaluate(() => window.scrollTo(0, 0));
    await api.post(`/api/v1/threads/${thread.id}/posts`, { body: '滚动时的新回复' });
    const pill = page.locator('[data-new-posts-pill]');
    await pill.waitFor({ state: 'visible', timeout: 10_000 });
    expect(await pill.textContent()).to.contain('1');
    expect(await page.evaluate(() => window.scrollY)).to.equal(0); // the reader was not yanked down
    await pill.click();
    await pill.waitFor({ state: 'hidden', timeout: 10_000 });
    await page.screenshot({ path: path.join(ARTIFACTS, 'new-posts-pill.png') });
  });

  it('lets the typing line expire by itself when the typist stops without posting', async () => {
    const typist = await buildUser({ displayName: '只打字' });
    const reader = await buildUser();
    const { thread } = await buildThread();
    await e2e.server.resonance.dispatcher.drain();
    const pt = await e2e.loggedIn(typist);
    const pr = await e2e.loggedIn(reader);
    // The reader's timers run on a clock this test moves, so the expiry is checked against
    // TYPING_TTL_MS exactly, however busy the machine (no wall-clock time is measured).
    await pr.clock.install();
    await pt.goto(`${e2e.server.url}/t/${thread.id}`);
    await pr.goto(`${e2e.server.url}/t/${thread.id}`);
    await pr.waitForFunction(() => document.querySelector('[data-presence]')?.textContent?.includes('2'), undefined, { timeout: 15_000 });
    await pr.clock.pauseAt((await pr.evaluate(() => Date.now())) + 1_000);
    const typingLine = () => pr.evaluate(() => document.querySelector('[data-typing]')?.textContent ?? '');
    await pt.click('textarea[name="body"]');
    await pt.keyboard.type('想说点什么', { delay: 20 });
    // Socket messages still arrive while the reader's clock is paused; poll from here, not in the page.
    for (const deadline = Date.now() + 10_000; !(await typingLine()).includes('只打字'); ) {
      if (Date.now() > deadline) throw new Error('typing line never shown');
      await new Promise((r) => setTimeout(r, 50));
    }
    // No post, no more keystrokes: the line stays until TYPING_TTL_MS (5 s), then clears by itself.
    await pr.clock.runFor(TYPING_TTL_MS - 1_000);
    expect(await typingLine()).to.include('只打字');
    await pr.clock.runFor(2_000);
    expect(await typingLine()).to.equal('');
  });
});
