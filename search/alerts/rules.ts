/**
 * The alert rules: pure functions from one analysed item (and what is known of its author) to
 * the signals it raises. They never analyse text again: sentiment, keywords and watchword
 * matches all come from the pipeline's judgement (the item.analyzed event). Each signal carries
 * its reasons and score parts, so a responder sees why it fired, and a case key that groups
 * related signals (same thread, same mention, same spike series) into one case on the desk.
 */
import type { WatchCategory, WatchMatch } from './watchwords';
import type { SpikeSignal } from './spike';

export type RuleKind = 'negative_post' | 'kol_negative' | 'spike' | 'watchword' | 'flag';

/** One rule firing, before it is stored. */
export interface SignalDraft {
  kind: RuleKind;
  /** 1–10. */
  severity: number;
  /** Signals with the same key join one active case. */
  caseKey: string;
  /** The firing itself, once: a re-delivered event adds nothing. */
  dedupeKey: string;
  reasons: string[];
  parts: Record<string, number | string>;
}

/** The item as the rules see it (a subset of the item.analyzed payload). */
export interface RuleItem {
  kind: 'post' | 'mention';
  id: number;
  label: 'negative' | 'neutral' | 'positive';
  score: number;
  confidence: number;
  complaint: string | null;
  threadId: number | null;
  source: string;
  followers: number | null;
  /** Whether the text reads as a question (the indexer's tokens end in ？/吗/呢…). */
  question?: boolean;
}

/** What the KOL service knows of the author. */
export interface AuthorStanding {
  kol: boolean;
  /** KOL score 0–100 (forum members), or null. */
  influence: number | null;
  /** Daily average sentiment, oldest first (the KOL service's trend). */
  trend: { day: string; avg: number; n: number }[];
}

/** Admin-set thresholds (see services/alertSettings.ts for the defaults and their reasons). */
export interface RuleThresholds {
  /** negative_post fires at this severity or above. */
  negativeMinSeverity: number;
  /** kol_negative: a fall of the daily average by this much (on −1..1) is a turn. */
  kolTrendDrop: number;
  /** This many open reports on one post make it urgent. */
  flagEscalateAt: number;
}

export const DEFAULT_THRESHOLDS: Readonly<RuleThresholds> = Object.freeze({ negativeMinSeverity: 5, kolTrendDrop: 0.5, flagEscalateAt: 3 });

const clamp = (n: number) => Math.max(1, Math.min(10, Math.round(n)));
const round2 = (n: number) => Math.round(n * 100) / 100;

/** The case an item's signals join: its thread (posts) or itself (mentions). */
export const itemCaseKey = (item: Pick<RuleItem, 'kind' | 'id' | 'threadId'>) => (item.kind === 'post' && item.threadId !== null ? `thread:${item.threadId}` : `${item.kind}:${item.id}`);

/** Reach on 0..1: a KOL's influence for members, follower count (log scale, 1M = 1) for outside authors. */
export function reachOf(item: Pick<RuleItem, 'followers'>, author: Pick<AuthorStanding, 'influence'>): number {
  // The larger of the two: an outside account's graph score is often 0 while it has a million followers.
  const influence = author.influence !== null ? Math.max(0, Math.min(1, author.influence / 100)) : 0;
  const followers = item.followers && item.followers > 0 ? Math.min(1, Math.log10(1 + item.followers) / 6) : 0;
  return Math.max(influence, followers);
}

/**
 * negative_post: severity = 1 + 9 × strength × (0.6 + 0.4 × reach) (+1 for a complaint),
 * where strength = −score × (0.5 + 0.5 × confidence). A question is damped (× 0.6): "会不会…?" is
 * worry, not a grievance. Fires at `negativeMinSeverity` or above.
 */
export function negativePostRule(item: RuleItem, author: AuthorStanding, th: RuleThresholds = DEFAULT_THRESHOLDS): SignalDraft | null {
  if (item.label !== 'negative') return null;
  const negativity = Math.max(0, -item.score);
  const strength = negativity * (0.5 + 0.5 * item.confidence) * (item.question ? 0.6 : 1);
  const reach = reachOf(item, author);
  const severity = clamp(1 + 9 * strength * (0.6 + 0.4 * reach) + (item.complaint ? 1 : 0));
  if (severity < th.negativeMinSeverity) return null;
  const reasons = [`sentiment ${round2(item.score)}`];
  if (reach > 0) reasons.push(`reach ${round2(reach)}`);
  if (item.complaint) reasons.push(`complaint ${item.complaint}`);
  if (item.question) reasons.push('question');
  return {
    kind: 'negative_post',
    severity,
    caseKey: itemCaseKey(item),
    dedupeKey: `negative_post:${item.kind}:${item.id}`,
    reasons,
    parts: { score: round2(item.score), confidence: round2(item.confidence), strength: round2(strength), reach: round2(reach), ...(item.complaint ? { complaint: item.complaint } : {}) },
  };
}

/**
 * kol_negative: a KOL writes negatively (severity 6 + up to 4 by strength and reach), or a KOL's
 * daily sentiment turns: the latest day's average is `kolTrendDrop` below the average of the
 * days before it (at least 2 items that day), and below zero.
 */
