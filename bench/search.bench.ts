/**
 * Benchmark: search and aggregate latency at 100,000 documents, per backend.
 *
 *   node --import tsx bench/search.bench.ts [--docs 100000] [--iterations 200]
 *     [--backend embedded|elasticsearch|both] [--quick]
 *
 * Documents are built with makeDocument (real analysis) from seeded mixed zh/en mention texts,
 * spread over the 7 days before a fixed anchor, and cached as JSON lines under .cache/bench/
 * (bench/support/corpus.ts: keyed by count, seed and a hash of search/analysis/*.ts).
 * They are indexed in the bench process straight into each backend (a fresh embedded file; a
 * fresh Elasticsearch index with refresh=false, then one refresh), then a fixed query mix runs
 * sequentially, `--iterations` times per query after a warm-up, through backend.search() /
 * aggregate(). The same-run reference is backend.count() on the same index: the floor.
 */
import { figure } from './support/headline';
import path from 'node:path';
import { machine } from './support/machine';
import { repoRoot, runBench } from './support/processes';
import {
  arg, backendsFromArgs, elasticsearchForRun, freshBackend, log, machineWithLoad, RARE_WORD,
  round, summary, type BackendName, type BenchElasticsearch,
} from './support/listening';
import { benchDocuments } from './support/corpus';
import { segmentForIndex } from '../search/analysis';
import type { AggregateQuery, SearchBackend, SearchDocument, SearchQuery } from '../search/backend';

const quick = process.argv.includes('--quick');
const params = {
  docs: Number(arg('docs', quick ? '10000' : '100000')),
  iterations: Number(arg('iterations', quick ? '20' : '200')),
  warmup: quick ? 3 : 10,
  backends: backendsFromArgs(),
  indexBatch: 1000,
  seed: 1234,
  anchor: '2025-06-01T00:00:00.000Z',
  generatorVersion: 1,
};
const ANCHOR = Date.parse(params.anchor);
const DAY = 86_400_000;

type Op = { name: string; run: (b: SearchBackend) => Promise<unknown> };

const search = (q: Omit<SearchQuery, 'limit'>): ((b: SearchBackend) => Promise<number>) => async (b) => (await b.search({ limit: 20, ...q })).total;
const OPS: Op[] = [
  { name: 'common zh word (续航)', run: search({ q: '续航' }) },
  { name: 'two-word AND (续航 售后)', run: search({ q: '续航 售后' }) },
  { name: `rare word (${RARE_WORD})`, run: search({ q: RARE_WORD }) },
  { name: 'English word (battery)', run: search({ q: 'battery' }) },
  { name: 'sentiment=negative + last 24 h', run: search({ sentiment: 'negative', from: new Date(ANCHOR - DAY), to: new Date(ANCHOR) }) },
  { name: 'source=weibo + word (充电)', run: search({ q: '充电', source: 'weibo' }) },
  { name: 'kol=true', run: search({ kol: true }) },
  { name: 'empty query + source=news', run: search({ source: 'news' }) },
  { name: 'aggregate 7 days hourly', run: async (b) => (await b.aggregate({ from: new Date(ANCHOR - 7 * DAY), to: new Date(ANCHOR), interval: 'hour', topKeywords: 20 } satisfies AggregateQuery)).buckets.length },
];

/** The shared, cached corpus (bench/support/corpus.ts). */
const documents = () => benchDocuments({ count: params.docs, seed: params.seed, anchorMs: ANCHOR, generatorVersion: params.generatorVersion });

async function runBackend(backend: BackendName, es: BenchElasticsearch | null, docs: SearchDocument[]) {
  const { backend: b, refresh, cleanup } = freshBackend(backend, es, 'benchsearch');
  try {
    await b.init();
    log(`${backend}: indexing ${docs.length} documents`);
    const t0 = performance.now();
    for (let i = 0; i < docs.length; i += params.indexBatch) await b.index(docs.slice(i, i + params.indexBatch));
    await refresh();
    const indexSeconds = (performance.now() - t0) / 1000;
    const count = await b.count();
    if (count !== docs.length) throw new Error(`${backend}: ${count} of ${docs.length} documents indexed`);
    log(`${backend}: indexed in ${indexSeconds.toFixed(1)} s; running ${OPS.length} queries × ${params.iterations}`);

    const time = async (op: Op) => {
      for (let i = 0; i < params.warmup; i++) await op.run(b);
      const ms: number[] = [];
      let result: unknown;
      for (let i = 0; i < params.iterations; i++) {
        const s = performance.now();
        result = await op.run(b);
        ms.push(performance.now() - s);
      }
      return { ms, result };
    };
    const floor = await time({ name: 'count()', run: (x) => x.count() });
    const all: number[] = [];
    const queries = [];
    for (const op of OPS) {
      const { ms, result } = await time(op);
      all.push(...ms);
      const s = summary(ms);
      queries.push({ name: op.name, result, latencyMs: { p50: s.p50, p95: s.p95, max: s.max } });
      log(`${backend}: ${op.name}: p50 ${s.p50} ms, p95 ${s.p95} ms (${op.name.startsWith('aggregate') ? 'buckets' : 'total'} ${String(result)})`);
    }
    const overall = summary(all);
    const f = summary(floor.ms);
    return {
      backend,
      docs: docs.length,
      indexSeconds: round(indexSeconds, 2),
      indexDocsPerSec: round(docs.length / indexSeconds, 0),
      queries,
      overallMs: { p50: overall.p50, p95: overall.p95, max: overall.max },
      reference: { name: 'count()', latencyMs: { p50: f.p50, p95: f.p95, max: f.max } },
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
    const { docs, built, buildSeconds, cacheFile } = await documents();
    if (params.backends.includes('elasticsearch')) es = await elasticsearchForRun();
    const results = [];
    for (const backend of params.backends) results.push(await runBackend(backend, es, docs));
    const headline = results.flatMap((r) => {
      const ps = { backend: r.backend, docs: r.docs, iterations: params.iterations };
      const ref = { what: 'count() p95, same index', value: r.reference.latencyMs.p95 };
      return [
        figure(`search p95 over all query types, ${r.backend}`, r.overallMs.p95, 'ms', false, { params: ps, reference: ref }),
        figure(`aggregate 7 days hourly p95, ${r.backend}`, r.queries.find((q) => q.name.startsWith('aggregate'))?.latencyMs.p95, 'ms', false, { params: ps, reference: ref }),
        figure(`index rate, ${r.backend}`, r.indexDocsPerSec, 'docs/s', true, { params: { backend: r.backend, docs: r.docs, batch: params.indexBatch } }),
      ];
    });
    const report = {
      benchmark: 'search',
      headline,
      date: new Date().toISOString(),
      params: { ...params, quick, queryTokens: Object.fromEntries(['续航', '续航 售后', RARE_WORD, 'battery', '充电'].map((q) => [q, segmentForIndex(q)])) },
      machine: machineWithLoad(loadAtStart, machine()),
      documents: { count: docs.length, cache: path.relative(repoRoot, cacheFile), builtThisRun: built, ...(built ? { buildSeconds: round(buildSeconds, 1), buildDocsPerSec: round(docs.length / buildSeconds, 0) } : {}) },
      results,
      reference: { description: 'backend.count() on the same index (results[].reference): the floor a query cannot beat' },
    };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } finally {
    await es?.stop();
  }
}

runBench(main);
