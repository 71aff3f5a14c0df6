/**
 * KOL scoring at community scale: build, full recompute (and its parts), incremental cost per
 * interaction, memory, and quality against the planted truth of a synthetic community
 * (bench/support/community.ts), next to the follower-count and post-count baselines.
 *
 *   node --import tsx bench/kol.bench.ts [--members 100000] [--interactions 1000000]
 *     [--influencers 50] [--spammers 100] [--rings 10] [--ring-size 20] [--externals 2000]
 *     [--bought 20] [--adds 10000] [--seed 9] [--appeal-exponent 0.5]
 *
 * --appeal-exponent 1 makes the busiest ordinary members as attractive as weak influencers
 * (a harder truth; see bench/support/community.ts).
 *
 * Same-run reference: one plain pass over all edges (scatter each edge's weight into its target),
 * the memory-bound floor of any per-edge work; PageRank's per-iteration time is reported next to it.
 */
import { figure } from './support/headline';
import { machine } from './support/machine';
import { baselineRanking, countInTop, generateCommunity, loadCommunity, precisionAtK } from './support/community';
import { InteractionGraph } from '../search/kol/graph';
import { IncrementalKol } from '../search/kol/incremental';
import { KolRecomputeThread } from '../search/kol/recompute-thread';

const num = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : NaN;
  return Number.isFinite(v) ? v : fallback;
};
const log = (msg: string) => process.stderr.write(`[kol] ${msg}\n`);
// --quick: a tenth of the graph (a few seconds instead of about a minute), same shape.
const quick = process.argv.includes('--quick');
const params = {
  quick,
  seed: num('seed', 9),
  members: num('members', quick ? 10_000 : 100_000),
  interactions: num('interactions', quick ? 100_000 : 1_000_000),
  influencers: num('influencers', 50),
  spammers: num('spammers', 100),
  rings: num('rings', 10),
  ringSize: num('ring-size', 20),
  externals: num('externals', 2000),
  bought: num('bought', 20),
  adds: num('adds', quick ? 2_000 : 10_000),
};
const mb = (b: number) => Math.round(b / 1024 / 1024);
const memory = () => { const m = process.memoryUsage(); return { rssMB: mb(m.rss), heapUsedMB: mb(m.heapUsed), arrayBuffersMB: mb(m.arrayBuffers) }; };
const round = (x: number, d = 1) => Number(x.toFixed(d));
const pct = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const median = (xs: number[]) => pct([...xs].sort((a, b) => a - b), 0.5);
/** Wall and CPU (user + system, this process) milliseconds of f: on a shared machine CPU is the steadier figure. */
function timed<T>(f: () => T): { value: T; wallMs: number; cpuMs: number } {
  const c = process.cpuUsage();
  const t = performance.now();
  const value = f();
  const wallMs = performance.now() - t;
  const d = process.cpuUsage(c);
  return { value, wallMs: round(wallMs), cpuMs: round((d.user + d.system) / 1000) };
}
const machineStart = machine();

log(`generating ${params.members} members / ${params.interactions} interactions`);
const gen = timed(() => generateCommunity({ ...params, ordinaryAppealExponent: num('appeal-exponent', 0.5) }));
const community = gen.value;
const memBefore = memory();

// Build on all but the last `adds` interactions; those are replayed incrementally below.
const held = community.interactions.splice(community.interactions.length - params.adds, params.adds);
const build = timed(() => loadCommunity(community, new InteractionGraph({ nodes: params.members + params.externals, edges: params.interactions })));
const graph = build.value;
const memAfterBuild = memory();
log(`built: ${graph.nodeCount} nodes, ${graph.edgeCount} edges in ${Math.round(build.wallMs)} ms`);

// Reference: one plain pass over all edges, summing each edge's weight into its target: the floor
// for anything that touches every edge once (a PageRank iteration touches each edge once).
const refSum = new Float64Array(graph.nodeCount);
const refTimes: number[] = [];
for (let r = 0; r < 9; r++) {
  refSum.fill(0);
  const t = performance.now();
  for (let e = 0, m = graph.edgeCount; e < m; e++) refSum[graph.edgeTo[e]] += graph.edgeWeight[e];
  refTimes.push(performance.now() - t);
}
const edgePassMs = median(refTimes);

const cold = timed(() => new IncrementalKol({ graph }));
const kol = cold.value;
const warm = [timed(() => kol.recompute(community.now)), timed(() => kol.recompute(community.now))];
const state = kol.last;

// The same recompute on the worker thread (as the server runs it at this size): what is left on
// the main thread (the snapshot, the install) and the event loop's worst delay meanwhile, from a
// 5 ms timer. The first run boots the worker and is not counted.
const thread = new KolRecomputeThread();
const offLoop = async () => {
  const t0 = performance.now();
  const snapshot = kol.beginRecompute();
  const t1 = performance.now();
  const result = await thread.run(snapshot, community.now, kol.params);
  const t2 = performance.now();
  kol.install(result);
  const t3 = performance.now();
  return { snapshotMs: round(t1 - t0, 1), threadWallMs: round(t2 - t1, 1), installMs: round(t3 - t2, 1) };
};
await offLoop();
let lagMax = 0;
let last = performance.now();
const lagTimer = setInterval(() => { const now = performance.now(); lagMax = Math.max(lagMax, now - last - 5); last = now; }, 5);
const threaded = await offLoop();
clearInterval(lagTimer);
await thread.close();
const threadedRecompute = { ...threaded, eventLoopMaxDelayMs: round(lagMax, 1), sameOrderAsInline: kol.last.order.every((v, i) => v === state.order[i]) };
log(`threaded recompute: ${JSON.stringify(threadedRecompute)}`);
const materialise = timed(() => kol.scores());
const scores = materialise.value;
const top50 = timed(() => kol.top(50));
const memAfterRecompute = memory();
const pagerankPerIterationMs = state.timings.pagerankMs / state.pageRankIterations;

