/**
 * Forum search in a real browser: a member types in the search box in the header, lands on
 * /search with the hit highlighted, narrows by category and opens the post at its anchor. A
 * private chapter's thread with the same word never shows. Screenshots go to
 * test-artifacts/e2e/search.png (desktop) and search-phone.png.
 */
import path from 'node:path';
import { expect } from 'chai';
import { buildCategory, buildChapter, buildPost, buildThread, buildUser } from '../support/factories';
import { ARTIFACTS, useBrowserAndServer } from '../support/e2e';
import { waitFor } from '../support/wait';
import { Analysis } from '../../server/models';

describe('forum search in a real browser (e2e)', function () {
  this.timeout(120_000);
  const e2e = useBrowserAndServer({ width: 1280, height: 900 });

  it('a member searches from the header box and sees highlighted threads and replies, never a private chapter', async () => {
    const service = await buildCategory({ name: '售后服务' });
    const trips = await buildCategory({ name: '用车分享' });
    const shenzhen = await buildChapter({ name: '深圳同城会' });
    const secret = await buildChapter({ name: '车主内部群', visibility: 'private' });
    const [wang, li, mei] = await Promise.all(['深圳老王', '续航小李', '广州阿美'].map((displayName) => buildUser({ displayName })));
    const { thread: a } = await buildThread({ author: wang, chapter: shenzhen, category: service, title: '冬天续航掉得厉害，大家怎么解决的？', body: '零下五度续航只剩六成，开暖风更明显。' });
    const { post: reply } = await buildPost({ thread: a, author: li, body: '我是提前预热电池，冬季续航能多跑三十公里。' });
    const { thread: b } = await buildThread({ author: mei, category: trips, title: '川西自驾七天记录', body: '一路上充电很方便，续航焦虑基本没有。' });
    await buildPost({ thread: b, author: li, body: '照片太好看了，求路线！' });
    const { post: hidden } = await buildThread({ author: wang, chapter: secret, title: '内部续航测试数据', body: '内部续航数据不要外传' }).then((r) => r);
    const postIds = [reply.id, hidden.id];
    await waitFor(async () => (await Analysis.count({ where: { docId: postIds.map((id) => `post:${id}`) } })) === postIds.length, 'the posts are indexed', 30_000);

    const member = await buildUser({ displayName: '新车主' });
    const page = await e2e.loggedIn(member);
    await page.goto(`${e2e.server.url}/`);
    await page.fill('input[data-header-search]', '续航');
    await Promise.all([page.waitForNavigation(), page.press('input[data-header-search]', 'Enter')]);
    expect(new URL(page.url()).pathname).to.equal('/search');
    await page.waitForSelector('.search-results');
    expect(await page.inputValue('input[data-header-search]'), 'the header box keeps the query').to.equal('续航');
    const hits = page.locator('.search-result');
    // Two threads' opening posts and one reply say 续航; the private chapter's thread never shows.
    expect(await hits.count()).to.equal(3);
    const marks = await page.locator('.search-result mark').allTextContents();
    expect(marks.length).to.be.greaterThan(2);
    expect(new Set(marks)).to.deep.equal(new Set(['续航']));
    const body = await page.textContent('main');
    expect(body).to.not.include('内部续航');
    expect(body).to.not.include('车主内部群');
    expect(body).to.include('深圳同城会');
    await page.screenshot({ path: path.join(ARTIFACTS, 'search.png'), fullPage: true });

    // Narrow to one category, then open the reply: it links to its post anchor in the thread.
    await page.selectOption('select[name="category"]', service.slug);
    await Promise.all([page.waitForNavigation(), page.click('.search-bar button[type="submit"]')]);
    expect(await hits.count()).to.equal(2);
    const replyHit = page.locator(`.search-result[data-hit="post:${reply.id}"]`);
    expect(await replyHit.locator('.search-result-in').textContent()).to.include('冬天');
    await Promise.all([page.waitForNavigation(), replyHit.locator('.search-result-text a').click()]);
    expect(page.url()).to.equal(`${e2e.server.url}/t/${a.id}#p${reply.id}`);
    expect(await page.isVisible(`#p${reply.id}`)).to.equal(true);

    // The phone layout keeps the box in the header's second row.
    const phone = await e2e.loggedIn(member, { width: 390, height: 844 });
    await phone.goto(`${e2e.server.url}/search?q=${encodeURIComponent('续航')}`);
    expect(await phone.isVisible('input[data-header-search]')).to.equal(true);
    await phone.screenshot({ path: path.join(ARTIFACTS, 'search-phone.png'), fullPage: true });

    // Nothing found: the page says so and keeps the form; in English too.
    await page.goto(`${e2e.server.url}/search?q=${encodeURIComponent('完全不存在的词')}`);
    expect(await page.textContent('.notice.empty')).to.include('没有找到相关内容');
    const en = await e2e.loggedIn(member, { locale: 'en' });
    await en.goto(`${e2e.server.url}/lang/en?next=${encodeURIComponent('/search?q=续航&type=post')}`);
    expect(await en.textContent('.search-total')).to.include('1 found');
    expect(await en.textContent('.search-result .tag')).to.equal('Reply');
    await en.screenshot({ path: path.join(ARTIFACTS, 'search-en.png'), fullPage: true });
  });
});
