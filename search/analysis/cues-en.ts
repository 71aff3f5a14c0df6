/**
 * Community cues for English posts (issue #11), the counterpart of cues-zh.ts: the model's score
 * of the whole text and of the part after a turn ("but", "turned out"), irony (praise in quotes,
 * "oh great", thanks next to a problem, 🙃 /s), rhetorical and question complaints ("is this
 * normal?"), genuine questions, notices and logistics, mild praise ("worth it", "does the job")
 * and comparisons with another product. The three-way layer (three-way.ts) learned their weights.
 */
import { COMMUNITY_CUE_NAMES, communityCues } from './community-model';
import type { EnModelScore } from './sentiment-en';
import { scoreEn } from './sentiment-en';

/** The cue features, in the order of the vector (the three-way model stores the same list). */
export const EN_CUE_NAMES = [
  'z_all', 'lexical', 'no_evidence', 'has_turn', 'z_tail', 'z_head',
  'question', 'question_neg', 'genuine_question', 'rhetorical', 'rhetorical_neg',
  'notice', 'schedule', 'header', 'notice_abs',
  'quote', 'sticker', 'thanks_neg', 'emphatic', 'emphatic_pos', 'mild_praise', 'problem', 'problem_pos',
  'rival', 'rival_z', 'exclaim', 'length',
  'c_neg', 'c_neu', 'c_pos', 'c_crisis',
] as const;
export type EnCueName = (typeof EN_CUE_NAMES)[number];
const INDEX = new Map<string, number>(EN_CUE_NAMES.map((n, i) => [n, i]));

