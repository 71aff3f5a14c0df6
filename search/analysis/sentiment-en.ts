/**
 * English sentiment, two scorers:
 *  - `scoreEn`: the run-time scorer, a logistic-regression model (trained by
 *    search/train/train-sentiment-en.ts, stored in search/models/sentiment-en.json) over the
 *    features of features-en.ts, Platt-calibrated so that score = 2p-1 means what it says;
 *  - `scoreEnLexicon`: the earlier hand-written lexicon scorer (word valences with negation scope,
 *    intensifiers, "but" contrast and emoji). Alone it reached 0.70 on the held-out UCI
 *    sentences (most texts had no lexicon word: score 0); now it is one dense feature of the
 *    model (its phrases and "but" weighting add ~0.8 points in cross-validation) and the
 *    baseline the training script reports against.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { EMOJI_RE, emotivePrior, emotiveToken } from './emoji';
import { communityModel, communityScores, type CommunityScores } from './community-model';
import { FeatureBuffer, explain, topFeatures, weightTable, type Part } from './feature-buffer';
import { EN_LEXICON_MASS_CAP, EN_LEXICON_NEGATIVE, EN_LEXICON_POSITIVE, walkEnFeatures, type EnFeatureOptions } from './features-en';
import { HashTable, hashOf } from './hash-table';
import { EN_DEGREE, EN_NEGATORS, EN_PHRASES, EN_VALENCE } from './lexicon-en';

/** One term's contribution to the English score. */
export interface EnContribution { term: string; weight: number; negated: boolean }

/** Raw result of the English lexicon scorer, before labelling. */
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

// Compiled once: building 16 RegExps per call was most of this scorer's cost.
const PHRASES_GLOBAL: [RegExp, number][] = EN_PHRASES.map(([re, value]) => [new RegExp(re.source, 'g'), value]);
// One scan tells whether any phrase occurs at all (most texts have none).
const ANY_PHRASE = new RegExp(EN_PHRASES.map(([re]) => `(?:${re.source})`).join('|'));
const PUNCTUATION_RE = /^[.,;:!?]+$/;

