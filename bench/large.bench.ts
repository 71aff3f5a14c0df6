/**
 * Benchmark: Resonance on a big community (issue #13), against an existing seeded DATA_DIR so the
 * seed is not repeated each run:
 *
 *   npm run seed -- --size large            # once, into DATA_DIR
 *   node --import tsx bench/large.bench.ts --data-dir DIR [--quick] [--no-reindex] [--drain-timeout-min N]
 *
 * (DATA_DIR in the environment works too; ELASTICSEARCH_URL or DATABASE_URL are passed to the
 * server and to reindex.) Steps: start the server (server/main.ts, production, role all) and wait
 * until the pipeline has analysed and indexed every post (the seed leaves that to the outbox:
 * the first run measures the drain); restart it as role web (no processors, so the lanes still
 * reading the history do not compete with the load); then the thread page and thread API under autocannon; a
 * hot chapter's thread list page 1 vs page 500, by keyset cursor and by the legacy offset;
 * search and console-summary latency; the server's RSS; and, with the server stopped, a full
 * `resonance reindex`. Prints one JSON document on stdout. The DATA_DIR is changed only by the
 * drain and the reindex, as running the app would change it.
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../server/config';
import { openDatabase, closeDatabase } from '../server/db';
import { sqlRows } from '../server/sql';
import { adopt, freePort, killAll, repoRoot, rssMB, runBench, spawnTsx, stop, waitForOk } from './support/processes';
import { measure, settle } from './support/load';
import { machine } from './support/machine';
import { RAISED_LIMITS } from './support/limits';

const argv = process.argv.slice(2);
const arg = (name: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : argv.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
};
const quick = argv.includes('--quick');
const dataDirArg = arg('--data-dir') ?? process.env.DATA_DIR;
const params = {
  connections: 10,
  durationSec: quick ? 3 : 10,
  warmupSec: quick ? 1 : 2,
  listPageSize: 20,
  deepPage: 500,
  latencySamples: quick ? 5 : 20,
  reindex: !argv.includes('--no-reindex'),
  drainTimeoutMin: Number(arg('--drain-timeout-min') ?? 60),
  backend: process.env.ELASTICSEARCH_URL ? 'elasticsearch' : 'embedded',
  database: process.env.DATABASE_URL ? 'postgres' : 'sqlite',
  server: 'node --import tsx server/main.ts, NODE_ENV=production; RESONANCE_ROLE=all for the drain, then RESONANCE_ROLE=web (no processors) for the measurements',
};

const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);
const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Median and p95 of sequential GETs after a first one, reported apart (a cold cache, for pages the server keeps). */
async function latency(url: string, headers: Record<string, string>, samples: number): Promise<{ first: number; p50: number; p95: number; status: number; bytes: number }> {
  const times: number[] = [];
  let first = 0;
  let status = 0;
  let bytes = 0;
  for (let i = 0; i <= samples; i++) {
    const t0 = performance.now();
    const res = await fetch(url, { headers });
    const body = await res.arrayBuffer();
    if (i > 0) times.push(performance.now() - t0);
    else first = round(performance.now() - t0);
    status = res.status;
    bytes = body.byteLength;
  }
  if (status !== 200) throw new Error(`${url} answered ${status}`);
  times.sort((a, b) => a - b);
  return { first, p50: round(times[Math.floor(times.length / 2)]), p95: round(times[Math.min(times.length - 1, Math.floor(times.length * 0.95))]), status, bytes };
}

