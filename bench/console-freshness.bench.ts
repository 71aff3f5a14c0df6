/**
 * Benchmark: opinion console freshness under a steady stream of mixed traffic.
 *
 *   node --import tsx bench/console-freshness.bench.ts [--rate 300] [--mention-share 0.3]
 *     [--seconds 20] [--warmup-seconds 5] [--backend embedded|elasticsearch] [--quick]
 *
 * Resonance runs in its own process (rate limits lifted). The bench sends `rate` items a second,
 * open loop: forum replies (POST /api/v1/threads/:id/posts, one a request) and external mentions
 * (POST /api/v1/mentions in batches of 10), each text carrying a unique marker. A console client
 * (namespace /console, signed in as an admin) records when each marker arrives as `item:analyzed`,
 * and sums the `opinion:updated` counts.
 *  - stream latency: the 201/202 answer (the commit happened before it) → item:analyzed;
 *  - counted latency: the k-th accepted item → the moment the console's summed counts reach k
 *    (counts say how many, not which, so this pairs items and counts in order).
 * Reference, same run and same socket connection: a reply's 201 → post:created in its thread room
 * (the live-thread path, which needs no analysis): what the console path adds on top of it.
 */
import { figure } from './support/headline';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { io } from 'socket.io-client';
import { killAll, rssMB, runTsx, runBench } from './support/processes';
import { cpuSeconds } from './support/node-child';
import { machine } from './support/machine';
import type { SeededThread } from './support/seed-thread';
import { adminToken, api, arg, elasticsearchForRun, ingestKey, log, machineWithLoad, mentionText, prng, round, sleep, startResonance, summary, type BackendName, type BenchElasticsearch } from './support/listening';

const quick = process.argv.includes('--quick');
const params = {
  rate: Number(arg('rate', '300')),
  mentionShare: Number(arg('mention-share', '0.3')),
  mentionBatch: 10,
  seconds: Number(arg('seconds', quick ? '5' : '20')),
  warmupSeconds: Number(arg('warmup-seconds', quick ? '2' : '5')),
  backend: arg('backend', 'embedded') as BackendName,
  seed: 11,
};
const GOAL_P99_MS = 1000;
const MARKER = /\bzc[0-9a-z]{6}\b/;

interface Item { marker: string; kind: 'post' | 'mention'; sentAt: number; acceptedAt?: number; streamedAt?: number; threadAt?: number; measured: boolean }

