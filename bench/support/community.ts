/**
 * A synthetic fan community with planted truth, for evaluating KOL scoring honestly.
 *
 * Roles: planted influencers (forum members and external authors) whose content draws
 * engagement from many distinct members, with preferential attachment; ordinary members with
 * heavy-tailed (Pareto) but modest activity, who also reply back to people who engaged them;
 * high-volume spammers who post a lot and @mention/reply to random members (and get some annoyed
 * replies back); like-rings whose members like each other's posts over and over; external handles
 * with source-reported follower counts, including "bought followers" accounts (millions of
 * followers, almost no engagement). Members get forum-profile follower counts too (influencers
 * more, spammers inflated by follow-for-follow) so the follower baseline is not a strawman.
 *
 * Seeded: the same params give the same community (mulberry32, the PRNG bench/support/listening.ts
 * re-exports as `prng`; imported from its home so this file stays free of server imports).
 */
import { rng } from '../../search/train/sentiment-data';
import { InteractionGraph, type Interaction, type InteractionKind } from '../../search/kol/graph';

export interface CommunityParams {
  seed: number;
  members: number;
  interactions: number;
  /** Planted influencers in total; `externalInfluencerShare` of them are external authors. */
  influencers: number;
  externalInfluencerShare: number;
  spammers: number;
  rings: number;
  ringSize: number;
  /** External handles (besides the influencers among them); `bought` of them bought followers. */
  externals: number;
  bought: number;
  days: number;
  /**
   * Ordinary members' appeal is activity^this (× noise): busy posters draw more replies, with
   * diminishing returns. 1 makes the busiest ordinary members as attractive as weak influencers
   * (a harder, noisier truth); the bench reports both.
   */
  ordinaryAppealExponent: number;
}

export const DEFAULT_COMMUNITY: Readonly<CommunityParams> = Object.freeze({
  seed: 9, members: 2000, interactions: 30_000, influencers: 15, externalInfluencerShare: 0.3,
  spammers: 10, rings: 2, ringSize: 12, externals: 100, bought: 5, days: 90, ordinaryAppealExponent: 0.5,
});

export interface Community {
  params: CommunityParams;
  interactions: Interaction[];
  authored: { node: string; at: number; ref: string }[];
  followers: [string, number][];
  truth: Set<string>;
  spammers: Set<string>;
  ringMembers: Set<string>;
  bought: Set<string>;
  now: number;
}

const SOURCES = ['weibo', 'douyin', 'xiaohongshu', 'wechat'] as const;
const DAY = 86_400_000;
const START = Date.UTC(2026, 7, 1);

/** Samples indices in proportion to weights (cumulative sums + binary search, O(log n)). */
function sampler(weights: ArrayLike<number>, rand: () => number): () => number {
  const cum = new Float64Array(weights.length);
  let total = 0;
  for (let i = 0; i < weights.length; i++) { total += weights[i]; cum[i] = total; }
  return () => {
    const x = rand() * total;
    let lo = 0, hi = cum.length - 1;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (cum[mid] > x) hi = mid; else lo = mid + 1; }
    return lo;
  };
}

const pareto = (rand: () => number, alpha: number, cap: number) => Math.min(cap, (1 - rand()) ** (-1 / alpha));
const lognormal = (rand: () => number, median: number, sigma: number) => {
  const z = Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  return median * Math.exp(sigma * z);
};

function pickKind(rand: () => number, table: [InteractionKind, number][]): InteractionKind {
  let x = rand();
  for (const [k, p] of table) { if ((x -= p) < 0) return k; }
  return table[table.length - 1][0];
}
const MEMBER_KINDS: [InteractionKind, number][] = [['like', 0.5], ['reply', 0.28], ['quote', 0.07], ['mention', 0.15]];
const EXTERNAL_KINDS: [InteractionKind, number][] = [['quote', 0.6], ['mention', 0.4]];
const SPAM_KINDS: [InteractionKind, number][] = [['mention', 0.6], ['reply', 0.4]];
const RING_KINDS: [InteractionKind, number][] = [['like', 0.85], ['reply', 0.15]];

