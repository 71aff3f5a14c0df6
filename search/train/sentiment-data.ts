/**
 * The sentiment corpora and their fixed train/dev/test splits, shared by the training script
 * and the held-out test so both see exactly the same rows. The corpora stay where they are
 * (../shared/datasets/sentiment, or SENTIMENT_DATA_DIR); nothing is copied into the project.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { normalizeText } from '../analysis/normalize';

/** Repository root (two levels above this file). */
export const repoRoot = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** Where the corpora are read from. */
export function sentimentDataDir(): string {
  return process.env.SENTIMENT_DATA_DIR ?? path.resolve(repoRoot, '../shared/datasets/sentiment');
}

/**
 * The files and their share of the total training weight. Weibo gets the most: forum posts
 * look like it, and models trained on reviews alone transfer badly to social text.
 */
export const CORPORA: readonly { file: string; share: number }[] = [
  { file: 'weibo2018_train.tsv', share: 0.4 },
  { file: 'waimai_10k.tsv', share: 0.15 },
  { file: 'online_shopping_10_cats.tsv', share: 0.25 },
  { file: 'chnsenticorp_train.tsv', share: 0.1 },
  { file: 'chnsenticorp_htl_all.tsv', share: 0.1 },
];

/** Split parameters: fixed so the held-out rows never change between runs. */
export const SPLIT = { seed: 20240611, testFraction: 0.1, devFraction: 0.1 } as const;

/** One labelled text and the split it belongs to. */
export interface Row { file: string; label: 0 | 1; text: string; split: 'train' | 'dev' | 'test' }

/** True when every corpus file is present (tests skip otherwise). */
export function corporaAvailable(dir = sentimentDataDir()): boolean {
  return CORPORA.every(({ file }) => existsSync(path.join(dir, file)));
}

/** Deterministic PRNG (mulberry32) so the splits are reproducible. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher-Yates shuffle in place with the given PRNG. */
export function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

// Weibo2018 wraps topics and link cards as {%#话题#%} / {%title%}; forum text has no such markup.
function cleanCorpusText(text: string): string {
  return text.replace(/\{%|%\}/g, ' ').replace(/^\uFEFF/, '');
}

/** The key two texts share when they differ only in case, width, spaces or punctuation. */
export function foldKey(text: string): string {
  return normalizeText(text).replace(/[^\p{L}\p{N}]/gu, '');
}

/**
 * Every row with its split: per file and per label, shuffled with the fixed seed, the first
 * 10% is test and the next 10% dev. Rows whose text also occurs in another split's held-out
 * rows (the two ChnSentiCorp files overlap) are dropped from train/dev so test stays unseen.
 */
export function loadSplits(dir = sentimentDataDir()): { rows: Row[]; droppedAsDuplicates: number } {
  const random = rng(SPLIT.seed);
  const all: Row[] = [];
  for (const { file } of CORPORA) {
    const lines = readFileSync(path.join(dir, file), 'utf8').split('\n').slice(1);
    const byLabel: Record<0 | 1, string[]> = { 0: [], 1: [] };
    for (const line of lines) {
      const [label, text] = line.split('\t');
      if ((label === '0' || label === '1') && text && text.trim()) byLabel[label === '1' ? 1 : 0].push(cleanCorpusText(text));
    }
    for (const label of [0, 1] as const) {
      const texts = shuffle(byLabel[label], random);
      const nTest = Math.round(texts.length * SPLIT.testFraction);
      const nDev = Math.round(texts.length * SPLIT.devFraction);
      texts.forEach((text, i) => all.push({ file, label, text, split: i < nTest ? 'test' : i < nTest + nDev ? 'dev' : 'train' }));
    }
  }
  const testKeys = new Set(all.filter((r) => r.split === 'test').map((r) => foldKey(r.text)));
  const devKeys = new Set(all.filter((r) => r.split === 'dev').map((r) => foldKey(r.text)));
  const rows = all.filter((r) => {
    if (r.split === 'test') return true;
    const key = foldKey(r.text);
    if (testKeys.has(key)) return false;
    return !(r.split === 'train' && devKeys.has(key));
  });
  return { rows, droppedAsDuplicates: all.length - rows.length };
}
