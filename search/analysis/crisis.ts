/**
 * Crisis first (issue #11): a post that reports a safety, health, legal, data-leak or
 * media-exposure problem is negative with high confidence, whatever the wording (calm, a
 * question), and carries a `crisis` marker with the matched evidence. The terms are the alert
 * desk's crisis watchwords (search/alerts/watchwords.ts), matched on the segmented text in one
 * pass. Legal and media words in a positive post ("感谢媒体朋友") are not a crisis.
 */
import { CRISIS_TERMS, WatchwordMatcher, type WatchCategory, type WatchTerm } from '../alerts/watchwords';
import type { Sentiment } from './sentiment';

export interface Crisis {
  categories: WatchCategory[];
  terms: string[];
}

/**
 * Wider crisis vocabulary, in both languages, that also turns up in ordinary posts ("头晕" from a
 * long queue, "my phone number" in a sign-up notice): evidence of a crisis only in a post that is
 * not a notice and that the model did not read as positive (safety words count even then). The desk's watchwords (strong terms)
 * count always; these never raise a desk watchword alert on their own.
 */
const term = (category: WatchCategory) => (t: string): WatchTerm => ({ term: t, category });
export const CONTEXT_CRISIS_TERMS: readonly WatchTerm[] = Object.freeze([
  ...['熔化', '融化', '烧化', '冒火', '噼啪', '刹不住', '突然加速', '往前窜', '追尾', '电池胀', '胀了', '鼓了', '起泡', '蟑螂', '硬塑料', '锋利', '出不来', '卡住手', '夹到手', '砸到',
    'burning plastic', 'melted', 'melting', 'electric shock', 'shocked me', 'tingle', 'on fire', 'hot to the touch', 'went soft', 'jerked', 'sharp piece', 'choking', 'choked', 'unsafe', 'dangerous', 'hazard', 'trapped', 'cockroach', 'mold', 'mould'].map(term('safety')),
  ...['头晕', '想吐', '吐了', '肚子疼', '胃疼', '低烧', '红点', '红肿', '肿了', '肿成', '刺痛', '火辣辣', '发痒', '喉咙', '血糖', '耳鸣', '去医院', '医院',
    'itches', 'itchy', 'itching', 'bumps', 'hives', 'red marks', 'dizzy', 'nausea', 'nauseous', 'headache', 'food poisoning', 'sick', 'stomach ache', 'stomachache', 'swelling', 'burned my', 'burnt my', 'doctor'].map(term('health')),
  ...['法律程序', '走法律', '告你们', '准备告', '消基会', '申诉', '投诉到', '合同',
    'consumer protection', 'consumer association', 'small claims', 'attorney', 'court', 'class action', 'regulator', 'legal action'].map(term('legal')),
  ...['信息是谁卖的', '卖信息', '别人的订单', '别人的名字', '陌生人的手机号', '通讯录', '隐私', '私人照片', '异地登录', '另一台设备登录', '泄漏', '被人翻过',
    'selling our data', 'our data', 'my data', 'personal data', 'privacy', 'private photos', 'home address', 'contact list', 'breach', 'hacked', 'stranger'].map(term('data')),
  ...['电视台', '热搜见', '发微博', '找媒体', '发到网上',
    'the press', 'tv station', 'go viral', 'going public', 'the news'].map(term('media')),
]);

// One pass over both lists: the wider terms carry list "context".
const CONTEXT = 'context';
let matcher: WatchwordMatcher | null = null;

/**
 * The crisis evidence in these tokens, given the label the model gave, or null. `notice`: whether
 * the text reads as a notice or announcement, where the wider vocabulary is not evidence (asked
 * only when a wider term matched).
 */
export function crisisOf(tokens: readonly string[], label: Sentiment['label'], notice: () => boolean = () => false): Crisis | null {
  matcher ??= new WatchwordMatcher([...CRISIS_TERMS, ...CONTEXT_CRISIS_TERMS.map((t) => ({ ...t, list: CONTEXT }))]);
  const found = matcher.match(tokens).filter((m) => {
    if (label === 'positive' && (m.category === 'legal' || m.category === 'media')) return false;
    // In a post read as positive only the wider safety words count ("melted", "burning plastic" are rarely praise).
    return m.list !== CONTEXT || ((label !== 'positive' || m.category === 'safety') && !notice());
  });
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
