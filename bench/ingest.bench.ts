/**
 * Benchmark: end-to-end mention ingest, from the first POST /api/v1/mentions until every item is
 * searchable, per backend.
 *
 *   node --import tsx bench/ingest.bench.ts [--items 20000] [--batch 500] [--senders 3]
 *     [--backend embedded|elasticsearch|both] [--quick]
 *
 * Resonance runs in its own process per backend (server/main.ts, temp DATA_DIR, rate limits
 * lifted; Elasticsearch with refresh=false and a fresh index prefix). The bench process posts N
 * generated items in batches from several concurrent senders and polls
 * `GET /api/v1/search?kind=mention&limit=1` (as the admin) until `total` reaches N. The same-run
 * reference is the raw backend write rate of the same documents (makeDocument from the same
 * texts, then backend.index() in batches of 1,000, plus one refresh for Elasticsearch): the
 * ceiling the pipeline could reach if analysis and the API were free. Prints one JSON document.
 */
import { figure } from './support/headline';
import { killAll, rssMB, runBench } from './support/processes';
import { cpuSeconds } from './support/node-child';
import { machine } from './support/machine';
import {
  adminToken, api, arg, backendsFromArgs, dropElasticsearchIndices, elasticsearchForRun, freshBackend, health, ingestKey, log,
  machineWithLoad, mentionDocument, mentionItems, round, sleep, startResonance, summary,
  type BackendName, type BenchElasticsearch, type MentionItem,
} from './support/listening';
import { makeDocument } from '../search/documents';
import type { SearchDocument } from '../search/backend';

const quick = process.argv.includes('--quick');
const params = {
  items: Number(arg('items', quick ? '2000' : '20000')),
  batch: Number(arg('batch', '500')),
  senders: Number(arg('senders', '3')),
  backends: backendsFromArgs(),
  warmupItems: 200,
  seed: 42,
  pollMs: 100,
  referenceBatch: 1000,
};
const GOALS = { embedded: 2000, elasticsearch: 1500 } as const;

async function ingestRun(backend: BackendName, es: BenchElasticsearch | null, items: MentionItem[], warmup: MentionItem[]) {
  const server = await startResonance(backend, es?.url ?? null);
  try {
    const token = await adminToken(server.base);
    const key = await ingestKey(server.base, token);
    // -1 while the search answers an error (Elasticsearch: index not created / shards not yet allocated).
    let searchErrors = 0;
    const total = async () => {
      const r = await api<{ total: number }>(server.base, 'GET', '/api/v1/search?kind=mention&limit=1', token);
      if (r.status === 200) return r.json.total;
      searchErrors++;
      return -1;
    };

    // Warm-up (unmeasured): loads the analysis dictionaries and the search backend in the server.
    await api(server.base, 'POST', '/api/v1/mentions', key, { items: warmup });
    const warmDeadline = Date.now() + 120_000;
    while ((await total()) < warmup.length) {
      if (Date.now() > warmDeadline) throw new Error('warm-up items never became searchable');
      await sleep(200);
    }
    const target = warmup.length + items.length;

    const batches: MentionItem[][] = [];
    for (let i = 0; i < items.length; i += params.batch) batches.push(items.slice(i, i + params.batch));
    const postMs: number[] = [];
    let accepted = 0;
    let duplicates = 0;
    let lastAccept = 0;
    const cpu0 = cpuSeconds(server.pid);
    const t0 = performance.now();
    let next = 0;
    const sender = async () => {
      while (next < batches.length) {
        const b = batches[next++];
        const s = performance.now();
        const r = await api<{ accepted: number; duplicates: number }>(server.base, 'POST', '/api/v1/mentions', key, { items: b });
        if (r.status !== 202) throw new Error(`ingest answered ${r.status}: ${JSON.stringify(r.json).slice(0, 300)}`);
        accepted += r.json.accepted;
        duplicates += r.json.duplicates;
        lastAccept = performance.now();
        postMs.push(lastAccept - s);
      }
    };
    const sending = Promise.all(Array.from({ length: params.senders }, sender));

    let searchableAt = 0;
    let peakRss = 0;
    let lastTotal = 0;
    let lastLog = 0;
    const deadline = Date.now() + Math.max(180_000, items.length * 20);
    let sendError: unknown = null;
    sending.catch((err) => (sendError = err));
    for (;;) {
      if (sendError) throw sendError;
      peakRss = Math.max(peakRss, rssMB(server.pid) ?? 0);
      lastTotal = await total();
      if (lastTotal >= target) {
        searchableAt = performance.now();
        break;
      }
      if (Date.now() > deadline) throw new Error(`only ${lastTotal - warmup.length} of ${items.length} searchable before the deadline`);
      if (performance.now() - lastLog > 5000) {
        lastLog = performance.now();
        log(`${backend}: ${((lastLog - t0) / 1000).toFixed(0)} s, accepted ${accepted}, searchable ${lastTotal - warmup.length}`);
      }
      await sleep(params.pollMs);
    }
    await sending;
    const cpu1 = cpuSeconds(server.pid);
    const seconds = (searchableAt - t0) / 1000;
    const acceptSeconds = (lastAccept - t0) / 1000;
    const pipeline = (await health(server.base)).pipeline;
    const result = {
      backend,
      items: items.length,
      accepted,
      duplicates,
      searchable: lastTotal - warmup.length,
      secondsToSearchable: round(seconds, 2),
      itemsPerSec: round(items.length / seconds, 0),
      acceptSeconds: round(acceptSeconds, 2),
      acceptItemsPerSec: round(accepted / acceptSeconds, 0),
      postLatencyMs: summary(postMs),
      serverCpuSeconds: cpu0 !== null && cpu1 !== null ? round(cpu1 - cpu0, 1) : null,
      serverCpuCores: cpu0 !== null && cpu1 !== null ? round((cpu1 - cpu0) / seconds, 2) : null,
      serverRssMB: { peak: peakRss, end: rssMB(server.pid) },
      pipelineAfter: pipeline,
      searchErrorsWhilePolling: searchErrors,
      goalItemsPerSec: GOALS[backend],
      goalMet: items.length / seconds >= GOALS[backend],
    };
    log(`${backend}: ${result.itemsPerSec} items/s end to end (accept ${result.acceptItemsPerSec}/s)`);
    return result;
  } finally {
    await server.stop();
    if (server.esPrefix && es && !es.started) await dropElasticsearchIndices(es.url, server.esPrefix);
  }
}

