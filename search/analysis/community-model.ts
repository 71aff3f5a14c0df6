/**
 * The community word model (issue #11): naive Bayes over the corpus model's own feature keys
 * (features-zh.ts: words, negated words, word and character bigrams, emoji), trained on labelled
 * community posts (search/train/train-three-way.ts) rather than on reviews and Weibo.
 *
 * Why a second word model: the corpus model learned words from hotel reviews and Weibo, so it
 * reads 续航 or 底盘 as complaints and 值了, 靠谱, 蹲一个 as nothing. A few thousand community
 * posts are too few to retrain it (the corpora are 100k+ rows), but enough for naive Bayes, which
 * is at its best on small sets of short texts (Wang & Manning 2012). Its four scores (per class
 * and crisis) are inputs of the three-way layer, which learns how far to trust them.
 *
 * It reads the hashes the corpus scorer already computed for the text (FeatureBuffer), so it adds
 * one table lookup per feature and no tokenising.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { HashColumns, hashOf } from './hash-table';

/**
 * The serialised model: per feature key its (weighted) post counts, so that more labelled posts (the
 * alert desk's, `resonance retrain`) are added by adding counts, and the weights are derived at load.
 */
export interface CommunityModel {
  version: 2;
  lang: 'zh' | 'en';
  /** Laplace smoothing of the derived log-likelihoods. */
  alpha: number;
  /** key -> posts containing it: [negative, neutral, positive, crisis, not crisis]. */
  counts: Record<string, Counts>;
  info?: Record<string, unknown>;
}

/** Posts containing a key: negative, neutral, positive, crisis, not crisis. */
export type Counts = [number, number, number, number, number];

/** A model ready for scoring: its four columns (negative, neutral, positive, crisis) packed under one hash table. */
export interface LoadedCommunityModel { model: CommunityModel; table: HashColumns }

/**
 * The four scores of one text, summed over its known features, and for each column the feature
 * that pushed it most (an index into the hashes given; -1 for none), so a label can name its word.
 */
export interface CommunityScores {
  negative: number; neutral: number; positive: number; crisis: number;
  /** How many of the text's features the model knows, of how many. */
  known: number; total: number;
  strongest: [number, number, number, number];
}

/**
 * Derive the scoring tables: each class column is log P(key | class) minus its mean over the three
 * classes (the mean cancels in any softmax, and centring keeps the packed columns' range small); the
 * crisis column is the log ratio of the key's rate in crisis posts to its rate in the others.
 * Rounded to 3 decimals, as the tables were when the model stored weights.
 */
export function prepareCommunityModel(model: CommunityModel): LoadedCommunityModel {
  const keys = Object.keys(model.counts);
  const totals = [0, 0, 0, 0, 0];
  for (const k of keys) model.counts[k].forEach((n, i) => { totals[i] += n; });
  const { alpha } = model;
  const v = keys.length;
  const logRate = (n: number, i: number) => Math.log((n + alpha) / (totals[i] + alpha * v));
  const r = (x: number) => Math.round(x * 1000) / 1000;
  const rows: [number, number[]][] = [];
  for (const k of keys) {
    const c = model.counts[k];
    const ll = [logRate(c[0], 0), logRate(c[1], 1), logRate(c[2], 2)];
    const mean = (ll[0] + ll[1] + ll[2]) / 3;
    rows.push([hashOf(k), [r(ll[0] - mean), r(ll[1] - mean), r(ll[2] - mean), r(logRate(c[3], 3) - logRate(c[4], 4))]]);
  }
  return { model, table: new HashColumns(rows, 4, v) };
}

const paths: Record<'zh' | 'en', string> = {
  zh: fileURLToPath(new URL('../models/community-zh.json', import.meta.url)),
  en: fileURLToPath(new URL('../models/community-en.json', import.meta.url)),
};
const files = new Map<'zh' | 'en', string>();
const loaded = new Map<'zh' | 'en', LoadedCommunityModel | null>();
const overrides = new Map<'zh' | 'en', LoadedCommunityModel | null>();

