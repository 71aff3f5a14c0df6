/**
 * Chinese sentiment: a logistic-regression model (trained by search/train/train-sentiment.ts,
 * stored in search/models/sentiment-zh.json) over the features of features-zh.ts, with a
 * Platt calibration so that score = 2p-1 means what it says.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { emotivePrior } from './emoji';
import { featureVector, sentimentTokens, zhFeatures, type SentimentToken } from './features-zh';

/** The serialised model: sparse weights plus calibration and the neutral band chosen on validation. */
export interface ZhSentimentModel {
  version: 1;
  bias: number;
  calibration: { slope: number; intercept: number };
  /** |score| below this is labelled neutral (chosen on the validation split). */
  neutralBand: number;
  /** Feature values are divided by sqrt(number of features) so long reviews and short posts score alike. */
  lengthNorm: boolean;
  weights: Record<string, number>;
  info?: Record<string, unknown>;
}

/** A model ready for scoring: weights in a Map for fast lookup. */
export interface LoadedZhModel { model: ZhSentimentModel; weights: Map<string, number> }

/** Raw result of the Chinese scorer, before labelling. */
export interface ZhScore {
  logit: number;
  probability: number;
  /** 2p-1 in [-1,1]. */
  score: number;
  /** Per-term logit contributions, largest magnitude first. */
  contributions: { term: string; weight: number; negated: boolean }[];
  /** How many features the model knew: 0 means the text gave it nothing to go on. */
  evidence: number;
}

const MODEL_PATH = fileURLToPath(new URL('../models/sentiment-zh.json', import.meta.url));

// Fallbacks for features the model never saw (pruned or absent from the corpora):
// a negated word the corpora never negated takes a damped opposite of its plain weight...
const NEGATION_FLIP = 0.6;
// ...and an emoji/emoticon without a learned weight takes its hand-set prior, in logit units.
const EMOTIVE_PRIOR_LOGIT = 1.5;

let loaded: LoadedZhModel | undefined;

/** Wrap a parsed model for scoring. */
export function prepareZhModel(model: ZhSentimentModel): LoadedZhModel {
  return { model, weights: new Map(Object.entries(model.weights)) };
}

/** The committed model, read on first use. */
export function zhModel(): LoadedZhModel {
  if (!loaded) loaded = prepareZhModel(JSON.parse(readFileSync(MODEL_PATH, 'utf8')) as ZhSentimentModel);
  return loaded;
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** Score sentiment tokens with a model; exposed so training evaluates exactly the run-time path. */
export function scoreZhTokens(tokens: SentimentToken[], m: LoadedZhModel = zhModel()): ZhScore {
  const byTerm = new Map<string, { term: string; weight: number; negated: boolean }>();
  let logit = m.model.bias;
  let evidence = 0;
  const vector = featureVector(zhFeatures(tokens));
  const norm = m.model.lengthNorm && vector.size > 0 ? 1 / Math.sqrt(vector.size) : 1;
  for (const f of vector.values()) {
    let w = m.weights.get(f.key);
    if (w === undefined && f.negated) {
      const plain = m.weights.get('w:' + f.key.slice(2));
      if (plain !== undefined) w = -NEGATION_FLIP * plain;
    }
    if (w === undefined && f.key.startsWith('e:')) {
      const prior = emotivePrior(f.term);
      if (prior !== 0) w = prior * EMOTIVE_PRIOR_LOGIT;
    }
    if (w === undefined) continue;
    evidence++;
    const c = w * f.value * norm;
    logit += c;
    // Word, char-bigram and word-bigram features often name the same term ("太差"): show it once.
    const entry = byTerm.get(f.term);
    if (entry) entry.weight += c;
    else byTerm.set(f.term, { term: f.term, weight: c, negated: f.negated });
  }
  const { slope, intercept } = m.model.calibration;
  const probability = sigmoid(slope * logit + intercept);
  const contributions = [...byTerm.values()].sort((a, b) => Math.abs(b.weight) - Math.abs(a.weight));
  return { logit, probability, score: 2 * probability - 1, contributions, evidence };
}

/** Score already-normalised Chinese text with the committed model. */
export function scoreZh(normalized: string): ZhScore {
  return scoreZhTokens(sentimentTokens(normalized));
}