/** Generates a community (see the file comment); `p` overrides DEFAULT_COMMUNITY. */
export function generateCommunity(p: Partial<CommunityParams> = {}): Community {
  const params = { ...DEFAULT_COMMUNITY, ...p };
  const rand = rng(params.seed);
  const M = params.members;
  const extInf = Math.round(params.influencers * params.externalInfluencerShare);
  const memInf = params.influencers - extInf;
  const X = params.externals + extInf;
  const names: string[] = [];
  for (let i = 0; i < M; i++) names.push(`user:${i + 1}`);
  for (let j = 0; j < X; j++) names.push(`${SOURCES[j % SOURCES.length]}:h${j + 1}`);
  const N = M + X;
  // Roles: a shuffled permutation of members, then of externals, so roles are not id-ordered.
  const perm = (n: number, offset: number) => {
    const a = Array.from({ length: n }, (_, i) => i + offset);
    for (let i = n - 1; i > 0; i--) { const j = Math.floor(rand() * (i + 1)); [a[i], a[j]] = [a[j], a[i]]; }
    return a;
  };
  const mp = perm(M, 0);
  const xp = perm(X, M);
  const influencer = [...mp.slice(0, memInf), ...xp.slice(0, extInf)];
  const spammer = mp.slice(memInf, memInf + params.spammers);
  const rings: number[][] = [];
  let at = memInf + params.spammers;
  for (let r = 0; r < params.rings; r++, at += params.ringSize) rings.push(mp.slice(at, at + params.ringSize));
  const bought = xp.slice(extInf, extInf + params.bought);
  const role = new Uint8Array(N); // 0 ordinary, 1 influencer, 2 spammer, 3 ring, 4 bought
  influencer.forEach((i) => (role[i] = 1));
  spammer.forEach((i) => (role[i] = 2));
  rings.flat().forEach((i) => (role[i] = 3));
  bought.forEach((i) => (role[i] = 4));
  const ringOf = new Int32Array(N).fill(-1);
  rings.forEach((ring, r) => ring.forEach((i) => (ringOf[i] = r)));

  // Activity (how much an account engages) and appeal (how much its content attracts).
  const activity = new Float64Array(N);
  const appeal = new Float64Array(N);
  const posts = new Uint32Array(N);
  const followers = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    const member = i < M;
    activity[i] = member && role[i] !== 2 ? pareto(rand, 1.8, 300) : 0;
    switch (role[i]) {
      case 1: appeal[i] = 40 * pareto(rand, 1.2, 25); posts[i] = 15 + Math.floor(rand() * 40); followers[i] = member ? lognormal(rand, 800, 1) : lognormal(rand, 300_000, 1); break;
      case 2: appeal[i] = 0.3; posts[i] = 300 + Math.floor(rand() * 500); followers[i] = 1000 + rand() * 9000; break;
      case 3: appeal[i] = activity[i] ** params.ordinaryAppealExponent; posts[i] = 40 + Math.floor(rand() * 40); followers[i] = lognormal(rand, 600, 0.7); break;
      case 4: appeal[i] = 0.2; posts[i] = 100 + Math.floor(rand() * 200); followers[i] = 2e6 + rand() * 1.8e7; break;
      default:
        appeal[i] = member ? activity[i] ** params.ordinaryAppealExponent * lognormal(rand, 1, 0.5) : 0.5;
        posts[i] = Math.round((member ? activity[i] * 0.6 : 5 + rand() * 40) * lognormal(rand, 1, 0.4));
        followers[i] = member ? lognormal(rand, 10 * Math.sqrt(activity[i]), 1.2) : lognormal(rand, 2000, 1.5);
    }
    followers[i] = Math.round(followers[i]);
  }
  const memberSource = sampler(activity, rand);
  const infTarget = sampler(influencer.map((i) => appeal[i]), rand);
  const ordinaryWeights = Float64Array.from(appeal, (a, i) => (role[i] === 1 ? 0 : a));
  const ordinaryTarget = sampler(ordinaryWeights, rand);
  const externalSource = sampler(Float64Array.from({ length: X }, (_, j) => (role[M + j] === 0 ? 1 : 0)), rand);

  const out: Interaction[] = new Array(params.interactions);
  const pastInf = new Int32Array(params.interactions);
  let pastInfN = 0;
  const pastAny = new Int32Array(params.interactions * 2); // (from, to) pairs for reply-backs
  let pastAnyN = 0;
  const span = params.days * DAY;
  const refOf = (t: number) => `post:${t + 1}.${Math.floor(rand() * Math.max(1, posts[t]))}`;
  for (let k = 0; k < params.interactions; k++) {
    const time = START + Math.floor(((k + rand()) / params.interactions) * span);
    const x = rand();
    let from: number, to: number, kind: InteractionKind;
    if (x < 0.06 && spammer.length) {
      from = spammer[Math.floor(rand() * spammer.length)];
      to = rand() < 0.1 ? spammer[Math.floor(rand() * spammer.length)] : Math.floor(rand() * M);
      kind = pickKind(rand, SPAM_KINDS);
    } else if (x < 0.10 && rings.length) {
      const ring = rings[Math.floor(rand() * rings.length)];
      from = ring[Math.floor(rand() * ring.length)];
      to = ring[Math.floor(rand() * ring.length)];
      kind = pickKind(rand, RING_KINDS);
    } else if (x < 0.22 && pastAnyN > 0) {
      // reply back: someone who was engaged answers the engager (friends, fans, annoyed members)
      const j = Math.floor(rand() * pastAnyN);
      from = pastAny[2 * j + 1];
      to = pastAny[2 * j];
      kind = from < M ? 'reply' : 'mention';
    } else {
      from = rand() < 0.04 ? M + externalSource() : memberSource();
      if (rand() < 0.3) {
        to = pastInfN > 0 && rand() < 0.5 ? pastInf[Math.floor(rand() * pastInfN)] : influencer[infTarget()];
        pastInf[pastInfN++] = to;
      } else {
        to = ordinaryTarget();
      }
      kind = pickKind(rand, to >= M || from >= M ? EXTERNAL_KINDS : MEMBER_KINDS);
    }
    pastAny[2 * pastAnyN] = from;
    pastAny[2 * pastAnyN + 1] = to;
    pastAnyN++;
    out[k] = { from: names[from], to: names[to], kind, at: time, ref: refOf(to) };
  }
  const authored: Community['authored'] = [];
  for (let i = 0; i < N; i++) {
    for (let q = 0; q < posts[i]; q++) authored.push({ node: names[i], at: START + Math.floor(rand() * span), ref: `post:${i + 1}.${q}` });
  }
  const nameSet = (xs: number[]) => new Set(xs.map((i) => names[i]));
  return {
    params,
    interactions: out,
    authored,
    followers: names.map((n, i) => [n, followers[i]] as [string, number]),
    truth: nameSet(influencer),
    spammers: nameSet(spammer),
    ringMembers: nameSet(rings.flat()),
    bought: nameSet(bought),
    now: START + span,
  };
}