export function kolNegativeRule(item: RuleItem, author: AuthorStanding, th: RuleThresholds = DEFAULT_THRESHOLDS): SignalDraft | null {
  if (!author.kol) return null;
  const reach = reachOf(item, author);
  const reasons: string[] = [];
  const parts: Record<string, number | string> = { reach: round2(reach), score: round2(item.score) };
  let severity = 0;
  if (item.label === 'negative') {
    severity = clamp(6 + 4 * Math.max(0, -item.score) * (0.5 + 0.5 * reach));
    reasons.push(`kol negative ${round2(item.score)}`);
  }
  const t = author.trend;
  if (t.length >= 2) {
    const last = t[t.length - 1];
    const before = t.slice(0, -1);
    const n = before.reduce((a, d) => a + d.n, 0);
    const prior = before.reduce((a, d) => a + d.avg * d.n, 0) / Math.max(1, n);
    if (last.n >= 2 && last.avg < 0 && prior - last.avg >= th.kolTrendDrop) {
      severity = Math.max(severity, clamp(6 + 2 * (prior - last.avg)));
      reasons.push(`kol trend ${round2(prior)} → ${round2(last.avg)}`);
      parts.trendBefore = round2(prior);
      parts.trendNow = round2(last.avg);
    }
  }
  if (!severity) return null;
  return { kind: 'kol_negative', severity, caseKey: itemCaseKey(item), dedupeKey: `kol_negative:${item.kind}:${item.id}`, reasons, parts };
}

/** Base severity per watchword category: safety and health first (people can get hurt). */
export const WATCH_SEVERITY: Readonly<Record<WatchCategory, number>> = Object.freeze({ safety: 9, health: 8, data: 8, legal: 7, media: 7, watchlist: 5 });

/**
 * watchword: fires on a match whatever the sentiment said (crisis posts must never be missed),
 * +1 when the model also read it as negative; a question is −2 (worry, still worth a look).
 * Media and legal words in a positive post ("感谢媒体朋友") are not a crisis and do not fire.
 */
export function watchwordRule(item: RuleItem, matches: readonly Pick<WatchMatch, 'term' | 'category' | 'list'>[]): SignalDraft | null {
  const relevant = matches.filter((m) => !(item.label === 'positive' && (m.category === 'media' || m.category === 'legal' || m.category === 'watchlist')));
  if (relevant.length === 0) return null;
  const top = Math.max(...relevant.map((m) => WATCH_SEVERITY[m.category]));
  const severity = clamp(top + (item.label === 'negative' ? 1 : 0) - (item.question ? 2 : 0));
  const terms = [...new Set(relevant.map((m) => m.term))];
  return {
    kind: 'watchword',
    severity,
    caseKey: itemCaseKey(item),
    dedupeKey: `watchword:${item.kind}:${item.id}`,
    reasons: relevant.map((m) => `watchword ${m.term} (${m.list ?? m.category})`),
    parts: { terms: terms.join(','), categories: [...new Set(relevant.map((m) => m.category))].join(','), label: item.label },
  };
}

/** flag: a member's report; severity 3, +2 per further open report, at least 7 from `flagEscalateAt` reports. */
export function flagRule(flag: { flagId: number; postId: number; threadId: number; reason: string; openReports: number }, th: RuleThresholds = DEFAULT_THRESHOLDS): SignalDraft {
  let severity = clamp(3 + 2 * (flag.openReports - 1));
  if (flag.openReports >= th.flagEscalateAt) severity = Math.max(severity, 7);
  return {
    kind: 'flag',
    severity,
    caseKey: `thread:${flag.threadId}`,
    dedupeKey: `flag:${flag.flagId}`,
    reasons: [`reports ${flag.openReports}`, `report: ${flag.reason.slice(0, 120)}`],
    parts: { reports: flag.openReports },
  };
}

/** spike: a confirmed SpikeDetector signal for a series (`chapter:3`, `source:weibo`, `term:起火`). */
export function spikeRule(series: string, s: SpikeSignal): SignalDraft {
  const ratio = s.expected > 0 ? s.observed / s.expected : s.observed;
  const severity = clamp(5 + Math.log2(Math.max(1, ratio)) + (s.share - s.baselineShare > 0.3 ? 1 : 0));
  return {
    kind: 'spike',
    severity,
    caseKey: `spike:${series}`,
    dedupeKey: `spike:${series}:${s.minute}`,
    reasons: [`spike ${s.shape} ${series}`, `negative ${round2(s.observed)} vs ${round2(s.expected)} expected (z ${round2(s.z)})`, `share ${Math.round(s.share * 100)}% vs ${Math.round(s.baselineShare * 100)}%`],
    parts: { series, shape: s.shape, observed: round2(s.observed), expected: round2(s.expected), z: round2(s.z), share: round2(s.share), baselineShare: round2(s.baselineShare), minute: s.minute },
  };
}

/** Whether a text reads as a question (for the damping above): ends in ？ or ?, or asks 吗/呢/会不会/是不是. */
export function readsAsQuestion(text: string): boolean {
  const t = text.trim();
  if (/[?？][\s)）~～]*$/.test(t) || /(吗|呢|么)[\s。~～]*$/.test(t)) return true;
  // 会不会/是不是… inside a short, calm sentence; never with an exclamation (an angry rhetorical
  // "你们是不是觉得…！" is a grievance). English needs its question mark.
  return t.length <= 40 && !/[!！]/.test(t) && /(会不会|是不是|有没有|能不能|怎么办)/.test(t);
}

/** SLA minutes to claim, by severity band (admin-set); the case's due time is raise time + this. */
export function slaMinutesFor(severity: number, sla: { critical: number; high: number; normal: number }): number {
  return severity >= 8 ? sla.critical : severity >= 5 ? sla.high : sla.normal;
}
