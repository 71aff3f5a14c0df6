/**
 * The limits that keep one client from growing the server: the anonymous page cache (canonical
 * keys, a byte budget, active expiry), page, like and flag rate limits, owner-only data files,
 * and /metrics labels that name the route rather than the URL.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { startServer, type TestServer } from '../support/server';
import { Client } from '../support/client';
import { buildPost, buildThread, buildUser } from '../support/factories';
import { threadPageCache } from '../../server/routes/pages/forum';
import { Flag, Like } from '../../server/models';

describe('server limits', function () {
  this.timeout(60_000);

  describe('the anonymous thread-page cache', () => {
    let server: TestServer;
    before(async () => {
      server = await startServer({ PAGE_CACHE_MAX_MB: '0.25' });
    });
    after(() => server?.close());

    it('keys by the canonical page: unknown query parameters make no new entries', async () => {
      const { thread, author } = await buildThread({ body: '长帖 '.repeat(200) });
      for (let i = 0; i < 50; i++) await buildPost({ thread, author, body: `楼 ${i}` }); // two pages
      const c = new Client(server.url);
      expect((await c.get(`/t/${thread.id}`)).status).to.equal(200);
      const base = threadPageCache().entries;
      for (let v = 0; v < 50; v++) expect((await c.get(`/t/${thread.id}?v=${v}&utm_source=x${v}`)).status).to.equal(200);
      expect((await c.get(`/t/${thread.id}?page=1&v=x`)).status).to.equal(200);
      expect(threadPageCache().entries, 'still one page').to.equal(base);
      // Control: a real second page is a second entry.
      expect((await c.get(`/t/${thread.id}?page=2`)).status).to.equal(200);
      expect(threadPageCache().entries).to.equal(base + 1);
    });

    it('stays within its byte budget however many distinct pages are read', async () => {
      for (let i = 0; i < 30; i++) {
        const { thread } = await buildThread({ body: `大帖子 ${i} `.repeat(1_500) }); // ~15 kB of text per page
        expect((await new Client(server.url).get(`/t/${thread.id}`)).status).to.equal(200);
      }
      const { bytes, entries } = threadPageCache();
      expect(bytes).to.be.at.most(0.25 * 1024 * 1024);
      expect(entries).to.be.below(30);
      expect(entries).to.be.above(0);
    });
  });

  describe('page, like and flag rate limits', () => {
    let server: TestServer;
    before(async () => {
      server = await startServer({ RATE_LIMIT_PAGES_PER_MINUTE: '5', RATE_LIMIT_LIKES_PER_MINUTE: '2', RATE_LIMIT_FLAGS_PER_MINUTE: '1' });
    });
    after(() => server?.close());

    it('limits anonymous page requests per address with 429 and Retry-After', async () => {
      const { thread } = await buildThread();
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await new Client(server.url).get(`/t/${thread.id}?v=${i}`)).status);
      expect(statuses).to.deep.equal([200, 200, 200, 200, 200, 429]);
      const limited = await new Client(server.url).get('/');
      expect(limited.status).to.equal(429);
      expect(Number(limited.headers.get('retry-after'))).to.be.within(1, 60);
      // The API and static assets have budgets of their own.
      expect((await new Client(server.url).get('/api/v1/chapters')).status).to.equal(200);
      expect((await new Client(server.url).get('/healthz')).status).to.equal(200);
    });

    it('limits likes and flags per member, and a refused one stores nothing', async () => {
      const { thread, author } = await buildThread();
      const posts = await Promise.all([1, 2, 3].map((i) => buildPost({ thread, author, body: `可以点赞 ${i}` })));
      const fan = await buildUser();
      const c = new Client(server.url).withToken(fan.token);
      expect((await c.post(`/api/v1/posts/${posts[0].post.id}/like`)).status).to.equal(200);
      expect((await c.post(`/api/v1/posts/${posts[1].post.id}/like`)).status).to.equal(200);
      const third = await c.post(`/api/v1/posts/${posts[2].post.id}/like`);
      expect(third.status).to.equal(429);
      expect(third.body.error.code).to.equal('rate_limited');
      expect(await Like.count({ where: { userId: fan.user.id } })).to.equal(2);

      expect((await c.post(`/api/v1/posts/${posts[0].post.id}/flag`, { reason: '广告' })).status).to.be.within(200, 201);
      const second = await c.post(`/api/v1/posts/${posts[1].post.id}/flag`, { reason: '广告' });
      expect(second.status).to.equal(429);
      expect(await Flag.count({ where: { userId: fan.user.id } })).to.equal(1);
    });
  });

  it('creates DATA_DIR and its SQLite files readable by the owner only (0700 / 0600)', async () => {
    const previous = process.umask(0o022); // the usual umask, which would make them 0644
    let server: TestServer | null = null;
    try {
      server = await startServer();
      await buildThread(); // writes go through the WAL
      const dir = server.dataDir;
      expect(fs.statSync(dir).mode & 0o777).to.equal(0o700);
      const files = fs.readdirSync(dir).filter((f) => /\.sqlite(-wal|-shm)?$|^secret$/.test(f));
      // On Postgres (TEST_DATABASE_URL) there is no resonance.sqlite; the index and the secret are local either way.
      expect(files).to.include.members([...(process.env.TEST_DATABASE_URL ? [] : ['resonance.sqlite']), 'search.sqlite', 'secret']);
      for (const f of files) expect(fs.statSync(path.join(dir, f)).mode & 0o777, f).to.equal(0o600);
    } finally {
      process.umask(previous);
      await server?.close();
    }
  });

  it('labels /metrics by the matched route, for API and page requests alike', async () => {
    const server = await startServer();
    try {
      const { thread } = await buildThread();
      const c = new Client(server.url);
      await c.get(`/api/v1/threads/${thread.id}`);
      await c.get(`/t/${thread.id}`);
      await c.get('/api/v1/no-such-route');
      const text = (await c.get('/metrics')).text;
      expect(text).to.match(/resonance_http_requests_total\{method="GET",route="\/api\/v1\/threads\/:id",status="200"\} \d+/);
      expect(text).to.match(/resonance_http_requests_total\{method="GET",route="\/t\/:id",status="200"\} \d+/);
      expect(text).to.match(/route="\/api\/unmatched",status="404"/);
      expect(text).to.not.include(`/threads/${thread.id}"`);
    } finally {
      await server.close();
    }
  });
});