async function main(): Promise<void> {
  if (!dataDirArg) {
    // `npm run bench` runs every benchmark: this one needs a seeded DATA_DIR, so it says so and steps aside.
    log('large: skipped, it needs a seeded DATA_DIR (npm run seed -- --size large, then --data-dir DIR)');
    process.stdout.write(`${JSON.stringify({ benchmark: 'large', skipped: 'no --data-dir / DATA_DIR given' })}\n`);
    return;
  }
  const dataDir = path.resolve(dataDirArg);
  const loadavg1mAtStart = machine().loadavg1m;
  const env = { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'silent' };
  await openDatabase(loadConfig(env));
  const one = async <T>(sql: string, bind: unknown[] = []) => (await sqlRows<T>(sql, bind))[0];
  const num = async (sql: string, bind: unknown[] = []) => Number((await one<{ n: number }>(sql, bind)).n);
  const posts = await num(`SELECT COUNT(*) AS n FROM "posts"`);
  if (posts === 0) throw new Error(`${dataDir} has no posts: seed it first (npm run seed -- --size medium|large)`);
  const community = {
    posts,
    threads: await num(`SELECT COUNT(*) AS n FROM "threads"`),
    members: await num(`SELECT COUNT(*) AS n FROM "users"`),
    chapters: await num(`SELECT COUNT(*) AS n FROM "chapters"`),
    outboxEvents: await num(`SELECT COUNT(*) AS n FROM "outbox_events"`),
  };
  const analysedAtStart = await num(`SELECT COUNT(*) AS n FROM "analyses" WHERE "kind" = 'post'`);
  const biggest = await one<{ id: number; postCount: number }>(`SELECT "id", "postCount" FROM "threads" ORDER BY "postCount" DESC LIMIT 1`);
  const typical = await one<{ id: number; postCount: number }>(`SELECT "id", "postCount" FROM "threads" WHERE "postCount" BETWEEN 8 AND 30 ORDER BY "id" LIMIT 1`);
  const hot = await one<{ slug: string; threads: number }>(
    `SELECT c."slug", COUNT(*) AS "threads" FROM "threads" t JOIN "chapters" c ON c."id" = t."chapterId" WHERE c."visibility" = 'public' GROUP BY c."slug" ORDER BY COUNT(*) DESC LIMIT 1`,
  );
  log(`community in ${dataDir}: ${JSON.stringify(community)}; ${analysedAtStart} posts analysed so far`);

  // Two servers in turn: role `all` drains the pipeline; role `web` (no processors) is measured,
  // so the lanes still reading the history (alerts, KOL) do not share the CPUs with the load.
  const startServer = async (role: 'all' | 'web') => {
    const port = await freePort();
    const child = spawnTsx('server/main.ts', {
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      RESONANCE_ROLE: role,
      ...RAISED_LIMITS,
      RATE_LIMIT_SEARCH_PER_MINUTE: '100000000',
    });
    const started = Date.now();
    await waitForOk(`http://127.0.0.1:${port}/healthz`, child, 300_000);
    log(`resonance ${role} (pid ${child.pid}) ready in ${(Date.now() - started) / 1000}s`);
    return { child, base: `http://127.0.0.1:${port}`, bootSeconds: (Date.now() - started) / 1000 };
  };
  const rss: Record<string, number | null> = {};
  try {
    const worker = await startServer('all');
    rss.drainServerAfterBoot = rssMB(worker.child.pid);

    // The drain: until every post has its analysis (the index lane writes it with the document).
    const drainStarted = Date.now();
    let peakDrainRss = rss.drainServerAfterBoot ?? 0;
    let analysed = analysedAtStart;
    while (analysed < posts) {
      if (Date.now() - drainStarted > params.drainTimeoutMin * 60_000) break;
      await sleep(2_000);
      analysed = await num(`SELECT COUNT(*) AS n FROM "analyses" WHERE "kind" = 'post'`);
      peakDrainRss = Math.max(peakDrainRss, rssMB(worker.child.pid) ?? 0);
      log(`drain: ${analysed}/${posts} posts analysed and indexed (${round((Date.now() - drainStarted) / 1000)}s)`);
    }
    const drainSeconds = (Date.now() - drainStarted) / 1000;
    const lanes = await sqlRows<{ name: string; lastEventId: number }>(`SELECT "name", "lastEventId" FROM "processor_cursors" ORDER BY "name"`);
    const outboxEnd = await num(`SELECT MAX("id") AS n FROM "outbox_events"`);
    const drain = {
      postsToAnalyse: posts - analysedAtStart,
      analysed: analysed - analysedAtStart,
      complete: analysed >= posts,
      seconds: round(drainSeconds),
      postsPerSecond: analysed > analysedAtStart ? Math.round((analysed - analysedAtStart) / drainSeconds) : null,
      peakRssMB: peakDrainRss,
      // Where each durable lane stood when the index lane finished (alerts and KOL scoring follow it).
      lanesAtEnd: Object.fromEntries(lanes.map((l) => [l.name, { lastEventId: Number(l.lastEventId), behind: outboxEnd - Number(l.lastEventId) }])),
      alerts: await num(`SELECT COUNT(*) AS n FROM "alerts"`),
    };
    await stop(worker.child, 30_000);

    const web = await startServer('web');
    const server = web.child;
    const base = web.base;
    const bootSeconds = web.bootSeconds;
    rss.afterBoot = rssMB(server.pid);

    const login = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'demo_pr', password: 'resonance-demo' }) });
    if (!login.ok) throw new Error(`staff login failed (${login.status}): was this DATA_DIR seeded with --size?`);
    const staff = { authorization: `Bearer ${((await login.json()) as { token: string }).token}` };

    // Throughput: the thread page and API of a typical thread, and the first page of the biggest.
    const targets = [
      { name: 'thread-page', path: `/t/${typical.id}` },
      { name: 'api-thread', path: `/api/v1/threads/${typical.id}` },
      { name: 'thread-page-biggest', path: `/t/${biggest.id}` },
      { name: 'chapter-page', path: `/c/${hot.slug}` },
    ];
    const throughput = [];
    for (const t of targets) {
      log(`${t.name} ${t.path} c=${params.connections} (${params.warmupSec}s warm-up + ${params.durationSec}s)`);
      const r = await measure(base + t.path, { connections: params.connections, durationSec: params.durationSec, warmupSec: params.warmupSec });
      throughput.push({ ...t, connections: params.connections, ...r, serverRssMB: rssMB(server.pid) });
      await settle(`${base}/healthz`);
    }

    // Deep pagination of the hot chapter's list (API, "latest"): walk the keyset cursor to the
    // deep page, then time page 1, the deep page by cursor, and the same page by legacy offset.
    const listPath = `/api/v1/threads?chapter=${hot.slug}&limit=${params.listPageSize}`;
    let cursor: string | undefined;
    let page = 1;
    let deepCursor: string | undefined;
    const pages = Math.ceil(hot.threads / params.listPageSize);
    const deepPage = Math.min(params.deepPage, pages);
    while (page < deepPage) {
      const res = await fetch(`${base}${listPath}${cursor ? `&cursor=${cursor}` : ''}`);
      const body = (await res.json()) as { cursor?: string };
      if (!body.cursor) break;
      cursor = body.cursor;
      page++;
    }
    deepCursor = cursor;
    const pagination = {
      chapter: hot.slug,
      threads: hot.threads,
      pageSize: params.listPageSize,
      deepPage: page,
      page1: await latency(base + listPath, {}, params.latencySamples),
      deepByCursor: deepCursor ? await latency(`${base}${listPath}&cursor=${deepCursor}`, {}, params.latencySamples) : null,
      deepByOffset: await latency(`${base}${listPath}&offset=${(page - 1) * params.listPageSize}`, {}, params.latencySamples),
      htmlPage1: await latency(`${base}/c/${hot.slug}`, {}, params.latencySamples),
      htmlDeepByCursor: deepCursor ? await latency(`${base}/c/${hot.slug}?after=${deepCursor}`, {}, params.latencySamples) : null,
      // The thread page pages by number (OFFSET over the thread's posts): its last page vs its first.
      biggestThreadPage1: await latency(`${base}/t/${biggest.id}`, {}, params.latencySamples),
      biggestThreadLastPage: await latency(`${base}/t/${biggest.id}?page=${Math.ceil(biggest.postCount / 50)}`, {}, params.latencySamples),
    };

    // Search and the console summary (staff), on whichever backend the server runs.
    const now = Date.now();
    const iso = (ms: number) => new Date(ms).toISOString();
    const q = (s: string) => encodeURIComponent(s);
    const searches = ['续航', '客服', '刹车失灵', 'charging', '充电 体验'];
    const search: Record<string, unknown> = {};
    for (const term of searches) search[term] = await latency(`${base}/api/v1/search?q=${q(term)}&limit=20`, staff, params.latencySamples);
    search[`刹车失灵 in ${hot.slug}`] = await latency(`${base}/api/v1/search?q=${q('刹车失灵')}&chapter=${hot.slug}&limit=20`, staff, params.latencySamples);
    const summary: Record<string, unknown> = {
      'last 7 days (hourly)': await latency(`${base}/api/v1/opinion/summary?from=${iso(now - 7 * 86_400_000)}&to=${iso(now)}`, staff, params.latencySamples),
      'last 90 days (daily)': await latency(`${base}/api/v1/opinion/summary?from=${iso(now - 90 * 86_400_000)}&to=${iso(now)}`, staff, params.latencySamples),
      [`last 90 days, ${hot.slug}`]: await latency(`${base}/api/v1/opinion/summary?from=${iso(now - 90 * 86_400_000)}&to=${iso(now)}&chapter=${hot.slug}`, staff, params.latencySamples),
    };
    rss.afterLoad = rssMB(server.pid);
    await stop(server, 30_000);

    let reindex: Record<string, unknown> | null = null;
    if (params.reindex) {
      log('reindex (server stopped)');
      const started = Date.now();
      const child = adopt(spawn(process.execPath, ['--import', 'tsx', 'server/cli.ts', 'reindex'], { cwd: repoRoot, env: { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'inherit'] }));
      let stdout = '';
      child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
      let peak = 0;
      const sampler = setInterval(() => (peak = Math.max(peak, rssMB(child.pid) ?? 0)), 1_000);
      const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
      clearInterval(sampler);
      if (code !== 0) throw new Error(`reindex exited with ${code}`);
      const printed = JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
      reindex = { wallSeconds: round((Date.now() - started) / 1000), ...printed, peakRssMB: peak };
    }

    const report = {
      benchmark: 'large',
      date: new Date().toISOString(),
      params: { ...params, quick, dataDir },
      machine: { ...machine(), loadavg1mAtStart, loadavg1mAtEnd: machine().loadavg1m, busy: Math.max(loadavg1mAtStart, machine().loadavg1m) > os.cpus().length },
      community: { ...community, biggestThread: biggest, typicalThread: typical, hotChapter: hot },
      bootSeconds,
      drain,
      throughput,
      pagination,
      searchLatencyMs: search,
      summaryLatencyMs: summary,
      serverRssMB: rss,
      reindex,
    };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } finally {
    await killAll();
    await closeDatabase();
  }
}

runBench(main);
