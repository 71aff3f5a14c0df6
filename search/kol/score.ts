/**
 * KOL scores: one 0–100 number per account with its parts, reasons and evidence.
 * The formula and why each part is there: search/kol/README.md. In short
 *
 *   base   = 0.35·centrality + 0.35·engagers + 0.10·core + 0.20·reach      (each part in 0..1)
 *   score  = 100 · base · (0.5 + 0.5·recency) · volume
 *
 * centrality = log(1 + PR·N) / max (PageRank on log-damped, mutual-discounted weights),
 * engagers = log(1 + credibility-weighted distinct engagers) / max, core = k-core / max k-core, reach = log(1 + followers + 100·distinct audience) / max,
 * recency = received engagement's recent share relative to the community's, capped at 1,
 * volume = 1 unless the account reaches out to far more accounts than normal and gets little back.
 */
import { coreNumbers, mutualEdges, rankWeights, undirectedCsr, weightedPageRank } from './centrality';
import { buildCsr, type Csr, type InteractionGraph } from './graph';
import { renderReason, type KolReason, type KolReasonKey } from './reasons';

export interface KolParams {
  damping: number;
  tolerance: number;
  maxIterations: number;
  weights: { centrality: number; engagers: number; core: number; reach: number };
  /** Score multiplier for an account with no recent engagement (1 = recency ignored). */
  recencyFloor: number;
  /** Actions (posts + interactions given) at which an engager counts fully. */
  activeActions: number;
  /** Out-degree above which an account counts as high-volume (0: 10× the median, at least 30). */
  spamOutDegree: number;
  /** Credit kept by an engagement that is returned (u→v and v→u): rings and friends. */
  mutualDiscount: number;
  /** How many passive followers one distinct engaging account is worth for reach. */
  followerEquivalent: number;
  /** Evidence refs kept per account. */
  evidence: number;
}

export const DEFAULT_KOL_PARAMS: Readonly<KolParams> = Object.freeze({
  damping: 0.85,
  tolerance: 1e-7,
  maxIterations: 100,
  weights: Object.freeze({ centrality: 0.35, engagers: 0.35, core: 0.1, reach: 0.2 }),
  recencyFloor: 0.5,
  activeActions: 10,
  spamOutDegree: 0,
  mutualDiscount: 0.25,
  followerEquivalent: 100,
  evidence: 3,
});

/** The parts of a score, each in 0..1 (`volume` is the high-volume discount, 1 = none). */
export interface KolParts {
  centrality: number;
  core: number;
  engagers: number;
  reach: number;
  recency: number;
  volume: number;
}

export interface KolScore {
  node: string;
  score: number;
  rank: number;
  parts: KolParts;
  /** The reasons in English (rendered from `explanation`). */
  reasons: string[];
  /** The same reasons as i18n keys + variables, for t() in the viewer's locale. */
  explanation: KolReason[];
  /** Refs of the strongest interactions behind the score. */
  evidence: string[];
}

/** Community-wide maxima and ratios from the last full recompute, used to normalise parts. */
export interface KolNorms {
  nodes: number;
  maxLogRank: number;
  maxLogEngagers: number;
  maxCore: number;
  maxReach: number;
  /** Σ recent / Σ received over the community: the pace "recency = 1" means. */
  recentShare: number;
  spamOutDegree: number;
  minRank: number;
}

/** Everything a full recompute produces, per node index; the incremental scorer reuses it. */
export interface KolState {
  now: number;
  params: KolParams;
  norms: KolNorms;
  pagerank: Float64Array;
  core: Uint32Array;
  /** Σ credit of distinct engagers, how many of them are active, how many are mutual. */
  engagerCredit: Float64Array;
  activeEngagers: Uint32Array;
  mutualEngagers: Uint32Array;
  /** In-adjacency, engager credibility and mutual flags: evidence is read from them on demand. */
  inCsr: Csr;
  credibility: Float64Array;
  mutual: Uint8Array;
  scores: Float64Array;
  /** Scores sorted descending (rank lookups), and node indices in rank order. */
  sortedScores: Float64Array;
  order: Int32Array;
  pageRankIterations: number;
  timings: Record<string, number>;
}

/** Merges partial params over the defaults (weights merged key by key). */
export function resolveParams(p: Partial<KolParams> = {}): KolParams {
  return { ...DEFAULT_KOL_PARAMS, ...p, weights: { ...DEFAULT_KOL_PARAMS.weights, ...(p.weights ?? {}) } };
}

/** What an engager's credibility depends on: its actions (posts + interactions given) and out-degree. */
export interface EngagerFacts { actions: number; outDegree: number }

