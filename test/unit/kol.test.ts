import { expect } from 'chai';
import { InteractionGraph, buildCsr, type Interaction } from '../../search/kol/graph';
import { coreNumbers, undirectedCsr, weightedPageRank } from '../../search/kol/centrality';
import { flagKols, scoreAll, type KolScore } from '../../search/kol/score';
import { IncrementalKol } from '../../search/kol/incremental';
import { KOL_REASON_EN, renderReason } from '../../search/kol/reasons';
import { baselineRanking, generateCommunity, loadCommunity, precisionAtK } from '../../bench/support/community';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 1);
const like = (from: string, to: string, ref?: string, at = NOW): Interaction => ({ from, to, kind: 'like', at, ref });
const reply = (from: string, to: string, ref?: string, at = NOW): Interaction => ({ from, to, kind: 'reply', at, ref });

function graphOf(xs: Interaction[]): InteractionGraph {
  const g = new InteractionGraph();
  for (const x of xs) g.add(x);
  return g;
}
const prOf = (g: InteractionGraph, node: string, rank: Float64Array) => rank[g.lookup(node)!];

describe('kol: weighted PageRank', () => {
  it('matches the hand-solved values of the classic three-node graph (unweighted)', () => {
    const g = graphOf([like('A', 'B'), like('A', 'C'), like('B', 'C'), like('C', 'A')]);
    const { rank } = weightedPageRank(g, buildCsr(g, 'in'), { tolerance: 1e-12 });
    expect(prOf(g, 'A', rank)).to.be.closeTo(0.38779, 1e-4);
    expect(prOf(g, 'B', rank)).to.be.closeTo(0.21481, 1e-4);
    expect(prOf(g, 'C', rank)).to.be.closeTo(0.39740, 1e-4);
  });

  it('splits rank by edge weight (a reply weighs three likes)', () => {
    const g = graphOf([reply('A', 'B'), like('A', 'C'), like('B', 'C'), like('C', 'A')]);
    const { rank } = weightedPageRank(g, buildCsr(g, 'in'), { tolerance: 1e-12 });
    expect(prOf(g, 'A', rank)).to.be.closeTo(0.358505, 1e-4);
    expect(prOf(g, 'B', rank)).to.be.closeTo(0.278547, 1e-4);
    expect(prOf(g, 'C', rank)).to.be.closeTo(0.362948, 1e-4);
  });

  it('spreads dangling mass evenly, so ranks still sum to 1', () => {
    const g = graphOf([like('A', 'B')]);
    const { rank } = weightedPageRank(g, buildCsr(g, 'in'), { tolerance: 1e-12 });
    expect(prOf(g, 'A', rank)).to.be.closeTo(0.350877, 1e-4);
    expect(prOf(g, 'B', rank)).to.be.closeTo(0.649123, 1e-4);
    expect(rank.reduce((s, x) => s + x, 0)).to.be.closeTo(1, 1e-9);
  });
});

describe('kol: k-core', () => {
  it('finds the core numbers of a clique with a tail, counting a mutual pair once', () => {
    const clique = ['a', 'b', 'c', 'd'];
    const xs: Interaction[] = [];
    for (const u of clique) for (const v of clique) if (u !== v) xs.push(like(u, v)); // both directions
    xs.push(like('e', 'a'), like('b', 'e'), like('f', 'e'));
    const g = graphOf(xs);
    g.authored('g', NOW, 'post:1'); // a node with no interactions
    const core = coreNumbers(undirectedCsr(g, buildCsr(g, 'in'), buildCsr(g, 'out')));
    const of = (n: string) => core[g.lookup(n)!];
    expect(clique.map(of)).to.deep.equal([3, 3, 3, 3]);
    expect([of('e'), of('f'), of('g')]).to.deep.equal([2, 1, 0]);
  });
});

