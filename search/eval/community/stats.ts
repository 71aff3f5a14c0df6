// Counts and validation for the community sentiment evaluation set (issue #11).
//
//   node --import tsx search/eval/community/stats.ts            # tables per file and per split
//   node --import tsx search/eval/community/stats.ts --markdown # the same as Markdown tables, for the README
//   node --import tsx search/eval/community/stats.ts search/train/community  # another folder (the training posts)
//
// Every *.jsonl file in this folder is read. Each line must be one JSON object with exactly the fields
// id, lang, domain, text, label, crisis, crisisCategory, tags; ids unique across the set; a crisis post is
// negative; crisisCategory is set if and only if crisis. The split is deterministic: a post is in `test` when
// the FNV-1a 32-bit hash of its id (UTF-8 bytes) is odd, else `dev`. Exits 1 on any violation.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const LABELS = ['negative', 'neutral', 'positive'] as const;
export const CRISIS_CATEGORIES = ['safety', 'health', 'legal', 'data', 'media'] as const;
export const TAGS = [
  'mild_praise', 'turn', 'sarcasm', 'question_complaint', 'domain_word', 'comparison', 'traditional',
  'notice', 'question', 'slang', 'emoji', 'mixed_lang', 'plain',
] as const;
const FIELDS = ['id', 'lang', 'domain', 'text', 'label', 'crisis', 'crisisCategory', 'tags'];
const LANGS = ['zh', 'en'];

export type Label = (typeof LABELS)[number];
export type Split = 'dev' | 'test';
export interface CommunityPost {
  id: string;
  lang: 'zh' | 'en';
  domain: string;
  text: string;
  label: Label;
  crisis: boolean;
  crisisCategory: (typeof CRISIS_CATEGORIES)[number] | null;
  tags: string[];
}

/** FNV-1a, 32 bits, over the UTF-8 bytes of s. */
export function fnv1a32(s: string): number {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(s, 'utf8')) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export function splitOf(id: string): Split {
  return (fnv1a32(id) & 1) === 1 ? 'test' : 'dev';
}

function validate(o: unknown, where: string, errors: string[]): CommunityPost | null {
  const bad = (msg: string) => { errors.push(`${where}: ${msg}`); return null; };
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return bad('not a JSON object');
  const r = o as Record<string, unknown>;
  const keys = Object.keys(r);
  const missing = FIELDS.filter((f) => !(f in r));
  const extra = keys.filter((k) => !FIELDS.includes(k));
  if (missing.length) return bad(`missing field(s) ${missing.join(', ')}`);
  if (extra.length) return bad(`unknown field(s) ${extra.join(', ')}`);
  if (typeof r.id !== 'string' || !/^[a-z]+(-[a-z]+)*-\d{4}$/.test(r.id)) return bad(`bad id ${JSON.stringify(r.id)}`);
  if (typeof r.lang !== 'string' || !LANGS.includes(r.lang)) return bad(`bad lang ${JSON.stringify(r.lang)}`);
  if (typeof r.domain !== 'string' || !/^[a-z_]+$/.test(r.domain)) return bad(`bad domain ${JSON.stringify(r.domain)}`);
  if (typeof r.text !== 'string' || r.text.trim() === '') return bad('empty text');
  if (!(LABELS as readonly unknown[]).includes(r.label)) return bad(`bad label ${JSON.stringify(r.label)}`);
  if (typeof r.crisis !== 'boolean') return bad('crisis is not a boolean');
  if (r.crisis) {
    if (!(CRISIS_CATEGORIES as readonly unknown[]).includes(r.crisisCategory)) {
      return bad(`crisis post needs crisisCategory in ${CRISIS_CATEGORIES.join('/')}, got ${JSON.stringify(r.crisisCategory)}`);
    }
    if (r.label !== 'negative') return bad(`crisis post labelled ${String(r.label)}, must be negative`);
  } else if (r.crisisCategory !== null) {
    return bad(`crisisCategory ${JSON.stringify(r.crisisCategory)} on a post that is not crisis`);
  }
  if (!Array.isArray(r.tags) || r.tags.length === 0) return bad('tags must be a non-empty array');
  for (const t of r.tags) if (!(TAGS as readonly unknown[]).includes(t)) return bad(`unknown tag ${JSON.stringify(t)}`);
  if (new Set(r.tags).size !== r.tags.length) return bad('duplicate tag');
  if (r.tags.includes('plain') && r.tags.length > 1) return bad('"plain" together with other tags');
  return r as unknown as CommunityPost;
}

export function loadCommunitySet(dir: string, errors: string[] = []): Map<string, CommunityPost[]> {
  const files = readdirSync(dir).filter((f) => f.endsWith('.jsonl')).sort();
  const byFile = new Map<string, CommunityPost[]>();
  const ids = new Map<string, string>();
  const texts = new Map<string, string>();
  for (const file of files) {
    const rows: CommunityPost[] = [];
    readFileSync(join(dir, file), 'utf8').split('\n').forEach((line, i) => {
      if (line.trim() === '') return;
      const where = `${file}:${i + 1}`;
      let o: unknown;
      try { o = JSON.parse(line); } catch (e) { errors.push(`${where}: invalid JSON (${(e as Error).message})`); return; }
      const post = validate(o, where, errors);
      if (!post) return;
      const seen = ids.get(post.id);
      if (seen) errors.push(`${where}: duplicate id ${post.id} (first at ${seen})`);
      else ids.set(post.id, where);
      const dupText = texts.get(post.text);
      if (dupText) errors.push(`${where}: same text as ${dupText}`);
      else texts.set(post.text, where);
      rows.push(post);
    });
    byFile.set(file, rows);
  }
  return byFile;
}

