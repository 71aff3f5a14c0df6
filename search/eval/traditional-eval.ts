/**
 * Traditional Chinese reads like simplified (issue #11): converts the zh posts of a split of the
 * community set to Traditional characters (OpenCC, simplified → Taiwan standard with phrases), runs
 * both through analyze() and prints the three-way figures of each and how many labels differ. The
 * pipeline folds traditional to simplified (normalize.ts) before segmentation, the models, the cues
 * and the crisis terms, so the figures should be equal; a difference is a text the round trip
 * through OpenCC changed (a character with two simplified readings).
 *
 *   node --import tsx search/eval/traditional-eval.ts [--split dev|test]
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as OpenCC from 'opencc-js';
import { analyze } from '../analysis';
import { normalizeText } from '../analysis/normalize';
import { score } from './community-eval';
import { loadCommunitySet, splitOf } from './community/stats';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'community');

function main(): void {
  const i = process.argv.indexOf('--split');
  const split = i >= 0 ? process.argv[i + 1] : 'test';
  const toTraditional = OpenCC.Converter({ from: 'cn', to: 'twp' });
  const rows = [...loadCommunitySet(dir).values()].flat().filter((r) => r.lang === 'zh' && splitOf(r.id) === split && !r.tags.includes('traditional'));
  let changed = 0;
  let differ = 0;
  let roundTripChanged = 0;
  const simplified: { gold: typeof rows[number]['label']; pred: typeof rows[number]['label']; crisis: boolean }[] = [];
  const traditional: typeof simplified = [];
  for (const r of rows) {
    const t = toTraditional(r.text);
    if (t !== r.text) changed++;
    if (normalizeText(t) !== normalizeText(r.text)) roundTripChanged++;
    const a = analyze(r.text).sentiment.label;
    const b = analyze(t).sentiment.label;
    if (a !== b) differ++;
    simplified.push({ gold: r.label, pred: a, crisis: r.crisis });
    traditional.push({ gold: r.label, pred: b, crisis: r.crisis });
  }
  const brief = (s: ReturnType<typeof score>) => ({ accuracy: s.accuracy, negativeF1: s.f1.negative, crisisNegative: s.crisisNegative });
  console.log(JSON.stringify({ split, posts: rows.length, convertedToTraditional: changed, normalizedTextDiffers: roundTripChanged, labelsDiffer: differ, simplified: brief(score(simplified)), traditional: brief(score(traditional)) }, null, 2));
}

main();
