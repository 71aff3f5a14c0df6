/**
 * Benchmark: post-to-searchable latency at a steady posting rate, per backend.
 *
 *   node --import tsx bench/latency.bench.ts [--rate 200] [--seconds 20]
 *     [--backend embedded|elasticsearch|both] [--quick]
 *
 * After a few single warm-up posts, `--warmup-seconds` (default 15) of posting at the full rate is
 * not measured (a freshly started JVM compiles for its first minute); then the measured run.
 * A child process seeds a temp DATA_DIR (bench/support/seed-thread.ts: a public chapter, members,
 * one thread); Resonance runs in its own process (rate limits lifted; Elasticsearch with
 * refresh=false and a fresh index prefix). The bench process posts open-loop (post i is sent at
 * t0 + i/rate whatever the earlier responses, so several are in flight) through
 * `POST /api/v1/threads/:id/posts` as a member; each body starts with a unique Latin marker
 * (`zq` + 6 base-36 chars, one token for the segmenter). One poller asks every ~50 ms for the
 * newest forum documents (`GET /api/v1/search?source=forum&limit=100`, newest first, paging on
 * while a page still holds new markers) and matches markers in the returned texts; posts still
 * missing after 3 s are also looked up with `q=<marker>`. Latency = found - sent (one clock).
 * The same-run reference is the poller's own round trip (the resolution of the measurement).
 */
import { figure } from './support/headline';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { killAll, rssMB, runTsx, runBench } from './support/processes';
import { cpuSeconds } from './support/node-child';
import { machine } from './support/machine';
import type { SeededThread } from './support/seed-thread';
import {
  adminToken, api, arg, backendsFromArgs, dropElasticsearchIndices, elasticsearchForRun, log, machineWithLoad,
  mentionText, prng, round, sleep, startResonance, summary, type BackendName, type BenchElasticsearch,
} from './support/listening';

const quick = process.argv.includes('--quick');
const params = {
  rate: Number(arg('rate', '200')),
  seconds: Number(arg('seconds', quick ? '5' : '20')),
  backends: backendsFromArgs(),
  pollMs: 50,
  pageLimit: 100,
  fallbackAfterMs: 3000,
  giveUpMs: 10_000,
  warmupPosts: 5,
  /**
   * Then this many seconds at the full rate, unmeasured: a JVM that has just started (the bench
   * starts Elasticsearch fresh) spends its first minute compiling, which is not the steady state
   * the goal is about. Same warm-up for both backends.
   */
  warmupSeconds: Number(arg('warmup-seconds', quick ? '2' : '15')),
  seed: 7,
  /** --split: a `web` process plus a `worker` process (the pipeline on the second core). */
  split: process.argv.includes('--split'),
};
const GOAL_P99_MS = 1500;
const MARKER = /\bzq[0-9a-z]{6}\b/g;

interface Sent {
  marker: string;
  sentAt: number;
  wallAt: number;
  status?: number;
  postMs?: number;
  foundAt?: number;
  viaFallback?: boolean;
}

interface Hit { text: string; createdAt: string }

