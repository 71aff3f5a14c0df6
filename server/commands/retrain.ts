/**
 * `resonance retrain`: fit the Chinese sentiment model again on the base corpora plus the
 * community's own labels (desk feedback, console corrections), and report BEFORE (the model
 * the server loads now) against AFTER on two held-out sets: the community labels kept out of
 * training, and the corpora's test split (so a regression on general language shows).
 *
 *   resonance retrain                    report only
 *   resonance retrain --write[=FILE]     also write the model (default DATA_DIR/models/sentiment-zh.json,
 *                                        loaded by the server at its next start; never the committed file)
 *   --weight=N    one community label weighs N average corpus rows (default 20)
 *   --word-weight=N  one label counts as N posts in the community word model (default 1; 0: the word
 *                 model is not refitted). With --write it goes beside the model, as community-zh.json
 *   --holdout=F   community share held out, stratified by label (default 0.3); --seed=N its seed
 *   --quick       a subsample of the corpora (tests); its model is not written
 *   --min-df=, --epochs=, --l1= ...  the trainer's own flags (search/train/train-zh.ts)
 *
 * Only Chinese labels train the Chinese model; labels in other languages are counted and
 * reported. The same text labelled several times (several annotators, reposts) is one example,
 * with the majority label, and lands on one side of the split only.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Config } from '../config';
import { openDatabase, closeDatabase } from '../db';
import { migrate } from '../migrate';
import { communityModelOverride, communityModelPathBeside, labelledExamples, retrainedModelPath, zhModelOverride, type LabelledExample } from '../services/sentimentLabels';
import type { HumanSentimentLabel } from '../models/SentimentLabel';
import { analyze } from '../../search/analysis';
import { useZhModel, useZhModelFile, zhModel, zhModelFile, type LoadedZhModel, type ZhSentimentModel } from '../../search/analysis/sentiment-zh';
import { addCommunityDocs, committedCommunityModel, communityModel, prepareCommunityModel, useCommunityModel, useCommunityModelFile, type CommunityModel, type LoadedCommunityModel } from '../../search/analysis/community-model';
import { communityKeys } from '../../search/train/community-keys';
import type { SparseFitParams } from '../../search/train/logreg';
import { corpusMetrics, corpusShare, fitZhModel, scoreTokens, zhHyper, zhTokens, type ZhTrainingRow } from '../../search/train/train-zh';
import { CORPORA, SPLIT, corporaAvailable, foldKey, loadSplits, rng, sentimentDataDir, shuffle, type Row } from '../../search/train/sentiment-data';

const LABELS: readonly HumanSentimentLabel[] = ['negative', 'neutral', 'positive'];
// P(positive) a label asks of the model: neutral sits at the middle, inside the neutral band.
const TARGET: Record<HumanSentimentLabel, number> = { negative: 0, neutral: 0.5, positive: 1 };
const COMMUNITY = 'community';

/** Settings of one retrain. */
export interface RetrainOptions {
  /** One community label weighs this many average corpus rows. */
  communityWeight: number;
  /** One label counts as this many posts in the community word model (0: the word model is not refitted). */
  wordWeight: number;
  /** Share of the community examples held out (per label). */
  holdout: number;
  /** Seed of the community split (the corpora keep their own fixed split). */
  seed: number;
  /** Train on a subsample of the corpora (and evaluate on part of their test split): for tests. */
  quick: boolean;
  hyper: SparseFitParams;
}

/** Fractions of each corpus split used by --quick. */
export const QUICK = { train: 0.15, dev: 0.3, test: 0.3 } as const;

/** Defaults; `parseRetrainArgs` reads the flags over them. */
export function retrainDefaults(): RetrainOptions {
  return { communityWeight: 20, wordWeight: 1, holdout: 0.3, seed: SPLIT.seed + 7, quick: false, hyper: zhHyper([]) };
}

/** Options and the output file (undefined: report only) from the command line. */
export function parseRetrainArgs(argv: string[], config: Pick<Config, 'dataDir'>): { options: RetrainOptions; write?: string } {
  const value = (name: string): string | undefined => argv.find((a) => a.startsWith(`--${name}=`))?.split('=').slice(1).join('=');
  const number = (name: string, fallback: number, ok: (n: number) => boolean): number => {
    const raw = value(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || !ok(n)) throw new Error(`--${name}=${raw} is out of range`);
    return n;
  };
  const defaults = retrainDefaults();
  const options: RetrainOptions = {
    communityWeight: number('weight', defaults.communityWeight, (n) => n > 0),
    wordWeight: number('word-weight', defaults.wordWeight, (n) => n >= 0),
    holdout: number('holdout', defaults.holdout, (n) => n > 0 && n < 1),
    seed: number('seed', defaults.seed, Number.isSafeInteger),
    quick: argv.includes('--quick'),
    hyper: zhHyper(argv),
  };
  const write = argv.includes('--write') ? retrainedModelPath(config) : value('write');
  if (write !== undefined && options.quick) throw new Error('--quick trains on a subsample: its model is for tests and is not written');
  return { options, write: write === undefined ? undefined : path.resolve(write) };
}

