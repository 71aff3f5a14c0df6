/**
 * Issue #12, items 9 and 10: times are written in the member's own time zone, the same in every
 * language, as relative <time>s with the full time on hover; icons are inline SVG, not emoji; and
 * the favicon is served.
 */
import { expect } from 'chai';
import { startServer, type TestServer } from '../support/server';
import { Client } from '../support/client';
import { addMember, buildChapter, buildThread, buildUser, PASSWORD, type BuiltUser } from '../support/factories';
import { db } from '../../server/db';
import { User } from '../../server/models';

// 12:00 UTC is 20:00 in Asia/Shanghai. Long ago, so pages show its date rather than "3 天前".
const INSTANT = '2025-11-03T12:00:00.000Z';

/** Every <time> of a page: its datetime, title and text. */
function timesOf(html: string) {
  return [...html.matchAll(/<time\b([^>]*)>([^<]*)<\/time>/g)].map(([, attrs, text]) => ({
    datetime: /datetime="([^"]*)"/.exec(attrs)?.[1],
    title: /title="([^"]*)"/.exec(attrs)?.[1],
    text,
  }));
}

describe('time zones, relative times, icons and the favicon', function () {
  this.timeout(60_000);
  let server: TestServer;
  let me: BuiltUser;
  let threadId: number;

  before(async () => {
    server = await startServer();
    me = await buildUser();
    const { thread, post } = await buildThread({ author: me, title: '时区测试主题' });
    threadId = thread.id;
    // Written as Sequelize stores dates on SQLite (and a valid timestamptz on Postgres).
    await db().query('UPDATE posts SET "createdAt" = ? WHERE id = ?', { replacements: ['2025-11-03 12:00:00.000 +00:00', post.id] });
  });
  after(() => server?.close());

  async function member(lang: 'zh-CN' | 'en'): Promise<Client> {
    const c = new Client(server.url);
    await c.get(`/lang/${lang}`);
    await c.browserLogin(me.username, PASSWORD);
    return c;
  }
  const form = (c: Client, fields: Record<string, string>) => new URLSearchParams({ ...fields, _csrf: c.csrf ?? '' });
  const openingTime = async (c: Client) => timesOf((await c.get(`/t/${threadId}`)).text).find((x) => x.datetime === INSTANT);

  it('anonymous readers get Asia/Shanghai in both languages (English no longer moves times to UTC)', async () => {
    for (const lang of ['zh-CN', 'en']) {
      const c = new Client(server.url);
      await c.get(`/lang/${lang}`);
      const res = await c.get(`/t/${threadId}`);
      const time = timesOf(res.text).find((x) => x.datetime === INSTANT);
      expect(time, `${lang}: the post's <time datetime>`).to.not.equal(undefined);
      expect(time!.title, lang).to.contain('20:00');
      expect(res.text, lang).to.contain('data-time-zone="Asia/Shanghai"');
    }
  });

  it('a member chooses UTC on /settings: stored, and every language shows 12:00; back to automatic shows 20:00', async () => {
    const zh = await member('zh-CN');
    const saved = await zh.post('/settings', form(zh, { displayName: me.username, timeZone: 'UTC' }));
    expect(saved.status).to.equal(303);
    expect((await User.findByPk(me.user.id))!.timeZone).to.equal('UTC');
    const settings = await zh.get('/settings');
    expect(settings.text).to.match(/<option value="UTC" selected>/);
    const en = await member('en');
    for (const [lang, c] of [['zh-CN', zh], ['en', en]] as const) {
      const time = await openingTime(c);
      expect(time!.title, lang).to.contain('12:00').and.not.contain('20:00');
    }
    expect((await openingTime(zh))!.title).to.equal('2025年11月3日 12:00');
    expect((await openingTime(en))!.title).to.equal('Nov 3, 2025, 12:00');

    await zh.post('/settings', form(zh, { displayName: me.username, timeZone: '' }));
    expect((await User.findByPk(me.user.id))!.timeZone).to.equal(null);
    expect((await openingTime(zh))!.title).to.equal('2025年11月3日 20:00');
    expect((await openingTime(en))!.title).to.equal('Nov 3, 2025, 20:00');
  });

  it('the API sets and shows the zone too (PATCH /api/v1/me)', async () => {
    const api = new Client(server.url).withToken(me.token);
    const set = await api.patch('/api/v1/me', { timeZone: 'America/New_York' });
    expect(set.status).to.equal(200);
    expect(set.body.user.timeZone).to.equal('America/New_York');
    const time = await openingTime(await member('zh-CN'));
    expect(time!.title).to.equal('2025年11月3日 07:00');
    const cleared = await api.patch('/api/v1/me', { timeZone: null });
    expect(cleared.body.user).to.not.have.property('timeZone');
  });

  it('an invalid zone is refused with a localized field error (form and API), and nothing is stored', async () => {
    const zh = await member('zh-CN');
    for (const bad of ['Mars/Olympus', '+08:00', 'asia/shanghai ', 'constructor']) {
      const res = await zh.post('/settings', form(zh, { displayName: me.username, timeZone: bad }));
      expect(res.status, bad).to.equal(400);
      expect(res.text, bad).to.contain('时区：不是有效的时区（例如 Asia/Shanghai）');
    }
    expect((await User.findByPk(me.user.id))!.timeZone).to.equal(null);
    const en = await member('en');
    const res = await en.post('/settings', form(en, { displayName: me.username, timeZone: 'Mars/Olympus' }));
    expect(res.text).to.contain('Time zone: is not a valid time zone (for example Asia/Shanghai)');
    const api = await new Client(server.url).withToken(me.token).patch('/api/v1/me', { timeZone: 'Mars/Olympus' });
    expect(api.status).to.equal(400);
    expect(api.body.error.field).to.equal('timeZone');
  });

  it('every <time> on the main pages has a datetime and a title, and reads relatively', async () => {
    const zh = await member('zh-CN');
    const { thread } = await buildThread({ title: '刚发的主题' });
    const pages = ['/', `/t/${threadId}`, `/t/${thread.id}`, `/u/${me.username}`];
    for (const page of pages) {
      const times = timesOf((await zh.get(page)).text);
      expect(times.length, page).to.be.greaterThan(0);
      for (const time of times) {
        expect(time.datetime, page).to.match(/^\d{4}-\d\d-\d\dT/);
        expect(time.title, `${page}: ${time.datetime}`).to.match(/\d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d/);
      }
    }
    const fresh = timesOf((await zh.get(`/t/${thread.id}`)).text)[0];
    expect(fresh.text).to.match(/^(刚刚|\d+ ?秒钟前|\d+ ?分钟前)$/);
    const enFresh = timesOf((await (await member('en')).get(`/t/${thread.id}`)).text)[0];
    expect(enFresh.text).to.match(/^(just now|\d+ seconds? ago|\d+ minutes? ago)$/);
    // Older than a month: the date itself, in the zone.
    expect(timesOf((await zh.get(`/t/${threadId}`)).text).find((x) => x.datetime === INSTANT)!.text).to.equal('2025年11月3日');
  });

  it('the favicon is served as an image, with caching, in SVG and ICO', async () => {
    const anon = new Client(server.url);
    const ico = await fetch(`${server.url}/favicon.ico`);
    expect(ico.status).to.equal(200);
    expect(ico.headers.get('content-type')).to.match(/^image\//);
    expect(ico.headers.get('cache-control')).to.match(/max-age=\d{4,}/);
    const bytes = Buffer.from(await ico.arrayBuffer());
    expect([...bytes.subarray(0, 4)], 'an ICO header').to.deep.equal([0, 0, 1, 0]);
    expect(bytes.subarray(22, 26).toString('latin1'), 'a PNG inside').to.equal('\x89PNG');
    const svg = await anon.get('/favicon.svg');
    expect(svg.status).to.equal(200);
    expect(svg.headers.get('content-type')).to.match(/^image\/svg\+xml/);
    const again = await fetch(`${server.url}/favicon.ico`, { headers: { 'if-none-match': ico.headers.get('etag')! } });
    expect(again.status).to.equal(304);
    expect((await anon.get('/')).text).to.contain('<link rel="icon" href="/favicon.svg" type="image/svg+xml">');
  });

  it('no emoji icon characters remain in the rendered pages; inline SVG icons instead', async () => {
    const privateChapter = await buildChapter({ visibility: 'private', name: '车主会' });
    await addMember(privateChapter, me);
    const other = await buildUser();
    const { thread } = await buildThread({ author: other, chapter: privateChapter, title: '私密分会主题' });
    const zh = await member('zh-CN');
    const pages = ['/', '/chapters', `/c/${privateChapter.slug}`, `/t/${thread.id}`, '/notifications', '/settings', `/u/${me.username}`, '/new', '/search?q=主题'];
    // 🔔 🔒 🔓 👍 👎 ❤ ⭐ 💬 📌 🔍 ⚠ ✅ ❌ ✏ 🗑 👁, and any pictograph of the emoji blocks.
    const ICON_EMOJI = /[\u{1F300}-\u{1FAFF}\u2600-\u27BF\u2B50\uFE0F]/u;
    for (const page of pages) {
      const res = await zh.get(page);
      expect(res.status, page).to.equal(200);
      expect(ICON_EMOJI.exec(res.text)?.[0], page).to.equal(undefined);
    }
    const home = (await zh.get('/')).text;
    expect(home).to.match(/<svg class="icon icon-bell" aria-hidden="true" focusable="false"/);
    expect(home, 'the bell link is named for screen readers').to.match(/<a class="notif-link" href="\/notifications" aria-label="通知"/);
    expect((await zh.get(`/t/${thread.id}`)).text).to.contain('icon icon-thumbs-up');
    expect((await zh.get('/chapters')).text).to.contain('icon icon-lock');
  });
});
