/**
 * The feedback loop measured (issue #11): simulates the alert desk's corrected labels from ONE
 * community of the community set's dev half ("confirmed negative" for posts whose gold label is
 * negative, "not negative" with the annotator's neutral/positive otherwise:
 * server/services/sentimentLabels.ts labelFromFeedback), retrains the Chinese model on the corpora
 * plus those labels exactly the way `resonance retrain` weighs them (server/commands/retrain.ts:
 * one label weighs `--weight` average corpus rows, targets 0 / 0.5 / 1, fitZhModel), and prints the
 * three-way figures through analyze() on the REST of the dev half (the other communities and that
 * community's unused posts) before and after. The test half is never touched.
 *
 * The labels also refit the community word model as `resonance retrain` does (their counts added,
 * `--word-weight` posts each). The committed word model counted the whole dev half and the written
 * posts, so the curve starts from it with those counts taken out again: the dev half it is measured
 * on, and that community's written posts, which join the community's dev posts as its labels. (The
 * three-way layer's few dozen weights were fitted with the dev half too: the figures are a little
 * optimistic in level, less so in gain.)
 *
 *   node --import tsx search/eval/feedback-curve.ts [--community ev] [--sizes 100,500,2000] [--weight 20] [--word-weight 1] [--quick]
 *
 * One community has a few hundred labelled posts here (dev half and written ones: EV about 620), so
 * 2,000 labels from one community do not exist; sizes beyond what exists are capped and the report says so.
 */
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { labelFromFeedback } from '../../server/services/sentimentLabels';
import { analyze } from '../analysis';
import { addCommunityDocs, committedCommunityModel, prepareCommunityModel, useCommunityModel, type CommunityModel } from '../analysis/community-model';
import { useZhModel, zhModel, type LoadedZhModel } from '../analysis/sentiment-zh';
import { communityKeys } from '../train/community-keys';
import { CORPORA, SPLIT, foldKey, loadSplits, rng, sentimentDataDir, shuffle, type Row } from '../train/sentiment-data';
import { corpusShare, fitZhModel, zhHyper, type ZhTrainingRow } from '../train/train-zh';
import { score } from './community-eval';
import { loadCommunitySet, splitOf, type CommunityPost, type Label } from './community/stats';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'community');
const trainDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '../train/community');
const CLASS: Record<Label, 0 | 1 | 2> = { negative: 0, neutral: 1, positive: 2 };
const TARGET: Record<Label, number> = { negative: 0, neutral: 0.5, positive: 1 };

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

/** The desk's verdict on a post, turned back into the label it stores. */
function deskLabel(gold: Label): Label {
  return gold === 'negative' ? labelFromFeedback('confirmed_negative') : labelFromFeedback('not_negative', gold === 'positive' ? 'positive' : 'neutral');
}

function figures(rows: CommunityPost[], m: LoadedZhModel, words: CommunityModel | null) {
  const previous = zhModel();
  useZhModel(m);
  useCommunityModel('zh', words ? prepareCommunityModel(words) : null);
  try {
    const s = score(rows.map((r) => ({ gold: r.label, pred: analyze(r.text).sentiment.label, crisis: r.crisis })));
    return { n: s.n, accuracy: s.accuracy, macroF1: s.macroF1, negativeF1: s.f1.negative, crisisNegative: s.crisisNegative };
  } finally {
    useZhModel(previous);
    useCommunityModel('zh', undefined);
  }
}

