/**
 * English sentiment by lexicon: word valences with negation scope ("not good", "isn't bad",
 * "never again"), intensifiers, "but" contrast and emoji. There is no English training data,
 * so this is deliberately simple and explainable; see the hand-labelled check set in the tests.
 */
import { EMOJI_RE, emotivePrior, emotiveToken } from './emoji';
import { EN_DEGREE, EN_NEGATORS, EN_PHRASES, EN_VALENCE } from './lexicon-en';

/** One term's contribution to the English score. */
export interface EnContribution { term: string; weight: number; negated: boolean }

/** Raw result of the English scorer, before labelling. */
export interface EnScore {
  /** Squashed sum of valences, in (-1,1). */
  score: number;
  contributions: EnContribution[];
  /** Number of sentiment-bearing terms found. */
  evidence: number;
}

const TOKEN_RE = /[a-z]+(?:'[a-z]+)?|[.,;:!?]+/g;
// Negation reaches this many words forward, stopping at punctuation or "but" (as in VADER).
const NEGATION_SCOPE = 3;
// A negated word flips and weakens: "not bad" is not as good as "good" (VADER uses -0.74).
const NEGATION_FLIP = -0.74;
// After "but" the writer's real opinion follows: weight the clause before down, after up.
const BEFORE_BUT = 0.5;
const AFTER_BUT = 1.5;
// Squash: score = s / sqrt(s^2 + SQUASH); one strong word (0.8) gives ~0.6.
const SQUASH = 1;

/** Score already-normalised (lowercased) English text. */
export function scoreEn(normalized: string): EnScore {
  const contributions: EnContribution[] = [];
  let text = normalized.replace(/\u2019/g, "'");
  // Phrases first, then blank them out so their words are not counted twice.
  for (const [re, value] of EN_PHRASES) {
    text = text.replace(new RegExp(re.source, 'g'), (m) => {
      contributions.push({ term: m, weight: value, negated: false });
      return ' , ';
    });
  }
  let negLeft = 0;
  let degree = 1;
  let butIndex = -1;
  const words: EnContribution[] = [];
  for (const m of text.matchAll(TOKEN_RE)) {
    const tok = m[0];
    if (/^[.,;:!?]+$/.test(tok)) {
      negLeft = 0;
      degree = 1;
      continue;
    }
    if (tok === 'but' || tok === 'however' || tok === 'although' || tok === 'though') {
      butIndex = words.length;
      negLeft = 0;
      continue;
    }
    if (EN_NEGATORS.has(tok) || tok.endsWith("n't")) {
      negLeft = NEGATION_SCOPE;
      continue;
    }
    const scale = EN_DEGREE.get(tok);
    if (scale !== undefined) {
      degree *= scale;
      continue;
    }
    const valence = EN_VALENCE[tok];
    if (valence !== undefined && valence !== 0) {
      const negated = negLeft > 0;
      words.push({ term: negated ? `not+${tok}` : tok, weight: valence * degree * (negated ? NEGATION_FLIP : 1), negated });
    }
    degree = 1;
    if (negLeft > 0) negLeft--;
  }
  if (butIndex >= 0) words.forEach((w, i) => { w.weight *= i < butIndex ? BEFORE_BUT : AFTER_BUT; });
  contributions.push(...words);
  for (const m of normalized.matchAll(EMOJI_RE)) {
    const prior = emotivePrior(m[0]);
    if (prior !== 0) contributions.push({ term: emotiveToken(m[0]), weight: prior, negated: false });
  }
  // Exclamation marks amplify whatever was said (capped), as in VADER.
  const bangs = Math.min(3, (normalized.match(/!/g) ?? []).length);
  let sum = contributions.reduce((s, c) => s + c.weight, 0);
  sum *= 1 + 0.1 * bangs;
  contributions.sort((a, b) => Math.abs(b.weight) - Math.abs(a.weight));
  return { score: sum / Math.sqrt(sum * sum + SQUASH), contributions, evidence: contributions.length };
}