/** The raw backend write rate of the same documents, in this process. */
async function referenceRun(backend: BackendName, es: BenchElasticsearch | null, docs: SearchDocument[]) {
  const { backend: b, refresh, cleanup } = freshBackend(backend, es, 'benchref');
  try {
    await b.init();
    const t0 = performance.now();
    for (let i = 0; i < docs.length; i += params.referenceBatch) await b.index(docs.slice(i, i + params.referenceBatch));
    await refresh();
    const seconds = (performance.now() - t0) / 1000;
    const count = await b.count();
    if (count !== docs.length) throw new Error(`reference ${backend}: ${count} of ${docs.length} documents`);
    log(`reference ${backend}: ${round(docs.length / seconds, 0)} docs/s`);
    return { backend, docs: docs.length, seconds: round(seconds, 2), docsPerSec: round(docs.length / seconds, 0) };
  } finally {
    // The embedded backend's close() has been seen to fail with SQLITE_BUSY (unfinalized
    // statements) after count(): not this benchmark's concern, so log it and go on.
    await b.close().catch((err) => log(`reference ${backend}: close failed: ${String(err)}`));
    await cleanup();
  }
}

async function main(): Promise<void> {
  const loadAtStart = machine().loadavg1m;
  const runTag = `ingest-${Date.now().toString(36)}`;
  const items = mentionItems(params.items, params.seed, runTag);
  const warmup = mentionItems(params.warmupItems, params.seed + 1, `${runTag}-warm`);
  const chars = items.reduce((n, it) => n + it.text.length, 0);
  let es: BenchElasticsearch | null = null;
  try {
    if (params.backends.includes('elasticsearch')) es = await elasticsearchForRun();
    const results = [];
    for (const backend of params.backends) results.push(await ingestRun(backend, es, items, warmup));

    // Reference: analysis once (reported on its own), then the raw write of the same documents.
    log(`building ${items.length} documents with makeDocument (analysis)`);
    for (const it of warmup) makeDocument({ text: it.text }); // load the dictionaries first
    const a0 = performance.now();
    const docs = items.map((it, i) => mentionDocument(it, i));
    const analysisSeconds = (performance.now() - a0) / 1000;
    const references: Awaited<ReturnType<typeof referenceRun>>[] = [];
    for (const backend of params.backends) references.push(await referenceRun(backend, es, docs));

    const headline = results.map((r) => figure(`mentions API → searchable, ${r.backend}`, r.itemsPerSec, 'items/s', true, {
      params: { backend: r.backend, items: params.items, batch: params.batch, senders: params.senders },
      reference: { what: `raw ${r.backend === 'elasticsearch' ? 'Elasticsearch bulk' : 'SQLite FTS index()'} of the same documents`, value: references.find((x) => x.backend === r.backend)?.docsPerSec },
    }));
    const report = {
      benchmark: 'ingest',
      headline,
      date: new Date().toISOString(),
      params: { ...params, quick, avgTextChars: round(chars / items.length, 1), server: 'node --import tsx server/main.ts, NODE_ENV=production, SQLite in a temp DATA_DIR; Elasticsearch: ELASTICSEARCH_REFRESH=false, fresh ELASTICSEARCH_INDEX_PREFIX' },
      machine: machineWithLoad(loadAtStart, machine()),
      results,
      reference: {
        description: 'raw backend.index() of the same documents (makeDocument from the same texts) in batches of 1,000 from the bench process, plus one refresh on Elasticsearch: the ceiling',
        analysis: { docs: docs.length, seconds: round(analysisSeconds, 2), docsPerSec: round(docs.length / analysisSeconds, 0), note: 'makeDocument (analyze) in one process: the analysis ceiling' },
        runs: references,
      },
      ratios: Object.fromEntries(
        results.map((r) => [r.backend, { vsRawIndex: round(r.itemsPerSec / (references.find((x) => x.backend === r.backend)?.docsPerSec ?? NaN), 3), vsAnalysisOnly: round(r.itemsPerSec / (docs.length / analysisSeconds), 3), vsGoal: round(r.itemsPerSec / GOALS[r.backend], 3) }]),
      ),
    };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } finally {
    await killAll();
    await es?.stop();
  }
}

runBench(main);
