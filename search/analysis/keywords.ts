/**
 * Keywords: TF-IDF over the index tokens. IDF comes from jieba's bundled table (a general
 * Chinese corpus, shipped with @node-rs/jieba, not copied here); words it lacks (brand names,
 * new slang, English) get the median IDF, which for an English post reduces to term frequency.
 */
import { idf as jiebaIdf } from '@node-rs/jieba/dict.js';
import { HashTable, hashOf } from './hash-table';
import { isStopword } from './stopwords';

/** Maximum number of keywords returned per post. */
export const MAX_KEYWORDS = 8;

const LETTER = /\p{L}/u;

// Fast paths for ASCII letters and CJK; the unicode regex only for other scripts (runs per token).
function hasLetter(token: string): boolean {
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 0x4e00 && c <= 0x9fff)) return true;
    if (c >= 128 && LETTER.test(token[i])) return true;
  }
  return false;
}

function isHanToken(token: string): boolean {
  const c = token.charCodeAt(0);
  return (c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3400 && c <= 0x4dbf);
}

let idf: HashTable | undefined;
let medianIdf = 0;

/** jieba's IDF table, parsed on first use (~270k entries, ~0.1 s) into a compact hash table. */
function idfTable(): HashTable {
  if (!idf) {
    const entries: [number, number][] = [];
    const values: number[] = [];
    for (const line of Buffer.from(jiebaIdf).toString('utf8').split('\n')) {
      const space = line.lastIndexOf(' ');
      if (space <= 0) continue;
      const value = Number(line.slice(space + 1));
      if (!Number.isFinite(value)) continue;
      entries.push([hashOf(line.slice(0, space)), value]);
      values.push(value);
    }
    values.sort((a, b) => a - b);
    medianIdf = values.length ? values[Math.floor(values.length / 2)] : 1;
    idf = new HashTable(entries, entries.length);
  }
  return idf;
}

/** Whether the IDF table has been parsed yet. */
export function idfLoaded(): boolean {
  return idf !== undefined;
}

/** True when a token can be a keyword: two or more characters, has a letter (so no pure numbers), not a stopword. */
export function isKeywordCandidate(token: string): boolean {
  return token.length >= 2 && hasLetter(token) && !isStopword(token);
}

/** Up to MAX_KEYWORDS keywords of a post from its index tokens, best first (ties: first occurrence). */
export function extractKeywords(tokens: string[], max = MAX_KEYWORDS): string[] {
  const table = idfTable();
  const tf = new Map<string, number>();
  for (const t of tokens) if (isKeywordCandidate(t)) tf.set(t, (tf.get(t) ?? 0) + 1);
  const scored: { term: string; score: number; order: number }[] = [];
  let order = 0;
  for (const [term, count] of tf) {
    // Latin tokens are never in jieba's table; give them the median so they compete fairly.
    const weight = isHanToken(term) ? table.get(hashOf(term)) ?? medianIdf : medianIdf;
    scored.push({ term, score: count * weight, order: order++ });
  }
  scored.sort((a, b) => b.score - a.score || a.order - b.order);
  return scored.slice(0, max).map((s) => s.term);
}
