/**
 * KOL quality across seeds on small communities (the unit test checks one seed; this shows the
 * spread): precision@10 for ours and both baselines, and the best rank any spammer, like-ring
 * member or bought-follower account reached, per seed, for each ordinary-appeal exponent.
 *
 *   node --import tsx bench/kol-seeds.bench.ts [--seeds 10] [--members 2000] [--interactions 30000]
 *
 * Quality only (no timings), so it is not sensitive to a busy machine. About 10 s.
 */
import { figure } from './support/headline';
import { machine } from './support/machine';
import { baselineRanking, generateCommunity, loadCommunity, precisionAtK } from './support/community';
import { InteractionGraph } from '../search/kol/graph';
import { scoreAll } from '../search/kol/score';

const num = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : NaN;
  return Number.isFinite(v) ? v : fallback;
};
// --quick: 3 seeds instead of 10.
const seeds = num('seeds', process.argv.includes('--quick') ? 3 : 10);
const members = num('members', 2000);
const interactions = num('interactions', 30_000);
const mean = (xs: number[]) => Number((xs.reduce((s, x) => s + x, 0) / xs.length).toFixed(3));

/** One seed: precision@10 of the three rankings and the best rank of each adversarial group. */
function evaluate(seed: number, ordinaryAppealExponent: number) {
  const c = generateCommunity({ seed, members, interactions, ordinaryAppealExponent });
  const g = loadCommunity(c, new InteractionGraph());
  const scores = scoreAll(g, { now: c.now });
  const ours = [...scores.keys()];
  const best = (set: Set<string>) => Math.min(...[...set].map((n) => scores.get(n)?.rank ?? Infinity));
  return {
    seed,
    ours: precisionAtK(ours, c.truth, 10),
    followers: precisionAtK(baselineRanking(g, 'followers'), c.truth, 10),
    posts: precisionAtK(baselineRanking(g, 'posts'), c.truth, 10),
    planted: c.truth.size,
    bestRank: { spammer: best(c.spammers), ringMember: best(c.ringMembers), bought: best(c.bought) },
  };
}

const runs = [0.5, 1].map((exponent) => {
  const perSeed = Array.from({ length: seeds }, (_, k) => evaluate(k + 1, exponent));
  return {
    ordinaryAppealExponent: exponent,
    meanPrecisionAt10: { ours: mean(perSeed.map((r) => r.ours)), followers: mean(perSeed.map((r) => r.followers)), posts: mean(perSeed.map((r) => r.posts)) },
    minPrecisionAt10: Math.min(...perSeed.map((r) => r.ours)),
    bestAdversarialRank: Math.min(...perSeed.flatMap((r) => [r.bestRank.spammer, r.bestRank.ringMember, r.bestRank.bought])),
    perSeed,
  };
});
const headline = runs.map((r) => figure(`mean precision@10, appeal exponent ${r.ordinaryAppealExponent}`, r.meanPrecisionAt10.ours, '', true, {
  params: { seeds, members, interactions },
  reference: { what: 'follower-count ranking', value: r.meanPrecisionAt10.followers },
}));
console.log(JSON.stringify({ benchmark: 'kol-seeds', headline, params: { seeds, members, interactions }, machine: machine(), results: runs }, null, 2));