const TURN_RE = /\b(?:but|however|though|although|turned out|turns out|until|except|then|now|yet|instead|ended up|actually)\b/g;
const QUESTION_RE = /\?/;
const GENUINE_Q_RE = /\b(?:anyone|does anyone|has anyone|how do i|how do you|how to|how long|how much|how often|which|where can|what's the best|what is the|is it possible|can i|should i|do i need|is there a|recommend(?:ation)?s?)\b/;
const RHETORICAL_RE = /\b(?:is (?:this|that|it) (?:normal|standard|acceptable|ok|okay|a joke|legal)|seriously|really\?|who (?:designed|thought|approved)|why (?:does|is|do|would|can't|won't|on earth)|how is (?:this|that|it)|what's the point|is anyone|does anyone even|am i supposed|are you kidding|what happened to|where is (?:the|my)|so much for)\b/;
const NOTICE_RE = /\b(?:reminder|notice|announcement|update:|schedule|will be (?:closed|held|available|open)|opens?|closes?|closed|registration|register|sign up|sign-ups|rsvp|deadline|please|tip:|guide|faq|steps?|how to|policy|hours|maintenance|rollout|release notes|changelog|available (?:from|at|in)|starting|effective)\b|:/;
const SCHEDULE_RE = /\b\d{1,2}(?::\d\d)?\s?(?:am|pm)\b|\b(?:mon|tues|wednes|thurs|fri|satur|sun)day\b|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d|\b\d+(?:st|nd|rd|th)\b|\bweek(?:end)?\b|\btonight\b|\btomorrow\b/;
const HEADER_RE = /^[^.!?,]{2,30}:/;
const QUOTE_RE = /["“‘'][a-z][a-z -]{1,20}["”’']/;
const STICKER_RE = /🙂|🙃|😅|🤡|🙄|\/s\b|\blol\b|\blmao\b|😒/u;
const THANKS_RE = /\b(?:thanks|thank you|thx)\b/;
const EMPHATIC_RE = /\b(?:oh great|just great|great job|love how|love that|wow|so much for|real (?:smooth|nice|great)|what a|truly|totally|nice touch|bravo|genius|impressive|fantastic|amazing|perfect)\b/;
const MILD_PRAISE_RE = /\b(?:worth it|worth the|does the job|does what|solid|reliable|would buy again|buy again|bought another|second one|no complaints|can't complain|happy with|not bad|decent|works fine|works well|pretty good|good enough|recommend|no regrets|no regret|glad|smooth|quiet|easy|painless|sorted|fixed it|on time|helpful|friendly|nice|love it|keeper|repurchase|restock|still going strong)\b/g;
const PROBLEM_RE = /\b(?:again|still|keeps?|stopped|won't|wont|doesn't|didn't|broke|broken|twice|three times|every time|no one|nobody|waited|never|refund|stuck|crash(?:es|ed)?|dead|died|leak(?:s|ed|ing)?|rash|burn(?:t|ed)?|hot|noise|noisy|overcharged|late|missing|ignored|weeks|days later)\b/g;
const RIVAL_RE = /\b(?:other brand|competitor|my old|my previous|the old one|previous one|than the|than my|unlike|compared to|vs\.?|switched from|the other|their (?:app|car|phone)|other (?:phones|cars|brands))\b/;

function countMatches(re: RegExp, text: string, cap: number): number {
  re.lastIndex = 0;
  let n = 0;
  while (n < cap && re.exec(text) !== null) n++;
  re.lastIndex = 0;
  return n;
}

const squash = (x: number) => Math.tanh(x / 2);
const logitOf = (s: EnModelScore) => Math.max(-8, Math.min(8, s.logit));

/** The cue vector of one normalised English text, given the English model's score of it. */
export function enCues(normalized: string, s: EnModelScore): Float64Array {
  const v = new Float64Array(EN_CUE_NAMES.length);
  const set = (name: EnCueName, x: number): void => { v[INDEX.get(name)!] = x; };
  const z = logitOf(s);
  let pos = 0;
  let neg = 0;
  for (const c of s.contributions) {
    if (c.weight > 0) pos += c.weight;
    else neg -= c.weight;
  }
  set('z_all', z);
  set('lexical', s.lexical ? 1 : 0);
  set('no_evidence', s.evidence === 0 ? 1 : 0);
  // The last turn: score the text after it and before it on their own.
  let at = -1;
  let len = 0;
  TURN_RE.lastIndex = 0;
  for (const m of normalized.matchAll(TURN_RE)) if (m.index > 0) { at = m.index; len = m[0].length; }
  if (at > 0 && at + len < normalized.length - 2) {
    set('has_turn', 1);
    set('z_tail', logitOf(scoreEn(normalized.slice(at + len))));
    set('z_head', logitOf(scoreEn(normalized.slice(0, at))));
  }
  const question = QUESTION_RE.test(normalized) ? 1 : 0;
  set('question', question);
  set('question_neg', question * squash(neg));
  set('genuine_question', GENUINE_Q_RE.test(normalized) ? 1 : 0);
  const rhetorical = RHETORICAL_RE.test(normalized) ? 1 : 0;
  set('rhetorical', rhetorical);
  set('rhetorical_neg', rhetorical * squash(neg));
  const notice = NOTICE_RE.test(normalized) ? 1 : 0;
  set('notice', notice);
  set('schedule', SCHEDULE_RE.test(normalized) ? 1 : 0);
  set('header', HEADER_RE.test(normalized) ? 1 : 0);
  set('notice_abs', notice * squash(Math.abs(z)));
  set('quote', QUOTE_RE.test(normalized) ? 1 : 0);
  set('sticker', STICKER_RE.test(normalized) ? 1 : 0);
  set('thanks_neg', THANKS_RE.test(normalized) ? squash(neg) : 0);
  const emphatic = EMPHATIC_RE.test(normalized) ? 1 : 0;
  set('emphatic', emphatic);
  set('emphatic_pos', emphatic * squash(pos));
  set('mild_praise', countMatches(MILD_PRAISE_RE, normalized, 3));
  const problem = countMatches(PROBLEM_RE, normalized, 4);
  set('problem', problem);
  set('problem_pos', Math.min(2, problem) * squash(pos));
  const rival = RIVAL_RE.test(normalized) ? 1 : 0;
  set('rival', rival);
  set('rival_z', rival * squash(z));
  set('exclaim', normalized.includes('!') ? 1 : 0);
  set('length', Math.log1p(normalized.length) / 5);
  // The community word model (community-model.ts: communityCues).
  if (s.community) communityCues(s.community).forEach((x, i) => set(COMMUNITY_CUE_NAMES[i], x));
  return v;
}
