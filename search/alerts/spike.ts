/**
 * Negative-spike detection for one series (a chapter, a source, a category or a watched term),
 * on minute buckets. Pure: the caller feeds minutes in order and gets a decision per minute.
 *
 * The statistic: exact tail probabilities of the negative count, two ways, over three windows.
 * - Baseline share p₀: today's share in the recent window (`windowMinutes` minutes ending
 *   `slowMinutes` ago, so the windows under test never feed their own baseline and a ramp cannot
 *   hide by raising it), carried to this time of day by the week's rhythm (the median, over the
 *   previous 7 days, of how the share moved from the recent window's time of day to now ± `rhythmMinutes`;
 *   used once `minRhythmDays` days are known, clamped to ×1/`maxRhythmStep` … ×`maxRhythmStep`),
 *   then shrunk towards the median share at this time on those days by a prior worth
 *   `sharePriorPosts` posts. A busy chapter trusts today (a grumpier or calmer day than last week is
 *   its own baseline); a chapter of a few posts an hour trusts its week. Shares are
 *   (negatives + ½) / (total + 1), so a series that has never had a negative is not infinitely
 *   surprised by its first.
 * - Baseline rate λ (negatives a minute): the same construction on mean negatives a minute (the
 *   rhythm step follows the evening rise and the night's fall), with a prior worth
 *   `ratePriorMinutes` minutes, never below ½ a negative per `windowMinutes`.
 * - Two tests for k negatives among n items in a window of w minutes, each as a surprise
 *   s = −log₁₀ p:
 *   - share (conditioned on volume): p = P(Binomial(n, p₀) ≥ k). Exact for this kind of data
 *     (negatives are a share of whatever volume there is), so busy minutes, quiet nights and a
 *     launch's ×3 volume with the usual mix are not surprising, and a share-only rise is;
 *   - count: p = P(X ≥ k), X with mean w·λ and variance w·λ + `countOverdispersion`·(w·λ)²
 *     (Poisson at 0, the default; negative binomial above). This is what a chapter of < 1 post a
 *     minute can give: there even ten negatives of eleven posts is only a 10⁻⁵ share event, but 4
 *     negatives a minute against 0.1 is ≈ 10⁻⁶ every minute. In a busy chapter the Poisson count is
 *     overconfident (volume swings with conversations), which is why it never decides alone.
 *   A window is over when the stronger test reaches `surprise` and the weaker one `confirmSurprise`
 *   (negatives up both for the volume and in number: a launch's volume is not a spike, nor are 3 of 4
 *   posts negative at 4 a.m.), the share is at least `minShareLift` × p₀ (an effect size, so a
 *   significant but tiny rise on a huge volume pages nobody), and k reaches the window's minimum.
 * - Three windows, because incidents have three shapes:
 *   - the minute (sudden spikes): at least `minNegative` negatives, and `persist` of the last
 *     `persistOf` minutes over, so one noisy minute pages nobody;
 *   - the last `shortMinutes` minutes (fast rises that no single minute proves: a small chapter's
 *     +3 a minute, a share jump in a mid-size chapter), with the largest minute counted as the
 *     second largest, so at least two minutes carry the rise: the window is its own persistence.
 *     At least `minShortNegative` negatives: one member venting 2–3 posts a minute for two minutes
 *     is 6;
 *   - the last `slowMinutes` minutes without their largest minute (slow builds; leaving the largest
 *     out stops one noisy minute from holding the window over for a quarter of an hour). At least
 *     3 × `minNegative` negatives.
 * - Thresholds: `surprise` for the minute (which also needs persistence) and the slow window
 *   (about 100 distinct windows a day); `shortSurprise`, one decade stricter, for the short window,
 *   which is tested afresh every minute with no further persistence.
 * - One alert per episode: after an alert the series stays silent until it has been under the
 *   thresholds for `cooldownMinutes`.
 *
 * Parameters (DEFAULT_SPIKE_PARAMS): windowMinutes 60, rhythmMinutes 30, minRhythmDays 3,
 * maxRhythmStep 2, sharePriorPosts 200, ratePriorMinutes 60, shortMinutes 3, slowMinutes 15,
 * surprise 5 (p ≤ 10⁻⁵), shortSurprise 6, confirmSurprise 3 (p ≤ 10⁻³), countOverdispersion 0,
 * minShareLift 1.3, minNegative 5, minShortNegative 8, persist 2 of persistOf 3, cooldownMinutes 30.
 *
 * Measured on a replayed synthetic month (bench/spike-month.bench.ts, seeds 1–5, bench/README.md):
 * every planted incident caught, 0.19–0.31 false alerts per quiet day, 9–10 of 14 within 3
 * minutes: every sudden one, most small-chapter and share-only ones. Ramps mostly are not, 3
 * minutes after they reach 2× normal: the extra negatives so far are then about 2 standard
 * deviations of the noise in a 1–2 negatives-a-minute chapter (3–4 in a 3–5 a minute one), so no
 * test that keeps quiet days quiet can see them yet; they are caught 5–22 minutes after 2×. A
 * +25–35-point share rise at ~10 posts a minute is ≈ 3–5σ in its first 3 minutes, and +3 a minute
 * in a small chapter gives fewer than `minShortNegative` negatives in 3 minutes about one time in three.
 * With countOverdispersion 0.05 (negative binomial) false alerts fall to ≤ 0.13 a quiet day, but only
 * 7–10 of 14 are within 3 minutes.
 */
