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
import { CORPORA, SPLIT, loadSplits, repoRoot, rng, sentimentDataDir, shuffle, type Row } from './sentiment-data';

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

interface SparseDoc { idx: Int32Array; val: Float32Array; y: 0 | 1; weight: number }

/** Logistic regression by FTRL-proximal: per-coordinate rates, L1 gives a sparse (small) model. */
function trainFtrl(docs: SparseDoc[], dims: number, random: () => number): Float64Array {
  const z = new Float64Array(dims);
  const n = new Float64Array(dims);
  const w = new Float64Array(dims);
  const { alpha, beta, l1, l2 } = HYPER;
  const weightOf = (i: number, isBias: boolean): number => {
    const zi = z[i];
    const l1i = isBias ? 0 : l1;
    if (Math.abs(zi) <= l1i) return 0;
    return -(zi - Math.sign(zi) * l1i) / ((beta + Math.sqrt(n[i])) / alpha + (isBias ? 0 : l2));
  };
  const order = docs.map((_, i) => i);
  for (let epoch = 0; epoch < HYPER.epochs; epoch++) {
    shuffle(order, random);
    for (const d of order) {
      const doc = docs[d];
      let logit = (w[0] = weightOf(0, true));
      for (let k = 0; k < doc.idx.length; k++) {
        const i = doc.idx[k];
        w[i] = weightOf(i, false);
        logit += w[i] * doc.val[k];
      }
      const p = 1 / (1 + Math.exp(-Math.max(-35, Math.min(35, logit))));
      const g = (p - doc.y) * doc.weight;
      const update = (i: number, gi: number): void => {
        const sigma = (Math.sqrt(n[i] + gi * gi) - Math.sqrt(n[i])) / alpha;
        z[i] += gi - sigma * w[i];
        n[i] += gi * gi;
      };
      update(0, g);
      for (let k = 0; k < doc.idx.length; k++) update(doc.idx[k], g * doc.val[k]);
    }
  }
  for (let i = 0; i < dims; i++) w[i] = weightOf(i, i === 0);
  return w;
}

/** Platt scaling: fit p = sigmoid(a*logit + b) by Newton's method on weighted dev logits. */
function fitPlatt(logits: number[], ys: number[], weights: number[]): { slope: number; intercept: number } {
  let a = 1;
  let b = 0;
  for (let iter = 0; iter < 50; iter++) {
    let ga = 0, gb = 0, haa = 0, hab = 0, hbb = 0;
    for (let i = 0; i < logits.length; i++) {
      const p = 1 / (1 + Math.exp(-(a * logits[i] + b)));
      const r = (p - ys[i]) * weights[i];
      const s = p * (1 - p) * weights[i];
      ga += r * logits[i]; gb += r;
      haa += s * logits[i] * logits[i]; hab += s * logits[i]; hbb += s;
    }
    haa += 1e-6; hbb += 1e-6;
    const det = haa * hbb - hab * hab;
    const da = (hbb * ga - hab * gb) / det;
    const db = (haa * gb - hab * ga) / det;
    a -= da; b -= db;
    if (Math.abs(da) + Math.abs(db) < 1e-9) break;
  }
  return { slope: a, intercept: b };
}

interface Scored { file: string; y: 0 | 1; score: number }