// ---------------------------------------------------------------------------------------------------------

interface Counts { posts: number; label: Record<string, number>; crisis: number; category: Record<string, number>; tag: Record<string, number>; split: Record<Split, number> }

function count(rows: CommunityPost[]): Counts {
  const c: Counts = { posts: 0, label: {}, crisis: 0, category: {}, tag: {}, split: { dev: 0, test: 0 } };
  for (const r of rows) {
    c.posts++;
    c.label[r.label] = (c.label[r.label] ?? 0) + 1;
    if (r.crisis && r.crisisCategory) { c.crisis++; c.category[r.crisisCategory] = (c.category[r.crisisCategory] ?? 0) + 1; }
    for (const t of r.tags) c.tag[t] = (c.tag[t] ?? 0) + 1;
    c.split[splitOf(r.id)]++;
  }
  return c;
}

function table(head: string[], body: (string | number)[][], markdown: boolean): string {
  const cells = [head, ...body].map((row) => row.map(String));
  if (markdown) {
    const line = (r: string[]) => `| ${r.join(' | ')} |`;
    return [line(cells[0]!), line(cells[0]!.map((_, i) => (i === 0 ? '---' : '---:'))), ...cells.slice(1).map(line)].join('\n');
  }
  const width = (s: string) => [...s].reduce((w, ch) => w + (/[\u1100-\uffff]/.test(ch) ? 2 : 1), 0);
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((r) => width(r[i] ?? ''))));
  return cells.map((r) => r.map((s, i) => (i === 0 ? s + ' '.repeat(widths[i]! - width(s)) : ' '.repeat(widths[i]! - width(s)) + s)).join('  ')).join('\n');
}

function pct(n: number, d: number): string { return d ? `${n} (${Math.round((100 * n) / d)}%)` : '0'; }

function main(): void {
  const markdown = process.argv.includes('--markdown');
  const dirArg = process.argv.slice(2).find((a) => !a.startsWith('--'));
  const dir = dirArg ? resolve(dirArg) : dirname(fileURLToPath(import.meta.url));
  const errors: string[] = [];
  const byFile = loadCommunitySet(dir, errors);
  const files = [...byFile.keys()];
  const all = [...byFile.values()].flat();

  const perFile = files.map((f) => [f, count(byFile.get(f)!)] as const);
  const total = count(all);
  const rowsOf = (entries: (readonly [string, Counts])[]) => entries.map(([name, c]) => [
    name, c.posts, pct(c.label.negative ?? 0, c.posts), pct(c.label.neutral ?? 0, c.posts), pct(c.label.positive ?? 0, c.posts),
    pct(c.crisis, c.posts), CRISIS_CATEGORIES.map((k) => `${k} ${c.category[k] ?? 0}`).join(', '), `${c.split.dev} / ${c.split.test}`,
  ]);
  console.log(markdown ? '### Per file\n' : 'Per file');
  console.log(table(['file', 'posts', 'negative', 'neutral', 'positive', 'crisis', 'crisis categories', 'dev / test'],
    rowsOf([...perFile, ['all', total]]), markdown));

  console.log(markdown ? '\n### Tags per file (a post can carry several)\n' : '\nTags per file (a post can carry several)');
  console.log(table(['tag', ...files.map((f) => f.replace(/\.jsonl$/, '')), 'all'],
    TAGS.map((t) => [t, ...perFile.map(([, c]) => pct(c.tag[t] ?? 0, c.posts)), pct(total.tag[t] ?? 0, total.posts)]), markdown));

  for (const split of ['dev', 'test'] as const) {
    const entries = files.map((f) => [f, count(byFile.get(f)!.filter((r) => splitOf(r.id) === split))] as const);
    const sum = count(all.filter((r) => splitOf(r.id) === split));
    console.log(markdown ? `\n### Split \`${split}\`\n` : `\nSplit ${split}`);
    console.log(table(['file', 'posts', 'negative', 'neutral', 'positive', 'crisis'],
      [...entries, ['all', sum] as const].map(([name, c]) => [name, c.posts, c.label.negative ?? 0, c.label.neutral ?? 0, c.label.positive ?? 0, c.crisis]), markdown));
  }

  if (errors.length) {
    console.error(`\n${errors.length} problem(s):`);
    for (const e of errors.slice(0, 50)) console.error(`  ${e}`);
    if (errors.length > 50) console.error(`  … and ${errors.length - 50} more`);
    process.exit(1);
  }
  console.log(`\nvalid: ${all.length} posts in ${files.length} file(s), ids unique, crisis ⇒ negative, crisisCategory set iff crisis`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