export interface SpikeParams {
  windowMinutes: number;
  rhythmMinutes: number;
  shortMinutes: number;
  slowMinutes: number;
  sharePriorPosts: number;
  ratePriorMinutes: number;
  maxRhythmStep: number;
  minRhythmDays: number;
  countOverdispersion: number;
  surprise: number;
  shortSurprise: number;
  confirmSurprise: number;
  minShareLift: number;
  minNegative: number;
  minShortNegative: number;
  persist: number;
  persistOf: number;
  cooldownMinutes: number;
}

export const DEFAULT_SPIKE_PARAMS: Readonly<SpikeParams> = Object.freeze({
  windowMinutes: 60,
  rhythmMinutes: 30,
  shortMinutes: 3,
  slowMinutes: 15,
  sharePriorPosts: 200,
  ratePriorMinutes: 60,
  maxRhythmStep: 2,
  minRhythmDays: 3,
  countOverdispersion: 0,
  surprise: 5,
  shortSurprise: 6,
  confirmSurprise: 3,
  minShareLift: 1.3,
  minNegative: 5,
  minShortNegative: 8,
  persist: 2,
  persistOf: 3,
  cooldownMinutes: 30,
});

/** One minute of a series. */
export interface MinuteCounts {
  /** Minutes since the epoch (Math.floor(ms / 60_000)). */
  minute: number;
  total: number;
  negative: number;
}

/** Why a spike fired: the parts a moderator sees. */
export interface SpikeSignal {
  minute: number;
  /** 'sudden': the minute or the short window; 'slow': the slow window. */
  shape: 'sudden' | 'slow';
  /** Negatives in the window (as tested: short window's largest minute capped, slow window's left out). */
  observed: number;
  /** Negatives expected in the window at the baseline rate. */
  expected: number;
  /** The normal score with the same tail probability as the stronger test. */
  z: number;
  share: number;
  baselineShare: number;
  /** Minutes in the window that fired (1, `shortMinutes` or `slowMinutes` − 1). */
  windowMinutes?: number;
  /** −log₁₀ of the share test's tail probability (binomial, given the window's volume). */
  shareSurprise?: number;
  /** −log₁₀ of the count test's tail probability (Poisson at the baseline rate). */
  countSurprise?: number;
}

const DAY = 1_440;
/** Look-back kept: 7 days of rhythm plus the rhythm window and a little. */
const HISTORY = 8 * DAY;
const LN10 = Math.LN10;

/** ln k! from a table (exact sums of logs) up to its size, Stirling's series beyond. */
const LN_FACT = (() => {
  const t = new Float64Array(4_096);
  for (let i = 1; i < t.length; i++) t[i] = t[i - 1] + Math.log(i);
  return t;
})();
function lnFact(k: number): number {
  if (k < LN_FACT.length) return LN_FACT[k];
  return k * Math.log(k) - k + 0.5 * Math.log(2 * Math.PI * k) + 1 / (12 * k) - 1 / (360 * k ** 3);
}