/** One de-duplicated community text with its (majority) label. */
interface CommunityRow { text: string; label: HumanSentimentLabel }

/**
 * De-duplicate (folded text) with a majority vote, later labels breaking ties, then split per
 * label with the seed: each text is on one side only.
 */
export function splitCommunity(examples: { text: string; label: HumanSentimentLabel }[], holdout: number, seed: number) {
  const votes = new Map<string, { text: string; counts: Map<HumanSentimentLabel, number>; last: HumanSentimentLabel }>();
  for (const e of examples) {
    const key = foldKey(e.text);
    if (!key) continue;
    const v = votes.get(key) ?? { text: e.text, counts: new Map<HumanSentimentLabel, number>(), last: e.label };
    v.counts.set(e.label, (v.counts.get(e.label) ?? 0) + 1);
    v.last = e.label;
    votes.set(key, v);
  }
  let disagreements = 0;
  const byLabel = new Map<HumanSentimentLabel, CommunityRow[]>(LABELS.map((l) => [l, []]));
  for (const [, v] of [...votes].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
    if (v.counts.size > 1) disagreements++;
    const top = Math.max(...v.counts.values());
    const tied = LABELS.filter((l) => v.counts.get(l) === top);
    const label = tied.includes(v.last) ? v.last : tied[0];
    byLabel.get(label)!.push({ text: v.text, label });
  }
  const random = rng(seed);
  const train: CommunityRow[] = [];
  const heldOut: CommunityRow[] = [];
  for (const label of LABELS) {
    const rows = shuffle(byLabel.get(label)!, random);
    const nHeld = Math.round(rows.length * holdout);
    rows.forEach((r, i) => (i < nHeld ? heldOut : train).push(r));
  }
  return { train, heldOut, texts: votes.size, duplicates: examples.length - votes.size, disagreements };
}

/** Three-class figures on community text, through the server's labelling (neutral band, question/announcement rule). */
export function labelMetrics(gold: HumanSentimentLabel[], predicted: HumanSentimentLabel[]) {
  const confusion = Object.fromEntries(LABELS.map((g) => [g, Object.fromEntries(LABELS.map((p) => [p, 0]))])) as Record<HumanSentimentLabel, Record<HumanSentimentLabel, number>>;
  gold.forEach((g, i) => confusion[g][predicted[i]]++);
  const present = LABELS.filter((l) => gold.includes(l) || predicted.includes(l));
  const f1 = (l: HumanSentimentLabel) => {
    const tp = confusion[l][l];
    const p = tp / Math.max(1, LABELS.reduce((s, g) => s + confusion[g][l], 0));
    const r = tp / Math.max(1, LABELS.reduce((s, q) => s + confusion[l][q], 0));
    return p + r === 0 ? 0 : (2 * p * r) / (p + r);
  };
  const right = LABELS.reduce((s, l) => s + confusion[l][l], 0);
  const predictedNegative = LABELS.reduce((s, g) => s + confusion[g].negative, 0);
  const goldNegative = LABELS.reduce((s, q) => s + confusion.negative[q], 0);
  const r4 = (x: number) => Math.round(x * 10000) / 10000;
  return {
    n: gold.length,
    accuracy: r4(right / Math.max(1, gold.length)),
    macroF1: r4(present.reduce((s, l) => s + f1(l), 0) / Math.max(1, present.length)),
    negPrecision: r4(confusion.negative.negative / Math.max(1, predictedNegative)),
    negRecall: r4(confusion.negative.negative / Math.max(1, goldNegative)),
    confusion,
  };
}

/** Label texts with a model (and a word model, when given) through the full run-time path (analyze()), then put the previous ones back. */
function labelsWith(m: LoadedZhModel, texts: string[], words?: LoadedCommunityModel): HumanSentimentLabel[] {
  const previous = zhModel();
  useZhModel(m);
  if (words) useCommunityModel('zh', words);
  try {
    return texts.map((t) => analyze(t).sentiment.label);
  } finally {
    useZhModel(previous);
    if (words) useCommunityModel('zh', undefined);
  }
}

