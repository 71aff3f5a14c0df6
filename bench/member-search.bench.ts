/**
 * Benchmark: member (forum) search at 100,000 posts, per backend (issue #12).
 *
 *   node --import tsx bench/member-search.bench.ts [--posts 100000] [--connections 10]
 *     [--seconds 15] [--warmup-seconds 3] [--backend embedded|elasticsearch|both] [--quick]
 *
 * Per backend: Resonance boots once on a temp DATA_DIR (migrations, the RESONANCE_ADMIN user) and a
 * member registers through the API; the server is stopped and the forum is written behind its back
 * in one transaction of prepared statements (as kols.bench.ts does): 10 chapters (6 public, 4
 * private), 6 categories, 2,000 members, posts / 10 threads and `--posts` posts of seeded mixed
 * zh/en fan chatter over the last 30 days. The member belongs to 2 of the 4 private chapters. The
 * same posts are analysed with makeDocument (the indexer's fields: chapter, category, thread, title
 * on opening posts, source forum) and indexed straight into the server's backend (the embedded
 * file in DATA_DIR, or the server's Elasticsearch prefix, refreshed once). Resonance restarts on it.
 *
 * Targets, each a closed loop of `--connections` concurrent clients cycling through QUERIES for
 * `--seconds` after `--warmup-seconds`: GET /api/v1/search and the /search page, as an anonymous
 * visitor and as the signed-in member (session cookie), so the private chapters are filtered by
 * policy for both (all 4 for the visitor, 2 for the member). Reference, same run, same loop and
 * concurrency, same index: SearchBackend.search() from the bench process with the query the
 * forum search sends (kind post, source forum, the viewer's excluded chapters), without HTTP,
 * the session, the policy re-check or the database reads. Ratios are target over reference.
 */
import { figure } from './support/headline';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sqlite3 from '../server/sqlite';
import { machine } from './support/machine';
import { runBench } from './support/processes';
import {
  api, arg, backendsFromArgs, elasticsearchForRun, log, machineWithLoad, mentionText, prng,
  refreshElasticsearch, round, startResonance, summary, type BackendName, type BenchElasticsearch, type BenchServer,
} from './support/listening';
import { RAISED_LIMITS } from './support/limits';
import { makeDocument } from '../search/documents';
import { createEmbeddedBackend } from '../search/embedded';
import { createElasticsearchBackend } from '../search/elasticsearch';
import type { SearchBackend, SearchDocument, SearchQuery } from '../search/backend';

// --quick: 10,000 posts and 3 s per target (was 20,000 and 5 s: 5 minutes on the busy machine).
const quick = process.argv.includes('--quick');
const params = {
  posts: Number(arg('posts', quick ? '10000' : '100000')),
  connections: Number(arg('connections', '10')),
  seconds: Number(arg('seconds', quick ? '3' : '15')),
  warmupSeconds: Number(arg('warmup-seconds', quick ? '1' : '3')),
  backends: backendsFromArgs(),
  members: 2000,
  postsPerThread: 10,
  days: 30,
  seed: 4321,
  indexBatch: 1000,
};
const DAY = 86_400_000;
const NOW = Date.now();

