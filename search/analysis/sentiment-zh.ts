/**
 * Chinese sentiment: a logistic-regression model (trained by search/train/train-sentiment.ts,
 * stored in search/models/sentiment-zh.json) over the features of features-zh.ts, with a
 * Platt calibration so that score = 2p-1 means what it says.
 *
 * Scoring hashes feature keys from their characters (hash-table.ts) instead of building and
 * looking up strings: same features as training, a fraction of the cost.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FeatureBuffer, FeatureKind, NEGATION_FLIP, explain, topFeatures, weightTable, type Part } from './feature-buffer';
import { LEXICON_MASS_CAP, LEXICON_NEGATIVE, LEXICON_POSITIVE, walkZhFeatures } from './features-zh';
import { HashTable, hashOf } from './hash-table';
import { communityModel, communityScores, type CommunityScores } from './community-model';
import { zhLexiconPolarity } from './lexicon-zh';
import { lexNormalized, type SentimentToken } from './tokenize';

/** The serialised model: sparse weights plus calibration and the neutral band chosen on validation. */
export interface ZhSentimentModel {
  version: 1;
  bias: number;
  calibration: { slope: number; intercept: number };
  /** |score| below this is labelled neutral (chosen on the validation split). */
  neutralBand: number;
  weights: Record<string, number>;
  info?: Record<string, unknown>;
}

/** A model ready for scoring: weights in a hash table keyed by the 32-bit hash of the feature key. */
export interface LoadedZhModel { model: ZhSentimentModel; table: HashTable }

/** How much one term moved the logit, and whether the weight came from the model or the hand lexicon. */
export interface Contribution { term: string; weight: number; negated: boolean; source: 'model' | 'lexicon' }

/** Raw result of the Chinese scorer, before labelling. */
export interface ZhScore {
  logit: number;
  probability: number;
  /** 2p-1 in [-1,1]. */
  score: number;
  /** The strongest per-term logit contributions (up to 8), largest magnitude first. */
  contributions: Contribution[];
  /** How many features the model knew: 0 means the text gave it nothing to go on. */
  evidence: number;
  /** The positive and the negative evidence (logit units, bias left out): the community cues read them. */
  span: SpanLogit;
  /** The community word model's scores of the same features (community-model.ts), when one is committed. */
  community?: CommunityScores;
  /** The term that pushed each community column most (c_neg, c_neu, c_pos, c_crisis), for reasons. */
  communityTerms?: string[];
}

const MODEL_PATH = fileURLToPath(new URL('../models/sentiment-zh.json', import.meta.url));

// Besides the fallbacks both scorers share (feature-buffer.ts), a lexicon word the model never
// kept a weight for (new slang: "拉胯", "遥遥领先") takes its hand-set polarity.
const LEXICON_LOGIT = 2;

let loaded: LoadedZhModel | undefined;
let modelPath = MODEL_PATH;

/** Wrap a parsed model for scoring. */
export function prepareZhModel(model: ZhSentimentModel): LoadedZhModel {
  return { model, table: weightTable(model.weights) };
}

const SOCIAL_MODEL_PATH = fileURLToPath(new URL('../models/sentiment-zh-social.json', import.meta.url));
// undefined: not read yet; null: no social model committed (the all-corpora model serves social sources too).
let social: LoadedZhModel | null | undefined;
let socialOverride: LoadedZhModel | null = null;

/**
 * The Weibo-only model for social sources (search/train/train-sentiment-social.ts), read on first
 * use; the all-corpora model when none is committed.
 */
export function zhSocialModel(): LoadedZhModel {
  if (socialOverride) return socialOverride;
  if (social === undefined) {
    try {
      social = prepareZhModel(JSON.parse(readFileSync(SOCIAL_MODEL_PATH, 'utf8')) as ZhSentimentModel);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      social = null;
    }
  }
  return social ?? zhModel();
}

/** Score social sources with this model until called with null (the committed one); trainers evaluate through it. */
export function useZhSocialModel(m: LoadedZhModel | null): void {
  socialOverride = m;
}

/** Whether the committed model has been read yet. */
export function zhModelLoaded(): boolean {
  return loaded !== undefined;
}

/** The model in use: the committed one, or the file `useZhModelFile` named; read on first use. */
export function zhModel(): LoadedZhModel {
  if (!loaded) loaded = prepareZhModel(JSON.parse(readFileSync(modelPath, 'utf8')) as ZhSentimentModel);
  return loaded;
}

/**
 * Score with the model in this file from now on (a community retrain, `resonance retrain
 * --write`); null goes back to the committed model. Read at once, so a bad file fails at boot.
 */
export function useZhModelFile(file: string | null): void {
  const next = file ?? MODEL_PATH;
  if (next === modelPath && loaded) return;
  modelPath = next;
  loaded = undefined;
  zhModel();
}

/** The file the model in use comes from (the committed model unless `useZhModelFile` named another). */
export function zhModelFile(): string {
  return modelPath;
}

/** Score with this model until called again (null: the file model, re-read); the retrain evaluates through it. */
export function useZhModel(m: LoadedZhModel | null): void {
  loaded = m ?? undefined;
}

