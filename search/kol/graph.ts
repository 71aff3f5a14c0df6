/**
 * The interaction graph behind KOL scoring: who engages with whose content. Pure, in memory.
 *
 * Nodes are id strings: forum members `user:<id>`, external authors `<source>:<handle>`
 * (`weibo:小米粉丝`). An edge u→v means "u engaged with v's content" (replied to it, quoted it,
 * @mentioned v, liked it). Repeated interactions between the same pair are merged into one edge
 * whose weight is the kind-weighted sum, so memory grows with distinct pairs, not interactions.
 *
 * Storage is columnar (typed arrays that double when full) because at 1M interactions object-per-
 * edge layouts cost several times the memory and make the full recompute pointer-chasing bound.
 * Every text-keyed lookup is a Map: "__proto__" and "constructor" are valid handles.
 */

export type InteractionKind = 'reply' | 'quote' | 'mention' | 'like';

/** One engagement: `from` engages with `to`'s content (`ref` names it, e.g. `post:123`). */
export interface Interaction {
  from: string;
  to: string;
  kind: InteractionKind;
  at: Date | number;
  ref?: string;
}

/** Weight per kind: writing a reply or quote costs more effort than a mention, a like the least. */
export const KIND_WEIGHT: Readonly<Record<InteractionKind, number>> = Object.freeze({ reply: 3, quote: 3, mention: 2, like: 1 });

export interface GraphOptions {
  /** Half-life of the recency accumulators, in days (default 14). */
  halfLifeDays?: number;
  /** Initial capacity hints (they only avoid early regrowth). */
  nodes?: number;
  edges?: number;
}

/** What `add` did: the node and edge indices, and whether the pair is new (null: ignored). */
export interface AddResult {
  from: number;
  to: number;
  edge: number;
  newEdge: boolean;
  weight: number;
}

const DAY_MS = 86_400_000;
/** Pair key = from * 2^26 + to stays below 2^53, so it is an exact Map key for 67M nodes. */
const KEY_STRIDE = 2 ** 26;

const toMs = (at: Date | number): number => (typeof at === 'number' ? at : at.getTime());

function grow<T extends Float64Array | Int32Array | Uint32Array>(arr: T, need: number): T {
  if (need <= arr.length) return arr;
  let size = Math.max(16, arr.length);
  while (size < need) size *= 2;
  const next = new (arr.constructor as new (n: number) => T)(size);
  next.set(arr);
  return next;
}

/**
 * Adds `w` at time `t` to a decayed accumulator (`mass` valid at `at`) and returns the new pair.
 * Keeping the mass at the newest time seen makes each update O(1) and the value exact.
 */
function decayAdd(mass: number, at: number, w: number, t: number, halfLifeMs: number): [number, number] {
  if (mass === 0) return [w, t];
  if (t >= at) return [mass * 2 ** (-(t - at) / halfLifeMs) + w, t];
  return [mass + w * 2 ** (-(at - t) / halfLifeMs), at];
}

/** The weighted, deduplicated engagement graph with per-node facts (posts, followers, recency). */
export class InteractionGraph {
  readonly halfLifeMs: number;
  private readonly index = new Map<string, number>();
  private readonly edgeIndex = new Map<number, number>();
  /** Node names by index. */
  readonly names: string[] = [];
  private n = 0;
  private m = 0;
  // node columns
  posts = new Uint32Array(0);
  lastAuthoredAt = new Float64Array(0);
  followerCount = new Float64Array(0);
  /** Interactions given / received (raw counts), kind-weighted sums, distinct partners. */
  outActions = new Uint32Array(0);
  outWeight = new Float64Array(0);
  inWeight = new Float64Array(0);
  outDegree = new Uint32Array(0);
  inDegree = new Uint32Array(0);
  /** Decayed received weight, valid at `recentAt` (see decayAdd). */
  recentMass = new Float64Array(0);
  recentAt = new Float64Array(0);
  // edge columns
  edgeFrom = new Int32Array(0);
  edgeTo = new Int32Array(0);
  edgeWeight = new Float64Array(0);
  /** Raw interactions merged into each edge. */
  edgeActions = new Uint32Array(0);
  edgeLastAt = new Float64Array(0);
  /** The ref of the strongest (then latest) interaction on each edge: the evidence shown. */
  readonly edgeRef: (string | undefined)[] = [];
  private edgeRefWeight = new Float64Array(0);
  /** The newest timestamp seen (authored or interaction). */
  latestAt = 0;

  constructor(options: GraphOptions = {}) {
    this.halfLifeMs = (options.halfLifeDays ?? 14) * DAY_MS;
    this.growNodes(options.nodes ?? 1024);
    this.growEdges(options.edges ?? 4096);
  }

  /** Number of nodes. */
  get nodeCount(): number { return this.n; }
  /** Number of distinct directed pairs (edges). */
  get edgeCount(): number { return this.m; }

  /** The index of a node if it exists. */
  lookup(node: string): number | undefined { return this.index.get(node); }

  /** The index of a node, creating it on first sight. */
  id(node: string): number {
    const known = this.index.get(node);
    if (known !== undefined) return known;
    const i = this.n++;
    if (i >= KEY_STRIDE) throw new RangeError('InteractionGraph: more than 2^26 nodes');
    this.growNodes(this.n);
    this.index.set(node, i);
    this.names.push(node);
    return i;
  }

