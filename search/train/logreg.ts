/**
 * The pieces both sentiment trainers share (Chinese: train-sentiment.ts, English:
 * train-sentiment-en.ts): FTRL-proximal logistic regression, Platt calibration, the neutral-band
 * choice and the binary metrics. Kept in one place so the two models are fitted and reported
 * the same way and a figure in one model's info means the same as in the other's.
 */
import { shuffle } from './sentiment-data';

/**
 * One training document: feature columns (column 0 is the bias, never listed), values, target
 * and sample weight. The target is P(positive): 0 or 1 for the corpora, 0.5 for a text people
 * labelled neutral (it pulls the logit towards the neutral band rather than to either side).
 */
export interface SparseDoc { idx: Int32Array; val: Float32Array; y: number; weight: number }

/** FTRL-proximal hyper-parameters (McMahan et al. 2013). */
export interface FtrlParams { epochs: number; alpha: number; beta: number; l1: number; l2: number }

/** Logistic regression by FTRL-proximal: per-coordinate rates, L1 gives a sparse (small) model. */
export function trainFtrl(docs: SparseDoc[], dims: number, random: () => number, params: FtrlParams): Float64Array {
  const z = new Float64Array(dims);
  const n = new Float64Array(dims);
  const w = new Float64Array(dims);
  const { alpha, beta, l1, l2 } = params;
  const weightOf = (i: number, isBias: boolean): number => {
    const zi = z[i];
    const l1i = isBias ? 0 : l1;
    if (Math.abs(zi) <= l1i) return 0;
    return -(zi - Math.sign(zi) * l1i) / ((beta + Math.sqrt(n[i])) / alpha + (isBias ? 0 : l2));
  };
  const order = docs.map((_, i) => i);
  for (let epoch = 0; epoch < params.epochs; epoch++) {
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

/** Settings of `fitSparseModel`: FTRL's, plus feature and weight pruning and NB scaling. */
export interface SparseFitParams extends FtrlParams {
  /** Features in fewer training documents are dropped: they cannot generalise. */
  minDf: number;
  /** Weights smaller than this are left out of the model. */
  pruneBelow: number;
  /** NB-SVM scaling (Wang & Manning 2012). */
  nbScale: boolean;
}

/** A fitted, uncalibrated model: bias and pruned, rounded weights by feature key. */
export interface SparseFit<R> {
  bias: number;
  weights: Record<string, number>;
  /** The sample weight of a training row (its source's share, classes balanced within the source). */
  sampleWeight: (r: R) => number;
  stats: { candidates: number; afterMinDf: number; inModel: number };
  /** Seconds spent in FTRL alone. */
  ftrlSeconds: number;
}

/**
 * The training steps both trainers share: featurise the rows (`vectorOf`: de-duplicated
 * key -> value), drop rare features, weight each row so every source gets its share of the total
 * weight (`shareOf`, shares summing to 1) split evenly across the labels it has, optionally NB-scale
 * (`isDense` keys, already signed, are not scaled), fit by FTRL, then prune and round.
 */
export function fitSparseModel<R extends { file: string; label: number }>(
  train: R[],
  vectorOf: (r: R) => Map<string, number>,
  shareOf: (file: string) => number,
  isDense: (key: string) => boolean,
  random: () => number,
  params: SparseFitParams,
): SparseFit<R> {
  // Featurise training rows: intern feature keys, count document frequency.
  const keyIds = new Map<string, number>();
  const df: number[] = [];
  const trainFeats: { ids: number[]; vals: number[] }[] = [];
  for (const r of train) {
    const ids: number[] = [];
    const vals: number[] = [];
    for (const [key, value] of vectorOf(r)) {
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
  for (const [key, id] of keyIds) if (df[id] >= params.minDf) { column[id] = keys.length; keys.push(key); }

  // Sample weights: each source gets its share of the total weight, split evenly across its labels
  // (two for the corpora; community labels may add a third, neutral).
  const counts = new Map<string, number>();
  const labelsOf = new Map<string, Set<number>>();
  for (const r of train) {
    counts.set(`${r.file}:${r.label}`, (counts.get(`${r.file}:${r.label}`) ?? 0) + 1);
    labelsOf.set(r.file, (labelsOf.get(r.file) ?? new Set<number>()).add(r.label));
  }
  const sampleWeight = (r: R): number =>
    (shareOf(r.file) * train.length) / (Math.max(2, labelsOf.get(r.file)?.size ?? 2) * (counts.get(`${r.file}:${r.label}`) ?? 1));
  const docs: SparseDoc[] = train.map((r, i) => {
    const pairs = trainFeats[i].ids.map((id, k) => [column[id], trainFeats[i].vals[k]] as const).filter(([c]) => c >= 0);
    return { idx: Int32Array.from(pairs.map((p) => p[0])), val: Float32Array.from(pairs.map((p) => p[1])), y: r.label, weight: sampleWeight(r) };
  });
  // NB-SVM: scale each feature by its naive-Bayes log-count ratio, then fold the ratio into the weight.
  const ratio = params.nbScale ? nbRatios(docs, keys.length, (i) => isDense(keys[i])) : new Float64Array(keys.length).fill(1);
  if (params.nbScale) for (const d of docs) for (let k = 0; k < d.idx.length; k++) d.val[k] *= ratio[d.idx[k]];
  const ftrlStarted = Date.now();
  const w = trainFtrl(docs, keys.length, random, params);
  for (let i = 1; i < keys.length; i++) w[i] *= ratio[i];
  const ftrlSeconds = (Date.now() - ftrlStarted) / 1000;

  // Prune tiny weights and round to 4 decimals: the file stays small and diff-able.
  const weights: Record<string, number> = {};
  for (let i = 1; i < keys.length; i++) if (Math.abs(w[i]) >= params.pruneBelow) weights[keys[i]] = round(w[i], 4);
  return {
    bias: round(w[0], 4),
    weights,
    sampleWeight,
    stats: { candidates: keyIds.size, afterMinDf: keys.length - 1, inModel: Object.keys(weights).length },
    ftrlSeconds,
  };
}

/** Platt scaling: fit p = sigmoid(a*logit + b) by Newton's method on weighted dev logits. */
export function fitPlatt(logits: number[], ys: number[], weights: number[]): { slope: number; intercept: number } {
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

/** A scored held-out row: its file, gold label and calibrated score in [-1,1]. */
export interface Scored { file: string; y: 0 | 1; score: number }

/**
 * Neutral band: widen while the next slice of |score| (0.05 wide unless told) is still near
 * coin-flip (< 70% right); a slice with fewer than minPerSlice rows is too small to tell, and stops it.
 */
export function chooseNeutralBand(dev: Scored[], minPerSlice = 50, width = 0.05): { band: number; bins: { upTo: number; n: number; accuracy: number }[] } {
  const bins: { upTo: number; n: number; accuracy: number }[] = [];
  let band = 0;
  let growing = true;
  for (let lo = 0; lo < 0.5 - 1e-9; lo += width) {
    const hi = lo + width;
    const inBin = dev.filter((r) => Math.abs(r.score) >= lo && Math.abs(r.score) < hi);
    const right = inBin.filter((r) => (r.score >= 0 ? 1 : 0) === r.y).length;
    const accuracy = inBin.length ? right / inBin.length : 1;
    bins.push({ upTo: round(hi, 2), n: inBin.length, accuracy: round(accuracy, 3) });
    if (growing && inBin.length >= minPerSlice && accuracy < 0.7) band = hi;
    else growing = false;
  }
  return { band: round(band, 2), bins };
}

export function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Binary metrics at p=0.5 (score >= 0 is positive) plus coverage/accuracy outside the neutral band. */
export function metrics(rows: Scored[], band: number) {
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

/**
 * NB-SVM scaling (Wang & Manning 2012): each feature's naive-Bayes log-count ratio, computed on
 * the (weighted) training docs. Returned per column (column 0, the bias, stays 1); `keep(i)`
 * marks columns left unscaled (dense features that are already signed).
 */
export function nbRatios(docs: SparseDoc[], dims: number, keep: (column: number) => boolean): Float64Array {
  const ratio = new Float64Array(dims).fill(1);
  const pos = new Float64Array(dims).fill(1);
  const neg = new Float64Array(dims).fill(1);
  // A neutral target (0.5) counts half on each side.
  for (const d of docs) {
    for (let k = 0; k < d.idx.length; k++) {
      const mass = d.val[k] * d.weight;
      if (d.y > 0) pos[d.idx[k]] += mass * d.y;
      if (d.y < 1) neg[d.idx[k]] += mass * (1 - d.y);
    }
  }
  let sp = 0, sn = 0;
  for (let i = 1; i < dims; i++) { sp += pos[i]; sn += neg[i]; }
  for (let i = 1; i < dims; i++) ratio[i] = Math.log((pos[i] / sp) / (neg[i] / sn));
  for (let i = 1; i < dims; i++) if (keep(i)) ratio[i] = 1;
  return ratio;
}
