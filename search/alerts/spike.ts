/**
 * Negative-spike detection for one series (a chapter, a source, a category or a watched term),
 * on minute buckets. Pure: the caller feeds minutes in order and gets a decision per minute.
 *
 * The statistic, and why:
 * - Baseline: the median of the series' negatives per minute over the previous `windowMinutes`,
 *   and, once there is a day of history, the median of the same time of day (± `rhythmMinutes`)
 *   on the previous 7 days; the larger of the two. Medians ignore the spike itself and past incidents.
 * - Baseline share: the median of the negative shares of those 8 windows (the recent one and one
 *   per previous day), so an incident does not raise its own share baseline (a ramp would hide itself).
 * - Scale: 1.4826 × MAD of all those minutes (a robust standard deviation), never below
 *   √max(baseline, 1), the Poisson noise of a count. (It was √baseline + 1, which at 1–2 negatives
 *   a minute asked for ~9 extra and missed ×5 incidents in mid-size chapters; `minNegative` already
 *   keeps a quiet series from paging on 0 → 2.)
 * - Two views, because incidents have two shapes: the minute itself (sudden spikes) and the last
 *   `slowMinutes` minutes less their largest minute against (`slowMinutes` − 1) × baseline (slow builds
 *   that no single minute gives away); each as z = (observed − expected) / scale, the window's scale
 *   × √(`slowMinutes` − 1). Leaving the largest minute out stops one noisy minute from holding the
 *   window over the threshold for a quarter of an hour, which would defeat the persistence filter.
 * - Gates: at least `minNegative` negative items in the minute (or `minNegative` × 3 in the slow
 *   window), and a negative share at least `minShareRise` above the baseline share, so a busy
 *   launch day with the usual mix of complaints is volume, not a spike.
 * - Persistence: `persist` of the last `persistOf` minutes must be over the threshold: one noisy
 *   minute pages nobody. One alert per episode: after an alert the series stays silent until it has
 *   been under the threshold for `cooldownMinutes`.
 *
 * Parameters (DEFAULT_SPIKE_PARAMS): windowMinutes 60, rhythmMinutes 30, slowMinutes 15, z 4,
 * minNegative 5, minShareRise 0.15, persist 2 of persistOf 3, cooldownMinutes 30.
 *
 * Measured on a replayed synthetic month (bench/spike-month.bench.ts, 3 seeds, see bench/README.md):
 * every planted incident is caught and false alerts stay ≤ 0.19 per quiet day, but only sudden
 * incidents of several extra negatives a minute are caught within 3 minutes. Slow ramps (5–35 min
 * after they reach 2× the normal rate), share-only rises (5–15 min) and +3–5 a minute in a chapter
 * of < 1 post a minute (2–8 min) take longer: in their first minutes they are within the noise or
 * the share gate.
 */
export interface SpikeParams {
  windowMinutes: number;
  rhythmMinutes: number;
  slowMinutes: number;
  z: number;
  minNegative: number;
  minShareRise: number;
  persist: number;
  persistOf: number;
  cooldownMinutes: number;
}

