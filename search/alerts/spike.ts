/**
 * Negative-spike detection for one series (a chapter, a source, a category or a watched term),
 * on minute buckets. Pure: the caller feeds minutes in order and gets a decision per minute.
 *
 * The statistic, and why:
 * - Baseline: the median of the same series over the previous `windowMinutes` (60), and, once
 *   there is a day of history, the median of the same time of day (± `rhythmMinutes`) on the
 *   previous days; the larger of the two. Medians ignore the spike itself and past incidents.
 * - Scale: 1.4826 × MAD (a robust standard deviation), never below √baseline + 1, the noise of a
 *   Poisson count, so a quiet series does not page on 0 → 2.
 * - Two views, because incidents have two shapes: the minute itself (sudden spikes) and the sum
 *   of the last `slowMinutes` (15) minutes against 15 × baseline (slow builds that no single
 *   minute gives away); each as z = (observed − expected) / scale, the sum's scale × √15.
 * - Gates: at least `minNegative` negative items in the minute (or `minNegative` × 3 in the slow
 *   window), and a negative share at least `minShareRise` above the baseline share, so a busy
 *   launch day with the usual mix of complaints is volume, not a spike.
 * - Persistence: `persist` (2) of the last `persistOf` (3) minutes must be over the threshold:
 *   one noisy minute pages nobody. Then `cooldownMinutes` before the same series fires again.
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

function median(xs: number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** A detector for one series. `observe` must be called for every minute, including empty ones. */
export class SpikeDetector {
  private readonly p: SpikeParams;
  /** Negative and total counts by minute, kept for a little over the longest look-back. */
  private readonly negatives = new Map<number, number>();
  private readonly totals = new Map<number, number>();
  private readonly over: boolean[] = [];
  private firstMinute: number | null = null;
  private lastFired = -Infinity;

  constructor(params: Partial<SpikeParams> = {}) {
    this.p = { ...DEFAULT_SPIKE_PARAMS, ...params };
  }

  /** Feed one minute; returns a signal when a spike is confirmed at this minute, else null. */
  observe(m: MinuteCounts): SpikeSignal | null {
    this.firstMinute ??= m.minute;
    const signal = this.evaluate(m);
    this.negatives.set(m.minute, m.negative);
    this.totals.set(m.minute, m.total);
    // Minutes arrive in order, one each: drop the one that just left the 8-day look-back.
    this.negatives.delete(m.minute - 8 * DAY);
    this.totals.delete(m.minute - 8 * DAY);
    this.over.push(signal !== null);
    if (this.over.length > this.p.persistOf) this.over.shift();
    const confirmed = signal && this.over.filter(Boolean).length >= this.p.persist && m.minute - this.lastFired >= this.p.cooldownMinutes;
    if (!confirmed) return null;
    this.lastFired = m.minute;
    return signal;
  }

  /** Baseline negatives per minute, and the baseline negative share, at minute t. */
  private baseline(t: number): { expected: number; scale: number; share: number } {
    const recent: number[] = [];
    let neg = 0;
    let tot = 0;
    for (let k = t - this.p.windowMinutes; k < t; k++) {
      const v = this.negatives.get(k);
      if (v === undefined) continue;
      recent.push(v);
      neg += v;
      tot += this.totals.get(k) ?? 0;
    }
    const rhythm: number[] = [];
    for (let d = 1; d <= 7; d++) {
      for (let k = t - d * DAY - this.p.rhythmMinutes; k <= t - d * DAY + this.p.rhythmMinutes; k++) {
        const v = this.negatives.get(k);
        if (v !== undefined) rhythm.push(v);
      }
    }
    const all = [...recent, ...rhythm];
    const expected = Math.max(median(recent), rhythm.length >= this.p.rhythmMinutes ? median(rhythm) : 0);
    const centre = median(all);
    const mad = median(all.map((v) => Math.abs(v - centre)));
    return { expected, scale: Math.max(1.4826 * mad, Math.sqrt(expected) + 1), share: tot > 0 ? neg / tot : 0 };
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
    let sumNeg = m.negative;
    let sumTot = m.total;
    for (let k = m.minute - this.p.slowMinutes + 1; k < m.minute; k++) {
      sumNeg += this.negatives.get(k) ?? 0;
      sumTot += this.totals.get(k) ?? 0;
    }
    const expectedSum = b.expected * this.p.slowMinutes;
    const slow = (sumNeg - expectedSum) / (b.scale * Math.sqrt(this.p.slowMinutes));
    const slowShare = sumTot > 0 ? sumNeg / sumTot : 0;
    if (sumNeg >= this.p.minNegative * 3 && slowShare >= b.share + this.p.minShareRise && slow >= this.p.z) {
      return { minute: m.minute, shape: 'slow', observed: sumNeg, expected: expectedSum, z: slow, share: slowShare, baselineShare: b.share };
    }
    return null;
  }
}
