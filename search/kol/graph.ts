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
/** Node indices are Int32 (the CSR arrays); 2^26 leaves room and keeps the pair hash simple. */
const MAX_NODES = 2 ** 26;

/** Hash of the pair (u, v) for the open-addressing edge table. */
function pairHash(u: number, v: number): number {
  let h = Math.imul(u, 0x9e3779b1) ^ Math.imul(v + 0x7f4a7c15, 0x85ebca77);
  h ^= h >>> 15;
  return Math.imul(h, 0x2c1b3c6d) ^ (h >>> 13);
}

/** Milliseconds since the epoch; an invalid date would poison the recency sums, so it throws. */
function toMs(at: Date | number): number {
  const t = typeof at === 'number' ? at : at.getTime();
  if (!Number.isFinite(t)) throw new RangeError(`invalid interaction time: ${String(at)}`);
  return t;
}

function grow<T extends Float64Array | Int32Array | Uint32Array>(arr: T, need: number): T {
  if (need <= arr.length) return arr;
  let size = Math.max(16, arr.length);
  while (size < need) size *= 2;
  const next = new (arr.constructor as new (n: number) => T)(size);
  next.set(arr);
  return next;
}


/** What a full recompute needs of a graph, as plain typed arrays (structured-clone friendly). */
export interface GraphSnapshot {
  /** Which graph (names are only appended, so a worker may keep those it was sent before). */
  graph: number;
  /** `names` are the names from this index on (0: all). */
  namesFrom: number;
  halfLifeMs: number;
  latestAt: number;
  n: number;
  m: number;
  names: string[];
  nodes: Pick<InteractionGraph, 'posts' | 'lastAuthoredAt' | 'followerCount' | 'outActions' | 'outWeight' | 'inWeight' | 'outDegree' | 'inDegree' | 'recentMass' | 'recentAt'>;
  edges: Pick<InteractionGraph, 'edgeFrom' | 'edgeTo' | 'edgeWeight'>;
}

/** The weighted, deduplicated engagement graph with per-node facts (posts, followers, recency). */
let graphs = 0;