/** The committed community model for a language, or the file `useCommunityModelFile` named (null when none exists), read on first use. */
export function communityModel(lang: 'zh' | 'en'): LoadedCommunityModel | null {
  if (overrides.has(lang)) return overrides.get(lang)!;
  if (!loaded.has(lang)) {
    let m: LoadedCommunityModel | null = null;
    try {
      m = prepareCommunityModel(JSON.parse(readFileSync(files.get(lang) ?? paths[lang], 'utf8')) as CommunityModel);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    loaded.set(lang, m);
  }
  return loaded.get(lang)!;
}

/** The committed model for a language as stored (counts), or null when none is committed; read each time. */
export function committedCommunityModel(lang: 'zh' | 'en'): CommunityModel | null {
  try {
    return JSON.parse(readFileSync(paths[lang], 'utf8')) as CommunityModel;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/** The file the model in use comes from. */
export function communityModelFile(lang: 'zh' | 'en'): string {
  return files.get(lang) ?? paths[lang];
}

/**
 * Score with the model in this file from now on (`resonance retrain --write` adds the desk's labels
 * to the committed counts); null goes back to the committed model. Read at once, so a bad file fails at boot.
 */
export function useCommunityModelFile(lang: 'zh' | 'en', file: string | null): void {
  if (file) files.set(lang, file);
  else files.delete(lang);
  loaded.delete(lang);
  communityModel(lang);
}

/** Score with this model (null: none) until called with undefined; the trainer cross-fits through it. */
export function useCommunityModel(lang: 'zh' | 'en', m: LoadedCommunityModel | null | undefined): void {
  if (m === undefined) overrides.delete(lang);
  else overrides.set(lang, m);
}

/** Sum the model's columns over distinct feature hashes (`hashes[0..size)`); presence, not counts. */
export function communityScores(m: LoadedCommunityModel, hashes: Int32Array, size: number): CommunityScores {
  const { table } = m;
  const out: CommunityScores = { negative: 0, neutral: 0, positive: 0, crisis: 0, known: 0, total: size, strongest: [-1, -1, -1, -1] };
  let b0 = 0, b1 = 0, b2 = 0, b3 = 0;
  for (let k = 0; k < size; k++) {
    const row = table.row(hashes[k]);
    if (row < 0) continue;
    const a = table.value(row, 0);
    const b = table.value(row, 1);
    const c = table.value(row, 2);
    const d = table.value(row, 3);
    out.known++;
    out.negative += a;
    out.neutral += b;
    out.positive += c;
    out.crisis += d;
    if (a > b0) { b0 = a; out.strongest[0] = k; }
    if (b > b1) { b1 = b; out.strongest[1] = k; }
    if (c > b2) { b2 = c; out.strongest[2] = k; }
    if (d > b3) { b3 = d; out.strongest[3] = k; }
  }
  return out;
}

// Naive Bayes sums grow with the text and are over-confident: the cue is the sum scaled and clipped
// (chosen by cross-validation on the dev half); the three-way layer learns its weight.
const CUE_SCALE = 5;
const CUE_CAP = 3;

/** One of the four scores as a three-way layer input. */
export function communityCue(sum: number): number {
  const x = sum / CUE_SCALE;
  return x > CUE_CAP ? CUE_CAP : x < -CUE_CAP ? -CUE_CAP : x;
}

/**
 * The share of a text's features the community word model knows. Its three class cues are scaled by
 * it: on text in another register (Weibo chatter, say, read as a forum post) the model knows few of the
 * words and its sums are noise. Measured on the dev half's cross-validation and the corpus floors
 * (issue #11 closing note): Weibo read as a forum post 0.820 -> 0.827, community test unchanged.
 * The crisis cue is not scaled: one safety word in a long post must still count in full.
 */
export function coverage(c: CommunityScores): number {
  return c.total ? c.known / c.total : 0;
}

/** The three-way layer's inputs from the word model, in this order (cues-zh.ts and cues-en.ts name them). */
export const COMMUNITY_CUE_NAMES = ['c_neg', 'c_neu', 'c_pos', 'c_crisis'] as const;

/** The four inputs: each sum scaled and clipped, the class sums weighed by coverage, the crisis sum not. */
export function communityCues(c: CommunityScores): [number, number, number, number] {
  const g = coverage(c);
  return [g * communityCue(c.negative), g * communityCue(c.neutral), g * communityCue(c.positive), communityCue(c.crisis)];
}

/** A labelled post as the model counts it: its feature keys, class, crisis flag (null: unknown, the crisis columns do not count it) and weight (default 1). */
export interface CommunityDoc { keys: Iterable<string>; y: 0 | 1 | 2; crisis: boolean | null; weight?: number }

/**
 * Fit the model from labelled posts: multinomial naive Bayes over binarised features with Laplace
 * smoothing `alpha`, keeping keys seen in at least `minDf` posts.
 */
export function fitCommunityModel(docs: CommunityDoc[], lang: 'zh' | 'en', { alpha = 0.5, minDf = 1 }: { alpha?: number; minDf?: number } = {}): CommunityModel {
  const df = new Map<string, number>();
  for (const d of docs) for (const key of new Set(d.keys)) df.set(key, (df.get(key) ?? 0) + 1);
  const counts: Record<string, Counts> = {};
  for (const [key, n] of df) if (n >= minDf) counts[key] = [0, 0, 0, 0, 0];
  const model = addCommunityDocs({ version: 2, lang, alpha, counts }, docs, { newKeys: false });
  return { ...model, info: { keys: Object.keys(counts).length, docs: docs.length, alpha, minDf } };
}

/**
 * Add labelled posts to a model's counts (a copy; the given model is not changed), for the desk's
 * labels (`resonance retrain`) or, with negative weights, to take posts out again (the feedback
 * curve measures the committed model without the posts it evaluates on). `newKeys: false` counts
 * only keys the model already has.
 */
export function addCommunityDocs(model: CommunityModel, docs: CommunityDoc[], { newKeys = true }: { newKeys?: boolean } = {}): CommunityModel {
  const counts: Record<string, Counts> = model.counts;
  const out: Record<string, Counts> = docs.length === 0 ? counts : Object.fromEntries(Object.entries(counts).map(([k, c]) => [k, [...c] as Counts]));
  for (const d of docs) {
    const w = d.weight ?? 1;
    for (const key of new Set(d.keys)) {
      let c = out[key];
      if (!c) {
        if (!newKeys) continue;
        c = out[key] = [0, 0, 0, 0, 0];
      }
      c[d.y] += w;
      if (d.crisis !== null) c[d.crisis ? 3 : 4] += w;
    }
  }
  // A key whose every post was taken out is not in the vocabulary any more (as if never counted).
  if (docs.some((d) => (d.weight ?? 1) < 0)) for (const k of Object.keys(out)) if (out[k][0] + out[k][1] + out[k][2] <= 1e-9) delete out[k];
  return { ...model, counts: out };
}