const CHAPTERS = [
  { slug: 'shanghai', name: '上海同城会', city: '上海', visibility: 'public' },
  { slug: 'beijing', name: '北京车友会', city: '北京', visibility: 'public' },
  { slug: 'shenzhen', name: '深圳车友会', city: '深圳', visibility: 'public' },
  { slug: 'hangzhou', name: '杭州车友会', city: '杭州', visibility: 'public' },
  { slug: 'chengdu', name: '成都车友会', city: '成都', visibility: 'public' },
  { slug: 'guangzhou', name: '广州车友会', city: '广州', visibility: 'public' },
  { slug: 'owners-sh', name: '上海车主认证群', city: '上海', visibility: 'private' },
  { slug: 'owners-bj', name: '北京车主认证群', city: '北京', visibility: 'private' },
  { slug: 'beta-testers', name: 'OTA 内测组', city: '全国', visibility: 'private' },
  { slug: 'vip', name: '车主 VIP', city: '全国', visibility: 'private' },
] as const;
/** The private chapters the member belongs to (the other two stay unreadable for them). */
const MEMBER_PRIVATE = ['owners-sh', 'beta-testers'];
const CATEGORIES = [
  { slug: 'experience', name: '用车体验' },
  { slug: 'service', name: '售后服务' },
  { slug: 'charging', name: '充电补能' },
  { slug: 'software', name: '车机与 OTA' },
  { slug: 'meetups', name: '同城活动' },
  { slug: 'market', name: '购车交流' },
];
/** Forum-only phrases mixed into the listening generator's chatter (so 卡顿 and 车机 卡顿 have hits). */
const FORUM_LINES = [
  '车机偶尔卡顿，重启一下就好了。',
  '升级 OTA 之后车机卡顿明显少了。',
  '导航有点卡顿，语音唤醒还行。',
  '售后态度不错，但配件要等两周。',
  '周末同城活动有人一起吗？',
  'The infotainment lags after the update, anyone else?',
  '冬天续航打七折，正常吗？',
  '充电桩经常被油车占位，物业也不管。',
];
const TITLES = ['【提车作业】', '【求助】', '【吐槽】', '【分享】', '【活动】', '[EN]'];
const MEMBER_AUTHOR = 'fan_7';

interface Query { name: string; q?: string; chapter?: string; category?: string; author?: string; fromDays?: number }
const QUERIES: Query[] = [
  { name: '续航', q: '续航' },
  { name: '车机 卡顿 (two words)', q: '车机 卡顿' },
  { name: '售后', q: '售后' },
  { name: 'battery', q: 'battery' },
  { name: 'phantom braking (two English words)', q: 'phantom braking' },
  { name: '召回 (rare)', q: '召回' },
  { name: '续航 + chapter=shanghai', q: '续航', chapter: 'shanghai' },
  { name: '售后 + category=service', q: '售后', category: 'service' },
  { name: `author=${MEMBER_AUTHOR}`, author: MEMBER_AUTHOR },
  { name: '充电 + last 7 days', q: '充电', fromDays: 7 },
  { name: '续航 + chapter=owners-sh (private)', q: '续航', chapter: 'owners-sh' },
];

function queryString(q: Query): string {
  const p = new URLSearchParams();
  if (q.q) p.set('q', q.q);
  if (q.chapter) p.set('chapter', q.chapter);
  if (q.category) p.set('category', q.category);
  if (q.author) p.set('author', q.author);
  if (q.fromDays) p.set('from', new Date(NOW - q.fromDays * DAY).toISOString());
  return p.toString();
}

// ------------------------------------------------------------------ seeding

interface Seeded { docs: SearchDocument[]; chapterIds: Map<string, number>; counts: Record<string, number>; writeSeconds: number; analyseSeconds: number }