const H_LEX_POS = hashOf(LEXICON_POSITIVE);
const H_LEX_NEG = hashOf(LEXICON_NEGATIVE);

// The features of the text being scored (the note on FeatureBuffer says why not objects or a Map).
const buffer = new FeatureBuffer('');

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** Score sentiment tokens with a model; the training script evaluates through this same path. */
export function scoreZhTokens(tokens: SentimentToken[], m: LoadedZhModel = zhModel()): ZhScore {
  const f = buffer;
  f.reset();
  walkZhFeatures(tokens, buffer);
  // Contributions by feature index; terms are only built for the strongest few (explain()).
  const evidence = sumContributions(f, m);
  const { contrib, fromFallback } = f;
  let logit = m.model.bias;
  const span: SpanLogit = { positive: 0, negative: 0 };
  for (let k = 0; k < f.size; k++) {
    logit += contrib[k];
    if (contrib[k] > 0) span.positive += contrib[k];
    else span.negative -= contrib[k];
  }
  const parts: Part<'lexicon'>[] = topFeatures(contrib, f.size).map((k) =>
    ({ term: f.termOf(k), weight: contrib[k], negated: f.negated[k] === 1, source: fromFallback[k] ? 'lexicon' : 'model' }));
  const beforeLexicon = parts.length;
  logit = f.addLexicon(logit, m.table.get(H_LEX_POS) ?? 0, m.table.get(H_LEX_NEG) ?? 0, LEXICON_MASS_CAP, parts);
  for (let i = beforeLexicon; i < parts.length; i++) {
    if (parts[i].weight > 0) span.positive += parts[i].weight;
    else span.negative -= parts[i].weight;
  }
  const { slope, intercept } = m.model.calibration;
  const probability = sigmoid(slope * logit + intercept);
  const cm = communityModel('zh');
  const community = cm ? communityScores(cm, f.hashes, f.size) : undefined;
  const communityTerms = community?.strongest.map((k) => (k < 0 ? '' : f.termOf(k)));
  return { logit, probability, score: 2 * probability - 1, contributions: explain(parts), evidence, span, community, communityTerms };
}

/** Each feature's share of the logit into `f.contrib` (model weight, else the lexicon or emoji fallback, marked in `f.fromFallback`); returns the evidence count. */
function sumContributions(f: FeatureBuffer, m: LoadedZhModel): number {
  const { table } = m;
  const { contrib, fromFallback } = f;
  let evidence = 0;
  for (let k = 0; k < f.size; k++) {
    contrib[k] = 0;
    fromFallback[k] = 0;
    let w = f.weightOf(k, table);
    let lexicon = false;
    if (w === undefined && f.kinds[k] === FeatureKind.Word) {
      const prior = zhLexiconPolarity(f.texts[k]);
      if (prior !== undefined) {
        w = prior * LEXICON_LOGIT * (f.negated[k] ? -NEGATION_FLIP : 1);
        lexicon = true;
      }
    }
    const emo = f.emotiveFallback(k, w);
    if (emo !== 0) {
      w = emo;
      lexicon = true;
    }
    if (w === undefined) continue;
    evidence++;
    contrib[k] = w * f.values[k];
    if (lexicon) fromFallback[k] = 1;
  }
  return evidence;
}

/** A span's share of the evidence: the positive and the negative contributions (logit units, bias left out). */
export interface SpanLogit { positive: number; negative: number }

// A second buffer, so scoring a clause never disturbs the whole text's features.
const spanBuffer = new FeatureBuffer('');

/**
 * The positive and negative evidence of a span of tokens (a clause, the part after a turn), without
 * reasons: the community cues (cues-zh.ts) weigh clauses with it. `negative` is a magnitude.
 */
export function zhSpanLogit(tokens: SentimentToken[], m: LoadedZhModel = zhModel()): SpanLogit {
  const f = spanBuffer;
  f.reset();
  walkZhFeatures(tokens, f);
  sumContributions(f, m);
  const { contrib } = f;
  let positive = 0;
  let negative = 0;
  for (let k = 0; k < f.size; k++) {
    if (contrib[k] > 0) positive += contrib[k];
    else negative -= contrib[k];
  }
  const wPos = m.table.get(H_LEX_POS) ?? 0;
  const wNeg = m.table.get(H_LEX_NEG) ?? 0;
  for (const lex of [Math.min(LEXICON_MASS_CAP, f.positiveMass) * wPos, Math.min(LEXICON_MASS_CAP, f.negativeMass) * wNeg]) {
    if (lex > 0) positive += lex;
    else negative -= lex;
  }
  return { positive, negative };
}

/**
 * Distinct features of the tokens as hash -> value, exactly as the scorer sees them; lets a test
 * check that hashing from characters matches hashing the trainer's string keys.
 */
export function hashedFeatureVector(tokens: SentimentToken[]): Map<number, number> {
  buffer.reset();
  walkZhFeatures(tokens, buffer);
  return buffer.hashedVector(H_LEX_POS, H_LEX_NEG, LEXICON_MASS_CAP);
}

/** Score already-normalised Chinese text with the committed model. */
export function scoreZh(normalized: string): ZhScore {
  return scoreZhTokens(lexNormalized(normalized).sentimentTokens);
}