/** Anything with the graph's three input methods: an InteractionGraph or an IncrementalKol. */
export interface CommunitySink {
  add(x: Interaction): unknown;
  authored(node: string, at: number, ref?: string): void;
  followers(node: string, count: number): void;
}

/** Feeds a community into a graph (or a scorer with the same three methods) and returns it. */
export function loadCommunity<T extends CommunitySink>(c: Community, into: T): T {
  for (const [node, n] of c.followers) into.followers(node, n);
  for (const a of c.authored) into.authored(a.node, a.at, a.ref);
  for (const x of c.interactions) into.add(x);
  return into;
}

/** Fraction of the first k of `ranking` that are in `truth`. */
export function precisionAtK(ranking: readonly string[], truth: ReadonlySet<string>, k: number): number {
  let hits = 0;
  for (let r = 0; r < Math.min(k, ranking.length); r++) if (truth.has(ranking[r])) hits++;
  return hits / k;
}

/** Baseline rankings: by follower count or by post count (ties: graph insertion order). */
export function baselineRanking(g: InteractionGraph, by: 'followers' | 'posts'): string[] {
  const col = by === 'followers' ? g.followerCount : g.posts;
  return Array.from({ length: g.nodeCount }, (_, i) => i).sort((a, b) => col[b] - col[a] || a - b).map((i) => g.names[i]);
}

/** How many of the first k of `ranking` are in `set`. */
export function countInTop(ranking: readonly string[], set: ReadonlySet<string>, k: number): number {
  let c = 0;
  for (let r = 0; r < Math.min(k, ranking.length); r++) if (set.has(ranking[r])) c++;
  return c;
}