function main(): void {
  const community = arg('community', 'ev');
  const weight = Number(arg('weight', '20'));
  const quick = process.argv.includes('--quick');
  const dev = [...loadCommunitySet(dir).values()].flat().filter((r) => r.lang === 'zh' && splitOf(r.id) === 'dev');
  const written = [...loadCommunitySet(trainDir, []).values()].flat().filter((r) => r.lang === 'zh' && r.domain === community);
  const pool = shuffle([...dev.filter((r) => r.domain === community), ...written], rng(SPLIT.seed + 11));
  if (pool.length === 0) throw new Error(`no zh dev posts in community ${community} (domains: ${[...new Set(dev.map((r) => r.domain))].join(', ')})`);
  const sizes = arg('sizes', '100,500,2000').split(',').map((s) => (s === 'all' ? pool.length : Number(s)));
  const wordWeight = Number(arg('word-weight', '1'));
  const committedWords = committedCommunityModel('zh');
  if (!committedWords) throw new Error('no committed community word model (search/models/community-zh.json)');
  // The committed word model without the posts it is measured on and the community's labels-to-be.
  const wordBase = addCommunityDocs(committedWords, [...dev, ...written].map((r) => ({ keys: communityKeys('zh', r.text), y: CLASS[r.label], crisis: r.crisis, weight: -1 })));
  const wordsWith = (labels: CommunityPost[]) => addCommunityDocs(wordBase, labels.map((r) => ({ keys: communityKeys('zh', r.text), y: CLASS[deskLabel(r.label)], crisis: null, weight: wordWeight })));
  const { rows } = loadSplits(sentimentDataDir());
  const random = rng(SPLIT.seed + 12);
  // --quick: 15% of the corpus train split, as `resonance retrain --quick` does.
  const pick = (r: Row) => r.split === 'train' && (!quick || random() < 0.15);
  const baseTrain = rows.filter(pick);
  const corpusDev = rows.filter((r) => r.split === 'dev');
  const hyper = zhHyper([]);
  // The same fit with no labels: separates the gain of the labels from the refit itself (and --quick).
  const fit = (labels: CommunityPost[]) => {
    const keys = new Set(labels.map((r) => foldKey(r.text)));
    const base = baseTrain.filter((r) => !keys.has(foldKey(r.text)));
    const share = labels.length === 0 ? 0 : (weight * labels.length) / (base.length + weight * labels.length);
    const shareOf = (file: string) => (file === 'community' ? share : corpusShare(file) * (1 - share));
    const train: ZhTrainingRow[] = [...base, ...labels.map((r) => ({ file: 'community', label: TARGET[deskLabel(r.label)], text: r.text }))];
    return fitZhModel(train, corpusDev, shareOf, rng(SPLIT.seed + 1), hyper).loaded;
  };
  const curve: Record<string, unknown>[] = [];
  const rest = (n: number) => dev.filter((r) => !pool.slice(0, n).includes(r));
  // Every size is measured on the rest of the dev half after the largest size, so the points compare.
  const maxN = Math.min(pool.length, Math.max(...sizes));
  const evalRows = rest(maxN);
  const started = Date.now();
  const refit = fit([]);
  const before = figures(evalRows, zhModel(), wordBase);
  const refitFigures = figures(evalRows, refit, wordBase);
  const gain = (a: ReturnType<typeof figures>, b: ReturnType<typeof figures>) => ({ accuracy: round(a.accuracy - b.accuracy), negativeF1: round(a.negativeF1 - b.negativeF1) });
  for (const asked of sizes) {
    const n = Math.min(asked, pool.length);
    const labels = pool.slice(0, n);
    // The word model alone (instant; the corpus model as committed), then both as `resonance retrain` refits them.
    const wordsOnly = figures(evalRows, zhModel(), wordsWith(labels));
    const after = figures(evalRows, fit(labels), wordsWith(labels));
    curve.push({
      asked, labels: n, ...(asked > pool.length ? { capped: `only ${pool.length} labelled zh posts in ${community}` } : {}),
      wordsOnly, after, gain: { wordsOnly: gain(wordsOnly, before), both: gain(after, refitFigures) },
    });
  }
  console.log(JSON.stringify({
    community, postsInCommunity: pool.length, evaluatedOn: `${evalRows.length} other zh dev posts`, weight, wordWeight, quick, corpora: CORPORA.map((c) => c.file),
    committedModelWithoutTheseWords: before, refitWithoutLabels: refitFigures, curve, seconds: (Date.now() - started) / 1000, machine: { cpus: os.cpus().length, load: os.loadavg().map((x) => round(x)) },
  }, null, 2));
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

main();
