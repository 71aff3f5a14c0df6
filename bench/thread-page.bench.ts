/**
 * Benchmark: the thread page (HTML, 50 posts) and GET /api/v1/threads/:id under load.
 *
 *   node --import tsx bench/thread-page.bench.ts [--quick]
 *
 * Resonance runs in its own process (server/main.ts, SQLite in a temp DATA_DIR seeded by a child
 * process); autocannon drives it over loopback from this process. The same-run reference is a
 * bare node:http server, also in its own process, serving the exact bytes of the rendered
 * thread page: the ceiling for this machine. Prints one JSON document on stdout.
 */
import { figure } from './support/headline';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, killAll, rssMB, runTsx, spawnTsx, stop, waitForOk, runBench } from './support/processes';
import { measure, serviceTimeMs, settle, type LoadResult } from './support/load';
import { machine } from './support/machine';
import type { SeededThread } from './support/seed-thread';
import { RAISED_LIMITS } from './support/limits';

// Quoted in the issue for another Node.js forum's categories API on a 2-core machine. Not
// measured here: different software, endpoint and machine, so it is context, not a baseline.
const FORUM_BASELINE = { requestsPerSec: 256, latencyP50Ms: 74 };

const quick = process.argv.includes('--quick');
const params = {
  connections: [10, 50],
  durationSec: quick ? 3 : 10,
  warmupSec: quick ? 1 : 2,
  pipelining: 1,
  posts: 50,
  loadGenerator: 'autocannon (in the bench process, same machine, loopback)',
  server: 'node --import tsx server/main.ts, NODE_ENV=production, RESONANCE_ROLE=all, SQLite (WAL) in a temp DATA_DIR',
};

type Target = { name: string; url: string; settleUrl: string; headers?: Record<string, string>; rotate?: Array<Record<string, string>>; pid: () => number | undefined };
type Row = LoadResult & { name: string; connections: number; path: string; serverRssMB: number | null };

const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);