/** Write chapters, categories, members, threads and posts into the forum database; return their documents. */
async function writeForum(file: string, memberUsername: string): Promise<Seeded> {
  const t0 = performance.now();
  const db = await new Promise<InstanceType<typeof sqlite3.Database>>((resolve, reject) => {
    const d = new sqlite3.Database(file, sqlite3.OPEN_READWRITE, (err) => (err ? reject(err) : resolve(d)));
  });
  db.serialize();
  const run = (sql: string, p: unknown[] = []) => new Promise<void>((resolve, reject) => db.run(sql, p, (err) => (err ? reject(err) : resolve())));
  const get = <T>(sql: string, p: unknown[] = []) => new Promise<T>((resolve, reject) => db.get(sql, p, (err, row: T) => (err ? reject(err) : resolve(row))));
  const date = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace('Z', ' +00:00'); // Sequelize's SQLite DATE text
  let pending: Promise<void>[] = [];
  const flush = async () => {
    const batch = pending;
    pending = [];
    await Promise.all(batch);
  };
  const insert = (stmt: InstanceType<typeof sqlite3.Statement>, p: unknown[]) => {
    pending.push(new Promise<void>((resolve, reject) => stmt.run(p, (err) => (err ? reject(err) : resolve()))));
    return pending.length >= 10_000 ? flush() : undefined;
  };
  const now = date(NOW);
  await run('BEGIN');
  const chapterIds = new Map<string, number>();
  for (const c of CHAPTERS) {
    await run('INSERT INTO "chapters" ("slug", "name", "city", "description", "visibility", "memberCount", "createdAt", "updatedAt") VALUES (?, ?, ?, \'\', ?, 0, ?, ?)', [c.slug, c.name, c.city, c.visibility, now, now]);
    chapterIds.set(c.slug, (await get<{ id: number }>('SELECT "id" FROM "chapters" WHERE "slug" = ?', [c.slug])).id);
  }
  const categoryIds = new Map<string, number>();
  for (const [i, c] of CATEGORIES.entries()) {
    await run('INSERT INTO "categories" ("slug", "name", "description", "position", "createdAt", "updatedAt") VALUES (?, ?, \'\', ?, ?, ?)', [c.slug, c.name, i, now, now]);
    categoryIds.set(c.slug, (await get<{ id: number }>('SELECT "id" FROM "categories" WHERE "slug" = ?', [c.slug])).id);
  }
  const member = await get<{ id: number }>('SELECT "id" FROM "users" WHERE "username" = ?', [memberUsername]);
  for (const slug of ['shanghai', ...MEMBER_PRIVATE]) {
    await run('INSERT INTO "memberships" ("chapterId", "userId", "status", "role", "createdAt", "updatedAt") VALUES (?, ?, \'member\', \'member\', ?, ?)', [chapterIds.get(slug), member.id, now, now]);
  }
  const maxId = async (table: string) => (await get<{ n: number }>(`SELECT coalesce(max("id"), 0) AS n FROM "${table}"`)).n;
  let userId = await maxId('users');
  const users: { id: number; name: string }[] = [];
  const user = db.prepare('INSERT INTO "users" ("id", "username", "displayName", "passwordHash", "role", "analyticsConsent", "createdAt", "updatedAt") VALUES (?, ?, ?, \'x\', \'member\', 1, ?, ?)');
  for (let i = 0; i < params.members; i++) {
    const name = `fan_${i}`;
    users.push({ id: ++userId, name });
    await insert(user, [userId, name, `车友${i}`, now, now]);
  }
  await flush();

  const rand = prng(params.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  // 30 % of threads outside any chapter, 50 % in public chapters, 20 % in private ones.
  const publicSlugs = CHAPTERS.filter((c) => c.visibility === 'public').map((c) => c.slug);
  const privateSlugs = CHAPTERS.filter((c) => c.visibility === 'private').map((c) => c.slug);
  const threadCount = Math.ceil(params.posts / params.postsPerThread);
  let threadId = await maxId('threads');
  let postId = await maxId('posts');
  const thread = db.prepare('INSERT INTO "threads" ("id", "title", "authorId", "chapterId", "categoryId", "postCount", "lastPostAt", "locked", "createdAt", "updatedAt") VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?)');
  const post = db.prepare('INSERT INTO "posts" ("id", "threadId", "authorId", "body", "html", "replyToId", "mentions", "likeCount", "createdAt", "updatedAt") VALUES (?, ?, ?, ?, ?, NULL, \'[]\', 0, ?, ?)');
  const sources: { id: number; threadId: number; body: string; author: string; chapter: string | null; category: string; title: string | null; at: number }[] = [];
  let written = 0;
  for (let t = 0; t < threadCount && written < params.posts; t++) {
    const r = rand();
    const chapter = r < 0.3 ? null : r < 0.8 ? pick(publicSlugs) : pick(privateSlugs);
    const category = pick(CATEGORIES).slug;
    const n = Math.min(params.postsPerThread, params.posts - written);
    const start = NOW - Math.floor(rand() * params.days * DAY);
    const title = `${pick(TITLES)}${mentionText(rand).slice(0, 40)}`;
    const id = ++threadId;
    const opener = pick(users);
    const times = Array.from({ length: n }, (_, i) => Math.min(NOW, start + i * Math.floor(rand() * 3_600_000)));
    await insert(thread, [id, title, opener.id, chapter ? chapterIds.get(chapter) : null, categoryIds.get(category), n, date(times[n - 1]), date(start), date(times[n - 1])]);
    for (let i = 0; i < n; i++) {
      const author = i === 0 ? opener : pick(users);
      let body = mentionText(rand);
      if (rand() < 0.25) body += ` ${pick(FORUM_LINES)}`;
      const pid = ++postId;
      await insert(post, [pid, id, author.id, body, `<p>${body.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</p>`, date(times[i]), date(times[i])]);
      sources.push({ id: pid, threadId: id, body, author: author.name, chapter, category, title: i === 0 ? title : null, at: times[i] });
      written++;
    }
  }
  await flush();
  await run('COMMIT');
  for (const stmt of [user, thread, post]) await new Promise<void>((resolve) => stmt.finalize(() => resolve()));
  await new Promise<void>((resolve, reject) => db.close((err) => (err ? reject(err) : resolve())));
  const writeSeconds = (performance.now() - t0) / 1000;
  log(`wrote ${written} posts in ${threadId} threads in ${writeSeconds.toFixed(1)} s; analysing`);
  const t1 = performance.now();
  const docs = sources.map((s, i) => {
    if (i % 20_000 === 0) log(`makeDocument ${i}/${sources.length}`);
    return makeDocument({
      id: `post:${s.id}`, kind: 'post', text: s.body, author: s.author, authorFollowers: null, kol: false,
      chapter: s.chapter, chapterId: s.chapter ? chapterIds.get(s.chapter)! : null, threadId: String(s.threadId),
      category: s.category, title: s.title, source: 'forum', url: `/t/${s.threadId}#p${s.id}`, createdAt: new Date(s.at).toISOString(),
    });
  });
  return { docs, chapterIds, counts: { chapters: CHAPTERS.length, categories: CATEGORIES.length, members: params.members, threads: threadCount, posts: written }, writeSeconds, analyseSeconds: (performance.now() - t1) / 1000 };
}

function backendFor(backend: BackendName, dataDir: string, es: BenchElasticsearch | null, prefix: string): SearchBackend {
  return backend === 'embedded'
    ? createEmbeddedBackend({ file: path.join(dataDir, 'search.sqlite') })
    : createElasticsearchBackend({ node: es!.url, indexPrefix: prefix, refresh: false });
}

// ------------------------------------------------------------------ the closed loop

/** `connections` clients, each running `request(i)` back to back; latencies of the measured window only. */
async function closedLoop(request: (i: number) => Promise<void>): Promise<{ ms: number[]; errors: number; perQuery: Map<number, number[]> }> {
  const perQuery = new Map<number, number[]>(QUERIES.map((_, i) => [i, []]));
  const ms: number[] = [];
  let errors = 0;
  let next = 0;
  const phase = async (seconds: number, record: boolean) => {
    const end = performance.now() + seconds * 1000;
    await Promise.all(Array.from({ length: params.connections }, async () => {
      while (performance.now() < end) {
        const i = next++ % QUERIES.length;
        const t0 = performance.now();
        try {
          await request(i);
        } catch (err) {
          errors++;
          if (errors <= 3) log(`request failed: ${String(err)}`);
          continue;
        }
        if (!record) continue;
        const d = performance.now() - t0;
        ms.push(d);
        perQuery.get(i)!.push(d);
      }
    }));
  };
  await phase(params.warmupSeconds, false);
  await phase(params.seconds, true);
  return { ms, errors, perQuery };
}

/** Unloaded latency: every query once, one at a time, `SERIAL_ROUNDS` times (after the loop, so warm). */
const SERIAL_ROUNDS = 3;
async function serial(request: (i: number) => Promise<void>): Promise<{ p50: number; p95: number }> {
  const ms: number[] = [];
  for (let pass = 0; pass < SERIAL_ROUNDS; pass++) {
    for (let i = 0; i < QUERIES.length; i++) {
      const t0 = performance.now();
      await request(i).catch(() => {});
      ms.push(performance.now() - t0);
    }
  }
  const s = summary(ms);
  return { p50: s.p50, p95: s.p95 };
}

type Measured = Awaited<ReturnType<typeof closedLoop>> & { serialMs: { p50: number; p95: number } };
/** The closed loop, then the serial pass, with the same requests. */
async function measure(request: (i: number) => Promise<void>): Promise<Measured> {
  const loaded = await closedLoop(request);
  return { ...loaded, serialMs: await serial(request) };
}

function describe(name: string, r: Measured) {
  const s = summary(r.ms);
  return {
    target: name,
    serialMs: r.serialMs,
    requests: s.n,
    requestsPerSec: round(s.n / params.seconds, 1),
    errors: r.errors,
    latencyMs: { p50: s.p50, p95: s.p95, p99: s.p99, max: s.max },
    perQuery: QUERIES.map((q, i) => {
      const x = summary(r.perQuery.get(i)!);
      return { query: q.name, n: x.n, p50: x.p50, p95: x.p95, p99: x.p99 };
    }),
  };
}

async function httpTarget(base: string, kind: 'api' | 'page', cookie: string | null, totals: Map<string, number>) {
  const headers: Record<string, string> = cookie ? { cookie } : {};
  return measure(async (i) => {
    const url = `${base}${kind === 'api' ? '/api/v1/search' : '/search'}?${queryString(QUERIES[i])}`;
    const res = await fetch(url, { headers });
    const body = await res.text();
    if (res.status !== 200) throw new Error(`${res.status} ${url}: ${body.slice(0, 200).replace(/\s+/g, " ")}`);
    if (kind === 'api') totals.set(QUERIES[i].name, (JSON.parse(body) as { total: number }).total);
  });
}

// ------------------------------------------------------------------ per backend

async function runBackend(backend: BackendName, es: BenchElasticsearch | null) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'resonance-membersearch-'));
  const prefix = `membersearch-${Date.now().toString(36)}`;
  const env = { RATE_LIMIT_SEARCH_PER_MINUTE: '100000000', ...RAISED_LIMITS, ...(backend === 'elasticsearch' ? { ELASTICSEARCH_INDEX_PREFIX: prefix } : {}) };
  let server: BenchServer | null = null;
  let reference: SearchBackend | null = null;
  try {
    // First boot: migrations, the admin, and a member with a real password (for a real session later).
    server = await startResonance(backend, es?.url ?? null, { dataDir, env });
    const member = { username: 'bench_member', password: 'bench member pass 123', displayName: '测试车友' };
    const reg = await api<{ token: string }>(server.base, 'POST', '/api/v1/auth/register', null, member);
    if (reg.status !== 201) throw new Error(`register failed: ${reg.status} ${JSON.stringify(reg.json)}`);
    await server.stop();
    server = null;

    const seeded = await writeForum(path.join(dataDir, 'resonance.sqlite'), member.username);
    log(`${backend}: analysed in ${seeded.analyseSeconds.toFixed(1)} s; indexing ${seeded.docs.length} documents`);
    const t0 = performance.now();
    const writer = backendFor(backend, dataDir, es, prefix);
    await writer.init();
    for (let i = 0; i < seeded.docs.length; i += params.indexBatch) await writer.index(seeded.docs.slice(i, i + params.indexBatch));
    if (backend === 'elasticsearch') await refreshElasticsearch(es!.url, prefix);
    const indexed = await writer.count();
    await writer.close();
    const indexSeconds = (performance.now() - t0) / 1000;
    if (indexed !== seeded.docs.length) throw new Error(`${backend}: ${indexed} of ${seeded.docs.length} documents indexed`);
    seeded.docs.length = 0; // not needed any more: leave the memory to the server

    server = await startResonance(backend, es?.url ?? null, { dataDir, env });
    const login = await api<{ token: string }>(server.base, 'POST', '/api/v1/auth/login', null, { username: member.username, password: member.password });
    if (login.status !== 200) throw new Error(`login failed: ${login.status}`);
    const cookie = `rs_session=${login.json.token}`;

    reference = backendFor(backend, dataDir, es, prefix);
    await reference.init();
    const privateIds = CHAPTERS.filter((c) => c.visibility === 'private').map((c) => seeded.chapterIds.get(c.slug)!);
    const excluded = { anonymous: privateIds, member: privateIds.filter((id) => !MEMBER_PRIVATE.map((s) => seeded.chapterIds.get(s)).includes(id)) };
    const raw = (viewer: 'anonymous' | 'member') => {
      const ref = reference!;
      return measure(async (i) => {
        const q = QUERIES[i];
        const query: SearchQuery = {
          q: q.q, chapter: q.chapter, category: q.category, author: q.author,
          from: q.fromDays ? new Date(NOW - q.fromDays * DAY) : undefined,
          excludeChapterIds: excluded[viewer], kind: 'post', source: 'forum', limit: 20,
        };
        await ref.search(query);
      });
    };

    // One unmeasured loop first: a freshly started Elasticsearch (and a cold page cache) is slow for a while.
    log(`${backend}: warming up`);
    await closedLoop(async (i) => {
      await (await fetch(`${server!.base}/api/v1/search?${queryString(QUERIES[i])}`)).arrayBuffer();
    });
    const totals = { anonymous: new Map<string, number>(), member: new Map<string, number>() };
    const targets = [];
    for (const viewer of ['anonymous', 'member'] as const) {
      log(`${backend}: reference SearchBackend.search() as ${viewer}`);
      const ref = describe(`SearchBackend.search() (${viewer} scope)`, await raw(viewer));
      log(`${backend}: GET /api/v1/search as ${viewer}`);
      const apiRun = describe(`GET /api/v1/search (${viewer})`, await httpTarget(server.base, 'api', viewer === 'member' ? cookie : null, totals[viewer]));
      log(`${backend}: GET /search as ${viewer}`);
      const page = describe(`GET /search page (${viewer})`, await httpTarget(server.base, 'page', viewer === 'member' ? cookie : null, totals[viewer]));
      const ratio = (x: typeof apiRun) => ({ p50: round(x.latencyMs.p50 / ref.latencyMs.p50, 2), p95: round(x.latencyMs.p95 / ref.latencyMs.p95, 2), p99: round(x.latencyMs.p99 / ref.latencyMs.p99, 2) });
      targets.push({ viewer, reference: ref, api: { ...apiRun, ratioToReference: ratio(apiRun) }, page: { ...page, ratioToReference: ratio(page) } });
      log(`${backend} ${viewer}: raw p95 ${ref.latencyMs.p95} ms, API p95 ${apiRun.latencyMs.p95} ms, page p95 ${page.latencyMs.p95} ms`);
    }
    return {
      backend,
      seeded: { ...seeded.counts, writeSeconds: round(seeded.writeSeconds, 1), analyseSeconds: round(seeded.analyseSeconds, 1), indexSeconds: round(indexSeconds, 1) },
      totalsByQuery: QUERIES.map((q) => ({ query: q.name, anonymous: totals.anonymous.get(q.name) ?? null, member: totals.member.get(q.name) ?? null })),
      targets,
    };
  } finally {
    await reference?.close().catch(() => {});
    await server?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const start = machine();
  const loadavgAtStart = os.loadavg().map((n) => round(n, 2));
  let es: BenchElasticsearch | null = null;
  try {
    if (params.backends.includes('elasticsearch')) es = await elasticsearchForRun();
    const results = [];
    for (const backend of params.backends) results.push(await runBackend(backend, es));
    const end = machine();
    const headline = results.flatMap((r) => r.targets.map((t) => figure(`GET /api/v1/search p95 (${t.viewer}), ${r.backend}`, t.api.latencyMs.p95, 'ms', false, {
      params: { backend: r.backend, posts: params.posts, seconds: params.seconds },
      reference: { what: 'SearchBackend.search() p95, same scope and index', value: t.reference.latencyMs.p95 },
    })));
    process.stdout.write(`${JSON.stringify({
      benchmark: 'member-search',
      headline,
      date: new Date().toISOString(),
      params: { ...params, quick, queries: QUERIES, memberPrivateChapters: MEMBER_PRIVATE, privateChapters: CHAPTERS.filter((c) => c.visibility === 'private').length },
      machine: { ...machineWithLoad(start.loadavg1m, end), loadavgAtStart, loadavgAtEnd: os.loadavg().map((n) => round(n, 2)) },
      results,
      reference: { description: 'SearchBackend.search() from the bench process on the same index with the forum search query (kind post, source forum, the viewer\'s excluded chapters), same closed loop and concurrency: no HTTP, session, policy re-check or database reads' },
    }, null, 2)}\n`);
  } finally {
    await es?.stop();
  }
}

runBench(main);
