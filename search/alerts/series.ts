/**
 * Minute buckets for many spike series at once (one per chapter, source, category and watched
 * term), each with its own SpikeDetector. Items are counted in the minute they arrive; `advance`
 * closes every minute before `minute` and feeds it, empty or not, to every series' detector.
 * Pure: the caller owns the clock.
 */
import { SpikeDetector, type SpikeParams, type SpikeSignal } from './spike';

interface Series {
  detector: SpikeDetector;
  counts: Map<number, { total: number; negative: number }>;
}

export class SpikeSeries {
  private readonly series = new Map<string, Series>();
  /** The first minute not yet fed to the detectors. */
  private next: number | null = null;

  constructor(private readonly params: Partial<SpikeParams> = {}) {}

  /** Number of series tracked. */
  get size(): number {
    return this.series.size;
  }

  /** Count one item in each of its series at `minute` (a minute already closed counts in the open one). */
  add(keys: readonly string[], minute: number, negative: boolean): void {
    this.next ??= minute;
    const at = Math.max(minute, this.next);
    for (const key of keys) {
      let s = this.series.get(key);
      if (!s) this.series.set(key, (s = { detector: new SpikeDetector(this.params), counts: new Map() }));
      const c = s.counts.get(at) ?? { total: 0, negative: 0 };
      c.total++;
      if (negative) c.negative++;
      s.counts.set(at, c);
    }
  }

  /** Items counted for a series and not yet fed to its detector. */
  pending(key: string): number {
    let n = 0;
    for (const c of this.series.get(key)?.counts.values() ?? []) n += c.total;
    return n;
  }

  /** Close the minutes before `minute`: the spikes confirmed in them, per series. */
  advance(minute: number): { series: string; signal: SpikeSignal }[] {
    const out: { series: string; signal: SpikeSignal }[] = [];
    if (this.next === null) return out;
    // After a long pause (a stopped process) only the last day matters to the detectors.
    let t = Math.max(this.next, minute - 1_440);
    if (t > this.next) for (const s of this.series.values()) for (const k of s.counts.keys()) if (k < t) s.counts.delete(k);
    for (; t < minute; t++) {
      for (const [key, s] of this.series) {
        const c = s.counts.get(t);
        if (c) s.counts.delete(t);
        const signal = s.detector.observe({ minute: t, total: c?.total ?? 0, negative: c?.negative ?? 0 });
        if (signal) out.push({ series: key, signal });
      }
    }
    this.next = Math.max(this.next, minute);
    return out;
  }
}
