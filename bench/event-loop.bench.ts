/**
 * Benchmark: does the listening pipeline keep the event loop free for unrelated requests?
 *
 *   node --import tsx bench/event-loop.bench.ts [--items 1000] [--item-bytes 9000]
 *     [--cold-seconds 60] [--probe-gap-ms 20] [--idle-seconds 5]
 *
 * Resonance runs in its own process (server/main.ts, embedded backend, temp DATA_DIR). A prober
 * sends `GET /api/v1/chapters` one at a time (a pause of probe-gap-ms between them) and records
 * each latency, in three windows:
 *  - cold: the first cold-seconds after /healthz first answers, during which one Chinese and
 *    then one English mention are ingested and timed until searchable (the first analysis after
 *    a start used to load the dictionary and the models on the event loop);
 *  - idle (the same-run reference): the warm server with nothing to do;
 *  - batch: one maximal mention batch (items x item-bytes of UTF-8, the 10 MB ingest cap) from
 *    the POST until every item is searchable.
 * Prints one JSON document.
 */
import { figure } from './support/headline';
import { killAll, runBench } from './support/processes';
import { machine } from './support/machine';
import { adminToken, api, arg, ingestKey, log, machineWithLoad, mentionText, prng, round, sleep, startResonance, summary, type MentionItem } from './support/listening';

// --quick: 15 s of cold-start probing instead of a minute; the same maximal batch.
const quick = process.argv.includes('--quick');
const params = {
  quick,
  items: Number(arg('items', '1000')),
  itemBytes: Number(arg('item-bytes', '9000')),
  coldSeconds: Number(arg('cold-seconds', quick ? '15' : '60')),
  idleSeconds: Number(arg('idle-seconds', '5')),
  probeGapMs: Number(arg('probe-gap-ms', '20')),
  searchPollMs: 200,
  seed: 7,
  backend: 'embedded' as const,
  probe: 'GET /api/v1/chapters',
};

/** Sequential probes of `path` until stop() is called; returns every latency in ms. */
function startProber(base: string, path: string, gapMs: number) {
  const latencies: number[] = [];
  let running = true;
  const done = (async () => {
    while (running) {
      const t0 = performance.now();
      const res = await fetch(base + path);
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`${path} answered ${res.status}`);
      latencies.push(performance.now() - t0);
      await sleep(gapMs);
    }
  })();
  return {
    async stop() {
      running = false;
      await done;
      return latencies;
    },
  };
}

/** A mention text of about `bytes` bytes of UTF-8 (the generator's mixed zh/en chatter, repeated). */
function bigText(rand: () => number, bytes: number): string {
  let t = '';
  while (Buffer.byteLength(t) < bytes) t += mentionText(rand) + ' ';
  while (Buffer.byteLength(t) > bytes) t = t.slice(0, -1);
  return t.trim();
}

function items(n: number, tag: string, text: (i: number) => string): MentionItem[] {
  const at = new Date(Date.now() - 60_000).toISOString();
  return Array.from({ length: n }, (_, i) => ({ source: 'weibo', externalId: `${tag}-${i}`, author: { handle: `eb_${i % 500}`, followers: 100 }, text: text(i), publishedAt: at }));
}

