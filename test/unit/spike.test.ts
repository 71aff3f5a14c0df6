/** The negative-spike detector on crafted minute series: incidents caught, quiet days left quiet. */
import { expect } from 'chai';
import { binomialSurprise, negativeCountSurprise, poissonSurprise, SpikeDetector, type SpikeSignal } from '../../search/alerts/spike';
import { rng } from '../../search/train/sentiment-data';

const DAY = 1_440;

/** A Poisson draw (Knuth; rates here are small). */
function poisson(rand: () => number, lambda: number): number {
  const l = Math.exp(-lambda);
  let k = 0;
  let p = 1;
  do {
    k++;
    p *= rand();
  } while (p > l);
  return k - 1;
}

/** A series with a daily rhythm: volume peaks in the evening (×4), 15 % of it negative. */
function community(days: number, seed: number, perMinute = 6, overlay: (minute: number) => { total?: number; negative?: number } = () => ({})) {
  const rand = rng(seed);
  const out: { minute: number; total: number; negative: number }[] = [];
  for (let minute = 0; minute < days * DAY; minute++) {
    const hour = (minute % DAY) / 60;
    const rhythm = 1 + 1.5 * (1 + Math.sin(((hour - 14) / 24) * 2 * Math.PI)); // 1 … 4, peak at 20:00
    const total = poisson(rand, perMinute * rhythm);
    const negative = Math.min(total, poisson(rand, perMinute * rhythm * 0.15));
    const extra = overlay(minute);
    out.push({ minute, total: total + (extra.total ?? 0), negative: negative + (extra.negative ?? 0) });
  }
  return out;
}

function run(series: { minute: number; total: number; negative: number }[]): SpikeSignal[] {
  const d = new SpikeDetector();
  return series.map((m) => d.observe(m)).filter((s): s is SpikeSignal => s !== null);
}

