/**
 * Trains the three-way layer (search/models/three-way-<lang>.json, read by
 * search/analysis/three-way.ts): a multinomial logistic regression over the corpus model's
 * evidence and the community cues, from
 *  - the DEV half of the community set (search/eval/community, never the test half),
 *  - generic neutral sentences written for this (search/train/neutral-<lang>.txt: notices,
 *    logistics, genuine questions; none is a row of the community set),
 *  - corpus DEV rows (binary; Chinese: the sentiment corpora, English: the UCI sentences), so the
 *    layer keeps the corpus model's judgement on reviews and Weibo posts.
 *
 *   npm run train:three-way                 (zh)
 *   npm run train:three-way -- --lang=en
 *   ... -- --no-write                       cross-validate only
 *   ... -- --l2=0.01 --corpus-share=0.5     re-run a dev experiment
 *   ... -- --no-eval-dev                    train on the written posts only (search/train/community),
 *                                           so both halves of the evaluation set are unseen
 *   ... -- --no-words / --no-train-files    without the community word model / the written posts
 *
 * It first reports 5-fold cross-validation on the community dev half (folds by a hash of the id,
 * independent of the dev/test bit), then fits on all of it and writes the model.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fitCommunityModel, prepareCommunityModel, useCommunityModel, type CommunityModel } from '../analysis/community-model';
import { crisisOf } from '../analysis/crisis';
import { communityKeys as keysOf } from './community-keys';
import { EN_CUE_NAMES, enCues } from '../analysis/cues-en';
import { ZH_CUE_NAMES } from '../analysis/cues-zh';
import { normalizeText } from '../analysis/normalize';
import { zhThreeWayFeatures } from '../analysis/sentiment';
import { scoreEn } from '../analysis/sentiment-en';
import { argmax3, classLogits, softmax3, THREE_WAY_LABELS, type ThreeWayModel } from '../analysis/three-way';
import { lexNormalized } from '../analysis/tokenize';
import { fnv1a32, loadCommunitySet, splitOf, type CommunityPost, type Label } from '../eval/community/stats';
import { corporaAvailable, loadSplits, repoRoot, rng, shuffle } from './sentiment-data';
import { loadUciSplits } from './sentiment-data-en';

const argv = process.argv.slice(2);
const flag = (name: string, fallback: string): string => argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
const lang = flag('lang', 'zh') as 'zh' | 'en';
const HYPER = { l2: Number(flag('l2', '0.01')), iterations: Number(flag('iterations', '800')), rate: Number(flag('rate', '0.05')), corpusShare: Number(flag('corpus-share', lang === 'zh' ? '3' : '2')), corpusPerFile: Number(flag('corpus-per-file', '1500')), prior: Number(flag('prior', lang === 'zh' ? '1' : '0.5')) };

/** One training row: features, class (0 neg, 1 neu, 2 pos), weight, and what it is for the reports. */
interface TrainRow { x: Float64Array; y: number; w: number; source: string; post?: CommunityPost; tokens?: string[] }

const names: readonly string[] = lang === 'zh' ? ZH_CUE_NAMES : EN_CUE_NAMES;

function featuresOf(text: string): { x: Float64Array; tokens: string[] } {
  const normalized = normalizeText(text);
  const lexed = lexNormalized(normalized);
  const x = lang === 'zh' ? zhThreeWayFeatures(normalized, lexed.sentimentTokens) : enCues(normalized, scoreEn(normalized));
  return { x, tokens: lexed.indexTokens };
}

const classOf = (l: Label): number => THREE_WAY_LABELS.indexOf(l);

/**
 * Multinomial logistic regression, full-batch Adam with L2 (not on the biases). The L2 pulls the
 * corpus model's logit (z_all) towards +prior for positive and -prior for negative rather than
 * to 0: where no cue fires the layer keeps the corpus model's polarity, so the corpus figures hold.
 */
