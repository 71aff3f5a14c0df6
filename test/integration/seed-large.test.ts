/**
 * The synthetic community (npm run seed -- --size ..., issue #13) at a few thousand posts: valid
 * rows with consistent counters, the intended shapes (a few members write most, a few threads and
 * chapters get most), both languages, the planted incident and KOLs, the outbox for every post,
 * and an app that serves it and whose pipeline analyses and indexes all of it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { loadConfig, type Config } from '../../server/config';
import { openDatabase, closeDatabase } from '../../server/db';
import { Analysis, Chapter, OutboxEvent, Post, Thread, User } from '../../server/models';
import { renderMarkdown } from '../../server/markdown';
import { asDate, sqlRows } from '../../server/sql';
import { seedLarge, sizeParams, type LargeParams, type LargeSummary } from '../../server/seed-large';
import { resetPostgres, startServer, type TestServer } from '../support/server';
import { Client } from '../support/client';
import { waitFor } from '../support/wait';

const PARAMS: LargeParams = { ...sizeParams('small'), posts: 3_000, members: 300, chapters: 30, batch: 500 };
const quiet = { out: () => undefined, progress: () => undefined };
const count = async (sql: string) => Number((await sqlRows<{ n: number }>(sql))[0].n);

describe('npm run seed -- --size (the synthetic community)', function () {
  this.timeout(60_000);
  let dataDir: string;
  let config: Config;
  let summary: LargeSummary;

  before(async function () {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'resonance-seed-large-'));
    // npm run test:postgres: the same seed into a fresh Postgres schema.
    const databaseUrl = process.env.TEST_DATABASE_URL;
    if (databaseUrl) await resetPostgres(databaseUrl);
    config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATA_DIR: dataDir, ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}) });
    summary = await seedLarge(config, PARAMS, quiet);
    await openDatabase(config);
  });

  after(async function () {
    await closeDatabase();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('writes the asked-for members, chapters and posts, with one outbox event per post and per thread', async function () {
    expect(summary.alreadySeeded).to.equal(false);
    expect(await User.count({ where: { role: 'member' } })).to.equal(PARAMS.members);
    expect(await Chapter.count()).to.equal(PARAMS.chapters);
    expect(await Post.count()).to.equal(PARAMS.posts);
    const threads = await Thread.count();
    expect(threads).to.equal(summary.threads).and.be.within(PARAMS.posts / PARAMS.postsPerThread, PARAMS.posts / PARAMS.postsPerThread + 20);
    expect(await OutboxEvent.count({ where: { type: 'post.created' } })).to.equal(PARAMS.posts);
    expect(await OutboxEvent.count({ where: { type: 'thread.created' } })).to.equal(threads);
    expect(summary.postsPerSecond).to.be.above(0);
  });

  it('keeps every counter the services keep: thread postCount, floors, lastPostAt and last author, chapter memberCount', async function () {
    expect(await count(`SELECT COUNT(*) AS n FROM "threads" t WHERE t."postCount" != (SELECT COUNT(*) FROM "posts" p WHERE p."threadId" = t."id") OR t."floorCount" != t."postCount"`)).to.equal(0);
    expect(await count(`SELECT COUNT(*) AS n FROM "threads" t WHERE t."lastPostAt" != (SELECT MAX(p."createdAt") FROM "posts" p WHERE p."threadId" = t."id")`)).to.equal(0);
    expect(await count(`SELECT COUNT(*) AS n FROM "threads" t WHERE t."lastPostAuthorId" != (SELECT p."authorId" FROM "posts" p WHERE p."threadId" = t."id" ORDER BY p."id" DESC LIMIT 1)`)).to.equal(0);
    expect(await count(`SELECT COUNT(*) AS n FROM "threads" t WHERE t."createdAt" != (SELECT MIN(p."createdAt") FROM "posts" p WHERE p."threadId" = t."id") OR t."authorId" != (SELECT p."authorId" FROM "posts" p WHERE p."threadId" = t."id" AND p."floor" = 1)`)).to.equal(0);
    // Floors are 1..n in id order, and ids follow time (as in real use).
    expect(await count(`SELECT COUNT(*) AS n FROM "posts" p WHERE p."floor" != (SELECT COUNT(*) FROM "posts" q WHERE q."threadId" = p."threadId" AND q."id" <= p."id")`)).to.equal(0);
    expect(await count(`SELECT COUNT(*) AS n FROM "posts" p JOIN "posts" q ON q."id" = p."id" + 1 WHERE q."createdAt" < p."createdAt"`)).to.equal(0);
    // A reply-to points at an earlier post of the same thread.
    expect(await count(`SELECT COUNT(*) AS n FROM "posts" p JOIN "posts" r ON r."id" = p."replyToId" WHERE r."threadId" != p."threadId" OR r."id" >= p."id"`)).to.equal(0);
    expect(await count(`SELECT COUNT(*) AS n FROM "posts" WHERE "replyToId" IS NOT NULL`)).to.be.above(PARAMS.posts * 0.1);
    expect(await count(`SELECT COUNT(*) AS n FROM "chapters" c WHERE c."memberCount" != (SELECT COUNT(*) FROM "memberships" m WHERE m."chapterId" = c."id" AND m."status" = 'member')`)).to.equal(0);
    // Members joined before they wrote.
    expect(await count(`SELECT COUNT(*) AS n FROM "posts" p JOIN "users" u ON u."id" = p."authorId" WHERE u."createdAt" > p."createdAt"`)).to.equal(0);
  });

  it('stores the html and mentions the renderer gives, and mentions name real members', async function () {
    const sample = await Post.findAll({ order: [['id', 'ASC']], limit: 300 });
    for (const post of sample) {
      const rendered = renderMarkdown(post.body);
      expect(post.html).to.equal(rendered.html);
      expect(post.mentions).to.deep.equal(rendered.mentions);
    }
    const mentioned = new Set((await Post.findAll({ attributes: ['mentions'] })).flatMap((p) => p.mentions));
    expect(mentioned.size).to.be.above(10);
    expect(await User.count({ where: { username: [...mentioned] } })).to.equal(mentioned.size);
  });

  it('has the intended shapes: a few members write most, a few threads get most replies, a few chapters are hot', async function () {
    const byAuthor = (await sqlRows<{ n: number }>(`SELECT COUNT(*) AS n FROM "posts" GROUP BY "authorId" ORDER BY n DESC`)).map((r) => Number(r.n));
    const top1pct = byAuthor.slice(0, Math.ceil(PARAMS.members / 100)).reduce((a, b) => a + b, 0);
    expect(top1pct / PARAMS.posts, 'share of the top 1% of members').to.be.above(0.15);
    expect(1 - byAuthor.length / PARAMS.members, 'members who only read').to.be.within(0.4, 0.8);
    const sizes = (await Thread.findAll({ attributes: ['postCount'], order: [['postCount', 'DESC']] })).map((t) => t.postCount);
    const top5pct = sizes.slice(0, Math.ceil(sizes.length / 20)).reduce((a, b) => a + b, 0);
    expect(top5pct / PARAMS.posts, 'share of the top 5% of threads').to.be.above(0.3);
    expect(sizes.filter((n) => n === 1).length, 'threads without a reply').to.be.above(0);
    const members = (await Chapter.findAll({ attributes: ['memberCount'], order: [['memberCount', 'DESC']] })).map((c) => c.memberCount);
    expect(members[0], 'hottest chapter vs the median one').to.be.above(5 * members[Math.floor(members.length / 2)]);
  });

  it('writes Chinese and English posts', async function () {
    const chinese = await count(`SELECT COUNT(*) AS n FROM "posts" WHERE "body" LIKE '%的%' OR "body" LIKE '%了%'`);
    expect(chinese / PARAMS.posts).to.be.above(0.6);
    expect(summary.englishPosts / PARAMS.posts).to.be.within(0.01, 0.15);
    expect(await count(`SELECT COUNT(*) AS n FROM "posts" WHERE "body" LIKE '% the %'`)).to.be.above(5);
  });

  it('plants the incident: a burst of crisis posts in one chapter within one hour, far above its usual rate', async function () {
    const chapter = (await Chapter.findOne({ where: { slug: summary.incident.chapter } }))!;
    const rows = await sqlRows<{ createdAt: unknown; body: string }>(`SELECT p."createdAt", p."body" FROM "posts" p JOIN "threads" t ON t."id" = p."threadId" WHERE t."chapterId" = $1`, [chapter.id]);
    const hours = new Map<string, { n: number; crisis: number }>();
    for (const r of rows) {
      const hour = new Date(asDate(r.createdAt)).toISOString().slice(0, 13);
      const h = hours.get(hour) ?? { n: 0, crisis: 0 };
      h.n++;
      if (/刹车失灵|起火|安全|说法|吓人/.test(r.body)) h.crisis++;
      hours.set(hour, h);
    }
    const [peak, next] = [...hours].sort((a, b) => b[1].n - a[1].n);
    expect(peak[0]).to.equal(summary.incident.from.slice(0, 13));
    expect(peak[1].n).to.be.at.least(summary.incident.posts);
    expect(peak[1].crisis).to.be.at.least(summary.incident.posts);
    expect(next?.[1].n ?? 0).to.be.below(peak[1].n / 3);
  });

  it('plants KOLs: their threads draw more replies and they are @mentioned often', async function () {
    const kolIds = (await User.findAll({ where: { username: summary.kols } })).map((u) => u.id);
    expect(kolIds.length).to.equal(summary.kols.length).and.be.at.least(5);
    const avg = async (op: 'IN' | 'NOT IN') => count(`SELECT AVG("postCount") AS n FROM "threads" WHERE "authorId" ${op} (${kolIds.join(',')})`);
    expect(await avg('IN')).to.be.above(3 * (await avg('NOT IN')));
    const kols = new Set(summary.kols);
    const kolMentions = (await Post.findAll({ attributes: ['mentions'] })).filter((p) => p.mentions.some((m) => kols.has(m))).length;
    expect(kolMentions).to.be.above(summary.mentionPosts * 0.25);
  });

  it('lets the listening pipeline read the history, but not notifications or webhooks (history is not news)', async function () {
    const end = Number(await OutboxEvent.max('id'));
    const cursors = await sqlRows<{ name: string; lastEventId: number }>(`SELECT "name", "lastEventId" FROM "processor_cursors" ORDER BY "name"`);
    expect(cursors.map((c) => [c.name, Number(c.lastEventId)])).to.deep.equal([['notify', end], ['notify-messages', end], ['webhooks', end]]);
  });

  it('does nothing the second time, and refuses a database that already holds posts', async function () {
    const before = { users: await User.count(), posts: await Post.count(), events: await OutboxEvent.count() };
    await closeDatabase();
    const lines: string[] = [];
    const again = await seedLarge(config, PARAMS, { ...quiet, out: (l) => lines.push(l) });
    expect(again.alreadySeeded).to.equal(true);
    expect(lines.join('\n')).to.include('already seeded');
    await openDatabase(config);
    expect({ users: await User.count(), posts: await Post.count(), events: await OutboxEvent.count() }).to.deep.equal(before);

    // A database holding a community that is not this seed's (here: its completion record renamed).
    await sqlRows(`UPDATE "audit_entries" SET "action" = 'seed.large.hidden' WHERE "action" = 'seed.large'`);
    await closeDatabase();
    let refused: unknown = null;
    await seedLarge(config, PARAMS, quiet).catch((err: unknown) => (refused = err));
    await openDatabase(config);
    await sqlRows(`UPDATE "audit_entries" SET "action" = 'seed.large' WHERE "action" = 'seed.large.hidden'`);
    expect(String(refused)).to.match(new RegExp(`refusing to seed: the database already has ${PARAMS.posts} posts`));
    expect({ users: await User.count(), posts: await Post.count(), events: await OutboxEvent.count() }).to.deep.equal(before);
  });

  describe('served by the app', function () {
    let server: TestServer;
    before(async function () {
      await closeDatabase();
      server = await startServer({ DATA_DIR: dataDir });
    });
    after(async function () {
      await server.close({ keepData: true });
      await openDatabase(config);
    });

    it('serves the biggest thread, a chapter list and a member-only login; the pipeline analyses and indexes every post', async function () {
      const biggest = (await Thread.findOne({ order: [['postCount', 'DESC']] }))!;
      const page = await fetch(`${server.url}/t/${biggest.id}`);
      expect(page.status).to.equal(200);
      expect(await page.text()).to.include(biggest.title.replace(/&/g, '&amp;'));
      const api = await new Client(server.url).get(`/api/v1/threads/${biggest.id}`);
      expect(api.status).to.equal(200);
      expect(api.body.posts.length).to.equal(Math.min(50, biggest.postCount));
      const list = await new Client(server.url).get(`/api/v1/threads?chapter=${summary.incident.chapter}&limit=5`);
      expect(list.status).to.equal(200);
      expect(list.body.items).to.have.length(5);
      expect(list.body.cursor).to.be.a('string');

      const login = await new Client(server.url).post('/api/v1/auth/login', { username: 'demo_pr', password: 'resonance-demo' });
      expect(login.status).to.equal(200);
      // The listening pipeline reads the whole history (alerts and KOL scoring may still be at it).
      await waitFor(async () => (await Analysis.count({ where: { kind: 'post' } })) === PARAMS.posts, 'every post analysed', 20_000, 100);
      const staff = new Client(server.url).withToken(login.body.token);
      // The app goes on from the seeded rows: the next post takes the next id and floor.
      const reply = await staff.post(`/api/v1/threads/${biggest.id}/posts`, { body: '官方已经在跟进这个问题。' });
      expect(reply.status).to.equal(201);
      const replyId = Number(reply.body.post.id);
      expect(replyId).to.equal(Number(await Post.max('id'))).and.be.above(PARAMS.posts);
      expect((await Post.findByPk(replyId))!.floor).to.equal(biggest.postCount + 1);
      const found = await staff.get(`/api/v1/search?q=${encodeURIComponent('刹车失灵')}&chapter=${summary.incident.chapter}&limit=50`);
      expect(found.status).to.equal(200);
      expect(found.body.items.length).to.be.at.least(10);
      expect(found.body.items.every((i: { sentiment: { label: string } }) => i.sentiment.label !== 'positive')).to.equal(true);
    });
  });
});