/** −log₁₀ P(Binomial(n, p) ≥ k); 0 when k is not above the mean. */
export function binomialSurprise(k: number, n: number, p: number): number {
  if (k <= n * p || k <= 0) return 0;
  if (k > n) return Infinity;
  const q = 1 - p;
  let lnTerm = lnFact(n) - lnFact(k) - lnFact(n - k) + k * Math.log(p) + (n - k) * Math.log(q);
  // Sum the tail relative to its first term; past the mean the terms fall at least geometrically.
  let sum = 1;
  let term = 1;
  for (let i = k; i < n; i++) {
    term *= ((n - i) / (i + 1)) * (p / q);
    sum += term;
    if (term < 1e-12 * sum) break;
  }
  lnTerm += Math.log(sum);
  return Math.max(0, -lnTerm / LN10);
}

/** −log₁₀ P(Poisson(mu) ≥ k); 0 when k is not above the mean. */
export function poissonSurprise(k: number, mu: number): number {
  if (k <= mu || k <= 0) return 0;
  if (mu <= 0) return Infinity;
  let lnTerm = k * Math.log(mu) - mu - lnFact(k);
  let sum = 1;
  let term = 1;
  for (let i = k; ; i++) {
    term *= mu / (i + 1);
    sum += term;
    if (term < 1e-12 * sum) break;
  }
  lnTerm += Math.log(sum);
  return Math.max(0, -lnTerm / LN10);
}

/** ln Γ(x) for x > 0 (Lanczos, g = 7, 9 terms; ~15 digits). */
function lnGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  const y = x - 1;
  let a = c[0];
  const t = y + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (y + i);
  return 0.5 * Math.log(2 * Math.PI) + (y + 0.5) * Math.log(t) - t + Math.log(a);
}

/**
 * −log₁₀ P(X ≥ k) for a count with mean mu and variance mu + c·mu²: negative binomial (a Poisson
 * whose rate itself varies, as a forum's volume does with its conversations) for c > 0, Poisson for
 * c = 0. 0 when k is not above the mean.
 */
export function negativeCountSurprise(k: number, mu: number, c: number): number {
  if (k <= mu || k <= 0) return 0;
  if (mu <= 0) return Infinity;
  if (c <= 0) return poissonSurprise(k, mu);
  const kappa = 1 / c;
  const q = mu / (mu + kappa);
  let lnTerm = lnGamma(k + kappa) - lnGamma(kappa) - lnFact(k) + kappa * Math.log(1 - q) + k * Math.log(q);
  let sum = 1;
  let term = 1;
  for (let i = k; ; i++) {
    term *= ((i + kappa) / (i + 1)) * q;
    sum += term;
    if (term < 1e-12 * sum || i > k + 100_000) break;
  }
  lnTerm += Math.log(sum);
  return Math.max(0, -lnTerm / LN10);
}

/** The upper-tail normal score z with Q(z) = 10^−s (Mills-ratio iteration; exact enough above z ≈ 2). */
function zOfSurprise(s: number): number {
  if (!Number.isFinite(s)) return 40;
  const lnP = -s * LN10;
  let z = Math.sqrt(Math.max(0, -2 * lnP));
  for (let i = 0; i < 4; i++) z = Math.sqrt(Math.max(0, -2 * lnP - 2 * Math.log(Math.max(z, 1) * Math.sqrt(2 * Math.PI))));
  return z;
}