export const engagerFacts = (g: InteractionGraph, u: number): EngagerFacts => ({ actions: g.posts[u] + g.outActions[u], outDegree: g.outDegree[u] });

/** How much one engagement from an account is worth (0..1): active, not high-volume. */
export function credibilityOf(f: EngagerFacts, params: KolParams, spamOutDegree: number): number {
  const active = Math.min(1, Math.log2(1 + f.actions) / Math.log2(1 + Math.max(1, params.activeActions)));
  return f.outDegree <= spamOutDegree ? active : active * Math.sqrt(spamOutDegree / f.outDegree);
}

/** Whether an account counts as an "active" engager in the reasons (enough actions, not high-volume). */
export const isActive = (f: EngagerFacts, params: KolParams, spamOutDegree: number): boolean => f.actions >= params.activeActions && f.outDegree <= spamOutDegree;

/** How much one engagement from account u is worth (0..1): active, not high-volume. */
export function engagerCredibility(g: InteractionGraph, u: number, params: KolParams, spamOutDegree: number): number {
  return credibilityOf(engagerFacts(g, u), params, spamOutDegree);
}

/** Whether u counts as an "active" engager in the reasons (enough actions, not high-volume). */
export function isActiveEngager(g: InteractionGraph, u: number, params: KolParams, spamOutDegree: number): boolean {
  return isActive(engagerFacts(g, u), params, spamOutDegree);
}

/** The out-degree above which an account is high-volume: the param, else 10× the median, ≥ 30. */
function spamThreshold(g: InteractionGraph, params: KolParams): number {
  if (params.spamOutDegree > 0) return params.spamOutDegree;
  const hist = new Map<number, number>();
  let engaging = 0;
  for (let u = 0; u < g.nodeCount; u++) {
    const d = g.outDegree[u];
    if (d > 0) { hist.set(d, (hist.get(d) ?? 0) + 1); engaging++; }
  }
  let seen = 0;
  let median = 1;
  for (const d of [...hist.keys()].sort((a, b) => a - b)) {
    seen += hist.get(d)!;
    if (seen * 2 >= engaging) { median = d; break; }
  }
  return Math.max(30, 10 * median);
}

/**
 * Credibility-weighted distinct engagers per node, plus how many are active and how many are
 * engaged back (mutual), in one pass over in-edges.
 */
function engagerPass(g: InteractionGraph, inCsr: Csr, mutualEdge: Uint8Array, params: KolParams, spamOutDegree: number) {
  const n = g.nodeCount;
  const credibility = new Float64Array(n);
  const active = new Uint8Array(n);
  for (let u = 0; u < n; u++) {
    credibility[u] = engagerCredibility(g, u, params, spamOutDegree);
    active[u] = isActiveEngager(g, u, params, spamOutDegree) ? 1 : 0;
  }
  const engagerCredit = new Float64Array(n);
  const activeEngagers = new Uint32Array(n);
  const mutualEngagers = new Uint32Array(n);
  for (let v = 0; v < n; v++) {
    let credit = 0, act = 0, mut = 0;
    for (let s = inCsr.start[v], end = inCsr.start[v + 1]; s < end; s++) {
      const u = inCsr.target[s];
      const mutual = mutualEdge[inCsr.edge[s]];
      credit += mutual ? credibility[u] * params.mutualDiscount : credibility[u];
      act += active[u];
      mut += mutual;
    }
    engagerCredit[v] = credit;
    activeEngagers[v] = act;
    mutualEngagers[v] = mut;
  }
  return { engagerCredit, activeEngagers, mutualEngagers, credibility };
}

/**
 * The refs of node i's strongest incoming engagements (credit × edge weight), strongest first:
 * O(in-degree), computed when a score is shown rather than for every node at each recompute.
 */
export function evidenceFor(g: InteractionGraph, state: KolState, i: number): string[] {
  const { inCsr, credibility, mutual, params } = state;
  if (i + 1 >= inCsr.start.length) return [];
  const k = params.evidence;
  if (k <= 0) return [];
  const top: { e: number; s: number }[] = [];
  for (let s = inCsr.start[i]; s < inCsr.start[i + 1]; s++) {
    const e = inCsr.edge[s];
    const strength = credibility[inCsr.target[s]] * (mutual[e] ? params.mutualDiscount : 1) * g.edgeWeight[e];
    if (top.length === k && strength <= top[k - 1].s) continue;
    let j = top.length < k ? top.length : k - 1;
    while (j > 0 && top[j - 1].s < strength) { if (j < k) top[j] = top[j - 1]; j--; }
    top[j] = { e, s: strength };
  }
  return top.map(({ e }) => g.edgeRef[e] ?? `${g.names[g.edgeFrom[e]]}→${g.names[g.edgeTo[e]]}`);
}