describe('kol: graph', () => {
  it('merges repeated interactions into one weighted edge and counts distinct engagers', () => {
    const g = graphOf([like('user:b', 'user:a'), like('user:b', 'user:a'), reply('user:b', 'user:a'), like('user:c', 'user:a')]);
    const a = g.lookup('user:a')!;
    expect(g.edgeCount).to.equal(2);
    expect(g.inDegree[a]).to.equal(2);
    expect(g.edgeWeight[g.edgeOf(g.lookup('user:b')!, a)!]).to.equal(5);
    expect(g.edgeActions[g.edgeOf(g.lookup('user:b')!, a)!]).to.equal(3);
    expect(scoreAll(g, { now: NOW }).get('user:a')!.reasons[0]).to.match(/^engaged by 2 distinct accounts/);
  });

  it('ignores self-interactions', () => {
    const g = new InteractionGraph();
    expect(g.add(reply('user:a', 'user:a', 'post:1'))).to.equal(null);
    expect(g.edgeCount).to.equal(0);
    expect(scoreAll(g, { now: NOW }).size).to.equal(0);
  });

  it('rejects an unknown kind and an invalid time instead of corrupting the sums', () => {
    const g = new InteractionGraph();
    for (const kind of ['share', 'constructor', '__proto__', 'toString']) {
      expect(() => g.add({ from: 'user:a', to: 'user:b', kind: kind as never, at: NOW })).to.throw(TypeError);
    }
    expect(() => g.add({ from: 'user:a', to: 'user:b', kind: 'like', at: new Date('nope') })).to.throw(RangeError);
    expect(g.nodeCount).to.equal(0);
    g.followers('weibo:x', Number.NaN);
    expect(g.followerCount[g.lookup('weibo:x')!]).to.equal(0);
  });

  it('treats "__proto__", "constructor" and friends as ordinary node ids', () => {
    const tricky = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'user:__proto__', 'weibo:constructor'];
    const g = new InteractionGraph();
    for (const n of tricky) for (const m of tricky) if (n !== m) g.add(like(n, m, `post:${n}`));
    g.followers('weibo:constructor', 1234);
    g.authored('__proto__', NOW, 'post:x');
    const scores = scoreAll(g, { now: NOW });
    expect(g.nodeCount).to.equal(tricky.length);
    for (const n of tricky) {
      expect(scores.get(n)?.node).to.equal(n);
      expect(Number.isFinite(scores.get(n)!.score)).to.equal(true);
      expect(g.inDegree[g.lookup(n)!]).to.equal(tricky.length - 1);
    }
    expect(g.followerCount[g.lookup('weibo:constructor')!]).to.equal(1234);
    expect(g.posts[g.lookup('__proto__')!]).to.equal(1);
    expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
    expect(Object.getPrototypeOf({})).to.equal(Object.prototype);
  });
});

describe('kol: scores explain themselves', () => {
  const xs: Interaction[] = [];
  for (let i = 0; i < 30; i++) xs.push(like(`user:f${i}`, 'user:star', `post:like${i}`), reply(`user:f${i}`, `user:f${(i + 1) % 30}`));
  xs.push(reply('user:f3', 'user:star', 'post:strongest'), reply('user:f3', 'user:star', 'post:strongest'));
  const scores = scoreAll(graphOf(xs), { now: NOW });

  it('every score has parts in 0..1, a 0–100 score, a rank and reasons', () => {
    const ranks = new Set<number>();
    for (const s of scores.values()) {
      for (const v of Object.values(s.parts)) expect(v).to.be.within(0, 1);
      expect(s.score).to.be.within(0, 100);
      expect(s.reasons.length).to.be.greaterThan(0);
      ranks.add(s.rank);
    }
    expect(ranks.size).to.equal(scores.size);
    expect(scores.get('user:star')!.rank).to.equal(1);
  });

  it('names the strongest interactions as evidence', () => {
    const star = scores.get('user:star')!;
    expect(star.evidence[0]).to.equal('post:strongest');
    expect(star.evidence.length).to.equal(3);
    expect(star.reasons.join(' ')).to.contain('engaged by 30 distinct accounts').and.to.contain('k-core');
  });

  it('gives each reason as an i18n key with variables, rendering to the English text', () => {
    const star = scores.get('user:star')!;
    expect(star.explanation[0]).to.deep.include({ key: 'kol.reason.engagers' });
    expect(star.explanation[0].vars.count).to.equal(30);
    for (const s of scores.values()) {
      expect(s.explanation.map((r) => renderReason(r))).to.deep.equal(s.reasons);
      for (const r of s.explanation) expect(Object.hasOwn(KOL_REASON_EN, r.key)).to.equal(true);
    }
  });

  it('fades an account whose engagement is old (recency)', () => {
    const ys: Interaction[] = [];
    for (let i = 0; i < 20; i++) {
      ys.push(like(`user:x${i}`, 'user:fresh', undefined, NOW - DAY), like(`user:x${i}`, 'user:stale', undefined, NOW - 120 * DAY));
    }
    const s = scoreAll(graphOf(ys), { now: NOW });
    expect(s.get('user:stale')!.parts.recency).to.be.lessThan(s.get('user:fresh')!.parts.recency);
    expect(s.get('user:stale')!.score).to.be.lessThan(s.get('user:fresh')!.score);
    expect(s.get('user:stale')!.reasons.join(' ')).to.contain("of the community's pace");
  });
});

