/**
 * The composer in a real browser (issue #12): quote a post while a reply is half typed — no
 * reload, nothing lost —, preview it as the server renders it, reload and get the draft back,
 * post it and the draft is gone.
 */
import path from 'node:path';
import { expect } from 'chai';
import { buildPost, buildThread, buildUser } from '../support/factories';
import { ARTIFACTS, useBrowserAndServer } from '../support/e2e';
import { Client } from '../support/client';
import { Post } from '../../server/models';

type Marked = { __noReload?: boolean };

describe('composer in a real browser (e2e)', function () {
  this.timeout(120_000);
  const e2e = useBrowserAndServer();

  it('quotes inline without losing the typed reply, keeps the draft over a reload, clears it once posted', async () => {
    const alice = await buildUser({ displayName: '爱丽丝' });
    const bob = await buildUser({ displayName: '小波' });
    const carol = await buildUser({ displayName: '卡罗' });
    const { thread, post: first } = await buildThread({ author: bob, title: '冬季续航实测', body: '零下十度，满电跑了 380 公里。\n空调开 22 度。' });
    await buildPost({ thread, author: carol, body: '我这边是 350 公里左右。' });
    await e2e.server.resonance.dispatcher.drain();

    const page = await e2e.loggedIn(alice);
    const threadUrl = `${e2e.server.url}/t/${thread.id}`;
    await page.goto(threadUrl);
    await page.evaluate(() => ((window as unknown as Marked).__noReload = true));
    const box = page.locator('[data-reply-form] textarea[name="body"]');

    // A half-typed reply, then 引用 on bob's post: the quote joins it in place, no reload.
    await box.click();
    await page.keyboard.type('我的草稿：', { delay: 20 });
    await page.click(`#p${first.id} a[href*="quote="]`);
    await page.waitForFunction(() => (document.querySelector<HTMLTextAreaElement>('[data-reply-form] textarea')?.value ?? '').includes('380 公里'), undefined, { timeout: 10_000 });
    expect(await page.evaluate(() => (window as unknown as Marked).__noReload), 'no reload').to.equal(true);
    expect(page.url(), 'no navigation').to.equal(threadUrl);
    const withQuote = await box.inputValue();
    expect(withQuote).to.equal(`我的草稿：\n\n> @${bob.username} [写道](/t/${thread.id}#p${first.id})：\n> 零下十度，满电跑了 380 公里。\n> 空调开 22 度。\n\n`);
    expect(await page.locator('[data-reply-to-label]').textContent()).to.equal('回复 小波');
    expect(await page.inputValue('[data-reply-form] input[name="replyTo"]')).to.equal(String(first.id));
    await page.keyboard.type('我这边差不多。', { delay: 20 });

    // A new post arriving on the live thread leaves the reply box alone.
    await new Client(e2e.server.url).withToken(carol.token).post(`/api/v1/threads/${thread.id}/posts`, { body: '又来一条新回复' });
    await e2e.server.resonance.dispatcher.drain();
    await page.waitForFunction(() => [...document.querySelectorAll('.post-body')].some((n) => n.textContent?.includes('又来一条新回复')), undefined, { timeout: 10_000 });
    const typed = await box.inputValue();
    expect(typed).to.equal(`${withQuote}我这边差不多。`);

    // The preview is the server's rendering: a blockquote with the author's mention and the link.
    await page.click('[data-composer-tab="preview"]');
    await page.waitForSelector('[data-composer-preview] blockquote', { timeout: 10_000 });
    expect(await box.isHidden()).to.equal(true);
    expect(await page.getAttribute('[data-composer-preview] blockquote a[href^="/t/"]', 'href')).to.equal(`/t/${thread.id}#p${first.id}`);
    expect(await page.textContent('[data-composer-preview]')).to.contain('我这边差不多。');
    await page.locator('#reply').screenshot({ path: path.join(ARTIFACTS, 'composer-preview.png') });
    await page.click('[data-composer-tab="write"]');
    expect(await box.isVisible()).to.equal(true);

    // Saved locally; a reload brings the draft and its reply-to back.
    await page.waitForFunction(() => document.querySelector('[data-draft-hint]')?.textContent === '草稿已保存在本机', undefined, { timeout: 10_000 });
    await page.reload();
    expect(await page.evaluate(() => (window as unknown as Marked).__noReload)).to.equal(undefined);
    expect(await box.inputValue()).to.equal(typed);
    expect(await page.inputValue('[data-reply-form] input[name="replyTo"]')).to.equal(String(first.id));
    expect(await page.textContent('[data-draft-hint]')).to.contain('已恢复上次未发出的草稿');
    await page.screenshot({ path: path.join(ARTIFACTS, 'composer-restored.png'), fullPage: true });

    // Posted: it appears, the box is empty, the draft is gone (also after another reload).
    await page.click('[data-reply-form] button[type="submit"]');
    await page.waitForFunction(() => [...document.querySelectorAll('.post-body')].some((n) => n.textContent?.includes('我这边差不多。')), undefined, { timeout: 10_000 });
    expect(await box.inputValue()).to.equal('');
    expect(await page.locator('[data-reply-to]').isHidden()).to.equal(true);
    expect(await page.evaluate((key) => localStorage.getItem(key), `resonance:draft:reply:${thread.id}`)).to.equal(null);
    const posted = await Post.findOne({ where: { threadId: thread.id, authorId: alice.user.id } });
    expect(posted!.body).to.equal(typed);
    expect(posted!.replyToId).to.equal(first.id);
    await page.reload();
    expect(await box.inputValue()).to.equal('');
    expect(await page.textContent('[data-draft-hint]')).to.equal('');
    await page.screenshot({ path: path.join(ARTIFACTS, 'composer-posted.png'), fullPage: true });
  });

  it('a new thread refused by the server (a title of only spaces) keeps title and body; the draft is cleared once posted', async () => {
    const dave = await buildUser({ displayName: '大卫' });
    const page = await e2e.loggedIn(dave);
    await page.goto(`${e2e.server.url}/new`);
    await page.fill('input[name="title"]', '   ');
    await page.fill('textarea[name="body"]', '提车一周的感受');
    // The browser's own `required` check passes spaces: the server is the one to refuse them.
    await page.click('form[action="/new"] button[type="submit"]');
    await page.waitForSelector('#title-error');
    expect(await page.textContent('#title-error')).to.equal('标题：不能为空');
    expect(await page.inputValue('input[name="title"]')).to.equal('   ');
    expect(await page.inputValue('textarea[name="body"]')).to.equal('提车一周的感受');
    await page.screenshot({ path: path.join(ARTIFACTS, 'composer-new-thread-error.png'), fullPage: true });
    await page.fill('input[name="title"]', '提车一周');
    await page.click('form[action="/new"] button[type="submit"]');
    await page.waitForSelector('[data-thread-id]');
    await page.goto(`${e2e.server.url}/new`);
    expect(await page.inputValue('textarea[name="body"]'), 'the posted draft is not offered again').to.equal('');
    expect(await page.inputValue('input[name="title"]')).to.equal('');
  });
  it('register and settings show the message under the field, marked for assistive technology', async () => {
    const context = await e2e.browser.newContext({ locale: 'zh-CN' });
    const page = await context.newPage();
    await page.goto(`${e2e.server.url}/register`);
    // Past the browser's own pattern check: the server is the one to refuse it.
    await page.evaluate(() => document.querySelector('input[name="username"]')?.removeAttribute('pattern'));
    await page.fill('input[name="username"]', 'Bad Name');
    await page.fill('input[name="displayName"]', '新朋友');
    await page.fill('input[name="password"]', 'long enough pw');
    await page.click('form[action="/register"] button[type="submit"]');
    await page.waitForSelector('#username-error');
    expect(await page.getAttribute('input[name="username"]', 'aria-describedby')).to.equal('username-error');
    expect(await page.inputValue('input[name="displayName"]')).to.equal('新朋友');
    await page.screenshot({ path: path.join(ARTIFACTS, 'composer-register-error.png'), fullPage: true });
    await context.close();
  });
});