function median(xs: number[]): number {
  if (xs.length === 0) return 0;
  const s = xs.sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

interface Baseline {
  /** Negatives a minute. */
  rate: number;
  share: number;
}

interface WindowTest {
  over: boolean;
  k: number;
  n: number;
  minutes: number;
  shareSurprise: number;
  countSurprise: number;
}

/** A detector for one series. `observe` must be called for every minute, including empty ones. */
export class SpikeDetector {
  private readonly p: SpikeParams;
  /** Negative and total counts by minute in ring buffers over the look-back; stamps say which minute a slot holds. */
  private readonly negatives = new Int32Array(HISTORY);
  private readonly totals = new Int32Array(HISTORY);
  private readonly stamps = new Float64Array(HISTORY).fill(NaN);
  private readonly over: boolean[] = [];
  private firstMinute: number | null = null;
  /** The first minute a new alert may fire: `cooldownMinutes` after the last over minute of an alerted episode. */
  private quietFrom = -Infinity;

  constructor(params: Partial<SpikeParams> = {}) {
    this.p = { ...DEFAULT_SPIKE_PARAMS, ...params };
  }

  /** Feed one minute; returns a signal when a spike is confirmed at this minute, else null. */
  observe(m: MinuteCounts): SpikeSignal | null {
    this.firstMinute ??= m.minute;
    const slot = this.slot(m.minute);
    this.negatives[slot] = m.negative;
    this.totals[slot] = Math.max(m.total, m.negative);
    this.stamps[slot] = m.minute;
    const e = this.evaluate(m.minute);
    this.over.push(e.minuteOver);
    if (this.over.length > this.p.persistOf) this.over.shift();
    if (!e.any) return null;
    // One alert per episode: while the series keeps going over within `cooldownMinutes` of the
    // last over minute, it is the same incident (the slow window still holds its tail).
    if (m.minute < this.quietFrom) {
      this.quietFrom = m.minute + this.p.cooldownMinutes;
      return null;
    }
    if (!e.signal) return null;
    this.quietFrom = m.minute + this.p.cooldownMinutes;
    return e.signal;
  }

  private slot(minute: number): number {
    return ((minute % HISTORY) + HISTORY) % HISTORY;
  }

  /** The slot holding `minute`, or -1 when that minute was not observed (or has left the look-back). */
  private held(minute: number): number {
    const s = this.slot(minute);
    return this.stamps[s] === minute ? s : -1;
  }

  /** Negatives, items and observed minutes in [from, to). */
  private sums(from: number, to: number): { neg: number; tot: number; minutes: number } {
    let neg = 0;
    let tot = 0;
    let minutes = 0;
    for (let k = from; k < to; k++) {
      const s = this.held(k);
      if (s < 0) continue;
      neg += this.negatives[s];
      tot += this.totals[s];
      minutes++;
    }
    return { neg, tot, minutes };
  }

  /** Baseline negatives a minute and negative share at minute t, from minutes that no tested window holds. */
  private baseline(t: number): Baseline {
    const { windowMinutes, rhythmMinutes, slowMinutes } = this.p;
    const recent = this.sums(t - slowMinutes - windowMinutes, t - slowMinutes);
    let rate = recent.minutes > 0 ? recent.neg / recent.minutes : 0;
    let share = (recent.neg + 0.5) / (recent.tot + 1);
    const dayShares: number[] = [];
    const dayRates: number[] = [];
    const shareSteps: number[] = [];
    const rateSteps: number[] = [];
    for (let d = 1; d <= 7; d++) {
      const now = this.sums(t - d * DAY - rhythmMinutes, t - d * DAY + rhythmMinutes + 1);
      if (now.minutes < rhythmMinutes) continue;
      const nowShare = (now.neg + 0.5) / (now.tot + 1);
      dayShares.push(nowShare);
      dayRates.push(now.neg / now.minutes);
      // How that day moved from the recent window's time of day to now (the rhythm since then).
      const then = this.sums(t - d * DAY - slowMinutes - windowMinutes, t - d * DAY - slowMinutes);
      if (then.minutes < windowMinutes / 2) continue;
      shareSteps.push(nowShare / ((then.neg + 0.5) / (then.tot + 1)));
      rateSteps.push((now.neg + 0.5) / now.minutes / ((then.neg + 0.5) / then.minutes));
    }
    if (dayShares.length) {
      // Today's recent share carried to this time of day by the week's median step, then shrunk
      // towards the week's share at this time by a prior worth `sharePriorPosts` posts: a busy
      // chapter trusts today, a chapter of a few posts an hour its week.
      const clampStep = (x: number) => Math.min(this.p.maxRhythmStep, Math.max(1 / this.p.maxRhythmStep, x));
      const shareStep = shareSteps.length >= this.p.minRhythmDays ? clampStep(median(shareSteps)) : 1;
      const rateStep = rateSteps.length >= this.p.minRhythmDays ? clampStep(median(rateSteps)) : 1;
      const m = this.p.sharePriorPosts;
      share = (recent.tot * Math.min(0.95, share * shareStep) + m * median(dayShares)) / (recent.tot + m);
      const r = this.p.ratePriorMinutes;
      rate = (recent.minutes * rate * rateStep + r * median(dayRates)) / (recent.minutes + r);
    }
    return { rate: Math.max(rate, 0.5 / windowMinutes), share: Math.min(share, 0.95) };
  }

  /** Tests one window of k negatives among n items over `minutes` minutes against the baseline. */
  private test(b: Baseline, k: number, n: number, minutes: number, minNegative: number, surprise: number): WindowTest {
    const shareSurprise = binomialSurprise(k, n, b.share);
    const countSurprise = negativeCountSurprise(k, b.rate * minutes, this.p.countOverdispersion);
    const share = n > 0 ? k / n : 0;
    const over =
      k >= minNegative &&
      share >= b.share * this.p.minShareLift &&
      Math.max(shareSurprise, countSurprise) >= surprise &&
      Math.min(shareSurprise, countSurprise) >= this.p.confirmSurprise;
    return { over, k, n, minutes, shareSurprise, countSurprise };
  }

  private evaluate(t: number): { any: boolean; minuteOver: boolean; signal: SpikeSignal | null } {
    const none = { any: false, minuteOver: false, signal: null };
    // Not enough history to know what normal is.
    if (this.firstMinute === null || t - this.firstMinute < this.p.windowMinutes + this.p.slowMinutes) return none;
    const b = this.baseline(t);
    const now = this.slot(t);
    const minute = this.test(b, this.negatives[now], this.totals[now], 1, this.p.minNegative, this.p.surprise);

    // The short and slow windows in one pass over the slow window, newest minute first.
    let sNeg = 0, sTot = 0, max1 = -1, max1Tot = 0, max2 = -1, max2Tot = 0;
    let wNeg = 0, wTot = 0, wMax = -1, wMaxTot = 0;
    for (let i = 0; i < this.p.slowMinutes; i++) {
      const s = this.held(t - i);
      const neg = s < 0 ? 0 : this.negatives[s];
      const tot = s < 0 ? 0 : this.totals[s];
      if (i < this.p.shortMinutes) {
        sNeg += neg;
        sTot += tot;
        if (neg > max1) [max2, max2Tot, max1, max1Tot] = [max1, max1Tot, neg, tot];
        else if (neg > max2) [max2, max2Tot] = [neg, tot];
      }
      wNeg += neg;
      wTot += tot;
      if (neg > wMax) [wMax, wMaxTot] = [neg, tot];
    }
    // Short window: the largest minute counts as the second largest, so two minutes must carry the rise.
    const short = this.test(b, sNeg - max1 + max2, sTot - max1Tot + max2Tot, this.p.shortMinutes, this.p.minShortNegative, this.p.shortSurprise);
    // Slow window: without its largest minute, so one noisy minute cannot hold it over.
    const slow = this.test(b, wNeg - wMax, wTot - wMaxTot, this.p.slowMinutes - 1, 3 * this.p.minNegative, this.p.surprise);

    const persisted = minute.over && this.over.slice(Math.max(0, this.over.length - (this.p.persistOf - 1))).filter(Boolean).length + 1 >= this.p.persist;
    const fired = persisted ? minute : short.over ? short : slow.over ? slow : null;
    const any = minute.over || short.over || slow.over;
    if (!fired) return { any, minuteOver: minute.over, signal: null };
    const s = Math.max(fired.shareSurprise, fired.countSurprise);
    return {
      any,
      minuteOver: minute.over,
      signal: {
        minute: t,
        shape: fired === slow ? 'slow' : 'sudden',
        observed: fired.k,
        expected: b.rate * fired.minutes,
        z: zOfSurprise(s),
        share: fired.n > 0 ? fired.k / fired.n : 0,
        baselineShare: b.share,
        windowMinutes: fired.minutes,
        shareSurprise: fired.shareSurprise,
        countSurprise: fired.countSurprise,
      },
    };
  }
}