const CLASS: Record<HumanSentimentLabel, 0 | 1 | 2> = { negative: 0, neutral: 1, positive: 2 };

/**
 * The committed word model with the labels' counts added: one label counts as `weight` written
 * posts. From the committed counts, not from an earlier retrain's, since the labels are all of them
 * each time. The desk says nothing of crisis, so the crisis columns do not count them. Null when no
 * word model is in use (or the weight is 0).
 */
export function refitCommunityWords(rows: { text: string; label: HumanSentimentLabel }[], weight: number): CommunityModel | null {
  const base = communityModel('zh') ? committedCommunityModel('zh') : null;
  if (!base || weight <= 0) return null;
  const words = addCommunityDocs(base, rows.map((r) => ({ keys: communityKeys('zh', r.text), y: CLASS[r.label], crisis: null, weight })));
  return { ...words, info: { ...base.info, retrainedBy: 'resonance retrain (server/commands/retrain.ts)', labels: rows.length, wordWeight: weight } };
}

function sample<T>(rows: T[], fraction: number, random: () => number): T[] {
  return fraction >= 1 ? rows : shuffle([...rows], random).slice(0, Math.round(rows.length * fraction));
}

/** What a retrain measured, and the model it fitted. */
export interface RetrainResult {
  report: Record<string, unknown> & {
    before: { model: string; community: ReturnType<typeof labelMetrics>; base: ReturnType<typeof corpusMetrics>['overall'] };
    after: { community: ReturnType<typeof labelMetrics>; base: ReturnType<typeof corpusMetrics>['overall'] };
    labels: { total: number; byLang: Record<string, number>; usedForZh: number; distinctTexts: number; train: Record<HumanSentimentLabel, number>; heldOut: Record<HumanSentimentLabel, number> };
  };
  model: ZhSentimentModel;
  /** The word model with the labels added (null: not refitted). */
  words: CommunityModel | null;
}

/**
 * Retrain on the corpora plus the Chinese `examples`, comparing `before` (default: the model in
 * use) with the new model on the community held-out split and the corpora's test split.
 */
