/**
 * Features for the English sentiment model: lowercased word unigrams with negation marking
 * (words after not/no/never/...n't, for the model's negationScope words or up to the end of the
 * clause or a contrast word, get the n: prefix instead of w:), word bigrams within a clause,
 * emoji, the ! cue (and ? when enabled) and two lexicon-mass features. One scan (`walkEnFeatures`) emits them into a sink: the training script
 * collects string keys (`enFeatures`), the run-time scorer hashes the same strings, so both
 * always see the same features.
 *
 * Keys: w:word, n:word (negated), b:word|word, e:token, p:! (p:? only with questionCue), L:+ / L:- (lexicon mass).
 */
import { EMOJI_RE, emotiveToken } from './emoji';
import type { FeatureSink } from './features-zh';
import { EN_DEGREE, EN_NEGATORS } from './lexicon-en';

/**
 * Receives every feature occurrence of a text, in order: the Chinese sink without char bigrams,
 * so that one hashing buffer (feature-buffer.ts) serves both scorers. English features are
 * binary: word() always gets value 1.
 */
export type EnFeatureSink = Omit<FeatureSink, 'charBigram'>;

/** Feature-extraction settings; stored in the model so training and scoring agree. */
export interface EnFeatureOptions {
  /** Words a negator reaches forward (0: to the end of the clause). */
  negationScope: number;
  bigrams: boolean;
  /** Emit p:? for questions (see the trainer: off, questions in the corpora are rhetorical complaints). */
  questionCue?: boolean;
  /** Word valences in [-1,1] for the lexicon-mass features, or none. */
  lexicon?: ReadonlyMap<string, number>;
}

/** One feature with its string key, as the trainer sees it. */
export interface EnFeature { key: string; value: number; negated: boolean; term: string }

/** Keys of the dense lexicon features: positive and negative mass. */
export const EN_LEXICON_POSITIVE = 'L:+';
export const EN_LEXICON_NEGATIVE = 'L:-';
/** Lexicon mass is capped so a long review listing many complaints does not swamp everything else. */
export const EN_LEXICON_MASS_CAP = 2;
// A negated lexicon word counts for the other side, damped: "not bad" is milder than "good" (VADER: -0.74).
const LEXICON_NEGATION = 0.74;

// Contrast words end a negation scope: in "not cheap but works great" "works great" is not negated.
const CONTRAST = new Set(['but', 'however', 'although', 'though', 'yet', 'except']);

// Word characters: a-z, digits and Latin-1/Extended-A letters (café, naïve); NFKC has lowercased them.
function isWordCode(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || (c >= 0xc0 && c <= 0x24f && c !== 0xd7 && c !== 0xf7);
}

// Clause breaks: negation and bigrams stop here. Hyphens, slashes and quotes do not break a clause.
function isBreakCode(c: number): boolean {
  return c === 46 || c === 44 || c === 59 || c === 58 || c === 33 || c === 63 || c === 40 || c === 41 || c === 10 || c === 0x2026;
}

