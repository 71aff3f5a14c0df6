/** Two members in two real browsers exchange private messages live: started from a profile, no reloads. */
import path from 'node:path';
import { expect } from 'chai';
import { buildUser } from '../support/factories';
import { ARTIFACTS, useBrowserAndServer } from '../support/e2e';

describe('private messages in a real browser (e2e)', function () {
  this.timeout(120_000);
  const e2e = useBrowserAndServer();

  it('starts a conversation from a profile and exchanges messages live in two pages', async () => {
    const alice = await buildUser({ displayName: '爱丽丝' });
    const bob = await buildUser({ displayName: '官方客服小波' });
    const pa = await e2e.loggedIn(alice);
    const pb = await e2e.loggedIn(bob);

    // Alice opens Bob's profile and uses the header's "send message" button.
    await pa.goto(`${e2e.server.url}/u/${bob.username}`);
    await Promise.all([pa.waitForNavigation(), pa.click('[data-send-message]')]);
    expect(await pa.inputValue('input[name="to"]')).to.equal(bob.username);
    await pa.fill('textarea[name="body"]', '你好，我的车机蓝牙连不上，能帮忙看看吗？');
    await Promise.all([pa.waitForNavigation(), pa.click('form[action="/messages"] button[type="submit"]')]);
    expect(pa.url()).to.match(/\/messages\/\d+/);
    const conversationUrl = pa.url().replace(/#.*$/, '');

    // Bob sees it unread in his list, then opens it.
    await pb.goto(`${e2e.server.url}/messages`);
    expect(await pb.locator('.conversation-list li.unread').count()).to.equal(1);
    await pb.screenshot({ path: path.join(ARTIFACTS, 'messages-list.png'), fullPage: true });
    await Promise.all([pb.waitForNavigation(), pb.click('.conversation-list li.unread a')]);
    await pb.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));
    await pa.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));

    // Bob replies with Enter; it appears in Alice's page without a reload...
    await pb.fill('textarea[name="body"]', '您好！请先在设置里删除配对记录，再重新连接试试。');
    await pb.press('textarea[name="body"]', 'Enter');
    await pa.waitForFunction(() => [...document.querySelectorAll('.message-body')].some((n) => n.textContent?.includes('删除配对记录')), undefined, { timeout: 10_000 });
    // ...and Alice's answer appears in Bob's.
    await pa.fill('textarea[name="body"]', '好了！谢谢～');
    await pa.click('[data-message-form] button[type="submit"]');
    await pb.waitForFunction(() => [...document.querySelectorAll('.message-body')].some((n) => n.textContent?.includes('谢谢')), undefined, { timeout: 10_000 });
    for (const p of [pa, pb]) expect(await p.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).to.equal(true);
    // Each page shows each message once (the sender's own echo is de-duplicated), in order.
    await pb.waitForFunction(() => document.querySelectorAll('.message').length === 3, undefined, { timeout: 10_000 });
    await pa.waitForFunction(() => document.querySelectorAll('.message').length === 3, undefined, { timeout: 10_000 });
    expect(await pa.locator('.message.mine').count()).to.equal(2);
    expect(await pa.locator('textarea[name="body"]').inputValue()).to.equal('');
    expect(pa.url().replace(/#.*$/, '')).to.equal(conversationUrl);

    // Bob read Alice's answer on screen: his notification badge clears by itself.
    await pb.waitForFunction(() => document.querySelector('[data-unread-badge]')?.classList.contains('hidden'), undefined, { timeout: 10_000 });
    await pa.screenshot({ path: path.join(ARTIFACTS, 'messages-alice.png'), fullPage: true });
    await pb.screenshot({ path: path.join(ARTIFACTS, 'messages-bob.png'), fullPage: true });
    await pb.goto(`${e2e.server.url}/settings`);
    await pb.screenshot({ path: path.join(ARTIFACTS, 'messages-settings.png'), fullPage: true });
  });
});
