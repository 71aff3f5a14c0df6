/**
 * Benchmark: opinion console summary latency (issue #9) at 100,000 documents, per backend.
 *
 *   node --import tsx bench/opinion.bench.ts [--docs 100000] [--iterations 50]
 *     [--backend embedded|elasticsearch|both] [--quick] [--embedded-file PATH] [--index-order time|generated]
 *
 * The documents are the search benchmark's (bench/support/corpus.ts: seeded mixed zh/en mentions
 * over the 7 days before a fixed anchor, cached under .cache/bench/). Each summary variant is one
 * backend.aggregate() call with what GET /api/v1/opinion/summary asks for: buckets, top 20
 * keywords, 10 emerging terms against the default baseline (7 windows back), sentiment by source
 * and chapter, and share of voice for 3 watched groups. Sequential: the first call (cold), then
 * repeated calls after a warm-up, then calls each after one new document in the window's last
 * hour (what a console refreshing on new posts asks). Same-run references: backend.count() (the
 * floor) and the pre-#9 aggregate (no emerging, no share of voice).
 */
import { figure } from './support/headline';
import path from 'node:path';
import { machine } from './support/machine';
import { repoRoot, runBench } from './support/processes';
import { arg, backendsFromArgs, elasticsearchForRun, freshBackend, log, machineWithLoad, round, summary, type BackendName, type BenchElasticsearch } from './support/listening';
import { benchDocuments } from './support/corpus';
import type { AggregateQuery, AuthorRef, SearchBackend, SearchDocument } from '../search/backend';
import { defaultBaselineFrom } from '../search/significance';
import { createEmbeddedBackend } from '../search/embedded';

const quick = process.argv.includes('--quick');
const params = {
  docs: Number(arg('docs', quick ? '10000' : '100000')),
  iterations: Number(arg('iterations', quick ? '10' : '50')),
  warmup: quick ? 2 : 5,
  backends: backendsFromArgs(),
  indexBatch: 1000,
  seed: 1234,
  anchor: '2025-06-01T00:00:00.000Z',
  generatorVersion: 1,
  kolAuthors: 100,
  embeddedFile: process.argv.includes('--embedded-file') ? arg('embedded-file', '') : null,
  indexOrder: arg('index-order', 'time') as 'time' | 'generated',
};
const ANCHOR = Date.parse(params.anchor);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const WATCH = [
  { key: 'aurora', terms: ['极光', 'Aurora', '极光汽车'] },
  { key: 'service', terms: ['售后', '客服'] },
  { key: 'charging', terms: ['充电', '续航'] },
];

/** What the summary route sends for a window (plus the filters of a variant). */
function summaryQuery(spanMs: number, interval: AggregateQuery['interval'], more: Partial<AggregateQuery> = {}): AggregateQuery {
  const to = new Date(ANCHOR);
  const from = new Date(ANCHOR - spanMs);
  return { from, to, interval, baselineFrom: defaultBaselineFrom(from, to), topKeywords: 20, emerging: 10, watch: WATCH, excludeChapterIds: [], ...more };
}

/** The most-followed KOL authors of the corpus: what the KOL engine would pass for kol=true. */
function kolAuthors(docs: SearchDocument[]): AuthorRef[] {
  const best = new Map<string, { ref: AuthorRef; followers: number }>();
  for (const d of docs) {
    if (!d.kol) continue;
    const key = `${d.source}\u0000${d.author}`;
    if ((best.get(key)?.followers ?? -1) < (d.authorFollowers ?? 0)) best.set(key, { ref: { source: d.source, author: d.author }, followers: d.authorFollowers ?? 0 });
  }
  return [...best.values()].sort((a, b) => b.followers - a.followers).slice(0, params.kolAuthors).map((x) => x.ref);
}

type Op = { name: string; query: AggregateQuery };