/** Neutral band: widen while the next 0.05-wide slice of |score| is still near coin-flip (< 70% right). */
function chooseNeutralBand(dev: Scored[]): { band: number; bins: { upTo: number; n: number; accuracy: number }[] } {
  const bins: { upTo: number; n: number; accuracy: number }[] = [];
  let band = 0;
  let growing = true;
  for (let lo = 0; lo < 0.5 - 1e-9; lo += 0.05) {
    const hi = lo + 0.05;
    const inBin = dev.filter((r) => Math.abs(r.score) >= lo && Math.abs(r.score) < hi);
    const right = inBin.filter((r) => (r.score >= 0 ? 1 : 0) === r.y).length;
    const accuracy = inBin.length ? right / inBin.length : 1;
    bins.push({ upTo: round(hi, 2), n: inBin.length, accuracy: round(accuracy, 3) });
    if (growing && inBin.length >= 50 && accuracy < 0.7) band = hi;
    else growing = false;
  }
  return { band: round(band, 2), bins };
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Binary metrics at p=0.5 plus coverage/accuracy outside the neutral band. */
function metrics(rows: Scored[], band: number) {
  let tp = 0, tn = 0, fp = 0, fn = 0; // positive class = 1
  for (const r of rows) {
    const pred = r.score >= 0 ? 1 : 0;
    if (pred === 1 && r.y === 1) tp++;
    else if (pred === 0 && r.y === 0) tn++;
    else if (pred === 1) fp++;
    else fn++;
  }
  const f1 = (p: number, r: number) => (p + r === 0 ? 0 : (2 * p * r) / (p + r));
  const posP = tp / Math.max(1, tp + fp), posR = tp / Math.max(1, tp + fn);
  const negP = tn / Math.max(1, tn + fn), negR = tn / Math.max(1, tn + fp);
  const decided = rows.filter((r) => Math.abs(r.score) >= band);
  const decidedRight = decided.filter((r) => (r.score >= 0 ? 1 : 0) === r.y).length;
  return {
    n: rows.length,
    accuracy: round((tp + tn) / Math.max(1, rows.length), 4),
    macroF1: round((f1(posP, posR) + f1(negP, negR)) / 2, 4),
    negPrecision: round(negP, 4),
    negRecall: round(negR, 4),
    polarCoverage: round(decided.length / Math.max(1, rows.length), 4),
    polarAccuracy: round(decidedRight / Math.max(1, decided.length), 4),
  };
}

function main(): void {
  const started = Date.now();
  const dataDir = sentimentDataDir();
  const random = rng(SPLIT.seed + 1);
  const { rows, droppedAsDuplicates: dropped } = loadSplits(dataDir);
  const train = rows.filter((r) => r.split === 'train');

  // Featurise training rows: intern feature keys, count document frequency.
  const keyIds = new Map<string, number>();
  const df: number[] = [];
  const trainFeats: { ids: number[]; vals: number[] }[] = [];
  for (const r of train) {
    const ids: number[] = [];
    const vals: number[] = [];
    for (const [key, value] of featureVector(zhFeatures(tokensOf(r.text)))) {
      let id = keyIds.get(key);
      if (id === undefined) { id = df.length; keyIds.set(key, id); df.push(0); }
      df[id]++;
      ids.push(id);
      vals.push(value);
    }
    trainFeats.push({ ids, vals });
  }
  // Column 0 is the bias; rare features (df < minDf) are dropped: they cannot generalise.
  const column = new Int32Array(df.length).fill(-1);
  const keys: string[] = ['<bias>'];
  for (const [key, id] of keyIds) if (df[id] >= HYPER.minDf) { column[id] = keys.length; keys.push(key); }

  // Sample weights: each file gets its share of the total weight, split evenly across labels.
  const counts = new Map<string, number>();
  for (const r of train) counts.set(`${r.file}:${r.label}`, (counts.get(`${r.file}:${r.label}`) ?? 0) + 1);
  const sampleWeight = (r: Row): number => {
    const share = CORPORA.find((c) => c.file === r.file)!.share;
    return (share * train.length) / (2 * (counts.get(`${r.file}:${r.label}`) ?? 1));
  };
  const docs: SparseDoc[] = train.map((r, i) => {
    const pairs = trainFeats[i].ids.map((id, k) => [column[id], trainFeats[i].vals[k]] as const).filter(([c]) => c >= 0);
    return { idx: Int32Array.from(pairs.map((p) => p[0])), val: Float32Array.from(pairs.map((p) => p[1])), y: r.label, weight: sampleWeight(r) };
  });
  // NB-SVM: scale each feature by its naive-Bayes log-count ratio, then fold the ratio into the weight.
  const ratio = new Float64Array(keys.length).fill(1);
  if (HYPER.nbScale) {
    const pos = new Float64Array(keys.length).fill(1);
    const neg = new Float64Array(keys.length).fill(1);
    for (const d of docs) for (let k = 0; k < d.idx.length; k++) (d.y ? pos : neg)[d.idx[k]] += d.val[k] * d.weight;
    let sp = 0, sn = 0;
    for (let i = 1; i < keys.length; i++) { sp += pos[i]; sn += neg[i]; }
    for (let i = 1; i < keys.length; i++) ratio[i] = Math.log((pos[i] / sp) / (neg[i] / sn));
    // The dense lexicon masses are already signed by construction; NB ratios are for sparse counts.
    for (let i = 1; i < keys.length; i++) if (isLexiconKey(keys[i])) ratio[i] = 1;
    for (const d of docs) for (let k = 0; k < d.idx.length; k++) d.val[k] *= ratio[d.idx[k]];
  }
  const trainStarted = Date.now();
  const w = trainFtrl(docs, keys.length, random);
  for (let i = 1; i < keys.length; i++) w[i] *= ratio[i];
  const trainSeconds = (Date.now() - trainStarted) / 1000;

  // Prune tiny weights and round to 4 decimals: the file stays small and diff-able.
  const weights: Record<string, number> = {};
  for (let i = 1; i < keys.length; i++) if (Math.abs(w[i]) >= HYPER.pruneBelow) weights[keys[i]] = round(w[i], 4);
  const model: ZhSentimentModel = {
    version: 1,
    bias: round(w[0], 4),
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
    features: { candidates: keyIds.size, afterMinDf: keys.length - 1, inModel: Object.keys(weights).length },
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