function fit(rows: TrainRow[], dims: number): number[][] {
  const center = [0, 1, 2].map((c) => {
    const row = new Float64Array(dims + 1);
    row[names.indexOf('z_all') + 1] = c === 0 ? -HYPER.prior : c === 2 ? HYPER.prior : 0;
    return row;
  });
  const w = [0, 1, 2].map((c) => Float64Array.from(center[c]));
  const m = [0, 1, 2].map(() => new Float64Array(dims + 1));
  const v = [0, 1, 2].map(() => new Float64Array(dims + 1));
  const total = rows.reduce((s, r) => s + r.w, 0);
  const b1 = 0.9, b2 = 0.999, eps = 1e-8;
  const weights = () => w.map((row) => Array.from(row));
  for (let it = 1; it <= HYPER.iterations; it++) {
    const g = [0, 1, 2].map(() => new Float64Array(dims + 1));
    const cur = weights();
    for (const r of rows) {
      const p = softmax3(classLogits(cur, r.x));
      for (let c = 0; c < 3; c++) {
        const d = (p[c] - (r.y === c ? 1 : 0)) * r.w / total;
        g[c][0] += d;
        for (let j = 0; j < dims; j++) g[c][j + 1] += d * r.x[j];
      }
    }
    for (let c = 0; c < 3; c++) for (let j = 0; j <= dims; j++) {
      const gj = g[c][j] + (j === 0 ? 0 : HYPER.l2 * (w[c][j] - center[c][j]));
      m[c][j] = b1 * m[c][j] + (1 - b1) * gj;
      v[c][j] = b2 * v[c][j] + (1 - b2) * gj * gj;
      w[c][j] -= HYPER.rate * (m[c][j] / (1 - b1 ** it)) / (Math.sqrt(v[c][j] / (1 - b2 ** it)) + eps);
    }
  }
  return weights().map((row) => row.map((x) => Math.round(x * 10000) / 10000));
}

function predict(weights: number[][], r: TrainRow, margin: number): number {
  const p = softmax3(classLogits(weights, r.x));
  let c = argmax3(p, margin);
  // The crisis rule runs after the layer at run time (analysis/index.ts): measure with it.
  if (r.tokens && crisisOf(r.tokens, THREE_WAY_LABELS[c])) c = 0;
  return c;
}

function report(pairs: { y: number; pred: number; post: CommunityPost }[]) {
  const r3 = (x: number) => Math.round(x * 1000) / 1000;
  const f1 = [0, 1, 2].map((c) => {
    const tp = pairs.filter((p) => p.y === c && p.pred === c).length;
    const fp = pairs.filter((p) => p.y !== c && p.pred === c).length;
    const fn = pairs.filter((p) => p.y === c && p.pred !== c).length;
    return r3(tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn));
  });
  const crisis = pairs.filter((p) => p.post.crisis);
  const tags = [...new Set(pairs.flatMap((p) => p.post.tags))].sort();
  return {
    n: pairs.length,
    accuracy: r3(pairs.filter((p) => p.y === p.pred).length / pairs.length),
    f1: { negative: f1[0], neutral: f1[1], positive: f1[2] },
    crisisNegative: crisis.length ? r3(crisis.filter((p) => p.pred === 0).length / crisis.length) : null,
    byTag: Object.fromEntries(tags.map((t) => {
      const ps = pairs.filter((p) => p.post.tags.includes(t));
      return [t, r3(ps.filter((p) => p.y === p.pred).length / ps.length)];
    })),
  };
}

const communityKeys = (text: string) => keysOf(lang, text);

const TRAIN_DIR = path.resolve(repoRoot, flag('train-dir', 'search/train/community'));

/**
 * The written training posts (search/train/community/*.jsonl) in this language, without any whose
 * text is also in the evaluation set (either half).
 */