async function main(): Promise<void> {
  const loadavg1mAtStart = machine().loadavg1m;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'resonance-bench-'));
  try {
    log(`seeding a ${params.posts}-post thread in ${dataDir}`);
    const seededOut = await runTsx('bench/support/seed-thread.ts', { DATA_DIR: dataDir, LOG_LEVEL: 'warn' });
    const seeded = JSON.parse(seededOut.trim().split('\n').at(-1)!) as SeededThread;

    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const server = spawnTsx('server/main.ts', {
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      ...RAISED_LIMITS,
    });
    await waitForOk(`${base}/healthz`, server);
    log(`resonance (pid ${server.pid}) ready on ${base}`);

    // A browser that has visited before: session cookie plus its CSRF cookie (32 chars), so
    // the server does not mint a new CSRF cookie per response. CSRF tokens are not needed for GET.
    const cookieOf = (token: string) => `rs_session=${token}; rs_csrf=${crypto.randomBytes(24).toString('base64url')}`;
    const memberCookie = cookieOf(seeded.memberToken);
    // Many members reading one thread: each request of a connection is the next member's, so
    // nothing cached for one viewer helps (the page is shared per audience, server/slots.ts).
    const membersRotation = seeded.memberTokens.map((token) => ({ cookie: cookieOf(token) }));
    const pagePath = `/t/${seeded.threadId}`;
    const apiPath = `/api/v1/threads/${seeded.threadId}`;

    // Sanity checks before loading anything: right page, right viewer, 50 posts.
    const anonHtml = await (await fetch(base + pagePath)).text();
    const memberHtml = await (await fetch(base + pagePath, { headers: { cookie: memberCookie } })).text();
    const api = (await (await fetch(base + apiPath)).json()) as { posts?: unknown[] };
    if (seeded.posts !== params.posts || api.posts?.length !== params.posts) throw new Error(`expected ${params.posts} posts, got ${api.posts?.length}`);
    if (!memberHtml.includes(seeded.memberUsername)) throw new Error('member page does not look signed in');
    if (memberHtml === anonHtml) throw new Error('member and anonymous pages are identical');

    const bodyFile = path.join(dataDir, 'thread-page.html');
    fs.writeFileSync(bodyFile, anonHtml);
    const refPort = await freePort();
    const reference = spawnTsx('bench/support/reference-server.ts', { PORT: String(refPort), BODY_FILE: bodyFile });
    await waitForOk(`http://127.0.0.1:${refPort}/`, reference);
    log(`reference (pid ${reference.pid}) ready; page ${Buffer.byteLength(anonHtml)} bytes`);

    const targets: Target[] = [
      { name: 'thread-page-anonymous', url: base + pagePath, settleUrl: `${base}/healthz`, pid: () => server.pid },
      { name: 'thread-page-member', url: base + pagePath, settleUrl: `${base}/healthz`, headers: { cookie: memberCookie }, pid: () => server.pid },
      { name: 'thread-page-members-rotating', url: base + pagePath, settleUrl: `${base}/healthz`, rotate: membersRotation, pid: () => server.pid },
      { name: 'api-thread', url: base + apiPath, settleUrl: `${base}/healthz`, pid: () => server.pid },
    ];
    const refUrl = `http://127.0.0.1:${refPort}${pagePath}`;
    const referenceTarget: Target = { name: 'reference-bare-http', url: refUrl, settleUrl: refUrl, pid: () => reference.pid };

    // Unloaded cost of one request (median of sequential requests): separates per-request
    // work from queueing and from CPU contention with other processes on the machine.
    const serialMs: Record<string, number> = {};
    for (const target of [referenceTarget, ...targets]) serialMs[target.name] = await serviceTimeMs(target.url, target.headers ?? target.rotate?.[0] ?? {}, quick ? 10 : 30);

    const results: Row[] = [];
    const referenceRuns: Row[] = [];
    for (const connections of params.connections) {
      for (const target of [referenceTarget, ...targets]) {
        log(`${target.name} c=${connections} (${params.warmupSec}s warm-up + ${params.durationSec}s)`);
        const r = await measure(target.url, { connections, durationSec: params.durationSec, warmupSec: params.warmupSec, headers: target.headers, rotate: target.rotate });
        const row = { name: target.name, connections, path: new URL(target.url).pathname, ...r, serverRssMB: rssMB(target.pid()) };
        (target === referenceTarget ? referenceRuns : results).push(row);
        // autocannon drops its sockets at the deadline but the server still works off what it
        // accepted: wait until it is idle so one run's backlog does not bleed into the next.
        await settle(target.settleUrl);
      }
    }

    const rps = (rows: Row[], name: string, c: number) => rows.find((r) => r.name === name && r.connections === c)?.requestsPerSec ?? NaN;
    const ratio = (a: number, b: number) => Math.round((a / b) * 1000) / 1000;
    const byConnections = (f: (c: number) => number) => Object.fromEntries(params.connections.map((c) => [`c${c}`, f(c)]));
    const what = `bare node:http, same bytes`;
    const headline = params.connections.flatMap((c) => targets.map((t) => figure(`${t.name} throughput, ${c} conns`, rps(results, t.name, c), 'req/s', true, {
      params: { connections: c, durationSec: params.durationSec },
      reference: { what, value: rps(referenceRuns, referenceTarget.name, c) },
    })));
    const report = {
      benchmark: 'thread-page',
      headline,
      date: new Date().toISOString(),
      params: { ...params, quick },
      machine: { ...machine(), loadavg1mAtStart, loadavg1mAtEnd: machine().loadavg1m, busy: Math.max(loadavg1mAtStart, machine().loadavg1m) > os.cpus().length },
      serialLatencyMs: serialMs,
      seeded: { threadId: seeded.threadId, posts: seeded.posts, rotatingMembers: seeded.memberTokens.length, pageBytes: Buffer.byteLength(anonHtml), memberPageBytes: Buffer.byteLength(memberHtml), apiBytes: JSON.stringify(api).length },
      results,
      reference: {
        name: referenceTarget.name,
        description: 'bare node:http in its own process serving the anonymous thread page bytes: the ceiling for this machine',
        runs: referenceRuns,
        forumBaseline: { ...FORUM_BASELINE, source: 'quoted in the issue (another forum, categories API, its own machine); not measured in this run' },
      },
      ratios: {
        threadPageVsReference: byConnections((c) => ratio(rps(results, 'thread-page-anonymous', c), rps(referenceRuns, referenceTarget.name, c))),
        memberPageVsReference: byConnections((c) => ratio(rps(results, 'thread-page-member', c), rps(referenceRuns, referenceTarget.name, c))),
        rotatingMembersVsReference: byConnections((c) => ratio(rps(results, 'thread-page-members-rotating', c), rps(referenceRuns, referenceTarget.name, c))),
        apiThreadVsReference: byConnections((c) => ratio(rps(results, 'api-thread', c), rps(referenceRuns, referenceTarget.name, c))),
        threadPageVsForumBaseline256: byConnections((c) => ratio(rps(results, 'thread-page-anonymous', c), FORUM_BASELINE.requestsPerSec)),
      },
    };
    await stop(reference);
    await stop(server);
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } finally {
    await killAll();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

runBench(main);