export function retrainZh(examples: LabelledExample[], options: RetrainOptions, before: LoadedZhModel = zhModel()): RetrainResult {
  const started = Date.now();
  const dataDir = sentimentDataDir();
  if (!corporaAvailable(dataDir)) throw new Error(`the sentiment corpora are not in ${dataDir} (set SENTIMENT_DATA_DIR)`);
  const byLang: Record<string, number> = {};
  for (const e of examples) byLang[e.lang] = (byLang[e.lang] ?? 0) + 1;
  const zh = examples.filter((e) => e.lang === 'zh');
  const community = splitCommunity(zh, options.holdout, options.seed);
  if (community.train.length === 0 || community.heldOut.length === 0) {
    throw new Error(`too few Chinese labels to retrain and measure (${zh.length} labels, ${community.texts} distinct texts)`);
  }

  // The corpora keep their fixed split; --quick takes a seeded part of each (per file and label).
  const quickRandom = rng(options.seed + 1);
  const { rows } = loadSplits(dataDir);
  const part = (split: Row['split'], fraction: number) => {
    const out: Row[] = [];
    for (const { file } of CORPORA) for (const label of [0, 1] as const) {
      out.push(...sample(rows.filter((r) => r.split === split && r.file === file && r.label === label), options.quick ? fraction : 1, quickRandom));
    }
    return out;
  };
  // A corpus row with a held-out community text would let the answer into training.
  const heldOutKeys = new Set(community.heldOut.map((r) => foldKey(r.text)));
  const baseTrain = part('train', QUICK.train).filter((r) => !heldOutKeys.has(foldKey(r.text)));
  const dev = part('dev', QUICK.dev);
  const test = part('test', QUICK.test);

  // Weights: the community gets the share its rows would have at `communityWeight` rows each.
  const k = options.communityWeight;
  const communityShare = (k * community.train.length) / (baseTrain.length + k * community.train.length);
  const shareOf = (file: string) => (file === COMMUNITY ? communityShare : corpusShare(file) * (1 - communityShare));
  const train: ZhTrainingRow[] = [...baseTrain, ...community.train.map((r) => ({ file: COMMUNITY, label: TARGET[r.label], text: r.text }))];
  const fit = fitZhModel(train, dev, shareOf, rng(SPLIT.seed + 1), options.hyper);

  const testTokens = test.map((r) => zhTokens(r.text));
  const heldOutTexts = community.heldOut.map((r) => r.text);
  const gold = community.heldOut.map((r) => r.label);
  const words = refitCommunityWords(community.train, options.wordWeight);
  const wordsLoaded = words ? prepareCommunityModel(words) : undefined;
  const evaluate = (m: LoadedZhModel, w?: LoadedCommunityModel) => ({
    community: labelMetrics(gold, labelsWith(m, heldOutTexts, w)),
    base: corpusMetrics(scoreTokens(test, testTokens, m), m.model.neutralBand).overall,
  });
  const beforeFigures = evaluate(before);
  const afterFigures = evaluate(fit.loaded, wordsLoaded);

  const parameters = { communityWeight: k, wordWeight: words ? options.wordWeight : 0, communityShare: Math.round(communityShare * 1e6) / 1e6, holdout: options.holdout, seed: options.seed, quick: options.quick ? QUICK : false, hyper: options.hyper };
  const labels = {
    total: examples.length,
    byLang,
    // The English model is not retrained here (search/train/train-sentiment-en.ts has its own corpora).
    usedForZh: zh.length,
    distinctTexts: community.texts,
    mergedDuplicates: community.duplicates,
    textsWithDisagreement: community.disagreements,
    train: countLabels(community.train),
    heldOut: countLabels(community.heldOut),
  };
  fit.model.info = {
    trainedBy: 'resonance retrain (server/commands/retrain.ts)',
    base: (before.model.info as { trainedBy?: string } | undefined)?.trainedBy ?? null,
    corpora: CORPORA,
    split: SPLIT,
    parameters,
    labels,
    test: { community: afterFigures.community, base: afterFigures.base },
    trainedAt: new Date().toISOString(),
  };
  return {
    model: fit.model,
    words,
    report: {
      dataDir,
      before: { model: before === zhModel() ? zhModelFile() : '(given)', ...beforeFigures },
      after: afterFigures,
      parameters,
      labels,
      rows: { baseTrain: baseTrain.length, communityTrain: community.train.length, dev: dev.length, baseTest: test.length, communityHeldOut: community.heldOut.length },
      features: fit.stats,
      calibration: fit.model.calibration,
      neutralBand: fit.model.neutralBand,
      seconds: { ftrl: fit.ftrlSeconds, total: (Date.now() - started) / 1000 },
      machine: { cpus: os.cpus().length, node: process.version },
    },
  };
}

/** Write then rename: a server starting meanwhile reads the old file or the new one, never half. */
function writeAtomically(file: string, value: unknown): void {
  const partial = `${file}.${process.pid}.partial`;
  fs.writeFileSync(partial, JSON.stringify(value) + '\n');
  fs.renameSync(partial, file);
}

function countLabels(rows: CommunityRow[]): Record<HumanSentimentLabel, number> {
  return Object.fromEntries(LABELS.map((l) => [l, rows.filter((r) => r.label === l).length])) as Record<HumanSentimentLabel, number>;
}

/** The command: read the labels from the database, retrain, print the JSON report, write the model with --write. */
export async function retrain(config: Config, argv: string[]): Promise<RetrainResult['report']> {
  const { options, write } = parseRetrainArgs(argv, config);
  const sequelize = await openDatabase(config);
  let examples: LabelledExample[];
  try {
    await migrate(sequelize);
    examples = await labelledExamples();
  } finally {
    await closeDatabase();
  }
  // BEFORE is what the server would load now: the override when there is one.
  useZhModelFile(zhModelOverride(config));
  useCommunityModelFile('zh', communityModelOverride(config));
  const { report, model, words } = retrainZh(examples, options);
  if (write) {
    fs.mkdirSync(path.dirname(write), { recursive: true });
    // The word model first: the server loads it only beside a sentiment model, so a crash between
    // the two renames leaves the old pair or a word model that waits for its sentiment model.
    const beside = communityModelPathBeside(write);
    if (words) writeAtomically(beside, words);
    else fs.rmSync(beside, { force: true });
    writeAtomically(write, model);
  }
  const loadedAtStart = write && zhModelOverride(config) === write;
  const note = !write ? 'report only: add --write to save the model'
    : loadedAtStart ? 'the server loads this model at its next start'
    : 'SENTIMENT_MODEL_PATH names another file: point it here for the server to load this model';
  const out = { ...report, written: write ?? null, writtenWords: write && words ? communityModelPathBeside(write) : null, note };
  console.log(JSON.stringify(out, null, 2));
  return out;
}
