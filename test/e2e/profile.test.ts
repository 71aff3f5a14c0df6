/**
 * A member's profile in a real browser: a fan opens another member's profile, reads the bio and
 * counts, and switches between the threads, replies, likes and chapters tabs; then the same
 * profile in English, an empty profile, and the settings form with bio and privacy. Screenshots
 * go to test-artifacts/e2e/profile-*.png.
 */
import path from 'node:path';
import { expect } from 'chai';
import { addMember, buildChapter, buildPost, buildThread, buildUser } from '../support/factories';
import { ARTIFACTS, useBrowserAndServer } from '../support/e2e';
import { Client } from '../support/client';

describe('member profile in a real browser (e2e)', function () {
  this.timeout(120_000);
  const e2e = useBrowserAndServer({ width: 1200, height: 900 });

  it('opens a profile, switches tabs, and shows it in both languages and empty', async () => {
    const owner = await buildUser({ displayName: '深圳电车老王' });
    const api = new Client(e2e.server.url).withToken(owner.token);
    await api.patch('/api/v1/me', { bio: '2023 年提车，深圳南山。\n喜欢自驾游和折腾车机，欢迎交流 OTA 体验。' });
    const shenzhen = await buildChapter({ name: '深圳同城会' });
    const guangzhou = await buildChapter({ name: '广州同城会' });
    await addMember(shenzhen, owner);
    await addMember(guangzhou, owner);
    const friend = await buildUser({ displayName: '广州阿美' });
    const { thread, post: opening } = await buildThread({ author: owner, chapter: shenzhen, title: '提车一年：续航、车机和售后的真实体验', body: '一年 2 万公里，冬天续航掉得比预期少。' });
    await buildThread({ author: owner, title: '周末自驾去惠州，有没有一起的？', body: '周六早上出发，充电站已经规划好。' });
    const { thread: theirs, post: theirPost } = await buildThread({ author: friend, title: 'OTA 升级后导航变快了', body: '升级之后导航启动快了很多，推荐大家升级。' });
    await buildPost({ thread: theirs, author: owner, body: '同感，语音助手也更聪明了。' });
    await buildPost({ thread, author: friend, body: '写得很详细，收藏了！' });
    await api.post(`/api/v1/posts/${theirPost.id}/like`);
    await new Client(e2e.server.url).withToken(friend.token).post(`/api/v1/posts/${opening.id}/like`);

    const page = await e2e.loggedIn(friend);
    await page.goto(`${e2e.server.url}/u/${owner.username}`);
    expect(await page.textContent('h1')).to.include('深圳电车老王');
    expect(await page.textContent('[data-bio]')).to.include('欢迎交流 OTA 体验');
    expect(await page.textContent('[data-count="threads"]')).to.equal('2');
    expect(await page.textContent('[data-count="replies"]')).to.equal('1');
    expect(await page.locator('.thread-list .thread-row').count()).to.equal(2);
    await page.screenshot({ path: path.join(ARTIFACTS, 'profile-zh.png'), fullPage: true });

    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: path.join(ARTIFACTS, 'profile-phone-zh.png'), fullPage: true });
    await page.setViewportSize({ width: 1200, height: 900 });
    await Promise.all([page.waitForNavigation(), page.click('[data-tab="replies"]')]);
    expect(await page.getAttribute('[data-tab="replies"]', 'aria-current')).to.equal('page');
    expect(await page.textContent('[data-tab-panel="replies"]')).to.include('语音助手也更聪明了');
    await page.screenshot({ path: path.join(ARTIFACTS, 'profile-replies-zh.png'), fullPage: true });

    await Promise.all([page.waitForNavigation(), page.click('[data-tab="likes"]')]);
    expect(await page.textContent('[data-tab-panel="likes"]')).to.include('OTA 升级后导航变快了');

    await Promise.all([page.waitForNavigation(), page.click('[data-tab="chapters"]')]);
    const chapters = await page.textContent('[data-tab-panel="chapters"]');
    expect(chapters).to.include('深圳同城会').and.include('广州同城会');

    await page.goto(`${e2e.server.url}/lang/en?next=${encodeURIComponent(`/u/${owner.username}?tab=replies`)}`);
    expect(await page.textContent('[data-tab="replies"]')).to.include('Replies');
    expect(await page.textContent('.profile-stats')).to.include('Likes received');
    await page.screenshot({ path: path.join(ARTIFACTS, 'profile-en.png'), fullPage: true });

    // An empty profile, as its new owner sees it (with the way to write a bio).
    const newcomer = await buildUser({ displayName: '新人小陈' });
    const own = await e2e.loggedIn(newcomer);
    await own.goto(`${e2e.server.url}/u/${newcomer.username}`);
    expect(await own.textContent('.thread-list .empty')).to.include('还没有发过主题');
    expect(await own.textContent('.profile-bio')).to.include('写一段个人简介');
    await own.screenshot({ path: path.join(ARTIFACTS, 'profile-empty-zh.png'), fullPage: true });
    await own.goto(`${e2e.server.url}/lang/en?next=${encodeURIComponent(`/u/${newcomer.username}?tab=replies`)}`);
    await own.screenshot({ path: path.join(ARTIFACTS, 'profile-empty-en.png'), fullPage: true });

    // Settings: write a bio and hide likes; the profile shows the bio, the likes tab is marked private to its owner.
    await own.goto(`${e2e.server.url}/lang/zh-CN?next=/settings`);
    await own.fill('textarea[name="bio"]', '刚提车的新人，请多指教。');
    await own.check('input[name="hideLikes"]');
    await own.screenshot({ path: path.join(ARTIFACTS, 'profile-settings-zh.png'), fullPage: true });
    await Promise.all([own.waitForNavigation(), own.click('form[action="/settings"] button[type="submit"]')]);
    await own.goto(`${e2e.server.url}/u/${newcomer.username}`);
    expect(await own.textContent('[data-bio]')).to.include('刚提车的新人');
    expect(await own.textContent('[data-tab="likes"]')).to.include('仅自己和版主可见');
    await page.goto(`${e2e.server.url}/u/${newcomer.username}`);
    expect(await page.locator('[data-tab="likes"]').count()).to.equal(0);
  });
});
