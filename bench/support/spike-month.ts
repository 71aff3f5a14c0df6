/**
 * A seeded synthetic month of minute buckets for the spike benchmark: six city chapters with a
 * daily rhythm, weekends, growth, Poisson noise with bursty conversations, a drifting negative
 * share, nuisances that must not page anyone, and planted incidents of several shapes. Every
 * expected rate is known, so the benchmark can say when an incident became visible.
 */
import { rng } from '../../search/train/sentiment-data';

export const DAY = 1_440;

export interface ChapterSpec {
  id: string;
  /** Expected posts a minute at the weekday evening peak, at the start of the month. */
  peakPerMin: number;
  /** The chapter's usual negative share (drifts from day to day around this). */
  share: number;
  /** Relative growth of volume over the month (0.6 = +60 % by the last day). */
  growth: number;
}

export const CHAPTERS: readonly ChapterSpec[] = [
  { id: 'shanghai', peakPerMin: 40, share: 0.12, growth: 0.1 },
  { id: 'beijing', peakPerMin: 25, share: 0.16, growth: 0.05 },
  { id: 'shenzhen', peakPerMin: 12, share: 0.14, growth: 0.6 },
  { id: 'chengdu', peakPerMin: 5, share: 0.18, growth: 0.1 },
  { id: 'hangzhou', peakPerMin: 2, share: 0.15, growth: 0 },
  { id: 'xian', peakPerMin: 0.6, share: 0.2, growth: 0 },
];

// Share of the peak by hour (weekday: quiet night, lunch bump, evening peak at 21:00; weekend:
// later mornings, busy afternoons).
const WEEKDAY = [0.35, 0.2, 0.1, 0.06, 0.05, 0.06, 0.12, 0.3, 0.5, 0.55, 0.55, 0.6, 0.7, 0.6, 0.55, 0.55, 0.6, 0.65, 0.75, 0.85, 0.95, 1, 0.85, 0.6];
const WEEKEND = [0.5, 0.35, 0.2, 0.1, 0.06, 0.05, 0.06, 0.12, 0.25, 0.45, 0.65, 0.75, 0.8, 0.85, 0.85, 0.85, 0.85, 0.85, 0.9, 0.95, 1, 1, 0.9, 0.7].map((x) => x * 1.15);

export type IncidentShape = 'sudden' | 'national' | 'ramp' | 'small-chapter' | 'share-only';

export interface Incident {
  id: number;
  shape: IncidentShape;
  series: string[];
  start: number;
  /** First minute after the incident. */
  end: number;
  /** For ramps: minutes from 0 to the full rise. */
  rampMinutes?: number;
  /** The first minute the expected negatives reach 2× the normal rate (ramps; the start otherwise). */
  twiceBaseline: number;
  description: string;
}

export interface Nuisance {
  kind: 'noisy-minute' | 'launch' | 'low-volume-burst';
  series: string[];
  start: number;
  end: number;
  description: string;
}

export interface Month {
  days: number;
  seed: number;
  /** series id → minute counts, index = minute of the month. */
  series: Map<string, { total: Int32Array; negative: Int32Array }>;
  /** series id → expected negatives a minute without incidents (the truth the detector estimates). */
  normalNegative: Map<string, Float32Array>;
  incidents: Incident[];
  nuisances: Nuisance[];
  launchDay: number;
}

function poisson(rand: () => number, lambda: number): number {
  if (lambda <= 0) return 0;
  if (lambda > 30) {
    // Normal approximation (Box-Muller) is close enough above 30.
    const z = Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
    return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * z));
  }
  const l = Math.exp(-lambda);
  let k = 0;
  let p = 1;
  do {
    k++;
    p *= rand();
  } while (p > l);
  return k - 1;
}

function binomial(rand: () => number, n: number, p: number): number {
  let k = 0;
  for (let i = 0; i < n; i++) if (rand() < p) k++;
  return k;
}