describe('kol: incremental updates', () => {
  it('changes the touched node at once, using the last recompute for the global parts', () => {
    const kol = new IncrementalKol();
    for (let i = 0; i < 40; i++) {
      kol.add(like(`user:m${i}`, `user:m${(i + 1) % 40}`, `post:${i}`));
      kol.add(like(`user:m${i}`, 'user:rising', `post:r${i % 3}`, NOW - 10 * DAY));
    }
    kol.recompute(NOW);
    const before = kol.scores().get('user:quiet');
    expect(before).to.equal(undefined);
    kol.add(reply('user:m0', 'user:quiet', 'post:q0'));
    const first = kol.score('user:quiet')!;
    for (let i = 1; i < 30; i++) kol.add(reply(`user:m${i}`, 'user:quiet', `post:q${i}`));
    const after = kol.score('user:quiet')!;
    expect(after.score).to.be.greaterThan(first.score);
    expect(after.rank).to.be.lessThan(first.rank);
    expect(after.parts.engagers).to.be.greaterThan(first.parts.engagers);
    expect(after.evidence[0]).to.equal('post:q29');
    expect(after.reasons.join(' ')).to.contain('engaged by 30 distinct accounts').and.to.contain('new since the last full recompute');
    // the recompute agrees on the direction and fills in the global parts
    kol.recompute(NOW);
    const full = kol.scores().get('user:quiet')!;
    expect(kol.top(3).map((x) => x.node)).to.deep.equal([...kol.scores().keys()].slice(0, 3));
    expect(full.parts.centrality).to.be.greaterThan(0);
    expect(full.score).to.be.greaterThan(first.score);
  });

  it('agrees with the full recompute right after one', () => {
    const community = generateCommunity({ seed: 3, members: 300, interactions: 3000, influencers: 5, spammers: 3, rings: 1, ringSize: 6, externals: 20, bought: 2 });
    const kol = new IncrementalKol();
    loadCommunity(community, kol);
    kol.recompute(community.now);
    for (const full of [...kol.scores().values()].slice(0, 40)) {
      const live = kol.score(full.node, community.now)!;
      expect(live.score).to.be.closeTo(full.score, 1e-9);
      expect(live.parts).to.deep.equal(full.parts);
      expect(live.rank).to.be.at.most(full.rank);
    }
  });

  it('discounts a pair that engages back and forth', () => {
    const kol = new IncrementalKol();
    kol.add(like('user:a', 'user:b'));
    kol.recompute(NOW);
    const oneWay = kol.score('user:b')!;
    kol.add(like('user:b', 'user:a'));
    expect(kol.score('user:b')!.reasons.join(' ')).to.contain('1 of them are engaged back');
    expect(kol.score('user:b')!.parts.engagers).to.be.lessThan(oneWay.parts.engagers);
    expect(kol.score('user:a')!.parts.engagers).to.be.lessThan(oneWay.parts.engagers);
  });
});

describe('kol: a seeded synthetic community (2,000 members, 30,000 interactions)', () => {
  const community = generateCommunity({ seed: 9, members: 2000, interactions: 30_000 });
  const graph = loadCommunity(community, new InteractionGraph());
  const scores = scoreAll(graph, { now: community.now });
  const ours = [...scores.values()].sort((a: KolScore, b: KolScore) => a.rank - b.rank).map((s) => s.node);

  it('flags no high-volume spammer, like-ring member or bought-follower account', () => {
    const flagged = flagKols(scores, { minScore: 0, topN: 50 });
    expect(flagged.size).to.equal(50);
    for (const n of flagged) {
      expect(community.spammers.has(n), `${n} is a spammer`).to.equal(false);
      expect(community.ringMembers.has(n), `${n} is in a like-ring`).to.equal(false);
      expect(community.bought.has(n), `${n} bought followers`).to.equal(false);
    }
    const spammer = scores.get([...community.spammers][0])!;
    expect(spammer.reasons.join(' ')).to.contain('high volume');
  });

  it('finds the planted influencers (precision@10 ≥ 0.9), above the follower and post baselines', () => {
    const p10 = precisionAtK(ours, community.truth, 10);
    const byFollowers = precisionAtK(baselineRanking(graph, 'followers'), community.truth, 10);
    const byPosts = precisionAtK(baselineRanking(graph, 'posts'), community.truth, 10);
    expect(p10).to.be.at.least(0.9);
    expect(p10).to.be.greaterThan(byFollowers);
    expect(p10).to.be.greaterThan(byPosts);
  });

  it('respects minScore and topN when flagging', () => {
    expect(flagKols(scores, { minScore: 0, topN: 5 }).size).to.equal(5);
    const threshold = scores.get(ours[2])!.score;
    expect([...flagKols(scores, { minScore: threshold, topN: 50 })]).to.deep.equal(ours.slice(0, 3));
  });
});
