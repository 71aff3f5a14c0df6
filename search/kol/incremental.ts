/**
 * Incremental KOL scoring: every interaction updates the touched account's cheap parts
 * (credibility-weighted engagers, reach, recency, volume) in O(1); the global parts (PageRank,
 * k-core) and the normalising maxima come from the last full `recompute()`, which the server
 * runs on a schedule. Between recomputes a score can drift from what a recompute would give
 * (the engager credibilities and maxima are frozen); the recompute resets it exactly.
 */
import { InteractionGraph, type AddResult, type GraphOptions, type GraphSnapshot, type Interaction } from './graph';
import {
  composeScore, computeKolState, credibilityOf, engagerFacts, evidenceFor, scoreFromState, explain, isActive, resolveParams, scoresOf,
  type EngagerFacts, type KolParams, type KolScore, type KolState,
} from './score';
import { renderReason } from './reasons';

function growF64(a: Float64Array, n: number): Float64Array {
  if (n <= a.length) return a;
  const b = new Float64Array(Math.max(n, a.length * 2));
  b.set(a);
  return b;
}
function growU32(a: Uint32Array, n: number): Uint32Array {
  if (n <= a.length) return a;
  const b = new Uint32Array(Math.max(n, a.length * 2));
  b.set(a);
  return b;
}

/** One interaction as added: the graph's answer and both ends' engager facts at that moment. */
interface Arrival { r: AddResult; ref: string | undefined; from: EngagerFacts; to: EngagerFacts }

/** A graph plus its last full recompute, kept current by cheap per-interaction updates. */
export class IncrementalKol {
  readonly graph: InteractionGraph;
  readonly params: KolParams;
  private state: KolState;
  private engagerCredit: Float64Array;
  private activeEngagers: Uint32Array;
  private mutualEngagers: Uint32Array;
  /** Refs of strong interactions since the last recompute, newest last (a few per node). */
  private readonly fresh = new Map<number, string[]>();
  /** Evidence from the recompute's in-adjacency, cached: it is O(in-degree) and fixed until the next recompute. */
  private readonly evidenceCache = new Map<number, string[]>();
  /** Interactions since beginRecompute(), while a recompute runs elsewhere (null: none running). */
  private pending: Arrival[] | null = null;

  /** Starts from a full recompute of `graph` (cheap when it is new and empty). */
  constructor(options: { graph?: InteractionGraph; graphOptions?: GraphOptions; params?: Partial<KolParams> } = {}) {
    this.graph = options.graph ?? new InteractionGraph(options.graphOptions);
    this.params = resolveParams(options.params);
    this.state = computeKolState(this.graph, { params: this.params });
    this.engagerCredit = this.state.engagerCredit.slice();
    this.activeEngagers = this.state.activeEngagers.slice();
    this.mutualEngagers = this.state.mutualEngagers.slice();
  }

  /** The last full recompute (for inspection and the bench). */
  get last(): KolState { return this.state; }

  /**
   * Full recompute of every part at `now` (default: the newest time seen). Returns the state;
   * `scores()` / `top(n)` turn it into KolScores (building reasons for 100k nodes takes longer
   * than the recompute itself, so it is not done unless asked).
   */
  recompute(now?: Date | number): KolState {
    this.pending = null;
    this.install(computeKolState(this.graph, { now, params: this.params }));
    return this.state;
  }

  /**
   * The first half of a recompute done elsewhere (a worker thread): a snapshot of the graph as it
   * is now. Interactions that arrive before `install()` are kept, so they can be credited again
   * on top of the new state; scores keep answering from the old state meanwhile.
   */
  beginRecompute(): GraphSnapshot {
    this.pending = [];
    return this.graph.snapshot();
  }

  /**
   * Makes `state` (computed from the graph, or from a snapshot of it) the current recompute, then
   * re-credits the interactions that arrived after the snapshot, in arrival order.
   */
  install(state: KolState): void {
    const since = this.pending ?? [];
    this.pending = null;
    this.state = state;
    this.engagerCredit = state.engagerCredit.slice();
    this.activeEngagers = state.activeEngagers.slice();
    this.mutualEngagers = state.mutualEngagers.slice();
    this.fresh.clear();
    this.evidenceCache.clear();
    for (const a of since) this.credit(a);
  }

  /** Gives up a recompute begun with beginRecompute (it failed): the current state stays. */
  abortRecompute(): void { this.pending = null; }

  /** Every node's KolScore as of the last recompute, in rank order. */
  scores(): Map<string, KolScore> { return scoresOf(this.graph, this.state); }