// Quality against the planted truth.
const ranking = [...scores.keys()];
const rankings = { ours: ranking, followers: baselineRanking(graph, 'followers'), posts: baselineRanking(graph, 'posts') };
const quality = Object.fromEntries(Object.entries(rankings).map(([name, r]) => [name, {
  precisionAt10: precisionAtK(r, community.truth, 10),
  precisionAt50: precisionAtK(r, community.truth, 50),
  spammersInTop50: countInTop(r, community.spammers, 50),
  ringMembersInTop50: countInTop(r, community.ringMembers, 50),
  boughtInTop50: countInTop(r, community.bought, 50),
}]));
const bestRank = (set: Set<string>) => Math.min(...[...set].map((n) => scores.get(n)?.rank ?? Infinity));

// Incremental: add + re-score the touched node, one interaction at a time.
const addMicros: number[] = [];
const addScoreMicros: number[] = [];
for (const x of held) {
  const t0 = performance.now();
  kol.add(x);
  const t1 = performance.now();
  kol.score(x.to);
  const t2 = performance.now();
  addMicros.push((t1 - t0) * 1000);
  addScoreMicros.push((t2 - t0) * 1000);
}
addMicros.sort((a, b) => a - b);
addScoreMicros.sort((a, b) => a - b);
const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

const graphParams = { members: params.members, interactions: params.interactions };
console.log(JSON.stringify({
  benchmark: 'kol',
  headline: [
    figure('full recompute (warm)', warm[1].wallMs, 'ms', false, { params: graphParams }),
    figure('PageRank iteration', round(pagerankPerIterationMs, 2), 'ms', false, { params: graphParams, reference: { what: 'one plain pass over the edges', value: round(edgePassMs, 2) } }),
    figure('incremental add + re-score p99', round(pct(addScoreMicros, 0.99), 2), 'µs', false, { params: { adds: held.length } }),
    figure('precision@10 vs planted influencers', quality.ours.precisionAt10, '', true, { params: graphParams, reference: { what: 'follower-count ranking', value: quality.followers.precisionAt10 } }),
  ],
  params: { ...params, appealExponent: community.params.ordinaryAppealExponent, kolParams: state.params },
  machine: { ...machineStart, loadavg1mEnd: machine().loadavg1m, busy: machineStart.loadavg1m > machineStart.cpus },
  graph: { nodes: graph.nodeCount, edges: graph.edgeCount, interactionsLoaded: community.interactions.length, authored: community.authored.length, incrementalAdds: held.length },
  results: {
    generate: { wallMs: gen.wallMs, cpuMs: gen.cpuMs },
    build: { wallMs: build.wallMs, cpuMs: build.cpuMs, cpuMicrosPerEvent: round((build.cpuMs * 1000) / (community.interactions.length + community.authored.length), 2) },
    fullRecompute: {
      cold: { wallMs: cold.wallMs, cpuMs: cold.cpuMs },
      warm: warm.map((w) => ({ wallMs: w.wallMs, cpuMs: w.cpuMs })),
      partsWallMs: Object.fromEntries(Object.entries(state.timings).map(([k, v]) => [k, round(v)])),
      pagerankIterations: state.pageRankIterations,
      pagerankPerIterationMs: round(pagerankPerIterationMs, 2),
      materialiseAllScores: { wallMs: materialise.wallMs, cpuMs: materialise.cpuMs },
      top50: { wallMs: top50.wallMs },
      onWorkerThread: threadedRecompute,
    },
    incremental: {
      adds: held.length,
      addMicros: { p50: round(pct(addMicros, 0.5), 2), p99: round(pct(addMicros, 0.99), 2), mean: round(mean(addMicros), 2) },
      addAndScoreMicros: { p50: round(pct(addScoreMicros, 0.5), 2), p99: round(pct(addScoreMicros, 0.99), 2), mean: round(mean(addScoreMicros), 2) },
    },
    memory: { beforeBuild: memBefore, afterBuild: memAfterBuild, afterRecompute: memAfterRecompute },
    quality: { ...quality, bestRank: { spammer: bestRank(community.spammers), ringMember: bestRank(community.ringMembers), bought: bestRank(community.bought) } },
    reference: {
      edgePassMs: round(edgePassMs, 2),
      pagerankIterationVsEdgePass: round(pagerankPerIterationMs / edgePassMs, 2),
      edgePassAllMs: refTimes.map((x) => round(x, 2)),
      recomputeVsEdgePass: round(warm[1].wallMs / edgePassMs, 1),
    },
  },
}, null, 2));
