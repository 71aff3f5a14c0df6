/**
 * The opinion console's shared statistics, computed in ONE place so that both backends give the
 * same numbers for the same documents: each backend only counts, this module scores and ranks.
 *
 * Emerging terms use JLH, Elasticsearch's default `significant_terms` heuristic:
 *   fg% = fgCount / fgTotal   (documents with the term / documents in the window [from, to))
 *   bg% = bgCount / bgTotal   (the same over the baseline [baselineFrom, to), which INCLUDES the window)
 *   score = (fg% - bg%) * (fg% / bg%) when fg% > bg%, else 0.
 * Why JLH: it multiplies the absolute change by the relative change, so a term that jumps from
 * rare to common beats both a very common term that grew a little (large absolute, small relative)
 * and a one-off rarity (large relative, tiny absolute); `min_doc_count` (3) removes the rest of the
 * one-offs. The background includes the foreground, as in ES's default: a brand-new term then has
 * bg% = fg% * fgTotal / bgTotal > 0 instead of 0 (a division by zero that JLH scores 0).
 */
import type { EmergingTerm, WatchGroup } from './backend';
import { segmentForIndex } from './analysis';

/** Default emerging terms returned, the minimum window count, and the baseline shape. */
export const EMERGING_DEFAULT = 10;
export const MIN_DOC_COUNT = 3;
/** The baseline is this many windows long (ending at `to`, so it includes the window)... */
export const BASELINE_WINDOWS = 7;
/** ...but never longer than 30 days before `from`: older chatter says little about today. */
export const MAX_BASELINE_MS = 30 * 86_400_000;

/** The default start of the baseline: from − 7 × (to − from), at most 30 days before `from`. */
export function defaultBaselineFrom(from: Date, to: Date): Date {
  const span = Math.max(0, to.getTime() - from.getTime());
  return new Date(from.getTime() - Math.min(BASELINE_WINDOWS * span, MAX_BASELINE_MS));
}

/** JLH score from the four counts (see the module comment); 0 when the term is not over-represented. */
export function jlhScore(fgCount: number, fgTotal: number, bgCount: number, bgTotal: number): number {
  if (fgTotal <= 0 || bgTotal <= 0 || bgCount <= 0) return 0;
  const fg = fgCount / fgTotal;
  const bg = bgCount / bgTotal;
  if (fg <= bg) return 0;
  return (fg - bg) * (fg / bg);
}

/** Per-term counts as a backend reports them. */
export interface TermCounts {
  term: string;
  count: number;
  baselineCount: number;
}

/** Score, drop non-emerging terms (score 0 or under minDocCount), sort by score desc then term asc, cut to `size`. */
export function rankEmerging(
  terms: TermCounts[],
  totals: { fgTotal: number; bgTotal: number },
  opts: { size: number; minDocCount: number },
): EmergingTerm[] {
  return terms
    .filter((t) => t.count >= opts.minDocCount)
    .map((t) => ({ term: t.term, score: jlhScore(t.count, totals.fgTotal, t.baselineCount, totals.bgTotal), count: t.count, baselineCount: t.baselineCount }))
    .filter((t) => t.score > 0)
    .sort((a, b) => b.score - a.score || (a.term < b.term ? -1 : a.term > b.term ? 1 : 0))
    .slice(0, Math.max(0, opts.size));
}

/** Buckets to ask Elasticsearch for: a few more than needed, so ties at the cut are ranked here. */
export function overfetch(size: number): number {
  return size * 2 + 10;
}

/** A watched group's terms segmented like a search query: each term is an AND of its words; empty terms dropped. */
export function segmentWatchGroup(group: WatchGroup): string[][] {
  return group.terms.map((t) => [...new Set(segmentForIndex(t))]).filter((words) => words.length > 0);
}