function isDigits(w: string): boolean {
  for (let i = 0; i < w.length; i++) {
    const c = w.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** A negator: the listed words, and every contraction ending in n't ("shouldn't", "ain't"). */
export function isEnNegator(w: string): boolean {
  return EN_NEGATORS.has(w) || w.endsWith("n't");
}

/** The scan's state, one object reused across calls (scoring is synchronous): no closures per call. */
class WalkState {
  negLeft = 0; // > 0 while inside a negation scope
  negCue = '';
  degree = 1;
  prev = '';
  sink!: EnFeatureSink;
  options!: EnFeatureOptions;

  addWord(raw: string): void {
    const { sink, options } = this;
    const w = isDigits(raw) ? '#' : raw;
    if (options.bigrams && this.prev) sink.wordBigram(this.prev, w);
    this.prev = w;
    if (CONTRAST.has(w)) {
      sink.word(w, 1, false, '');
      this.negLeft = 0;
      this.degree = 1;
      return;
    }
    if (isEnNegator(w)) {
      // The negator itself is a plain feature ("not" leans negative in reviews) and opens a scope.
      sink.word(w, 1, false, '');
      this.negLeft = options.negationScope > 0 ? options.negationScope : Number.MAX_SAFE_INTEGER;
      this.negCue = w;
      return;
    }
    const negated = this.negLeft > 0;
    sink.word(w, 1, negated, this.negCue);
    const scale = EN_DEGREE.get(w);
    if (scale !== undefined) {
      this.degree = scale;
      return;
    }
    const polarity = options.lexicon?.get(w);
    if (polarity !== undefined && polarity !== 0) {
      const mass = polarity * this.degree * (negated ? -LEXICON_NEGATION : 1);
      sink.lexicon(mass > 0, Math.abs(mass), negated, this.negCue, w);
    }
    this.degree = 1;
    if (this.negLeft > 0) this.negLeft--;
  }
}
const state = new WalkState();

/**
 * Walk normalised (NFKC, lowercased) English text and emit its features into `sink`
 * (duplicates included). A hand-written scanner, not a regex: this runs for every post.
 */
export function walkEnFeatures(text: string, sink: EnFeatureSink, options: EnFeatureOptions): void {
  const st = state;
  st.sink = sink;
  st.options = options;
  st.negLeft = 0; st.degree = 1; st.prev = ''; st.negCue = '';
  let bang = false;
  let question = false;
  let hasHigh = false;
  let start = -1;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 32;
    if (isWordCode(c)) {
      if (start < 0) start = i;
      continue;
    }
    // An apostrophe between letters belongs to the word ("isn't", "don’t"); elsewhere it is a quote.
    if ((c === 39 || c === 0x2019) && start >= 0 && i + 1 < text.length && isWordCode(text.charCodeAt(i + 1))) continue;
    if (start >= 0) {
      const w = text.slice(start, i);
      st.addWord(w.includes('\u2019') ? w.replace(/\u2019/g, "'") : w);
      start = -1;
    }
    if (isBreakCode(c)) {
      if (c === 33) bang = true;
      else if (c === 63) question = true;
      // A clause break ends negation, degree and bigrams.
      st.negLeft = 0; st.degree = 1; st.prev = '';
    } else if (c >= 0x2190) hasHigh = true;
  }
  // Emoji are rare: a second pass only when the text has a character where they live.
  if (hasHigh) for (const m of text.matchAll(EMOJI_RE)) sink.emotive(emotiveToken(m[0]));
  if (bang) sink.cue('!');
  if (question && options.questionCue) sink.cue('?');
}

/** Sentiment features of a text as string keys (duplicates kept; see `enFeatureVector`). */
export function enFeatures(text: string, options: EnFeatureOptions): EnFeature[] {
  const feats: EnFeature[] = [];
  walkEnFeatures(text, {
    word(w, value, negated, negCue) {
      feats.push({ key: (negated ? 'n:' : 'w:') + w, value, negated, term: negated ? negCue + '+' + w : w });
    },
    wordBigram(a, b) {
      feats.push({ key: 'b:' + a + '|' + b, value: 1, negated: false, term: a + ' ' + b });
    },
    emotive(token) {
      feats.push({ key: 'e:' + token, value: 1, negated: false, term: token });
    },
    cue(cue) {
      feats.push({ key: 'p:' + cue, value: 1, negated: false, term: cue });
    },
    lexicon(positive, mass, negated, negCue, w) {
      feats.push({ key: positive ? EN_LEXICON_POSITIVE : EN_LEXICON_NEGATIVE, value: mass, negated, term: negated ? negCue + '+' + w : w });
    },
  }, options);
  return feats;
}

/** True for the two dense lexicon-mass features. */
export function isEnLexiconKey(key: string): boolean {
  return key === EN_LEXICON_POSITIVE || key === EN_LEXICON_NEGATIVE;
}

/**
 * De-duplicate features by key (presence, not counts, so long reviews do not dominate);
 * the two lexicon features are masses, summed and capped instead.
 */
export function enFeatureVector(feats: EnFeature[]): Map<string, number> {
  const byKey = new Map<string, number>();
  for (const f of feats) {
    const seen = byKey.get(f.key);
    if (isEnLexiconKey(f.key)) byKey.set(f.key, Math.min(EN_LEXICON_MASS_CAP, (seen ?? 0) + f.value));
    else if (seen === undefined || f.value > seen) byKey.set(f.key, f.value);
  }
  return byKey;
}
