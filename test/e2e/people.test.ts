/**
 * The people pages in a real browser: an admin opens /admin/people, searches for a member,
 * opens them and suspends them with a reason; the list then shows the suspension. The
 * screenshot goes to test-artifacts/e2e/people.png.
 */
import path from 'node:path';
import { expect } from 'chai';
import { buildChapter, buildPost, buildThread, buildUser } from '../support/factories';
import { ARTIFACTS, useBrowserAndServer } from '../support/e2e';
import { User } from '../../server/models';

describe('people pages in a real browser (e2e)', function () {
  this.timeout(120_000);
  const e2e = useBrowserAndServer({ width: 1280, height: 900 });

  it('an admin searches for a member and suspends them with a reason', async () => {
    const chapter = await buildChapter({ name: '深圳同城会' });
    const fans = await Promise.all(['深圳老王', '深圳小李', '广州阿美', '北京大刘'].map((displayName) => buildUser({ displayName })));
    const { thread } = await buildThread({ author: fans[0], chapter });
    await buildPost({ thread, author: fans[1] });
    await buildUser({ role: 'moderator', displayName: '版主小张' });
    const admin = await buildUser({ role: 'admin', displayName: '管理员' });

    const page = await e2e.loggedIn(admin);
    await page.goto(`${e2e.server.url}/admin`);
    await page.click('a[href="/admin/people"] >> nth=-1');
    await page.waitForSelector('table[data-people]');
    await page.fill('.people-filters input[name="q"]', '深圳'); // not the header's forum search box
    await Promise.all([page.waitForNavigation(), page.click('.people-filters button[type="submit"]')]);
    const rows = page.locator('table[data-people] tbody tr[data-username]');
    expect(await rows.count()).to.equal(2);

    await Promise.all([page.waitForNavigation(), page.click(`tr[data-username="${fans[1].username}"] a.person`)]);
    await page.check('input[name="kind"][value="suspend"]');
    await page.fill('input[name="days"]', '3');
    await page.fill('textarea[name="reason"]', '连续发布广告，禁言三天');
    await Promise.all([page.waitForNavigation(), page.click('[data-sanction-form] button[type="submit"]')]);
    expect(await page.textContent('.notice')).to.include('已执行');
    expect(await page.textContent('[data-sanctions]')).to.include('连续发布广告，禁言三天');
    expect(await page.textContent('h1 .standing')).to.include('禁言至');
    const user = await User.findByPk(fans[1].user.id);
    expect(user!.suspendedUntil, 'suspended in the database').to.not.equal(null);
    await page.screenshot({ path: path.join(ARTIFACTS, 'people-person.png'), fullPage: true });

    await page.goto(`${e2e.server.url}/admin/people?q=${encodeURIComponent('深圳')}`);
    expect(await page.textContent(`tr[data-username="${fans[1].username}"] .standing`)).to.include('禁言至');
    expect(await page.textContent(`tr[data-username="${fans[0].username}"] .standing`)).to.include('正常');
    await page.goto(`${e2e.server.url}/admin/people`);
    await page.screenshot({ path: path.join(ARTIFACTS, 'people.png'), fullPage: true });
  });
});
