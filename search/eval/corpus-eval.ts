/**
 * The corpus figures the community work must not give up (issue #11): binary accuracy (sign of
 * the score) on the held-out test split of each sentiment corpus, through `analyze` as the server
 * calls it, read as a forum post (community), as a social source (Weibo-only model) and as a
 * general source. Needs the corpora (../shared/datasets/sentiment or SENTIMENT_DATA_DIR).
 *
 *   node --import tsx search/eval/corpus-eval.ts [--split test|dev]
 */
import { analyze } from '../analysis';
import { CORPORA, corporaAvailable, loadSplits } from '../train/sentiment-data';

const split = process.argv.find((a) => a.startsWith('--split='))?.split('=')[1] ?? 'test';
if (!corporaAvailable()) {
  console.error('corpora not found (set SENTIMENT_DATA_DIR or put ../shared/datasets/sentiment beside the repo)');
  process.exit(1);
}
const rows = loadSplits().rows.filter((r) => r.split === split);
const r3 = (x: number) => Math.round(x * 1000) / 1000;
const out: Record<string, Record<string, number>> = {};
for (const kind of ['community', 'social', 'general'] as const) {
  const perFile: Record<string, number> = {};
  let right = 0;
  for (const { file } of CORPORA) {
    const these = rows.filter((r) => r.file === file);
    const ok = these.filter((r) => (analyze(r.text, { kind }).sentiment.score >= 0 ? 1 : 0) === r.label).length;
    perFile[file.replace(/\.tsv$/, '')] = r3(ok / these.length);
    right += ok;
  }
  out[kind] = { overall: r3(right / rows.length), ...perFile };
}
console.log(JSON.stringify({ split, n: rows.length, accuracy: out }, null, 1));