export class InteractionGraph {
  readonly halfLifeMs: number;
  /** This graph's number in the process (snapshots name their graph). */
  readonly uid = ++graphs;
  private readonly index = new Map<string, number>();
  /**
   * (from, to) → edge index: open addressing with linear probing over an Int32Array of edge
   * indices (-1 empty), keys read back from edgeFrom/edgeTo. A Map keyed by from·2^26+to boxed
   * every key as a heap number and cost ~5 µs per interaction at 1M edges; this costs a probe or two.
   */
  private slots = new Int32Array(0);
  private slotMask = 0;
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
    let size = 16;
    while (size < 2 * (options.edges ?? 4096)) size *= 2;
    this.rehash(size);
  }

  /**
   * A copy of what a full recompute reads (node and edge columns, names), trimmed to the current
   * size: posted to a worker thread so the recompute does not stall the server. Nodes and edges
   * are only ever appended, so indices in a state computed from it stay valid on this graph.
   */
  snapshot(): GraphSnapshot {
    const n = this.n, m = this.m;
    return {
      graph: this.uid, namesFrom: 0, halfLifeMs: this.halfLifeMs, latestAt: this.latestAt, n, m, names: this.names.slice(0, n),
      nodes: {
        posts: this.posts.slice(0, n), lastAuthoredAt: this.lastAuthoredAt.slice(0, n), followerCount: this.followerCount.slice(0, n),
        outActions: this.outActions.slice(0, n), outWeight: this.outWeight.slice(0, n), inWeight: this.inWeight.slice(0, n),
        outDegree: this.outDegree.slice(0, n), inDegree: this.inDegree.slice(0, n), recentMass: this.recentMass.slice(0, n), recentAt: this.recentAt.slice(0, n),
      },
      edges: { edgeFrom: this.edgeFrom.slice(0, m), edgeTo: this.edgeTo.slice(0, m), edgeWeight: this.edgeWeight.slice(0, m) },
    };
  }

  /**
   * A read-only graph over a snapshot, for computeKolState in a worker: it has no name index or
   * pair table (lookup, edgeOf and add are not for it), and no evidence refs.
   */
  static fromSnapshot(s: GraphSnapshot): InteractionGraph {
    const g = new InteractionGraph({ halfLifeDays: s.halfLifeMs / DAY_MS, nodes: 1, edges: 1 });
    Object.assign(g, s.nodes, s.edges);
    g.n = s.n;
    g.m = s.m;
    g.latestAt = s.latestAt;
    for (const name of s.names) g.names.push(name); // not push(...): 10^5 arguments overflow the stack
    return g;
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
    if (i >= MAX_NODES) throw new RangeError('InteractionGraph: more than 2^26 nodes');
    this.growNodes(this.n);
    this.index.set(node, i);
    this.names.push(node);
    return i;
  }

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
    this.followerCount[this.id(node)] = Number.isFinite(count) && count > 0 ? count : 0;
  }

  /** Adds one interaction in O(1) amortised; self-interactions are ignored (returns null). */
  add(x: Interaction): AddResult | null {
    if (x.from === x.to) return null;
    // Own-property check: KIND_WEIGHT['constructor'] would otherwise be Object's constructor.
    if (!Object.hasOwn(KIND_WEIGHT, x.kind)) throw new TypeError(`unknown interaction kind: ${String(x.kind)}`);
    const w = KIND_WEIGHT[x.kind];
    const t = toMs(x.at); // before id(): a rejected interaction creates no nodes
    const u = this.id(x.from);
    const v = this.id(x.to);
    const slot = this.findSlot(u, v);
    let e = this.slots[slot];
    const newEdge = e < 0;
    if (e < 0) {
      e = this.m++;
      this.growEdges(this.m);
      this.edgeFrom[e] = u;
      this.edgeTo[e] = v;
      if (this.m * 2 > this.slots.length) this.rehash(this.slots.length * 2); // places e too
      else this.slots[slot] = e;
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
    this.decayAdd(v, w, t);
    if (t > this.latestAt) this.latestAt = t;
    return { from: u, to: v, edge: e, newEdge, weight: w };
  }

  /**
   * Adds weight `w` at time `t` to node v's decayed accumulator, kept valid at the newest time
   * seen: each update is O(1) and exact, whatever order interactions arrive in.
   */
  private decayAdd(v: number, w: number, t: number): void {
    const mass = this.recentMass[v];
    const at = this.recentAt[v];
    if (mass === 0) { this.recentMass[v] = w; this.recentAt[v] = t; }
    else if (t >= at) { this.recentMass[v] = mass * 2 ** (-(t - at) / this.halfLifeMs) + w; this.recentAt[v] = t; }
    else this.recentMass[v] = mass + w * 2 ** (-(at - t) / this.halfLifeMs);
  }

  /** The edge index of u→v, if the pair exists. */
  edgeOf(u: number, v: number): number | undefined {
    const e = this.slots[this.findSlot(u, v)];
    return e < 0 ? undefined : e;
  }

  /** The slot holding u→v, or the empty slot where it would go. */
  private findSlot(u: number, v: number): number {
    const mask = this.slotMask;
    let i = pairHash(u, v) & mask;
    for (;;) {
      const e = this.slots[i];
      if (e < 0 || (this.edgeFrom[e] === u && this.edgeTo[e] === v)) return i;
      i = (i + 1) & mask;
    }
  }

  /** Rebuilds the edge table with `size` slots (a power of two, load kept ≤ 1/2). */
  private rehash(size: number): void {
    this.slots = new Int32Array(size).fill(-1);
    this.slotMask = size - 1;
    for (let e = 0; e < this.m; e++) {
      let i = pairHash(this.edgeFrom[e], this.edgeTo[e]) & this.slotMask;
      while (this.slots[i] >= 0) i = (i + 1) & this.slotMask;
      this.slots[i] = e;
    }
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