async function main(): Promise<void> {
  const loadAtStart = machine().loadavg1m;
  const tag = `evl-${Date.now().toString(36)}`;
  const t0 = performance.now();
  const server = await startResonance(params.backend, null);
  const bootToHealthyMs = performance.now() - t0;
  try {
    // --- cold: the first cold-seconds after /healthz first answered.
    const coldStart = performance.now();
    const cold = startProber(server.base, '/api/v1/chapters', params.probeGapMs);
    const token = await adminToken(server.base);
    const key = await ingestKey(server.base, token);
    const total = async () => (await api<{ total: number }>(server.base, 'GET', '/api/v1/search?kind=mention&limit=1', token)).json.total;
    /** Ingest one item and return the ms until it is searchable (polled every 5 ms). */
    const toSearchable = async (text: string, id: string) => {
      const before = await total();
      const s = performance.now();
      const r = await api(server.base, 'POST', '/api/v1/mentions', key, { items: items(1, id, () => text) });
      if (r.status !== 202) throw new Error(`ingest answered ${r.status}`);
      while ((await total()) <= before) await sleep(5);
      return round(performance.now() - s, 1);
    };
    const firstZhMentionToSearchableMs = await toSearchable('新车续航太拉胯了，车机还经常死机，售后也不理人，非常失望', `${tag}-zh`);
    const firstEnMentionToSearchableMs = await toSearchable('Test drove the Aurora today: love the range, but the app crashes.', `${tag}-en`);
    const warmZhMentionToSearchableMs = await toSearchable('提车三个月小结：续航很满意，座椅舒服，客服态度也不错', `${tag}-zh2`);
    const coldLeft = params.coldSeconds * 1000 - (performance.now() - coldStart);
    if (coldLeft > 0) await sleep(coldLeft);
    const coldLatencies = await cold.stop();

    // --- idle reference.
    const idle = startProber(server.base, '/api/v1/chapters', params.probeGapMs);
    await sleep(params.idleSeconds * 1000);
    const idleLatencies = await idle.stop();

    // --- one maximal batch.
    const rand = prng(params.seed);
    const batch = items(params.items, `${tag}-big`, () => bigText(rand, params.itemBytes));
    const bodyMB = Buffer.byteLength(JSON.stringify({ items: batch })) / 1024 / 1024;
    const before = await total();
    const during = startProber(server.base, '/api/v1/chapters', params.probeGapMs);
    const b0 = performance.now();
    const r = await api<{ accepted: number }>(server.base, 'POST', '/api/v1/mentions', key, { items: batch });
    if (r.status !== 202) throw new Error(`batch answered ${r.status}: ${JSON.stringify(r.json).slice(0, 300)}`);
    const acceptMs = performance.now() - b0;
    const deadline = Date.now() + 600_000;
    while ((await total()) < before + params.items) {
      if (Date.now() > deadline) throw new Error('the batch never became searchable');
      await sleep(params.searchPollMs);
    }
    const searchableMs = performance.now() - b0;
    const batchLatencies = await during.stop();
    log(`batch searchable after ${round(searchableMs / 1000, 2)} s; chapters p99 ${summary(batchLatencies).p99} ms`);

    const batchParams = { items: params.items, itemBytes: params.itemBytes, batchBodyMB: round(bodyMB, 2) };
    const idleRef = { what: 'the same probe on the warm, idle server, p99', value: summary(idleLatencies).p99 };
    const report = {
      benchmark: 'event-loop',
      headline: [
        figure('GET /api/v1/chapters p99 while a maximal batch is indexed', summary(batchLatencies).p99, 'ms', false, { params: batchParams, reference: idleRef }),
        figure('GET /api/v1/chapters p99 during cold start', summary(coldLatencies).p99, 'ms', false, { params: { coldSeconds: params.coldSeconds }, reference: idleRef }),
        figure('maximal batch → searchable', round(searchableMs, 0), 'ms', false, { params: batchParams }),
        figure('boot → healthy', round(bootToHealthyMs, 0), 'ms', false),
      ],
      date: new Date().toISOString(),
      params: { ...params, batchBodyMB: round(bodyMB, 2), avgItemChars: round(batch.reduce((n, it) => n + it.text.length, 0) / batch.length, 0), server: 'node --import tsx server/main.ts, NODE_ENV=production, SQLite + embedded search in a temp DATA_DIR' },
      machine: machineWithLoad(loadAtStart, machine()),
      coldStart: {
        bootToHealthyMs: round(bootToHealthyMs, 0),
        firstZhMentionToSearchableMs,
        firstEnMentionToSearchableMs,
        warmZhMentionToSearchableMs,
        chaptersLatencyMs: summary(coldLatencies),
      },
      reference: { description: 'the same probe on the warm, idle server', chaptersLatencyMs: summary(idleLatencies) },
      maxBatch: {
        items: params.items,
        acceptMs: round(acceptMs, 0),
        searchableMs: round(searchableMs, 0),
        chaptersLatencyMs: summary(batchLatencies),
      },
    };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } finally {
    await server.stop();
    await killAll();
  }
}

runBench(main);
