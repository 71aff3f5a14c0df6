/**
 * Fitting the Chinese sentiment model, shared by the corpus trainer (train-sentiment.ts) and the
 * community retrain (`resonance retrain`, server/commands/retrain.ts): featurise, fit by FTRL,
 * Platt-calibrate and choose the neutral band on dev, then score held-out rows through the
 * run-time scorer. Both callers fit exactly the same way; they differ only in the rows.
 */
import { featureVector, isLexiconKey, zhFeatures } from '../analysis/features-zh';
import { normalizeText } from '../analysis/normalize';
import { prepareZhModel, scoreZhTokens, type LoadedZhModel, type ZhSentimentModel } from '../analysis/sentiment-zh';
import { lexNormalized, type SentimentToken } from '../analysis/tokenize';
import { chooseNeutralBand, fitPlatt, fitSparseModel, metrics, round, type Scored, type SparseFitParams } from './logreg';
import { CORPORA } from './sentiment-data';

/** A training text: its source (a corpus file, or "community"), target P(positive) (0, 0.5 or 1) and text. */
export interface ZhTrainingRow { file: string; label: number; text: string }
/** A held-out text with a binary gold label (the corpora have no neutral). */
export interface ZhHeldOutRow { file: string; label: 0 | 1; text: string }

/** Hyper-parameters of the committed model, chosen on the dev split; `--name=value` flags re-run experiments. */
export function zhHyper(argv: string[] = process.argv.slice(2)): SparseFitParams {
  const flag = (name: string, fallback: number): number => {
    const hit = argv.find((a) => a.startsWith(`--${name}=`));
    return hit ? Number(hit.split('=')[1]) : fallback;
  };
  return {
    minDf: flag('min-df', 3),
    epochs: flag('epochs', 6),
    alpha: flag('alpha', 0.1),
    beta: 1,
    l1: flag('l1', 1),
    l2: flag('l2', 1),
    pruneBelow: flag('prune', 0.01),
    // NB-SVM scaling (Wang & Manning 2012): +0.2-0.5 points on dev over plain binary features.
    nbScale: flag('nb', 1) === 1,
  };
}

/** The sentiment tokens of a raw text, as the server computes them. */
export function zhTokens(text: string): SentimentToken[] {
  return lexNormalized(normalizeText(text)).sentimentTokens;
}

/** The corpora's shares of the training weight (sentiment-data.ts CORPORA). */
export function corpusShare(file: string): number {
  const corpus = CORPORA.find((c) => c.file === file);
  if (!corpus) throw new Error(`no share for training source ${file}`);
  return corpus.share;
}

/** What `fitZhModel` returns: the calibrated model, ready to score, and what it saw on dev. */
export interface ZhFit {
  model: ZhSentimentModel;
  loaded: LoadedZhModel;
  stats: { candidates: number; afterMinDf: number; inModel: number };
  ftrlSeconds: number;
  dev: Scored[];
  bins: { upTo: number; n: number; accuracy: number }[];
}

/**
 * Fit on `train` (weighted by `shareOf` per source), then calibrate the logit and choose the
 * neutral band on `dev`. `random` drives FTRL's shuffles (a fixed seed reproduces the model).
 */
export function fitZhModel(train: ZhTrainingRow[], dev: ZhHeldOutRow[], shareOf: (file: string) => number, random: () => number, hyper: SparseFitParams): ZhFit {
  const vectorOf = (r: ZhTrainingRow) => featureVector(zhFeatures(zhTokens(r.text)));
  // isLexiconKey: the dense lexicon masses are already signed, NB scaling leaves them alone.
  const { bias, weights, sampleWeight, stats, ftrlSeconds } = fitSparseModel(train, vectorOf, shareOf, isLexiconKey, random, hyper);
  const model: ZhSentimentModel = { version: 1, bias, calibration: { slope: 1, intercept: 0 }, neutralBand: 0, weights };

  // Dev: calibrate the logit, then choose the neutral band on calibrated scores.
  const devTokens = dev.map((r) => zhTokens(r.text));
  const raw = prepareZhModel(model);
  const devLogits = devTokens.map((t) => scoreZhTokens(t, raw).logit);
  const platt = fitPlatt(devLogits, dev.map((r) => r.label), dev.map(sampleWeight));
  model.calibration = { slope: round(platt.slope, 4), intercept: round(platt.intercept, 4) };
  const loaded = prepareZhModel(model);
  const devScored = scoreTokens(dev, devTokens, loaded);
  // All dev rows, not Weibo alone: Weibo's ~1,000 rows leave ~25 per slice, too few to choose from.
  const { band, bins } = chooseNeutralBand(devScored);
  model.neutralBand = band;
  return { model, loaded, stats, ftrlSeconds, dev: devScored, bins };
}

/** Held-out rows scored by a model through the run-time scorer (`tokens`: precomputed, in row order). */
export function scoreTokens(rows: ZhHeldOutRow[], tokens: SentimentToken[][], m: LoadedZhModel): Scored[] {
  return rows.map((r, i) => ({ file: r.file, y: r.label, score: scoreZhTokens(tokens[i], m).score }));
}

/** Binary metrics overall and per corpus file, as the model's info reports them. */
export function corpusMetrics(scored: Scored[], band: number) {
  return {
    overall: metrics(scored, band),
    perFile: Object.fromEntries(CORPORA.map(({ file }) => [file.replace(/\.tsv$/, ''), metrics(scored.filter((r) => r.file === file), band)])),
  };
}
