/**
 * Trains the Chinese sentiment model (search/models/sentiment-zh.json) from the shared corpora.
 *
 *   npm run train:sentiment            (node --import tsx search/train/train-sentiment.ts)
 *   SENTIMENT_DATA_DIR=/data/sentiment npm run train:sentiment
 *   ... -- --no-write                  evaluate without overwriting the committed model
 *   ... -- --l1=2 --epochs=10 ...      re-run a dev experiment (see HYPER); --dump-dev=FILE for error analysis
 *
 * Procedure (the order matters for honest figures):
 *  1. every file is split per label with a fixed seed into test 10% / dev 10% / train 80%
 *     BEFORE anything is fitted; texts that also occur in another file's test or dev split are
 *     dropped from training so the held-out figures are not inflated by cross-file duplicates;
 *  2. FTRL-proximal logistic regression on train, domains re-weighted (Weibo up-weighted as
 *     the closest to forum posts) and classes balanced within each file;
 *  3. dev: Platt calibration of the logit and the neutral band;
 *  4. test: accuracy, macro-F1 and negative precision/recall per file and overall, computed
 *     through the same scorer the server uses, with the pruned, rounded model.
 * The corpora are read in place and never copied into the project.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { featureVector, isLexiconKey, zhFeatures } from '../analysis/features-zh';
import { normalizeText } from '../analysis/normalize';
import { prepareZhModel, scoreZhTokens, type ZhSentimentModel } from '../analysis/sentiment-zh';
import { lexNormalized, type SentimentToken } from '../analysis/tokenize';
import { chooseNeutralBand, fitPlatt, fitSparseModel, metrics, round, type Scored } from './logreg';
import { CORPORA, SPLIT, loadSplits, repoRoot, rng, sentimentDataDir, type Row } from './sentiment-data';

const modelPath = path.resolve(repoRoot, 'search/models/sentiment-zh.json');
const args = new Set(process.argv.slice(2));
const flag = (name: string, fallback: number): number => {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit ? Number(hit.split('=')[1]) : fallback;
};

// Chosen on the dev split (see the report); flags exist to re-run those experiments.
const HYPER = {
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

function tokensOf(text: string): SentimentToken[] {
  return lexNormalized(normalizeText(text)).sentimentTokens;
}

function main(): void {
  const started = Date.now();
  const dataDir = sentimentDataDir();
  const random = rng(SPLIT.seed + 1);
  const { rows, droppedAsDuplicates: dropped } = loadSplits(dataDir);
  const train = rows.filter((r) => r.split === 'train');

  const vectorOf = (r: Row) => featureVector(zhFeatures(tokensOf(r.text)));
  const shareOf = (file: string) => CORPORA.find((c) => c.file === file)!.share;
  // isLexiconKey: the dense lexicon masses are already signed, NB scaling leaves them alone.
  const { bias, weights, sampleWeight, stats, ftrlSeconds: trainSeconds } = fitSparseModel(train, vectorOf, shareOf, isLexiconKey, random, HYPER);
  const model: ZhSentimentModel = {
    version: 1,
    bias,
    calibration: { slope: 1, intercept: 0 },
    neutralBand: 0,
    weights,
  };

  // Dev: calibrate the logit, then choose the neutral band on calibrated scores.
  const dev = rows.filter((r) => r.split === 'dev');
  const devTokens = dev.map((r) => tokensOf(r.text));
  const raw = prepareZhModel(model);
  const devLogits = devTokens.map((t) => scoreZhTokens(t, raw).logit);
  model.calibration = fitPlatt(devLogits, dev.map((r) => r.label), dev.map(sampleWeight));
  model.calibration = { slope: round(model.calibration.slope, 4), intercept: round(model.calibration.intercept, 4) };
  const calibrated = prepareZhModel(model);
  const devScored: Scored[] = dev.map((r, i) => ({ file: r.file, y: r.label, score: scoreZhTokens(devTokens[i], calibrated).score }));
  const dumpDev = process.argv.find((a) => a.startsWith('--dump-dev='));
  if (dumpDev) {
    // For error analysis during development: dev rows only, never the test split.
    writeFileSync(dumpDev.split('=')[1], dev.map((r, i) => `${r.file}\t${r.label}\t${devScored[i].score.toFixed(3)}\t${r.text}`).join('\n'));
  }
  // All dev rows, not Weibo alone: Weibo's ~1,000 rows leave ~25 per slice, too few to choose from.
  const { band, bins } = chooseNeutralBand(devScored);
  model.neutralBand = band;

  // Test: the untouched split, scored through the run-time path.
  const test = rows.filter((r) => r.split === 'test');
  const testScored: Scored[] = test.map((r) => ({ file: r.file, y: r.label, score: scoreZhTokens(tokensOf(r.text), calibrated).score }));
  const perFile = (scored: Scored[]) =>
    Object.fromEntries(CORPORA.map(({ file }) => [file.replace(/\.tsv$/, ''), metrics(scored.filter((r) => r.file === file), band)]));
  const report = {
    dataDir,
    hyper: HYPER,
    split: SPLIT,
    rows: { train: train.length, dev: dev.length, test: test.length, droppedAsCrossFileDuplicates: dropped },
    features: stats,
    calibration: model.calibration,
    neutralBand: band,
    neutralBandBins: bins,
    dev: { overall: metrics(devScored, band), perFile: perFile(devScored) },
    test: { overall: metrics(testScored, band), perFile: perFile(testScored) },
    seconds: { training: trainSeconds, total: (Date.now() - started) / 1000 },
    machine: { cpus: os.cpus().length, node: process.version },
  };
  model.info = {
    trainedBy: 'search/train/train-sentiment.ts',
    corpora: CORPORA,
    split: SPLIT,
    hyper: HYPER,
    test: report.test,
  };
  if (!args.has('--no-write')) {
    mkdirSync(path.dirname(modelPath), { recursive: true });
    writeFileSync(modelPath, JSON.stringify(model) + '\n');
  }
  console.log(JSON.stringify(report, null, 2));
}

main();
