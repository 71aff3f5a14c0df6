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
 *   node --import tsx search/eval/feedback-curve.ts [--community ev] [--sizes 25,50,100,all] [--weight 20] [--quick]
 *
 * The dev half holds about 120 zh posts per community, so 500 and 2,000 labels from one community
 * do not exist in it; sizes beyond what exists are capped at "all" and the report says so.
 */
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { labelFromFeedback } from '../../server/services/sentimentLabels';
import { analyze } from '../analysis';
import { useZhModel, zhModel, type LoadedZhModel } from '../analysis/sentiment-zh';
import { CORPORA, SPLIT, foldKey, loadSplits, rng, sentimentDataDir, shuffle, type Row } from '../train/sentiment-data';
import { corpusShare, fitZhModel, zhHyper, type ZhTrainingRow } from '../train/train-zh';
import { score } from './community-eval';
import { loadCommunitySet, splitOf, type CommunityPost, type Label } from './community/stats';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'community');
const TARGET: Record<Label, number> = { negative: 0, neutral: 0.5, positive: 1 };

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

/** The desk's verdict on a post, turned back into the label it stores. */
function deskLabel(gold: Label): Label {
  return gold === 'negative' ? labelFromFeedback('confirmed_negative') : labelFromFeedback('not_negative', gold === 'positive' ? 'positive' : 'neutral');
}

function figures(rows: CommunityPost[], m: LoadedZhModel) {
  const previous = zhModel();
  useZhModel(m);
  try {
    const s = score(rows.map((r) => ({ gold: r.label, pred: analyze(r.text).sentiment.label, crisis: r.crisis })));
    return { n: s.n, accuracy: s.accuracy, macroF1: s.macroF1, negativeF1: s.f1.negative, crisisNegative: s.crisisNegative };
  } finally {
    useZhModel(previous);
  }
}

function main(): void {
  const community = arg('community', 'ev');
  const weight = Number(arg('weight', '20'));
  const quick = process.argv.includes('--quick');
  const dev = [...loadCommunitySet(dir).values()].flat().filter((r) => r.lang === 'zh' && splitOf(r.id) === 'dev');
  const pool = shuffle(dev.filter((r) => r.domain === community), rng(SPLIT.seed + 11));
  if (pool.length === 0) throw new Error(`no zh dev posts in community ${community} (domains: ${[...new Set(dev.map((r) => r.domain))].join(', ')})`);
  const sizes = arg('sizes', '25,50,100,all').split(',').map((s) => (s === 'all' ? pool.length : Number(s)));
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
  const before = figures(evalRows, zhModel());
  const refitFigures = figures(evalRows, refit);
  for (const asked of sizes) {
    const n = Math.min(asked, pool.length);
    const after = figures(evalRows, fit(pool.slice(0, n)));
    curve.push({ asked, labels: n, ...(asked > pool.length ? { capped: `only ${pool.length} dev posts in ${community}` } : {}), after, gain: { accuracy: round(after.accuracy - refitFigures.accuracy), negativeF1: round(after.negativeF1 - refitFigures.negativeF1) } });
  }
  console.log(JSON.stringify({
    community, postsInCommunity: pool.length, evaluatedOn: `${evalRows.length} other zh dev posts`, weight, quick, corpora: CORPORA.map((c) => c.file),
    committedModel: before, refitWithoutLabels: refitFigures, curve, seconds: (Date.now() - started) / 1000, machine: { cpus: os.cpus().length, load: os.loadavg().map((x) => round(x)) },
  }, null, 2));
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

main();