describe('negative spike detector', () => {
  it('stays quiet through three normal days with a strong daily rhythm', () => {
    expect(run(community(3, 1))).to.deep.equal([]);
    expect(run(community(3, 2, 20))).to.deep.equal([]);
  });

  it('ignores one noisy minute: persistence needs two of three', () => {
    const start = 2 * DAY + 600;
    expect(run(community(3, 3, 6, (m) => (m === start ? { total: 25, negative: 25 } : {})))).to.deep.equal([]);
  });

  it('ignores a low-volume chapter’s handful of complaints', () => {
    const start = DAY + 300;
    expect(run(community(2, 4, 0.3, (m) => (m >= start && m < start + 5 ? { total: 2, negative: 2 } : {})))).to.deep.equal([]);
  });

  it('ignores a calm announcement that brings volume but the usual mix', () => {
    const start = DAY + 500;
    const series = community(2, 5, 6, (m) => (m >= start && m < start + 30 ? { total: 60, negative: 9 } : {}));
    expect(run(series)).to.deep.equal([]);
  });

  it('catches a sudden incident within three minutes', () => {
    const start = 2 * DAY + 600;
    const signals = run(community(3, 6, 6, (m) => (m >= start && m < start + 20 ? { total: 25, negative: 25 } : {})));
    expect(signals).to.have.length(1);
    expect(signals[0].minute - start).to.be.within(1, 3);
    expect(signals[0].shape).to.equal('sudden');
    expect(signals[0].z).to.be.above(4);
    expect(signals[0].share).to.be.above(signals[0].baselineShare);
  });

  it('catches a slow build that no single minute gives away', () => {
    const start = 2 * DAY + 600;
    // +1 negative a minute every 5 minutes, for an hour.
    const signals = run(community(3, 7, 6, (m) => (m >= start && m < start + 60 ? { total: Math.floor((m - start) / 5), negative: Math.floor((m - start) / 5) } : {})));
    expect(signals.length).to.be.at.least(1);
    expect(signals[0].minute - start).to.be.below(60);
  });

  it('fires once per incident, not every minute (cooldown)', () => {
    const start = 2 * DAY + 600;
    const signals = run(community(3, 8, 6, (m) => (m >= start && m < start + 25 ? { total: 30, negative: 30 } : {})));
    expect(signals).to.have.length(1);
  });

  it('catches negatives ×5 in a mid-size chapter (about 2 negatives a minute) within three minutes', () => {
    const start = 2 * DAY + 20 * 60; // the evening peak: 3 × 4 posts a minute, 1.8 of them negative
    const signals = run(community(3, 9, 3, (m) => (m >= start && m < start + 30 ? { total: 7, negative: 7 } : {})));
    expect(signals).to.have.length(1);
    expect(signals[0].minute - start).to.be.within(1, 3);
  });

  it('does not let one very noisy minute hold the slow window over the threshold', () => {
    const start = 2 * DAY + 600;
    expect(run(community(3, 10, 6, (m) => (m === start ? { total: 80, negative: 80 } : {})))).to.deep.equal([]);
  });

  it('raises one alert for a long incident, not one per cooldown', () => {
    const start = 2 * DAY + 600;
    const signals = run(community(3, 11, 6, (m) => (m >= start && m < start + 90 ? { total: 30, negative: 30 } : {})));
    expect(signals).to.have.length(1);
  });

  it('catches +4 negatives a minute in a chapter of under one post a minute within three minutes', () => {
    const start = 2 * DAY + 600;
    const signals = run(community(3, 12, 0.3, (m) => (m >= start && m < start + 30 ? { total: 4, negative: 4 } : {})));
    expect(signals).to.have.length(1);
    expect(signals[0].minute - start).to.be.within(1, 3);
    expect(signals[0].countSurprise).to.be.at.least(5);
  });

  it('catches a share-only rise (volume flat, share +30 points) in a 35-posts-a-minute chapter within three minutes', () => {
    const start = 2 * DAY + 600; // 10:00: about 36 posts a minute, 15 % negative
    // Eleven of the usual posts a minute turn negative: the total does not move.
    const signals = run(community(3, 13, 30, (m) => (m >= start && m < start + 40 ? { negative: 11 } : {})));
    expect(signals).to.have.length(1);
    expect(signals[0].minute - start).to.be.within(1, 3);
    expect(signals[0].shareSurprise).to.be.at.least(5);
  });

  it('ignores a small chapter’s vents of 2–3 negatives for one or two minutes, every day', () => {
    const vents = (m: number) => {
      const k = m % DAY;
      if (k === 600 || k === 601) return { total: 3, negative: 3 }; // two minutes of 3
      if (k === 1_200) return { total: 2, negative: 2 };
      return {};
    };
    expect(run(community(4, 14, 0.3, vents))).to.deep.equal([]);
    expect(run(community(4, 15, 2, vents))).to.deep.equal([]);
  });

  it('ignores one minute of 6 negatives in a chapter of under one post a minute', () => {
    const start = 2 * DAY + 600;
    expect(run(community(3, 16, 0.3, (m) => (m === start ? { total: 6, negative: 6 } : {})))).to.deep.equal([]);
  });

  it('stays quiet on a grumpier day: the share up by a third all day, volume as usual', () => {
    expect(run(community(3, 17, 6, (m) => (m >= 2 * DAY && m % 3 === 0 ? { negative: 1 } : {})))).to.deep.equal([]);
  });

  it('computes exact tail probabilities', () => {
    // P(Poisson(0.1) ≥ 4) = 1 − e^−0.1 (1 + 0.1 + 0.005 + 0.000167) ≈ 3.84e-6
    expect(poissonSurprise(4, 0.1)).to.be.closeTo(-Math.log10(3.84e-6), 0.01);
    // P(Binomial(10, 0.5) ≥ 9) = 11 / 1024
    expect(binomialSurprise(9, 10, 0.5)).to.be.closeTo(-Math.log10(11 / 1024), 1e-9);
    expect(binomialSurprise(3, 10, 0.5)).to.equal(0);
    expect(poissonSurprise(1, 2)).to.equal(0);
    // Negative binomial with size 1 (c = 1) is geometric: P(X ≥ k) = (mu / (mu + 1))^k
    expect(negativeCountSurprise(5, 2, 1)).to.be.closeTo(-Math.log10((2 / 3) ** 5), 1e-9);
    expect(negativeCountSurprise(4, 0.1, 0)).to.equal(poissonSurprise(4, 0.1));
    expect(negativeCountSurprise(80, 50, 0.05), 'overdispersed: less surprising').to.be.below(poissonSurprise(80, 50));
  });
});