/** Score already-normalised (lowercased) English text. */
export function scoreEnLexicon(normalized: string): EnScore {
  const contributions: EnContribution[] = [];
  let text = normalized.replace(/\u2019/g, "'");
  // Phrases first, then blank them out so their words are not counted twice.
  if (ANY_PHRASE.test(text)) for (const [re, value] of PHRASES_GLOBAL) {
    if (!re.test(text)) continue;
    re.lastIndex = 0;
    text = text.replace(re, (m) => {
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
    if (PUNCTUATION_RE.test(tok)) {
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
    const valence = EN_VALENCE.get(tok);
    if (valence !== undefined && valence !== 0) {
      const negated = negLeft > 0;
      words.push({ term: negated ? `not+${tok}` : tok, weight: valence * degree * (negated ? NEGATION_FLIP : 1), negated });
    }
    degree = 1;
    if (negLeft > 0) negLeft--;
  }
  if (butIndex >= 0) words.forEach((w, i) => { w.weight *= i < butIndex ? BEFORE_BUT : AFTER_BUT; });
  contributions.push(...words);
  // Emoji live above U+2190; skip the Unicode-property regex for plain text.
  if (/[\u2190-\uffff]/.test(normalized)) for (const m of normalized.matchAll(EMOJI_RE)) {
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

/** The serialised English model: sparse weights, feature settings, calibration and neutral band. */
export interface EnSentimentModel {
  version: 1;
  bias: number;
  calibration: { slope: number; intercept: number };
  /** |score| below this is labelled neutral (chosen on the dev split). */
  neutralBand: number;
  /**
   * The band for texts in which no lexicon word, lexicon phrase or emoji was found: the n-grams
   * alone (function words, "the", "at") are near coin-flip for longer (chosen on the dev split too).
   */
  neutralBandNoLexicon: number;
  /** Feature settings the model was trained with; `lexicon` names the valences behind L:+ / L:-. */
  features: { negationScope: number; bigrams: boolean; questionCue?: boolean; lexicon: 'none' | 'hand' | 'vader'; oldLexicon?: boolean };
  /** The valences themselves when they are not in the code (VADER, MIT licence: see info). */
  lexicon?: Record<string, number>;
  weights: Record<string, number>;
  info?: Record<string, unknown>;
}

/** A model ready for scoring: weights keyed by the 32-bit hash of the feature key. */
export interface LoadedEnModel { model: EnSentimentModel; table: HashTable; options: EnFeatureOptions }

/** Raw result of the English model, before labelling. */
export interface EnModelScore {
  logit: number;
  probability: number;
  /** 2p-1 in [-1,1]. */
  score: number;
  /** The strongest per-term logit contributions (up to 8), largest magnitude first. */
  contributions: (EnContribution & { source: 'model' | 'prior' })[];
  /** How many features the model knew: 0 means the text gave it nothing to go on. */
  evidence: number;
  /** True when a lexicon word or phrase (VADER or the hand lexicon) or an emoji prior was found. */
  lexical: boolean;
  /** The community word model's scores of the same features (community-model.ts), when one is committed. */
  community?: CommunityScores;
  /** The term that pushed each community column most (c_neg, c_neu, c_pos, c_crisis), for reasons. */
  communityTerms?: string[];
}

const MODEL_PATH = fileURLToPath(new URL('../models/sentiment-en.json', import.meta.url));

// Features the model never saw take the fallbacks of feature-buffer.ts (as in the Chinese model);
// the emoji priors matter most here: the English corpora have no emoji.

let loaded: LoadedEnModel | undefined;

/** Wrap a parsed model for scoring. */
export function prepareEnModel(model: EnSentimentModel): LoadedEnModel {
  const table = weightTable(model.weights);
  const { negationScope, bigrams, questionCue, lexicon } = model.features;
  const valences =
    lexicon === 'vader' ? new Map(Object.entries(model.lexicon ?? {})) : lexicon === 'hand' ? EN_VALENCE : undefined;
  return { model, table, options: { negationScope, bigrams, questionCue, lexicon: valences } };
}

/** Whether the committed model has been read yet. */
export function enModelLoaded(): boolean {
  return loaded !== undefined;
}

/** The committed model, read on first use. */
export function enModel(): LoadedEnModel {
  if (!loaded) loaded = prepareEnModel(JSON.parse(readFileSync(MODEL_PATH, 'utf8')) as EnSentimentModel);
  return loaded;
}

const H_LEX_POS = hashOf(EN_LEXICON_POSITIVE);
const H_LEX_NEG = hashOf(EN_LEXICON_NEGATIVE);
/** Key of the dense feature holding the old lexicon scorer's score (models trained with features.oldLexicon). */
export const EN_OLD_LEXICON = 'S:lex';
const H_OLD_LEX = hashOf(EN_OLD_LEXICON);

// The features of the text being scored (the note on FeatureBuffer says why not objects or a Map).
const buffer = new FeatureBuffer(' ');

/** Score normalised English text with a model; the training script evaluates through this same path. */
export function scoreEn(normalized: string, m: LoadedEnModel = enModel()): EnModelScore {
  const f = buffer;
  f.reset();
  walkEnFeatures(normalized, buffer, m.options);
  const { table } = m;
  let logit = m.model.bias;
  let evidence = 0;
  const contrib = new Float64Array(f.size);
  const fromPrior = new Uint8Array(f.size);
  for (let k = 0; k < f.size; k++) {
    let w = f.weightOf(k, table);
    const emo = f.emotiveFallback(k, w);
    if (emo !== 0) {
      w = emo;
      fromPrior[k] = 1;
    }
    if (w === undefined) continue;
    evidence++;
    contrib[k] = w;
    logit += w;
  }
  const parts: Part<'prior'>[] = topFeatures(contrib).map((k) =>
    ({ term: f.termOf(k), weight: contrib[k], negated: f.negated[k] === 1, source: fromPrior[k] ? 'prior' : 'model' }));
  logit = f.addLexicon(logit, table.get(H_LEX_POS) ?? 0, table.get(H_LEX_NEG) ?? 0, EN_LEXICON_MASS_CAP, parts);
  if (f.lexiconHits.length > 0) evidence++;
  let lexical = f.lexiconHits.length > 0 || fromPrior.includes(1);
  if (m.model.features.oldLexicon) {
    const old = scoreEnLexicon(normalized);
    if (old.evidence > 0) lexical = true;
    const c = (table.get(H_OLD_LEX) ?? 0) * old.score;
    logit += c;
    if (old.evidence > 0) {
      evidence++;
      parts.push({ term: 'lexicon:' + old.contributions.slice(0, 2).map((x) => x.term).join('+'), weight: c, negated: false, source: 'model' });
    }
  }
  const { slope, intercept } = m.model.calibration;
  const probability = 1 / (1 + Math.exp(-(slope * logit + intercept)));
  const cm = communityModel('en');
  const community = cm ? communityScores(cm, f.hashes, f.size) : undefined;
  const communityTerms = community?.strongest.map((k) => (k < 0 ? '' : f.termOf(k)));
  return { logit, probability, score: 2 * probability - 1, contributions: explain(parts), evidence, lexical, community, communityTerms };
}

/**
 * Distinct features of a text as hash -> value, exactly as the scorer sees them; lets a test check
 * that hashing from parts matches hashing the trainer's string keys.
 */
export function hashedEnFeatureVector(normalized: string, options: EnFeatureOptions): Map<number, number> {
  buffer.reset();
  walkEnFeatures(normalized, buffer, options);
  return buffer.hashedVector(H_LEX_POS, H_LEX_NEG, EN_LEXICON_MASS_CAP);
}
