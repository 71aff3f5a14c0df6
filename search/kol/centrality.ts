/**
 * The two global (whole-graph) parts of a KOL score, recomputed on a schedule:
 * weighted PageRank on the engagement graph and the k-core number on its undirected form.
 * Both work on CSR arrays (search/kol/graph.ts buildCsr) so each pass is a linear scan.
 */
import { type Csr, type InteractionGraph } from './graph';

export interface PageRankOptions {
  damping?: number;
  /** Stop when the L1 change between iterations drops below this. */
  tolerance?: number;
  maxIterations?: number;
}

export interface PageRankResult {
  rank: Float64Array;
  iterations: number;
  /** L1 change of the last iteration. */
  delta: number;
}

/**
 * Weighted PageRank by power iteration, pulling along in-edges. u passes its rank to the
 * accounts it engaged with in proportion to edge weight, so an engagement counts as much as the
 * engager's own standing divided by how widely it engages: a spammer touching 2,000 accounts
 * passes almost nothing to each. Dangling nodes (engaged with nobody) spread their rank evenly,
 * which keeps the vector a probability distribution (sums to 1). `edgeWeight` (per edge index)
 * defaults to the graph's raw weights; the scorer passes damped ones (see rankWeights).
 */
export function weightedPageRank(g: InteractionGraph, inCsr: Csr, options: PageRankOptions = {}, edgeWeight: Float64Array = g.edgeWeight): PageRankResult {
  const d = options.damping ?? 0.85;
  const tolerance = options.tolerance ?? 1e-7;
  const maxIterations = options.maxIterations ?? 100;
  const n = g.nodeCount;
  const rank = new Float64Array(n);
  if (n === 0) return { rank, iterations: 0, delta: 0 };
  const { start, target, edge } = inCsr;
  const slotWeight = new Float64Array(edge.length);
  const outW = new Float64Array(n);
  for (let s = 0; s < edge.length; s++) {
    slotWeight[s] = edgeWeight[edge[s]];
    outW[g.edgeFrom[edge[s]]] += slotWeight[s];
  }
  const share = new Float64Array(n); // rank[u] / outWeight[u]: what each unit of u's weight carries
  let next = new Float64Array(n);
  let cur = rank;
  cur.fill(1 / n);
  let iterations = 0;
  let delta = Infinity;
  while (iterations < maxIterations && delta > tolerance) {
    let dangling = 0;
    for (let u = 0; u < n; u++) {
      if (outW[u] > 0) share[u] = cur[u] / outW[u];
      else { share[u] = 0; dangling += cur[u]; }
    }
    const base = (1 - d) / n + (d * dangling) / n;
    delta = 0;
    for (let v = 0; v < n; v++) {
      let sum = 0;
      for (let s = start[v], end = start[v + 1]; s < end; s++) sum += share[target[s]] * slotWeight[s];
      const r = base + d * sum;
      delta += Math.abs(r - cur[v]);
      next[v] = r;
    }
    const swap = cur;
    cur = next;
    next = swap;
    iterations++;
  }
  return { rank: cur, iterations, delta };
}

/**
 * The undirected simple graph: u–v once if either engaged with the other, no self loops.
 * A marker array dedupes u's in- and out-neighbours in one pass, so this is O(N + E).
 */
export function undirectedCsr(g: InteractionGraph, inCsr: Csr, outCsr: Csr): { start: Uint32Array; target: Int32Array } {
  const n = g.nodeCount;
  const seen = new Int32Array(n).fill(-1);
  const start = new Uint32Array(n + 1);
  const forEachNeighbour = (u: number, visit: (v: number) => void) => {
    for (let s = outCsr.start[u]; s < outCsr.start[u + 1]; s++) {
      const v = outCsr.target[s];
      if (seen[v] !== u) { seen[v] = u; visit(v); }
    }
    for (let s = inCsr.start[u]; s < inCsr.start[u + 1]; s++) {
      const v = inCsr.target[s];
      if (seen[v] !== u) { seen[v] = u; visit(v); }
    }
  };
  for (let u = 0; u < n; u++) {
    let deg = 0;
    forEachNeighbour(u, () => { deg++; });
    start[u + 1] = start[u] + deg;
  }
  seen.fill(-1);
  const target = new Int32Array(start[n]);
  for (let u = 0; u < n; u++) {
    let slot = start[u];
    forEachNeighbour(u, (v) => { target[slot++] = v; });
  }
  return { start, target };
}

/**
 * Core number of every node (Batagelj & Zaversnik 2003, O(N + E) bucket algorithm): the largest
 * k such that the node belongs to a subgraph where everyone has at least k neighbours.
 */
export function coreNumbers(adj: { start: Uint32Array; target: Int32Array }): Uint32Array {
  const n = adj.start.length - 1;
  const deg = new Uint32Array(n);
  let maxDeg = 0;
  for (let v = 0; v < n; v++) {
    deg[v] = adj.start[v + 1] - adj.start[v];
    if (deg[v] > maxDeg) maxDeg = deg[v];
  }
  // bin[d] = first position of degree-d vertices in `order`; pos[v] = v's position.
  const bin = new Uint32Array(maxDeg + 2);
  for (let v = 0; v < n; v++) bin[deg[v]]++;
  let first = 0;
  for (let d = 0; d <= maxDeg; d++) { const c = bin[d]; bin[d] = first; first += c; }
  const order = new Int32Array(n);
  const pos = new Uint32Array(n);
  for (let v = 0; v < n; v++) { pos[v] = bin[deg[v]]++; order[pos[v]] = v; }
  for (let d = maxDeg; d > 0; d--) bin[d] = bin[d - 1];
  bin[0] = 0;
  for (let i = 0; i < n; i++) {
    const v = order[i];
    for (let s = adj.start[v]; s < adj.start[v + 1]; s++) {
      const u = adj.target[s];
      if (deg[u] > deg[v]) {
        // move u to the front of its bin, then shrink the bin by one: u's degree drops by 1
        const du = deg[u];
        const pu = pos[u];
        const pw = bin[du];
        const w = order[pw];
        if (u !== w) { order[pu] = w; pos[w] = pu; order[pw] = u; pos[u] = pw; }
        bin[du]++;
        deg[u]--;
      }
    }
  }
  return deg;
}

/** Per edge: 1 if the reverse pair exists too (u→v and v→u). O(N + E) with a marker array. */
export function mutualEdges(g: InteractionGraph, inCsr: Csr, outCsr: Csr): Uint8Array {
  const n = g.nodeCount;
  const mutual = new Uint8Array(g.edgeCount);
  const mark = new Int32Array(n).fill(-1);
  for (let v = 0; v < n; v++) {
    for (let s = outCsr.start[v]; s < outCsr.start[v + 1]; s++) mark[outCsr.target[s]] = v;
    for (let s = inCsr.start[v]; s < inCsr.start[v + 1]; s++) if (mark[inCsr.target[s]] === v) mutual[inCsr.edge[s]] = 1;
  }
  return mutual;
}

/**
 * The weights PageRank walks on: log2(1 + weight), because the 50th like from the same account
 * says little more than the 5th, and × `mutualDiscount` on returned pairs, because accounts that
 * engage each other back and forth (friends, like-rings) otherwise trap rank between them.
 */
export function rankWeights(g: InteractionGraph, mutual: Uint8Array, mutualDiscount: number): Float64Array {
  const w = new Float64Array(g.edgeCount);
  for (let e = 0; e < w.length; e++) w[e] = Math.log2(1 + g.edgeWeight[e]) * (mutual[e] ? mutualDiscount : 1);
  return w;
}