async function runBackend(backend: BackendName, es: BenchElasticsearch | null, docs: SearchDocument[]) {
  // --embedded-file: an index a run built before (same documents), kept and reused: at 1M the
  // indexing takes most of an hour on this machine.
  const reuse = backend === 'embedded' && params.embeddedFile ? params.embeddedFile : null;
  const { backend: b, refresh, cleanup } = reuse
    ? { backend: createEmbeddedBackend({ file: reuse }), refresh: async () => {}, cleanup: async () => {} }
    : freshBackend(backend, es, 'benchopinion');
  const kols = kolAuthors(docs);
  const ops: Op[] = [
    { name: 'summary 24 h hourly', query: summaryQuery(DAY, 'hour') },
    { name: 'summary 24 h + sentiment=negative', query: summaryQuery(DAY, 'hour', { sentiment: 'negative' }) },
    { name: `summary 24 h + kol (${kols.length} authors)`, query: summaryQuery(DAY, 'hour', { authors: kols }) },
    { name: 'summary 24 h + q=续航', query: summaryQuery(DAY, 'hour', { q: '续航' }) },
    { name: 'summary 24 h + keyword=充电', query: summaryQuery(DAY, 'hour', { keyword: '充电' }) },
    { name: 'summary 3 h by minute', query: summaryQuery(3 * HOUR, 'minute') },
    { name: 'summary 7 days hourly', query: summaryQuery(7 * DAY, 'hour') },
  ];
  try {
    await b.init();
    log(`${backend}: indexing ${docs.length} documents`);
    const t0 = performance.now();
    const reused = reuse !== null && (await b.count()) >= docs.length;
    // In time order by default, as a live community's items arrive (--index-order generated: the
    // corpus' shuffled order, as a bulk import of unsorted history would be).
    const ordered = params.indexOrder === 'time' ? [...docs].sort((x, y) => Date.parse(x.createdAt) - Date.parse(y.createdAt)) : docs;
    if (!reused) for (let i = 0; i < ordered.length; i += params.indexBatch) await b.index(ordered.slice(i, i + params.indexBatch));
    // A reused index still holds the documents earlier runs' live writes added: they are counted.
    await b.remove([...Array(5000).keys()].map((i) => `live:${i}`));
    await refresh();
    const indexSeconds = (performance.now() - t0) / 1000;
    const count = await b.count();
    if (count !== docs.length) throw new Error(`${backend}: ${count} of ${docs.length} documents indexed`);
    if (reused) log(`${backend}: reusing the index in ${reuse}`);

    const time = async (run: (x: SearchBackend) => Promise<unknown>) => {
      for (let i = 0; i < params.warmup; i++) await run(b);
      const ms: number[] = [];
      for (let i = 0; i < params.iterations; i++) {
        const s = performance.now();
        await run(b);
        ms.push(performance.now() - s);
      }
      const s = summary(ms);
      return { p50: s.p50, p95: s.p95, max: s.max };
    };
    const floor = await time((x) => x.count());
    const plain = await time((x) => x.aggregate({ ...summaryQuery(DAY, 'hour'), emerging: 0, watch: [] }));
    log(`${backend}: count() p50 ${floor.p50} ms; pre-#9 aggregate 24 h p50 ${plain.p50} p95 ${plain.p95} ms`);
    const results = [];
    let written = 0;
    for (const op of ops) {
      // Cold: the first call of this variant (the embedded backend's per-hour cache holds nothing
      // for these filters yet). Then repeated calls (latencyMs), and "live": before each call one
      // new document lands in the window's last hour, as when the console refreshes on new posts
      // (the write is not timed; it invalidates that hour).
      const c0 = performance.now();
      const sample = await b.aggregate(op.query);
      const coldMs = round(performance.now() - c0, 1);
      const latencyMs = await time((x) => x.aggregate(op.query));
      const liveMs: number[] = [];
      for (let i = 0; i < params.iterations; i++) {
        const at = new Date(op.query.to.getTime() - 60_000 - (written % 50) * 1000);
        await b.index([{ ...docs[written % docs.length], id: `live:${written}`, createdAt: at.toISOString() }]);
        written++;
        await refresh();
        const s0 = performance.now();
        await b.aggregate(op.query);
        liveMs.push(performance.now() - s0);
      }
      const live = summary(liveMs);
      results.push({
        name: op.name,
        coldMs,
        latencyMs,
        liveAfterAWriteMs: { p50: live.p50, p95: live.p95, max: live.max },
        result: {
          docsInWindow: sample.buckets.reduce((n, x) => n + x.total, 0),
          buckets: sample.buckets.length,
          emerging: sample.emerging.slice(0, 3).map((e) => ({ term: e.term, score: round(e.score, 5), count: e.count, baselineCount: e.baselineCount })),
          shareOfVoice: sample.shareOfVoice.map((s) => [s.key, s.total]),
        },
      });
      log(`${backend}: ${op.name}: cold ${coldMs} ms; repeated p50 ${latencyMs.p50} p95 ${latencyMs.p95} ms; after a write p50 ${live.p50} p95 ${live.p95} ms`);
    }
    return {
      backend,
      docs: docs.length,
      indexSeconds: round(indexSeconds, 1),
      reusedIndex: reused,
      queries: results,
      liveDocumentsWritten: written,
      reference: { count: floor, aggregateWithoutEmergingOrShareOfVoice: plain },
    };
  } finally {
    await b.close().catch((err) => log(`${backend}: close failed: ${String(err)}`));
    await cleanup();
  }
}

async function main(): Promise<void> {
  const loadAtStart = machine().loadavg1m;
  let es: BenchElasticsearch | null = null;
  try {
    const { docs, built, buildSeconds, cacheFile } = await benchDocuments({ count: params.docs, seed: params.seed, anchorMs: ANCHOR, generatorVersion: params.generatorVersion });
    if (params.backends.includes('elasticsearch')) es = await elasticsearchForRun();
    const results = [];
    for (const backend of params.backends) results.push(await runBackend(backend, es, docs));
    const headline = results.flatMap((r) => ['summary 24 h hourly', 'summary 7 days hourly'].map((name) => figure(`${name} p95, ${r.backend}`, r.queries.find((q) => q.name === name)?.latencyMs.p95, 'ms', false, {
      params: { backend: r.backend, docs: r.docs, iterations: params.iterations },
      reference: { what: 'aggregate 24 h without emerging terms or share of voice (pre-#9), p95', value: r.reference.aggregateWithoutEmergingOrShareOfVoice.p95 },
    })));
    const report = {
      benchmark: 'opinion',
      headline,
      date: new Date().toISOString(),
      params: { ...params, quick, watch: WATCH },
      machine: machineWithLoad(loadAtStart, machine()),
      documents: { count: docs.length, cache: path.relative(repoRoot, cacheFile), builtThisRun: built, ...(built ? { buildSeconds: round(buildSeconds, 1) } : {}) },
      goal: { elasticsearchP95Ms: 100, embeddedP95Ms: 300 },
      results,
    };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } finally {
    await es?.stop();
  }
}

runBench(main);