/**
 * log(1 + followers + followerEquivalent · distinct audience): the raw reach of node i. Accounts
 * it engages back count at mutualDiscount here too, or a ring would buy reach by liking itself.
 */
export function rawReach(g: InteractionGraph, i: number, mutualEngagers: number, params: KolParams): number {
  const audience = g.inDegree[i] - (1 - params.mutualDiscount) * mutualEngagers;
  return Math.log1p(g.followerCount[i] + params.followerEquivalent * audience);
}

/** The raw inputs of one node's score (state arrays or live graph columns). */
export interface KolInputs {
  pagerank: number;
  core: number;
  engagerCredit: number;
  mutualEngagers: number;
  i: number;
}

/** Parts and the 0–100 score of node i from its inputs and the last recompute's norms. */
export function composeScore(g: InteractionGraph, x: KolInputs, norms: KolNorms, params: KolParams, now: number): { score: number; parts: KolParts } {
  const clamp = (v: number) => (v > 1 ? 1 : v < 0 ? 0 : v);
  const centrality = norms.maxLogRank > 0 ? clamp(Math.log1p(x.pagerank * norms.nodes) / norms.maxLogRank) : 0;
  const engagers = norms.maxLogEngagers > 0 ? clamp(Math.log1p(x.engagerCredit) / norms.maxLogEngagers) : 0;
  const core = norms.maxCore > 0 ? clamp(x.core / norms.maxCore) : 0;
  const reach = norms.maxReach > 0 ? clamp(rawReach(g, x.i, x.mutualEngagers, params) / norms.maxReach) : 0;
  const received = g.inWeight[x.i];
  const recency = received > 0 && norms.recentShare > 0 ? clamp(g.recentWeight(x.i, now) / received / norms.recentShare) : 0;
  const out = g.outDegree[x.i];
  const volume = out <= norms.spamOutDegree ? 1 : clamp((2 * x.engagerCredit) / out);
  const w = params.weights;
  const base = w.centrality * centrality + w.engagers * engagers + w.core * core + w.reach * reach;
  const score = 100 * base * (params.recencyFloor + (1 - params.recencyFloor) * recency) * volume;
  return { score, parts: { centrality, core, engagers, reach, recency, volume } };
}

/** The reasons for a node's parts as i18n keys + variables (what a moderator sees next to a flag). */
export function explain(g: InteractionGraph, i: number, x: KolInputs, counts: { active: number; mutual: number }, parts: KolParts, norms: KolNorms, params: KolParams, now: number): KolReason[] {
  const reasons: KolReason[] = [];
  const add = (key: KolReasonKey, vars: KolReason['vars'] = {}) => reasons.push({ key, vars });
  add('kol.reason.engagers', { count: g.inDegree[i], active: counts.active, credit: x.engagerCredit.toFixed(1) });
  if (counts.mutual > 0) add('kol.reason.mutual', { count: counts.mutual, percent: Math.round(params.mutualDiscount * 100) });
  add('kol.reason.centrality', { times: (x.pagerank * norms.nodes).toFixed(1) });
  add('kol.reason.core', { core: x.core });
  if (g.followerCount[i] > 0) add('kol.reason.followers', { followers: g.followerCount[i] });
  if (parts.recency < 1) add('kol.reason.recency', { percent: Math.round(parts.recency * 100) });
  if (g.posts[i] > 0) add('kol.reason.posts', { posts: g.posts[i], days: Math.max(0, Math.round((now - g.lastAuthoredAt[i]) / 86_400_000)) });
  if (parts.volume < 1) add('kol.reason.volume', { accounts: g.outDegree[i], factor: parts.volume.toFixed(2) });
  return reasons;
}