function gauss(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

/** The share of the chapter's peak expected at this minute of the month (rhythm × weekday). */
export function rhythm(minute: number): number {
  const day = Math.floor(minute / DAY);
  const table = day % 7 >= 5 ? WEEKEND : WEEKDAY; // day 0 is a Monday
  const h = (minute % DAY) / 60 - 0.5; // hourly values sit at the middle of each hour
  const i = Math.floor(h);
  const f = h - i;
  const a = table[(i + 24) % 24];
  const b = table[(i + 1) % 24];
  return a + (b - a) * f;
}

/** Builds the month. Incidents and nuisances are placed from the seed; shapes and counts are fixed. */
export function generateMonth(days: number, seed: number): Month {
  const rand = rng(seed);
  const minutes = days * DAY;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const between = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));

  // Days: 0 and 1 are history only; one incident-free launch day; incidents on distinct other days.
  const candidates = Array.from({ length: Math.max(0, days - 2) }, (_, i) => i + 2);
  for (let i = candidates.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [candidates[i], candidates[j]] = [candidates[j], candidates[i]];
  }
  const launchDay = candidates.length ? candidates.shift()! : -1;
  const shapes: IncidentShape[] = ['sudden', 'sudden', 'sudden', 'sudden', 'national', 'ramp', 'ramp', 'ramp', 'ramp', 'small-chapter', 'small-chapter', 'small-chapter', 'share-only', 'share-only'];
  const wanted = Math.min(candidates.length, Math.max(1, Math.round((shapes.length * days) / 30)));
  const incidentDays = candidates.slice(0, wanted);

  const normalNegative = new Map<string, Float32Array>();
  const expectedTotal = new Map<string, Float32Array>();
  const share = new Map<string, Float32Array>();
  for (const c of CHAPTERS) {
    const lam = new Float32Array(minutes);
    const sh = new Float32Array(minutes);
    const nn = new Float32Array(minutes);
    let dayFactor = 1;
    for (let d = 0; d < days; d++) {
      dayFactor = Math.min(1.4, Math.max(0.7, dayFactor * Math.exp(0.1 * gauss(rand))));
      for (let k = 0; k < DAY; k++) {
        const t = d * DAY + k;
        const hour = k / 60;
        const night = hour < 6 ? 0.03 : 0; // nights are a little grumpier
        lam[t] = c.peakPerMin * rhythm(t) * (1 + (c.growth * t) / minutes);
        sh[t] = Math.min(0.35, c.share * dayFactor + night + 0.015 * Math.sin((2 * Math.PI * (t % DAY)) / DAY));
        nn[t] = lam[t] * sh[t];
      }
    }
    expectedTotal.set(c.id, lam);
    share.set(c.id, sh);
    normalNegative.set(c.id, nn);
  }

  // Overlays: extra negative posts, extra neutral posts, and a replaced share, per series and minute.
  const extraNeg = new Map(CHAPTERS.map((c) => [c.id, new Float32Array(minutes)]));
  const volume = new Map(CHAPTERS.map((c) => [c.id, new Float32Array(minutes).fill(1)]));
  const shareRise = new Map(CHAPTERS.map((c) => [c.id, new Float32Array(minutes)]));
  const exactNeg = new Map(CHAPTERS.map((c) => [c.id, new Int32Array(minutes)]));

  const incidents: Incident[] = [];
  const big = ['shanghai', 'beijing', 'shenzhen', 'chengdu'];
  incidentDays.forEach((day, i) => {
    const shape = shapes[i % shapes.length];
    const id = incidents.length + 1;
    let start: number;
    let end: number;
    let twice: number;
    let series: string[];
    let description: string;
    let rampMinutes: number | undefined;
    if (shape === 'sudden' || shape === 'national') {
      // Negatives ×5 (at least +6 a minute: a couple of dozen angry members) for 30–60 minutes.
      series = shape === 'national' ? CHAPTERS.map((c) => c.id) : [pick(big)];
      start = day * DAY + between(0, 23) * 60 + between(0, 59);
      end = start + between(30, 60);
      twice = start;
      for (const s of series) {
        const nn = normalNegative.get(s)!;
        const x = extraNeg.get(s)!;
        for (let t = start; t < end && t < minutes; t++) x[t] += shape === 'national' ? 4 * nn[t] : Math.max(4 * nn[t], 6);
      }
      description = shape === 'national' ? 'every chapter: negatives ×5 (an app outage)' : `negatives ×5, at least +6/min, ${end - start} min`;
    } else if (shape === 'ramp') {
      // Negatives rise linearly from ×1 to ×6 (at least +10 a minute at the top) over 60–120
      // minutes, hold for 30, then stop.
      series = [pick(big.slice(0, 3))];
      rampMinutes = between(60, 120);
      start = day * DAY + between(8, 21) * 60 + between(0, 59);
      end = start + rampMinutes + 30;
      const nn = normalNegative.get(series[0])!;
      const x = extraNeg.get(series[0])!;
      twice = -1;
      for (let t = start; t < end && t < minutes; t++) {
        const f = Math.min(1, (t - start + 1) / rampMinutes);
        x[t] = Math.max(5 * f * nn[t], 10 * f);
        if (twice < 0 && x[t] >= nn[t]) twice = t;
      }
      if (twice < 0) twice = start;
      description = `negatives ramp ×1 → ×6 (at least +10/min) over ${rampMinutes} min, then 30 min`;
    } else if (shape === 'small-chapter') {
      // A local problem (a dealer, a meet-up gone wrong) in one small chapter: +3–5 negatives a minute.
      series = [pick(['hangzhou', 'xian'])];
      start = day * DAY + between(9, 22) * 60 + between(0, 59);
      end = start + between(30, 45);
      twice = start;
      const rate = 3 + 2 * rand();
      const x = extraNeg.get(series[0])!;
      for (let t = start; t < end && t < minutes; t++) x[t] += rate;
      description = `one small chapter: +${rate.toFixed(1)} negatives/min, ${end - start} min`;
    } else {
      // Volume unchanged, the negative share jumps by 0.25–0.35 for 40–60 minutes.
      series = [pick(['shanghai', 'beijing', 'shenzhen'])];
      start = day * DAY + between(10, 22) * 60 + between(0, 59);
      end = start + between(40, 60);
      twice = start;
      const rise = 0.25 + 0.1 * rand();
      const r = shareRise.get(series[0])!;
      for (let t = start; t < end && t < minutes; t++) r[t] = rise;
      description = `volume flat, negative share +${Math.round(rise * 100)} points, ${end - start} min`;
    }
    incidents.push({ id, shape, series, start, end: Math.min(end, minutes), rampMinutes, twiceBaseline: twice, description });
  });

  // Nuisances that must not page anyone.
  const nuisances: Nuisance[] = [];
  if (launchDay >= 0) {
    // A product launch: from 20:00, every chapter's volume ×3 for three hours (up over 10 minutes),
    // with the usual share of complaints.
    const start = launchDay * DAY + 20 * 60;
    const end = start + 180;
    for (const c of CHAPTERS) {
      const v = volume.get(c.id)!;
      for (let t = start; t < end && t < minutes; t++) v[t] = 1 + 2 * Math.min(1, (t - start + 1) / 10);
    }
    nuisances.push({ kind: 'launch', series: CHAPTERS.map((c) => c.id), start, end, description: 'product launch: volume ×3 for 3 h, usual negative share' });
  }
  const noisy = Math.max(1, Math.round((8 * days) / 30));
  for (let i = 0; i < noisy; i++) {
    // One minute of one member (or a bot) posting a burst of negative posts.
    const s = pick(big);
    const t = between(DAY, minutes - 1);
    const n = Math.round(Math.max(15, 5 * normalNegative.get(s)![t]));
    exactNeg.get(s)![t] += n;
    nuisances.push({ kind: 'noisy-minute', series: [s], start: t, end: t + 1, description: `${n} negative posts in one minute` });
  }
  for (const s of ['hangzhou', 'xian']) {
    // Most days a member in a small chapter vents: 2–3 negative posts in a minute, sometimes two minutes.
    for (let d = 1; d < days; d++) {
      if (rand() > 0.7) continue;
      const t = d * DAY + between(8 * 60, 23 * 60);
      const len = rand() < 0.3 ? 2 : 1;
      for (let k = 0; k < len; k++) exactNeg.get(s)![t + k] += between(2, 3);
      nuisances.push({ kind: 'low-volume-burst', series: [s], start: t, end: t + len, description: `2–3 negatives in ${len} minute(s)` });
    }
  }

  // Draw the counts: bursty Poisson volume (an AR(1) conversation factor), binomial negatives.
  const series = new Map<string, { total: Int32Array; negative: Int32Array }>();
  for (const c of CHAPTERS) {
    const total = new Int32Array(minutes);
    const negative = new Int32Array(minutes);
    const lam = expectedTotal.get(c.id)!;
    const sh = share.get(c.id)!;
    const x = extraNeg.get(c.id)!;
    const v = volume.get(c.id)!;
    const r = shareRise.get(c.id)!;
    const exact = exactNeg.get(c.id)!;
    let conv = 0;
    for (let t = 0; t < minutes; t++) {
      conv = 0.9 * conv + 0.08 * gauss(rand);
      const n = poisson(rand, lam[t] * v[t] * Math.exp(conv));
      const neg = binomial(rand, n, Math.min(0.95, sh[t] + r[t]));
      const extra = poisson(rand, x[t]) + exact[t];
      total[t] = n + extra;
      negative[t] = neg + extra;
    }
    series.set(c.id, { total, negative });
  }
  return { days, seed, series, normalNegative, incidents, nuisances, launchDay };
}