  /** The first n KolScores of the last recompute (what a KOL list page needs). */
  top(n: number): KolScore[] {
    const order = this.state.order;
    return Array.from({ length: Math.min(n, order.length) }, (_, r) => scoreFromState(this.graph, this.state, order[r], r + 1));
  }

  /** Records a post/mention written by `node`. */
  authored(node: string, at: Date | number, ref?: string): void { this.graph.authored(node, at, ref); }

  /** Records a follower count reported by a source. */
  followers(node: string, count: number): void { this.graph.followers(node, count); }

  /**
   * Adds one interaction and updates the target's engager credit in O(1): a new pair adds the
   * engager's current credibility; if it closes a mutual pair, both sides are discounted.
   */
  add(x: Interaction): void {
    const r = this.graph.add(x);
    if (!r) return;
    // The engagers' facts as they are now: crediting it again later must not see later actions.
    const a: Arrival = { r, ref: x.ref, from: engagerFacts(this.graph, r.from), to: engagerFacts(this.graph, r.to) };
    this.pending?.push(a);
    this.credit(a);
  }

  /** The O(1) part of add(): the target's engager credit and the evidence kept since the recompute. */
  private credit({ r, ref, from, to }: Arrival): void {
    const g = this.graph;
    this.ensure(g.nodeCount);
    if (r.newEdge) {
      const spam = this.state.norms.spamOutDegree || 30;
      // Mutual if the reverse pair came first (edges are appended, so its index is lower): the
      // same answer live, and when interactions after a snapshot are credited again in order.
      const reverse = g.edgeOf(r.to, r.from);
      const mutual = reverse !== undefined && reverse < r.edge;
      const cu = credibilityOf(from, this.params, spam);
      this.engagerCredit[r.to] += cu * (mutual ? this.params.mutualDiscount : 1);
      if (isActive(from, this.params, spam)) this.activeEngagers[r.to]++;
      if (mutual) {
        // v→u was credited in full when it arrived; take back the part a mutual pair loses
        const cv = credibilityOf(to, this.params, spam);
        this.engagerCredit[r.from] = Math.max(0, this.engagerCredit[r.from] - cv * (1 - this.params.mutualDiscount));
        this.mutualEngagers[r.to]++;
        this.mutualEngagers[r.from]++;
      }
    }
    if (ref !== undefined && r.weight >= 2) {
      const list = this.fresh.get(r.to) ?? [];
      list.push(ref);
      if (list.length > 2) list.shift();
      this.fresh.set(r.to, list);
    }
  }

  /**
   * The current score of one node: live engagers, reach, recency and volume over the last
   * recompute's centrality, core and maxima. Rank is where the score would fall in that
   * recompute's ranking (binary search). Undefined for an unknown node.
   */
  score(node: string, now?: Date | number): KolScore | undefined {
    const g = this.graph;
    const i = g.lookup(node);
    if (i === undefined) return undefined;
    this.ensure(g.nodeCount);
    const s = this.state;
    const known = i < s.pagerank.length;
    const x = {
      i,
      pagerank: known ? s.pagerank[i] : s.norms.minRank,
      core: known ? s.core[i] : 0,
      engagerCredit: this.engagerCredit[i],
      mutualEngagers: this.mutualEngagers[i],
    };
    const t = now === undefined ? Math.max(s.now, g.latestAt) : typeof now === 'number' ? now : now.getTime();
    const { score, parts } = composeScore(g, x, s.norms, this.params, t);
    const explanation = explain(g, i, x, { active: this.activeEngagers[i], mutual: this.mutualEngagers[i] }, parts, s.norms, this.params, t);
    if (!known) explanation.push({ key: 'kol.reason.new', vars: {} });
    const evidence = [...(this.fresh.get(i) ?? []).slice().reverse(), ...this.recomputedEvidence(i)];
    const reasons = explanation.map((r) => renderReason(r));
    return { node, score, rank: rankOf(s.sortedScores, score), parts, reasons, explanation, evidence: [...new Set(evidence)].slice(0, this.params.evidence + 2) };
  }

  private recomputedEvidence(i: number): string[] {
    let refs = this.evidenceCache.get(i);
    if (refs === undefined) this.evidenceCache.set(i, (refs = evidenceFor(this.graph, this.state, i)));
    return refs;
  }

  private ensure(n: number): void {
    this.engagerCredit = growF64(this.engagerCredit, n);
    this.activeEngagers = growU32(this.activeEngagers, n);
    this.mutualEngagers = growU32(this.mutualEngagers, n);
  }
}

/** 1 + the number of recomputed scores strictly above `score` (scores sorted descending). */
function rankOf(sorted: Float64Array, score: number): number {
  let lo = 0, hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] > score) lo = mid + 1;
    else hi = mid;
  }
  return lo + 1;
}