/** Runs the full recompute: PageRank, k-core, engagers, norms and every node's score. */
export function computeKolState(g: InteractionGraph, options: { now?: Date | number; params?: Partial<KolParams> } = {}): KolState {
  const params = resolveParams(options.params);
  const now = options.now === undefined ? g.latestAt : typeof options.now === 'number' ? options.now : options.now.getTime();
  const n = g.nodeCount;
  const timings: Record<string, number> = {};
  const time = <T>(name: string, f: () => T): T => { const t = performance.now(); const r = f(); timings[name] = performance.now() - t; return r; };
  const inCsr = time('csrMs', () => buildCsr(g, 'in'));
  const outCsr = time('csrOutMs', () => buildCsr(g, 'out'));
  const mutual = time('mutualMs', () => mutualEdges(g, inCsr, outCsr));
  const pr = time('pagerankMs', () => weightedPageRank(g, inCsr, params, rankWeights(g, mutual, params.mutualDiscount)));
  const core = time('kcoreMs', () => coreNumbers(undirectedCsr(g, inCsr, outCsr)));
  const spamOutDegree = spamThreshold(g, params);
  const eng = time('engagersMs', () => engagerPass(g, inCsr, mutual, params, spamOutDegree));
  const norms = time('normsMs', () => computeNorms(g, pr.rank, core, eng, params, spamOutDegree, now));
  const scores = new Float64Array(n);
  time('composeMs', () => {
    for (let i = 0; i < n; i++) {
      const x = { i, pagerank: pr.rank[i], core: core[i], engagerCredit: eng.engagerCredit[i], mutualEngagers: eng.mutualEngagers[i] };
      scores[i] = composeScore(g, x, norms, params, now).score;
    }
  });
  // Ties (equal up to float noise: a different insertion order sums in a different order) go by
  // name, so the same data ranks the same whether it was replayed live or loaded after a restart.
  const key = Float64Array.from(scores, (v) => Math.round(v * 1e9));
  const names = g.names;
  const order = time('rankMs', () => Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => key[b] - key[a] || (names[a] < names[b] ? -1 : names[a] > names[b] ? 1 : 0)));
  const sortedScores = Float64Array.from(order, (i) => scores[i]);
  return { now, params, norms, pagerank: pr.rank, core, ...eng, inCsr, mutual, scores, sortedScores, order, pageRankIterations: pr.iterations, timings };
}

function computeNorms(g: InteractionGraph, rank: Float64Array, core: Uint32Array, eng: { engagerCredit: Float64Array; mutualEngagers: Uint32Array }, params: KolParams, spamOutDegree: number, now: number): KolNorms {
  const credit = eng.engagerCredit;
  const n = g.nodeCount;
  let maxLogRank = 0, maxLogEngagers = 0, maxCore = 0, maxReach = 0, recent = 0, received = 0, minRank = Infinity;
  for (let i = 0; i < n; i++) {
    maxLogRank = Math.max(maxLogRank, Math.log1p(rank[i] * n));
    maxLogEngagers = Math.max(maxLogEngagers, Math.log1p(credit[i]));
    maxCore = Math.max(maxCore, core[i]);
    maxReach = Math.max(maxReach, rawReach(g, i, eng.mutualEngagers[i], params));
    recent += g.recentWeight(i, now);
    received += g.inWeight[i];
    if (rank[i] < minRank) minRank = rank[i];
  }
  return { nodes: n, maxLogRank, maxLogEngagers, maxCore, maxReach, recentShare: received > 0 ? recent / received : 0, spamOutDegree, minRank: n ? minRank : 0 };
}

/** The KolScore of node index i from a full state (rank = position in the recompute). */
export function scoreFromState(g: InteractionGraph, state: KolState, i: number, rank: number): KolScore {
  const x = { i, pagerank: state.pagerank[i], core: state.core[i], engagerCredit: state.engagerCredit[i], mutualEngagers: state.mutualEngagers[i] };
  const { score, parts } = composeScore(g, x, state.norms, state.params, state.now);
  const explanation = explain(g, i, x, { active: state.activeEngagers[i], mutual: state.mutualEngagers[i] }, parts, state.norms, state.params, state.now);
  return { node: g.names[i], score, rank, parts, reasons: explanation.map((r) => renderReason(r)), explanation, evidence: evidenceFor(g, state, i) };
}

/** Scores every node of the graph (full recompute). Ranks start at 1. */
export function scoreAll(g: InteractionGraph, options: { now?: Date | number; params?: Partial<KolParams> } = {}): Map<string, KolScore> {
  const state = computeKolState(g, options);
  return scoresOf(g, state);
}

/** The Map of KolScores (in rank order) for a computed state. */
export function scoresOf(g: InteractionGraph, state: KolState): Map<string, KolScore> {
  const out = new Map<string, KolScore>();
  for (let r = 0; r < state.order.length; r++) {
    const i = state.order[r];
    out.set(g.names[i], scoreFromState(g, state, i, r + 1));
  }
  return out;
}

/** The accounts flagged as KOLs: rank ≤ topN and score ≥ minScore (both set by admins). */
export function flagKols(scores: Iterable<KolScore> | Map<string, KolScore>, options: { minScore: number; topN: number }): Set<string> {
  const list = scores instanceof Map ? [...scores.values()] : [...scores];
  const flagged = new Set<string>();
  for (const s of list.sort((a, b) => a.rank - b.rank)) {
    if (flagged.size >= options.topN) break;
    if (s.score >= options.minScore) flagged.add(s.node);
  }
  return flagged;
}
