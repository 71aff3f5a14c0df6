/**
 * Crisis first (issue #11): a post that reports a safety, health, legal, data-leak or
 * media-exposure problem is negative with high confidence, whatever the wording (calm, a
 * question), and carries a `crisis` marker with the matched evidence. The terms are the alert
 * desk's crisis watchwords (search/alerts/watchwords.ts), matched on the segmented text in one
 * pass. Legal and media words in a positive post ("感谢媒体朋友") are not a crisis.
 */
import { CRISIS_TERMS, WatchwordMatcher, type WatchCategory } from '../alerts/watchwords';
import type { Sentiment } from './sentiment';

export interface Crisis {
  categories: WatchCategory[];
  terms: string[];
}

let matcher: WatchwordMatcher | null = null;

/** The crisis evidence in these tokens, given the label the model gave, or null. */
export function crisisOf(tokens: readonly string[], label: Sentiment['label']): Crisis | null {
  matcher ??= new WatchwordMatcher(CRISIS_TERMS);
  const found = matcher.match(tokens).filter((m) => !(label === 'positive' && (m.category === 'legal' || m.category === 'media')));
  if (found.length === 0) return null;
  return { categories: [...new Set(found.map((m) => m.category))], terms: [...new Set(found.map((m) => m.term))] };
}

/** The sentiment of a crisis post: negative, confident, with the evidence first among its reasons. */
export function crisisSentiment(s: Sentiment, crisis: Crisis): Sentiment {
  return {
    ...s,
    label: 'negative',
    score: Math.min(s.score, -0.6),
    confidence: Math.max(s.confidence, 0.9),
    probabilities: crisisProbabilities(s.probabilities),
    reasons: [...crisis.terms.map((t) => `crisis:${t}`), ...s.reasons.filter((r) => !r.startsWith('crisis:'))].slice(0, 12),
  };
}

// A crisis post is at least this likely negative; the other two keep their ratio.
const CRISIS_NEGATIVE = 0.9;

function crisisProbabilities(p: Sentiment['probabilities']): Sentiment['probabilities'] {
  if (p.negative >= CRISIS_NEGATIVE) return p;
  const rest = p.neutral + p.positive;
  const scale = rest > 0 ? (1 - CRISIS_NEGATIVE) / rest : 0;
  const positive = Math.round(p.positive * scale * 10000) / 10000;
  return { negative: CRISIS_NEGATIVE, neutral: Math.round((1 - CRISIS_NEGATIVE - positive) * 10000) / 10000, positive };
}