async function main(): Promise<void> {
  const loadAtStart = machine().loadavg1m;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'resonance-bench-'));
  let es: BenchElasticsearch | null = null;
  try {
    if (params.backend === 'elasticsearch') es = await elasticsearchForRun();
    const seeded = JSON.parse((await runTsx('bench/support/seed-thread.ts', { DATA_DIR: dataDir, LOG_LEVEL: 'warn' })).trim().split('\n').at(-1)!) as SeededThread;
    const server = await startResonance(params.backend, es?.url ?? null, { dataDir });
    try {
      const admin = await adminToken(server.base);
      const key = await ingestKey(server.base, admin);
      const items = new Map<string, Item>();
      const counted: number[] = []; // arrival time of each counted item, in order
      const consoleSocket = io(`${server.base}/console`, { transports: ['websocket'], auth: { token: admin }, forceNew: true });
      const threadSocket = io(server.base, { transports: ['websocket'], auth: { token: admin }, forceNew: true });
      consoleSocket.on('item:analyzed', ({ item }: { item: { text: string } }) => {
        const m = MARKER.exec(item.text)?.[0];
        const it = m ? items.get(m) : undefined;
        if (it && it.streamedAt === undefined) it.streamedAt = performance.now();
      });
      consoleSocket.on('opinion:updated', (d: { total: number }) => {
        const now = performance.now();
        for (let i = 0; i < d.total; i++) counted.push(now);
      });
      threadSocket.on('post:created', ({ post }: { post: { body: string } }) => {
        const m = MARKER.exec(post.body)?.[0];
        const it = m ? items.get(m) : undefined;
        if (it && it.threadAt === undefined) it.threadAt = performance.now();
      });
      await Promise.all([consoleSocket, threadSocket].map((s) => new Promise<void>((resolve, reject) => { s.once('connect', () => resolve()); s.once('connect_error', reject); })));
      await new Promise((resolve) => threadSocket.emit('thread:join', { threadId: String(seeded.threadId) }, resolve));

      const rand = prng(params.seed);
      let seq = 0;
      const marker = () => `zc${(seq++).toString(36).padStart(4, '0')}${Math.floor(rand() * 1296).toString(36).padStart(2, '0')}`;
      let mentionBuffer: Item[] = [];
      const flushMentions = () => {
        const batch = mentionBuffer;
        mentionBuffer = [];
        if (!batch.length) return;
        const publishedAt = new Date().toISOString();
        const body = { items: batch.map((it) => ({ source: 'weibo', externalId: it.marker, author: { handle: `fan_${it.marker.slice(-2)}`, followers: Math.floor(rand() * 50_000) }, text: `${it.marker} ${mentionText(rand)}`, publishedAt })) };
        void api(server.base, 'POST', '/api/v1/mentions', key, body).then((r) => { if (r.status === 202) for (const it of batch) it.acceptedAt = performance.now(); });
      };
      const send = (measured: boolean) => {
        const it: Item = { marker: marker(), kind: rand() < params.mentionShare ? 'mention' : 'post', sentAt: performance.now(), measured };
        items.set(it.marker, it);
        if (it.kind === 'mention') {
          mentionBuffer.push(it);
          if (mentionBuffer.length >= params.mentionBatch) flushMentions();
          return;
        }
        void api(server.base, 'POST', `/api/v1/threads/${seeded.threadId}/posts`, seeded.memberToken, { body: `${it.marker} ${mentionText(rand)}` }).then((r) => { if (r.status === 201) it.acceptedAt = performance.now(); });
      };
      const drive = async (seconds: number, measured: boolean) => {
        const total = Math.round(params.rate * seconds);
        const t0 = performance.now();
        for (let i = 0; i < total; ) {
          while (i < total && t0 + (i * 1000) / params.rate <= performance.now()) { send(measured); i++; }
          await sleep(2);
        }
        flushMentions();
      };
      log(`warm-up ${params.warmupSeconds} s at ${params.rate}/s`);
      await drive(params.warmupSeconds, false);
      await sleep(2_000);
      const countedBefore = counted.length;
      const acceptedBefore = [...items.values()].filter((it) => it.acceptedAt !== undefined).length;
      const cpu0 = cpuSeconds(server.pid);
      const tMeasure = performance.now();
      log(`measuring ${params.seconds} s at ${params.rate}/s`);
      await drive(params.seconds, true);
      const deadline = performance.now() + 30_000;
      const measured = () => [...items.values()].filter((it) => it.measured);
      while (performance.now() < deadline && measured().some((it) => it.acceptedAt === undefined || it.streamedAt === undefined)) await sleep(100);
      await sleep(1_000);
      const cpu1 = cpuSeconds(server.pid);
      consoleSocket.close();
      threadSocket.close();

      const m = measured();
      const accepted = m.filter((it) => it.acceptedAt !== undefined);
      const stream = summary(accepted.filter((it) => it.streamedAt !== undefined).map((it) => it.streamedAt! - it.acceptedAt!));
      // Pair the k-th accepted item (in acceptance order, after the warm-up's) with the k-th count.
      const order = [...items.values()].filter((it) => it.acceptedAt !== undefined).sort((a, b) => a.acceptedAt! - b.acceptedAt!);
      const countedLat: number[] = [];
      for (let k = acceptedBefore; k < order.length; k++) {
        const at = counted[countedBefore + (k - acceptedBefore)];
        if (at !== undefined && order[k].measured) countedLat.push(Math.max(0, at - order[k].acceptedAt!));
      }
      const reference = summary(accepted.filter((it) => it.kind === 'post' && it.threadAt !== undefined).map((it) => it.threadAt! - it.acceptedAt!));
      const ps = { backend: params.backend, rate: params.rate, seconds: params.seconds };
      const result = {
        benchmark: 'console-freshness',
        headline: [
          figure('201 → console stream p99', stream.p99, 'ms', false, { params: ps, reference: { what: "a reply's 201 → post:created in its thread room p99", value: reference.p99 } }),
          figure('201 → console count p99', summary(countedLat).p99, 'ms', false, { params: ps }),
        ],
        date: new Date().toISOString(),
        params: { ...params, quick },
        machine: machineWithLoad(loadAtStart, machine()),
        sent: m.length,
        accepted: accepted.length,
        posts: m.filter((it) => it.kind === 'post').length,
        mentions: m.filter((it) => it.kind === 'mention').length,
        streamLatencyMs: stream,
        notStreamed: accepted.filter((it) => it.streamedAt === undefined).length,
        countedLatencyMs: summary(countedLat),
        reference: { description: "a reply's 201 → post:created in its thread room (live-thread path, no analysis), same run", latencyMs: reference },
        ratioP99: reference.p99 ? round(stream.p99 / reference.p99, 2) : null,
        serverCpuCores: cpu0 !== null && cpu1 !== null ? round((cpu1 - cpu0) / ((performance.now() - tMeasure) / 1000), 2) : null,
        serverRssMB: rssMB(server.pid),
        goalP99Ms: GOAL_P99_MS,
        goalMet: stream.p99 <= GOAL_P99_MS && summary(countedLat).p99 <= GOAL_P99_MS && accepted.length === m.length,
      };
      log(`stream p50 ${stream.p50} ms p99 ${stream.p99} ms; counted p99 ${result.countedLatencyMs.p99} ms; reference p99 ${reference.p99} ms`);
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    } finally {
      await server.stop();
    }
  } finally {
    await killAll();
    await es?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

runBench(main);