export const DEFAULT_SPIKE_PARAMS: Readonly<SpikeParams> = Object.freeze({
  windowMinutes: 60,
  rhythmMinutes: 30,
  slowMinutes: 15,
  z: 4,
  minNegative: 5,
  minShareRise: 0.15,
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
  shape: 'sudden' | 'slow';
  observed: number;
  expected: number;
  z: number;
  share: number;
  baselineShare: number;
}

const DAY = 1_440;
/** Look-back kept: 7 days of rhythm plus the rhythm window and a little. */
const HISTORY = 8 * DAY;

/** Median of the first n values of buf; sorts them in place (typed arrays sort numerically). */
function medianOf(buf: Float64Array, n: number): number {
  if (n === 0) return 0;
  const s = buf.subarray(0, n).sort();
  const m = n >> 1;
  return n % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** A detector for one series. `observe` must be called for every minute, including empty ones. */
export class SpikeDetector {
  private readonly p: SpikeParams;
  /** Negative and total counts by minute in ring buffers over the look-back; stamps say which minute a slot holds. */
  private readonly negatives = new Int32Array(HISTORY);
  private readonly totals = new Int32Array(HISTORY);
  private readonly stamps = new Float64Array(HISTORY).fill(NaN);
  private readonly recentBuf: Float64Array;
  private readonly allBuf: Float64Array;
  private readonly shareBuf = new Float64Array(8);
  private readonly over: boolean[] = [];
  private firstMinute: number | null = null;
  /** The first minute a new alert may fire: `cooldownMinutes` after the last over minute of an alerted episode. */
  private quietFrom = -Infinity;

  constructor(params: Partial<SpikeParams> = {}) {
    this.p = { ...DEFAULT_SPIKE_PARAMS, ...params };
    this.recentBuf = new Float64Array(this.p.windowMinutes);
    this.allBuf = new Float64Array(this.p.windowMinutes + 7 * (2 * this.p.rhythmMinutes + 1));
  }

  /** Feed one minute; returns a signal when a spike is confirmed at this minute, else null. */
  observe(m: MinuteCounts): SpikeSignal | null {
    this.firstMinute ??= m.minute;
    const signal = this.evaluate(m);
    const slot = this.slot(m.minute);
    this.negatives[slot] = m.negative;
    this.totals[slot] = m.total;
    this.stamps[slot] = m.minute;
    this.over.push(signal !== null);
    if (this.over.length > this.p.persistOf) this.over.shift();
    if (!signal) return null;
    // One alert per episode: while the series keeps going over within `cooldownMinutes` of the
    // last over minute, it is the same incident (the slow window still holds its tail).
    if (m.minute < this.quietFrom) {
      this.quietFrom = m.minute + this.p.cooldownMinutes;
      return null;
    }
    if (this.over.filter(Boolean).length < this.p.persist) return null;
    this.quietFrom = m.minute + this.p.cooldownMinutes;
    return signal;
  }

  private slot(minute: number): number {
    return ((minute % HISTORY) + HISTORY) % HISTORY;
  }

  /** The slot holding `minute`, or -1 when that minute was not observed (or has left the look-back). */
  private held(minute: number): number {
    const s = this.slot(minute);
    return this.stamps[s] === minute ? s : -1;
  }

  /** Baseline negatives per minute, its scale, and the baseline negative share, at minute t. */
  private baseline(t: number): { expected: number; scale: number; share: number } {
    const all = this.allBuf;
    const recent = this.recentBuf;
    const shares = this.shareBuf;
    let nRecent = 0;
    let nAll = 0;
    let nShares = 0;
    let neg = 0;
    let tot = 0;
    for (let k = t - this.p.windowMinutes; k < t; k++) {
      const s = this.held(k);
      if (s < 0) continue;
      recent[nRecent++] = this.negatives[s];
      all[nAll++] = this.negatives[s];
      neg += this.negatives[s];
      tot += this.totals[s];
    }
    if (tot > 0) shares[nShares++] = neg / tot;
    let nRhythm = 0;
    for (let d = 1; d <= 7; d++) {
      let dNeg = 0;
      let dTot = 0;
      for (let k = t - d * DAY - this.p.rhythmMinutes; k <= t - d * DAY + this.p.rhythmMinutes; k++) {
        const s = this.held(k);
        if (s < 0) continue;
        all[nAll++] = this.negatives[s];
        nRhythm++;
        dNeg += this.negatives[s];
        dTot += this.totals[s];
      }
      if (dTot > 0) shares[nShares++] = dNeg / dTot;
    }
    const recentMedian = medianOf(recent, nRecent);
    // The rhythm values sit after the recent ones in `all`: take their median before sorting all.
    let rhythmMedian = 0;
    if (nRhythm >= this.p.rhythmMinutes) {
      const r = all.slice(nRecent, nAll);
      rhythmMedian = medianOf(r, r.length);
    }
    const expected = Math.max(recentMedian, rhythmMedian);
    const centre = medianOf(all, nAll);
    for (let i = 0; i < nAll; i++) all[i] = Math.abs(all[i] - centre);
    const mad = medianOf(all, nAll);
    return { expected, scale: Math.max(1.4826 * mad, Math.sqrt(Math.max(expected, 1))), share: medianOf(shares, nShares) };
  }

  private evaluate(m: MinuteCounts): SpikeSignal | null {
    // Not enough history to know what normal is.
    if (this.firstMinute === null || m.minute - this.firstMinute < this.p.windowMinutes) return null;
    const b = this.baseline(m.minute);
    const share = m.total > 0 ? m.negative / m.total : 0;
    const sudden = (m.negative - b.expected) / b.scale;
    if (m.negative >= this.p.minNegative && share >= b.share + this.p.minShareRise && sudden >= this.p.z) {
      return { minute: m.minute, shape: 'sudden', observed: m.negative, expected: b.expected, z: sudden, share, baselineShare: b.share };
    }
    // The slow window leaves out its largest minute, so one noisy minute cannot hold it over the
    // threshold for the next `slowMinutes` minutes and defeat the persistence filter.
    let sumNeg = m.negative;
    let sumTot = m.total;
    let maxNeg = m.negative;
    let maxTot = m.total;
    for (let k = m.minute - this.p.slowMinutes + 1; k < m.minute; k++) {
      const s = this.held(k);
      if (s < 0) continue;
      sumNeg += this.negatives[s];
      sumTot += this.totals[s];
      if (this.negatives[s] > maxNeg) {
        maxNeg = this.negatives[s];
        maxTot = this.totals[s];
      }
    }
    sumNeg -= maxNeg;
    sumTot -= maxTot;
    const n = this.p.slowMinutes - 1;
    const expectedSum = b.expected * n;
    const slow = (sumNeg - expectedSum) / (b.scale * Math.sqrt(n));
    const slowShare = sumTot > 0 ? sumNeg / sumTot : 0;
    if (sumNeg >= this.p.minNegative * 3 && slowShare >= b.share + this.p.minShareRise && slow >= this.p.z) {
      return { minute: m.minute, shape: 'slow', observed: sumNeg, expected: expectedSum, z: slow, share: slowShare, baselineShare: b.share };
    }
    return null;
  }
}