function trainingPosts(evalTexts: Set<string>): { posts: CommunityPost[]; droppedAsEval: number } {
  if (!existsSync(TRAIN_DIR) || argv.includes('--no-train-files')) return { posts: [], droppedAsEval: 0 };
  const errors: string[] = [];
  const all = [...loadCommunitySet(TRAIN_DIR, errors).values()].flat().filter((p) => p.lang === lang);
  // Tags only describe a post (the reports read them); any other error means a post is unusable.
  const fatal = errors.filter((e) => !/tag/.test(e));
  if (fatal.length) throw new Error(`search/train/community: ${fatal.slice(0, 5).join('; ')}`);
  if (errors.length) console.warn(`search/train/community: ${errors.length} tag errors (posts kept; test/unit/community-set.test.ts fails on them)`);
  const posts = all.filter((p) => !evalTexts.has(normalizeText(p.text)));
  return { posts, droppedAsEval: all.length - posts.length };
}

function main(): void {
  const started = Date.now();
  const dir = path.join(repoRoot, 'search/eval/community');
  const evalSet = [...loadCommunitySet(dir).values()].flat();
  // --no-eval-dev: the written posts alone, so the whole evaluation set measures posts by other authors.
  const community = argv.includes('--no-eval-dev') ? [] : evalSet.filter((p) => p.lang === lang && splitOf(p.id) === 'dev');
  const written = trainingPosts(new Set(evalSet.map((p) => normalizeText(p.text))));
  const posts = [...community, ...written.posts];
  const devIds = new Set(community.map((p) => p.id));
  const neutralFile = path.join(repoRoot, `search/train/neutral-${lang}.txt`);
  const neutral = readFileSync(neutralFile, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const foldOf = (id: string) => (fnv1a32(id + '#fold') >>> 0) % 5;
  // The community word model, cross-fitted: each post's and neutral sentence's layer features
  // come from a model fitted without its fold, so the layer learns how far to trust the word model
  // on posts it has not seen; the corpus rows (never in it) and the committed model use all of it.
  const useWords = !argv.includes('--no-words');
  const wordDocs = useWords ? [
    ...posts.map((p) => ({ fold: foldOf(p.id), keys: communityKeys(p.text), y: classOf(p.label) as 0 | 1 | 2, crisis: p.crisis })),
    ...neutral.map((t) => ({ fold: foldOf(t), keys: communityKeys(t), y: 1 as const, crisis: false })),
  ] : [];
  const wordHyper = { alpha: Number(flag('nb-alpha', '0.5')), minDf: Number(flag('nb-min-df', '1')) };
  const wordModelWithout = (fold: number | null): CommunityModel => fitCommunityModel(wordDocs.filter((d) => d.fold !== fold), lang, wordHyper);
  const withWords = <T>(model: CommunityModel | null, f: () => T): T => {
    // Always an override: --no-words must not read a committed word model either.
    useCommunityModel(lang, model ? prepareCommunityModel(model) : null);
    try { return f(); } finally { useCommunityModel(lang, undefined); }
  };
  const rows: TrainRow[] = [];
  const neutralRows: TrainRow[] = [];
  for (let fold = 0; fold < 5; fold++) {
    const model = useWords ? wordModelWithout(fold) : null;
    withWords(model, () => {
      for (const post of posts) if (foldOf(post.id) === fold) rows.push({ ...featuresOf(post.text), y: classOf(post.label), w: 1, source: devIds.has(post.id) ? 'community' : 'written', post });
      for (const text of neutral) if (foldOf(text) === fold) neutralRows.push({ x: featuresOf(text).x, y: 1, w: 1, source: 'neutral' });
    });
  }
  rows.push(...neutralRows);
  const finalWords = useWords ? wordModelWithout(null) : null;
  const corpusRows: TrainRow[] = [];
  const corpusDev = (): { file: string; label: 0 | 1; text: string }[] =>
    lang === 'zh' ? (corporaAvailable() ? loadSplits().rows.filter((r) => r.split === 'dev') : []) : loadUciSplits().filter((r) => r.split === 'dev');
  if (HYPER.corpusShare > 0) withWords(finalWords, () => {
    const random = rng(11);
    const dev = corpusDev();
    const files = [...new Set(dev.map((r) => r.file))];
    for (const file of files) {
      for (const r of shuffle(dev.filter((d) => d.file === file), random).slice(0, HYPER.corpusPerFile)) {
        corpusRows.push({ x: featuresOf(r.text).x, y: r.label === 1 ? 2 : 0, w: 1, source: file });
      }
    }
    // Corpus rows get corpusShare of the community rows' weight in all.
    const w = (HYPER.corpusShare * posts.length) / corpusRows.length;
    for (const r of corpusRows) r.w = w;
    rows.push(...corpusRows);
  });
  const dims = names.length;
  // 5-fold cross-validation over the community posts (the eval set's dev half and the written
  // ones); the other rows are always in training. The figure to compare is the dev half's.
  const MARGINS = [0, 0.03, 0.06, 0.1, 0.15];
  const cvBy = MARGINS.map(() => [] as { y: number; pred: number; post: CommunityPost }[]);
  const corpusCv = new Map<string, { right: number; n: number }>();
  for (let fold = 0; fold < 5; fold++) {
    const weights = fit(rows.filter((r) => !r.post || foldOf(r.post.id) !== fold), dims);
    for (const r of rows) if (r.post && foldOf(r.post.id) === fold) MARGINS.forEach((m, i) => cvBy[i].push({ y: r.y, pred: predict(weights, r, m), post: r.post! }));
    if (fold === 0) for (const r of corpusRows) {
      // In-sample for the corpus rows: a check that the layer keeps the corpus model's sign, not a held-out figure.
      const p = softmax3(classLogits(weights, r.x));
      const e = corpusCv.get(r.source) ?? { right: 0, n: 0 };
      e.n++;
      if ((p[2] >= p[0] ? 2 : 0) === r.y) e.right++;
      corpusCv.set(r.source, e);
    }
  }
  const byMargin = MARGINS.map((m, i) => ({ margin: m, ...report(cvBy[i]) }));
  const best = byMargin.reduce((a, b) => (b.accuracy > a.accuracy ? b : a));
  const cv = cvBy[MARGINS.indexOf(best.margin)];
  const weights = fit(rows, dims);
  const model: ThreeWayModel = {
    version: 1,
    lang,
    features: [...names],
    weights,
    neutralMargin: best.margin,
    info: {
      trainedBy: 'search/train/train-three-way.ts',
      command: `npm run train:three-way -- --lang=${lang}`,
      rows: { communityDev: community.length, written: written.posts.length, writtenDroppedAsEval: written.droppedAsEval, neutralSentences: neutral.length, corpusDev: corpusRows.length },
      wordModel: finalWords ? { ...finalWords.info, hyper: wordHyper } : null,
      hyper: HYPER,
      crossValidation: report(cv),
      crossValidationDevHalf: report(cv.filter((p) => devIds.has(p.post.id))),
    },
  };
  const out = {
    lang,
    hyper: HYPER,
    rows: model.info!.rows,
    crossValidation: report(cv),
    crossValidationDevHalf: report(cv.filter((p) => devIds.has(p.post.id))),
    accuracyByNeutralMargin: byMargin.map((b) => [b.margin, b.accuracy, b.f1.negative]),
    corpusSignInSample: Object.fromEntries([...corpusCv].map(([k, e]) => [k, Math.round((e.right / e.n) * 1000) / 1000])),
    seconds: (Date.now() - started) / 1000,
    machine: { cpus: os.cpus().length, node: process.version },
  };
  if (!argv.includes('--no-write')) {
    writeFileSync(path.join(repoRoot, `search/models/three-way-${lang}.json`), JSON.stringify(model) + '\n');
    if (finalWords) writeFileSync(path.join(repoRoot, `search/models/community-${lang}.json`), JSON.stringify(finalWords) + '\n');
  }
  console.log(JSON.stringify(out, null, 1));
}

main();
