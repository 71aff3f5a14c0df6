/**
 * Chinese word segmentation (jieba, via @node-rs/jieba) with the committed user dictionary
 * `search/dict/user.txt` and run-time additions; tokenize.ts builds index and sentiment tokens on it.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict.js';
import { normalizeText } from './normalize';

const USER_DICT_PATH = fileURLToPath(new URL('../dict/user.txt', import.meta.url));

// Frequency given to words added at run time: high enough that jieba keeps them whole
// (jieba picks the most probable path), matching the committed dictionary entries.
const USER_WORD_FREQ = 20000;

// Multi-character function words the sentiment features rely on seeing as one token
// ("一点也不好" -> 一点也 | 不好). Kept here, not in user.txt, because they are code's concern.
// "不太行" likewise, or jieba reads 不 + 太行 (the mountains).
const SENTIMENT_PHRASES = ['一点也', '一点都', '一点儿也', '一点儿都', '并不是', '不怎么', '不太行'];

let jieba: Jieba | undefined;
const runtimeWords: string[] = [];

function dictLines(words: string[], tag: string): string {
  return words.map((w) => `${w} ${USER_WORD_FREQ} ${tag}`).join('\n') + '\n';
}

/** The shared jieba instance, built on first use (loading the dictionaries takes ~0.2 s). */
export function getJieba(): Jieba {
  if (!jieba) {
    const instance = Jieba.withDict(dict);
    instance.loadDict(readFileSync(USER_DICT_PATH));
    instance.loadDict(Buffer.from(dictLines(SENTIMENT_PHRASES, 'd')));
    if (runtimeWords.length > 0) instance.loadDict(Buffer.from(dictLines(runtimeWords, 'n')));
    jieba = instance;
  }
  return jieba;
}

/** Whether the jieba dictionaries are in memory yet. */
export function segmenterLoaded(): boolean {
  return jieba !== undefined;
}

/** Raw jieba cut (HMM on, so unseen names are still grouped) of already-normalised text. */
export function cutNormalized(normalized: string): string[] {
  return getJieba().cut(normalized, true);
}

/** Add words to the dictionary at run time (admins: brand names, new slang). */
export function addUserWords(words: string[]): void {
  // Lowercased because text is lowercased before cutting; whitespace would break the dict line format.
  const clean = [...new Set(words.map((w) => normalizeText(w).trim()))].filter((w) => w.length > 0 && !/\s/.test(w));
  if (clean.length === 0) return;
  runtimeWords.push(...clean);
  if (jieba) jieba.loadDict(Buffer.from(dictLines(clean, 'n')));
}
