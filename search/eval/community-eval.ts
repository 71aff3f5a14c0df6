/**
 * Scores the sentiment pipeline on the community evaluation set (search/eval/community/*.jsonl,
 * issue #11): three-way accuracy, macro-F1, per-class F1, and the share of crisis posts labelled
 * negative, per language and per split (dev / test: the FNV-1a 32-bit hash of the id, odd = test).
 * Only the test half is ever reported as the figure; tune on dev.
 *
 *   node --import tsx search/eval/community-eval.ts [--split dev|test|all] [--json] [--errors N]
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyze } from '../analysis';
import { LABELS, loadCommunitySet, splitOf, type CommunityPost, type Label } from './community/stats';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'community');

/** Every row of the set (the split rule and the reader live with the set: community/stats.ts). */
function allRows(): CommunityPost[] {
  return [...loadCommunitySet(dir).values()].flat();
}

interface Scores { n: number; accuracy: number; macroF1: number; f1: Record<Label, number>; crisisNegative: number | null; crisisN: number; confusion: Record<Label, Record<Label, number>> }

/** Scores for (gold, predicted) pairs. */
export function score(pairs: { gold: Label; pred: Label; crisis: boolean }[]): Scores {
  const confusion = Object.fromEntries(LABELS.map((g) => [g, Object.fromEntries(LABELS.map((p) => [p, 0]))])) as Scores['confusion'];
  for (const { gold, pred } of pairs) confusion[gold][pred]++;
  const f1 = {} as Record<Label, number>;
  for (const l of LABELS) {
    const tp = confusion[l][l];
    const fp = LABELS.reduce((a, g) => a + (g === l ? 0 : confusion[g][l]), 0);
    const fn = LABELS.reduce((a, p) => a + (p === l ? 0 : confusion[l][p]), 0);
    f1[l] = tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
  }
  const crisis = pairs.filter((p) => p.crisis);
  const r3 = (x: number) => Math.round(x * 1000) / 1000;
  return {
    n: pairs.length,
    accuracy: r3(pairs.filter((p) => p.gold === p.pred).length / Math.max(1, pairs.length)),
    macroF1: r3((f1.negative + f1.neutral + f1.positive) / 3),
    f1: { negative: r3(f1.negative), neutral: r3(f1.neutral), positive: r3(f1.positive) },
    crisisNegative: crisis.length ? r3(crisis.filter((p) => p.pred === 'negative').length / crisis.length) : null,
    crisisN: crisis.length,
    confusion,
  };
}

function main() {
  const arg = (name: string, def: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? process.argv[i + 1] : def;
  };
  const split = arg('split', 'test');
  const rows = allRows().filter((r) => split === 'all' || splitOf(r.id) === split);
  if (rows.length === 0) throw new Error(`no rows in ${dir}`);
  const t0 = process.hrtime.bigint();
  const judged = rows.map((r) => ({ row: r, a: analyze(r.text) }));
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const pairsOf = (rs: typeof judged) => rs.map(({ row, a }) => ({ gold: row.label, pred: a.sentiment.label, crisis: row.crisis }));
  const byLang = Object.fromEntries(['zh', 'en'].map((l) => [l, score(pairsOf(judged.filter((j) => j.row.lang === l)))]));
  const tags = [...new Set(rows.flatMap((r) => r.tags))].sort();
  const byTag = Object.fromEntries(tags.map((t) => [t, score(pairsOf(judged.filter((j) => j.row.tags.includes(t)))).accuracy]));
  const report = { benchmark: 'community-sentiment', split, rows: rows.length, byLang, byTagAccuracy: byTag, postsPerSecond: Math.round(rows.length / seconds) };
  if (process.argv.includes('--json')) console.log(JSON.stringify(report, null, 1));
  else {
    for (const [lang, s] of Object.entries(byLang)) console.log(`${lang} (${split}, n=${s.n}): accuracy ${s.accuracy}, macro-F1 ${s.macroF1}, F1 neg/neu/pos ${s.f1.negative}/${s.f1.neutral}/${s.f1.positive}, crisis → negative ${s.crisisNegative} of ${s.crisisN}`);
    console.log('accuracy by tag:', Object.entries(byTag).map(([t, a]) => `${t} ${a}`).join(', '));
  }
  const errors = Number(arg('errors', '0'));
  if (errors) for (const { row, a } of judged.filter((j) => j.row.label !== j.a.sentiment.label).slice(0, errors)) console.error(`${row.id} gold=${row.label} pred=${a.sentiment.label} ${a.sentiment.score} | ${row.text}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) main();