async function latencyRun(backend: BackendName, es: BenchElasticsearch | null) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'resonance-bench-'));
  const saved = process.env.ELASTICSEARCH_URL;
  delete process.env.ELASTICSEARCH_URL; // the seed indexes into the embedded file; the server decides for itself
  log(`${backend}: seeding a thread in ${dataDir}`);
  const seeded = JSON.parse((await runTsx('bench/support/seed-thread.ts', { DATA_DIR: dataDir, LOG_LEVEL: 'warn' })).trim().split('\n').at(-1)!) as SeededThread;
  if (saved !== undefined) process.env.ELASTICSEARCH_URL = saved;
  const server = await startResonance(backend, es?.url ?? null, { dataDir, split: params.split });
  try {
    const staff = await adminToken(server.base);
    const rand = prng(params.seed);
    let seq = 0;
    const marker = () => `zq${(seq++).toString(36).padStart(4, '0')}${Math.floor(rand() * 1296).toString(36).padStart(2, '0')}`;
    const posts = new Map<string, Sent>();
    const pending = new Set<Sent>();

    const send = (s: Sent) => {
      posts.set(s.marker, s);
      pending.add(s);
      const body = `${s.marker} ${mentionText(rand)}`;
      api(server.base, 'POST', `/api/v1/threads/${seeded.threadId}/posts`, seeded.memberToken, { body })
        .then((r) => {
          s.status = r.status;
          s.postMs = performance.now() - s.sentAt;
          if (r.status !== 201) pending.delete(s);
        })
        .catch(() => {
          s.status = -1;
          pending.delete(s);
        });
    };

    // The poller: newest forum documents first, paging while pages still bring new markers.
    let polls = 0;
    let pollErrors = 0;
    const pollMs: number[] = [];
    let polling = true;
    const match = (items: Hit[], now: number, viaFallback = false) => {
      let fresh = 0;
      for (const it of items) {
        for (const m of it.text.match(MARKER) ?? []) {
          const s = posts.get(m);
          if (s && s.foundAt === undefined) {
            s.foundAt = now;
            s.viaFallback = viaFallback;
            pending.delete(s);
            fresh++;
          }
        }
      }
      return fresh;
    };
    const poller = (async () => {
      let lastFallback = 0;
      while (polling) {
        const started = performance.now();
        let cursor: string | undefined;
        for (let page = 0; page < 50; page++) {
          const q = `/api/v1/search?source=forum&limit=${params.pageLimit}${cursor ? `&cursor=${cursor}` : ''}`;
          const t = performance.now();
          const r = await api<{ items: Hit[]; cursor?: string }>(server.base, 'GET', q, staff);
          const now = performance.now();
          polls++;
          pollMs.push(now - t);
          if (r.status !== 200) {
            // Elasticsearch answers 500 until the index exists and its shard is allocated.
            pollErrors++;
            break;
          }
          const fresh = match(r.json.items, now);
          cursor = r.json.cursor;
          const oldest = r.json.items.at(-1);
          const oldestPending = Math.min(...[...pending].map((s) => s.wallAt));
          if (!fresh || !cursor || !oldest || Date.parse(oldest.createdAt) < oldestPending - 5000) break;
        }
        if (performance.now() - lastFallback > 500) {
          lastFallback = performance.now();
          const late = [...pending].filter((s) => s.status === 201 && performance.now() - s.sentAt > params.fallbackAfterMs).slice(0, 5);
          for (const s of late) {
            const r = await api<{ items: Hit[] }>(server.base, 'GET', `/api/v1/search?q=${s.marker}&limit=5`, staff);
            if (r.status === 200) match(r.json.items ?? [], performance.now(), true);
          }
        }
        const wait = params.pollMs - (performance.now() - started);
        if (wait > 0) await sleep(wait);
      }
    })();

    // Warm-up (unmeasured): dictionaries, prepared statements, the backend's first writes.
    const warm: Sent[] = [];
    for (let i = 0; i < params.warmupPosts; i++) {
      const s: Sent = { marker: marker(), sentAt: performance.now(), wallAt: Date.now() };
      warm.push(s);
      send(s);
      await sleep(100);
    }
    const warmStart = performance.now();
    for (let i = 0; i < params.rate * params.warmupSeconds; ) {
      while (i < params.rate * params.warmupSeconds && warmStart + (i * 1000) / params.rate <= performance.now()) {
        const s: Sent = { marker: marker(), sentAt: performance.now(), wallAt: Date.now() };
        warm.push(s);
        send(s);
        i++;
      }
      await sleep(5);
    }
    const warmDeadline = Date.now() + 60_000;
    while (warm.some((s) => s.foundAt === undefined)) {
      if (Date.now() > warmDeadline) throw new Error('warm-up posts never became searchable');
      await sleep(100);
    }
    const measured: Sent[] = [];
    const total = Math.round(params.rate * params.seconds);
    const cpu0 = cpuSeconds(server.pid);
    const w0 = server.workerPid ? cpuSeconds(server.workerPid) : null;
    let peakRss = 0;
    const t0 = performance.now() + 50;
    let lastSend = t0;
    for (let i = 0; i < total; ) {
      const now = performance.now();
      while (i < total && t0 + (i * 1000) / params.rate <= now) {
        const s: Sent = { marker: marker(), sentAt: performance.now(), wallAt: Date.now() };
        measured.push(s);
        send(s);
        lastSend = s.sentAt;
        i++;
      }
      if (i % params.rate === 0) peakRss = Math.max(peakRss, rssMB(server.pid) ?? 0);
      const next = t0 + (i * 1000) / params.rate - performance.now();
      await sleep(Math.max(0, Math.min(next, 5)));
    }
    const sendSeconds = (lastSend - t0) / 1000;
    log(`${backend}: sent ${total} posts in ${sendSeconds.toFixed(1)} s; waiting for the stragglers`);
    // Wait until every accepted post is found, or (so that slow runs still report real
    // latencies) at most 60 s after the last send.
    const deadline = performance.now() + 60_000;
    while (performance.now() < deadline && measured.some((s) => s.status === undefined || (s.status === 201 && s.foundAt === undefined))) {
      peakRss = Math.max(peakRss, rssMB(server.pid) ?? 0);
      await sleep(100);
    }
    polling = false;
    await poller;
    const cpu1 = cpuSeconds(server.pid);
    const w1 = server.workerPid ? cpuSeconds(server.workerPid) : null;

    const accepted = measured.filter((s) => s.status === 201);
    const latencies = accepted.filter((s) => s.foundAt !== undefined).map((s) => s.foundAt! - s.sentAt);
    const lat = summary(latencies);
    const notWithin10s = accepted.filter((s) => s.foundAt === undefined || s.foundAt - s.sentAt > params.giveUpMs).length;
    const statuses: Record<string, number> = {};
    for (const s of measured) statuses[String(s.status ?? 'no answer')] = (statuses[String(s.status ?? 'no answer')] ?? 0) + 1;
    const result = {
      backend,
      sent: measured.length,
      accepted: accepted.length,
      statuses,
      sendSeconds: round(sendSeconds, 2),
      achievedSendRate: round(measured.length / Math.max(sendSeconds, 1e-9), 1),
      latencyMs: lat,
      notSearchableWithin10s: notWithin10s,
      foundViaFallbackQuery: accepted.filter((s) => s.viaFallback).length,
      postLatencyMs: summary(accepted.map((s) => s.postMs!)),
      poller: { requests: polls, errors: pollErrors, roundTripMs: summary(pollMs) },
      serverCpuCores: cpu0 !== null && cpu1 !== null ? round((cpu1 - cpu0) / ((performance.now() - t0) / 1000), 2) : null,
      workerCpuCores: w0 !== null && w1 !== null ? round((w1 - w0) / ((performance.now() - t0) / 1000), 2) : null,
      serverRssMB: { peak: peakRss, end: rssMB(server.pid) },
      goalP99Ms: GOAL_P99_MS,
      goalMet: lat.p99 <= GOAL_P99_MS && notWithin10s === 0 && accepted.length === measured.length,
    };
    log(`${backend}: p50 ${lat.p50} ms, p99 ${lat.p99} ms, max ${lat.max} ms; ${notWithin10s} not searchable within 10 s`);
    return result;
  } finally {
    await server.stop();
    if (server.esPrefix && es && !es.started) await dropElasticsearchIndices(es.url, server.esPrefix);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const loadAtStart = machine().loadavg1m;
  let es: BenchElasticsearch | null = null;
  try {
    if (params.backends.includes('elasticsearch')) es = await elasticsearchForRun();
    const results = [];
    for (const backend of params.backends) results.push(await latencyRun(backend, es));
    const headline = results.flatMap((r) => [
      figure(`post → searchable p99, ${r.backend}`, r.latencyMs.p99, 'ms', false, {
        params: { backend: r.backend, rate: params.rate, seconds: params.seconds, split: params.split },
        reference: { what: "the poller's own search round trip p99", value: r.poller.roundTripMs.p99 },
      }),
      figure(`posts accepted, ${r.backend}`, round((r.accepted / Math.max(r.sent, 1)) * 100, 1), '%', true, { params: { backend: r.backend, rate: params.rate } }),
    ]);
    const report = {
      benchmark: 'latency',
      headline,
      date: new Date().toISOString(),
      params: { ...params, quick, server: 'node --import tsx server/main.ts, NODE_ENV=production, SQLite in a temp DATA_DIR seeded by bench/support/seed-thread.ts; Elasticsearch: ELASTICSEARCH_REFRESH=false (1 s refresh interval), fresh ELASTICSEARCH_INDEX_PREFIX' },
      machine: machineWithLoad(loadAtStart, machine()),
      results,
      reference: {
        description: "the poller's own GET /api/v1/search round trip (results[].poller.roundTripMs): the resolution of the measurement; with a 50 ms poll interval a post is seen at most ~50 ms + one round trip after it became searchable",
      },
    };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } finally {
    await killAll();
    await es?.stop();
  }
}

runBench(main);