  /** Whether a node is a forum member (`user:` prefix) rather than an external author. */
  isMember(i: number): boolean { return this.names[i].startsWith('user:'); }

  /** Records one post or mention written by `node` (post counts and authoring recency). */
  authored(node: string, at: Date | number, _ref?: string): void {
    const i = this.id(node);
    const t = toMs(at);
    this.posts[i]++;
    if (t > this.lastAuthoredAt[i]) this.lastAuthoredAt[i] = t;
    if (t > this.latestAt) this.latestAt = t;
  }

  /** Sets the follower count a source reports for `node` (the latest report wins). */
  followers(node: string, count: number): void {
    this.followerCount[this.id(node)] = Math.max(0, count);
  }

  /** Adds one interaction in O(1) amortised; self-interactions are ignored (returns null). */
  add(x: Interaction): AddResult | null {
    if (x.from === x.to) return null;
    const w = KIND_WEIGHT[x.kind];
    if (w === undefined) throw new TypeError(`unknown interaction kind: ${String(x.kind)}`);
    const u = this.id(x.from);
    const v = this.id(x.to);
    const t = toMs(x.at);
    const key = u * KEY_STRIDE + v;
    let e = this.edgeIndex.get(key);
    const newEdge = e === undefined;
    if (e === undefined) {
      e = this.m++;
      this.growEdges(this.m);
      this.edgeIndex.set(key, e);
      this.edgeFrom[e] = u;
      this.edgeTo[e] = v;
      this.edgeRef.push(undefined);
      this.outDegree[u]++;
      this.inDegree[v]++;
    }
    this.edgeWeight[e] += w;
    this.edgeActions[e]++;
    if (t > this.edgeLastAt[e]) this.edgeLastAt[e] = t;
    if (x.ref !== undefined && w >= this.edgeRefWeight[e]) {
      this.edgeRef[e] = x.ref;
      this.edgeRefWeight[e] = w;
    }
    this.outActions[u]++;
    this.outWeight[u] += w;
    this.inWeight[v] += w;
    const [mass, at] = decayAdd(this.recentMass[v], this.recentAt[v], w, t, this.halfLifeMs);
    this.recentMass[v] = mass;
    this.recentAt[v] = at;
    if (t > this.latestAt) this.latestAt = t;
    return { from: u, to: v, edge: e, newEdge, weight: w };
  }

  /** The edge index of u→v, if the pair exists. */
  edgeOf(u: number, v: number): number | undefined {
    return this.edgeIndex.get(u * KEY_STRIDE + v);
  }

  /** Decayed received weight of node i as of `now`. */
  recentWeight(i: number, now: number): number {
    const mass = this.recentMass[i];
    if (mass === 0) return 0;
    return now >= this.recentAt[i] ? mass * 2 ** (-(now - this.recentAt[i]) / this.halfLifeMs) : mass;
  }

  private growNodes(need: number): void {
    if (need <= this.posts.length) return;
    this.posts = grow(this.posts, need);
    this.lastAuthoredAt = grow(this.lastAuthoredAt, need);
    this.followerCount = grow(this.followerCount, need);
    this.outActions = grow(this.outActions, need);
    this.outWeight = grow(this.outWeight, need);
    this.inWeight = grow(this.inWeight, need);
    this.outDegree = grow(this.outDegree, need);
    this.inDegree = grow(this.inDegree, need);
    this.recentMass = grow(this.recentMass, need);
    this.recentAt = grow(this.recentAt, need);
  }

  private growEdges(need: number): void {
    if (need <= this.edgeFrom.length) return;
    this.edgeFrom = grow(this.edgeFrom, need);
    this.edgeTo = grow(this.edgeTo, need);
    this.edgeWeight = grow(this.edgeWeight, need);
    this.edgeActions = grow(this.edgeActions, need);
    this.edgeLastAt = grow(this.edgeLastAt, need);
    this.edgeRefWeight = grow(this.edgeRefWeight, need);
  }
}

/** Compressed adjacency (CSR): neighbours of node i are `target[start[i] .. start[i+1])`. */
export interface Csr {
  start: Uint32Array;
  target: Int32Array;
  /** The edge index each slot came from (weights, refs). */
  edge: Int32Array;
}

/** Groups edges by `by` (edgeTo for in-adjacency, edgeFrom for out) with a counting sort, O(N + E). */
export function buildCsr(g: InteractionGraph, direction: 'in' | 'out'): Csr {
  const n = g.nodeCount;
  const m = g.edgeCount;
  const by = direction === 'in' ? g.edgeTo : g.edgeFrom;
  const other = direction === 'in' ? g.edgeFrom : g.edgeTo;
  const start = new Uint32Array(n + 1);
  for (let e = 0; e < m; e++) start[by[e] + 1]++;
  for (let i = 0; i < n; i++) start[i + 1] += start[i];
  const fill = start.slice(0, n);
  const target = new Int32Array(m);
  const edge = new Int32Array(m);
  for (let e = 0; e < m; e++) {
    const slot = fill[by[e]]++;
    target[slot] = other[e];
    edge[slot] = e;
  }
  return { start, target, edge };
}
