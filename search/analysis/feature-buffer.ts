/**
 * The mechanism both sentiment scorers (sentiment-zh.ts, sentiment-en.ts) share: the distinct
 * features of the text being scored, hashed from their parts with the key formats of
 * features-zh.ts / features-en.ts and de-duplicated by that 32-bit hash, then the choice of the
 * strongest few for the reasons and the lexicon-mass share-out.
 *
 * Both scorers use this one concrete class as their feature sink (English never emits char
 * bigrams), not a base class with a subclass per language: one class keeps every property and
 * typed-array access here monomorphic, whichever scorer runs.
 */
import { emotivePrior } from './emoji';
import type { FeatureSink } from './features-zh';
import { HASH_INIT, HashTable, hashCode, hashOf, hashString } from './hash-table';

/** One word's lexicon mass, kept for the reasons. */
export interface LexiconHit { positive: boolean; mass: number; negated: boolean; negCue: string; word: string }

/** One term's share of the logit, before grouping; `source` is 'model' or the scorer's fallback. */
export interface Part<S extends string> { term: string; weight: number; negated: boolean; source: 'model' | S }

/** What a feature is; the scorers' fallbacks depend on it. */
export const enum FeatureKind { Word, WordBigram, CharBigram, Emotive, Cue }

// Hash states after each key prefix, so a key's hash continues from its prefix.
const H_WORD = hashString(HASH_INIT, 'w:');
const H_NEG_WORD = hashString(HASH_INIT, 'n:');
const H_BIGRAM = hashString(HASH_INIT, 'b:');
const H_CHAR = hashString(HASH_INIT, 'c:');
const H_NEG_CHAR = hashString(HASH_INIT, 'm:');
const H_EMO = hashString(HASH_INIT, 'e:');
const H_CUE = hashString(HASH_INIT, 'p:');
const BAR = '|'.charCodeAt(0);

// Fallbacks for features a model never saw (pruned or absent from the corpora), the same for
// both scorers: a negated word the corpora never negated takes a damped opposite of its plain weight...
export const NEGATION_FLIP = 0.6;
// ...and an emoji/emoticon without a usable learned weight takes its hand-set prior, in logit units.
const EMOTIVE_PRIOR_LOGIT = 1.5;
const MODEL_HAS_OPINION = 0.3;

/** A model's weights keyed by the 32-bit hash of the feature key, as the scorers look them up. */
export function weightTable(weights: Record<string, number>): HashTable {
  const keys = Object.keys(weights);
  return new HashTable(keys.map((k): [number, number] => [hashOf(k), weights[k]]), keys.length);
}

const INITIAL_CAPACITY = 256;

/**
 * The distinct features of the text being scored, in parallel typed arrays reused across calls
 * (analyze() is synchronous, so one buffer per scorer and thread is enough). De-duplication by
 * hash keeps the largest value, as the trainers do with string keys (binary features pass 1).
 * Objects and a Map<number> here cost more than the scoring itself: the 32-bit hashes are not
 * small integers, so a Map boxes them. Terms are kept as their parts (two strings, or the two
 * UTF-16 code units of a character bigram) and only joined for the reasons.
 */
export class FeatureBuffer implements FeatureSink {
  size = 0;
  hashes = new Int32Array(INITIAL_CAPACITY);
  /** For a negated feature, the hash of its plain form (the fallback weight); else 0. */
  plainHashes = new Int32Array(INITIAL_CAPACITY);
  values = new Float64Array(INITIAL_CAPACITY);
  /** FeatureKind of each feature. */
  kinds = new Uint8Array(INITIAL_CAPACITY);
  negated = new Uint8Array(INITIAL_CAPACITY);
  xs = new Uint16Array(INITIAL_CAPACITY);
  ys = new Uint16Array(INITIAL_CAPACITY);
  /** Scratch for the scorer: each feature's share of the logit, and whether it came from a fallback. */
  contrib = new Float64Array(INITIAL_CAPACITY);
  fromFallback = new Uint8Array(INITIAL_CAPACITY);
  texts: string[] = [];
  others: string[] = [];
  positiveMass = 0;
  negativeMass = 0;
  lexiconHits: LexiconHit[] = [];
  private slots = new Int32Array(INITIAL_CAPACITY * 4);
  private usedSlots: number[] = [];

  /** @param bigramJoin what joins the two words of a word bigram in its reason text. */
  constructor(private readonly bigramJoin: string) {}

  reset(): void {
    for (const i of this.usedSlots) this.slots[i] = 0;
    this.usedSlots.length = 0;
    this.size = 0;
    this.texts.length = 0;
    this.others.length = 0;
    this.positiveMass = 0;
    this.negativeMass = 0;
    this.lexiconHits = [];
  }

  private grow(): void {
    const cap = this.hashes.length * 2;
    const copy = <T extends Int32Array | Float64Array | Uint8Array | Uint16Array>(a: T, b: T): T => { b.set(a); return b; };
    this.hashes = copy(this.hashes, new Int32Array(cap));
    this.plainHashes = copy(this.plainHashes, new Int32Array(cap));
    this.values = copy(this.values, new Float64Array(cap));
    this.kinds = copy(this.kinds, new Uint8Array(cap));
    this.negated = copy(this.negated, new Uint8Array(cap));
    this.xs = copy(this.xs, new Uint16Array(cap));
    this.ys = copy(this.ys, new Uint16Array(cap));
    this.contrib = new Float64Array(cap);
    this.fromFallback = new Uint8Array(cap);
    // Rebuild the slot table at twice the load capacity.
    this.slots = new Int32Array(cap * 4);
    this.usedSlots.length = 0;
    const mask = this.slots.length - 1;
    for (let k = 0; k < this.size; k++) {
      let i = this.hashes[k] & mask;
      while (this.slots[i] !== 0) i = (i + 1) & mask;
      this.slots[i] = k + 1;
      this.usedSlots.push(i);
    }
  }

  /** Adds a feature, or raises the value of the one already there with this hash. */
  private add(hash: number, plainHash: number, value: number, negated: boolean, kind: FeatureKind, text: string, other: string, x: number, y: number): void {
    const mask = this.slots.length - 1;
    let i = hash & mask;
    for (;;) {
      const at = this.slots[i];
      if (at === 0) break;
      if (this.hashes[at - 1] === hash) {
        if (value > this.values[at - 1]) this.values[at - 1] = value;
        return;
      }
      i = (i + 1) & mask;
    }
    if (this.size === this.hashes.length) {
      this.grow();
      this.add(hash, plainHash, value, negated, kind, text, other, x, y);
      return;
    }
    const k = this.size++;
    this.slots[i] = k + 1;
    this.usedSlots.push(i);
    this.hashes[k] = hash;
    this.plainHashes[k] = plainHash;
    this.values[k] = value;
    this.kinds[k] = kind;
    this.negated[k] = negated ? 1 : 0;
    this.xs[k] = x;
    this.ys[k] = y;
    this.texts[k] = text;
    this.others[k] = other;
  }

  word(w: string, value: number, negated: boolean, negCue: string): void {
    if (negated) this.add(hashString(H_NEG_WORD, w), hashString(H_WORD, w), value, true, FeatureKind.Word, w, negCue, 0, 0);
    else this.add(hashString(H_WORD, w), 0, value, false, FeatureKind.Word, w, '', 0, 0);
  }

  wordBigram(a: string, b: string): void {
    this.add(hashString(hashCode(hashString(H_BIGRAM, a), BAR), b), 0, 1, false, FeatureKind.WordBigram, a, b, 0, 0);
  }

  charBigram(x: number, y: number, value: number, negated: boolean, negCue: string, w: string): void {
    const plain = hashCode(hashCode(H_CHAR, x), y);
    if (negated) this.add(hashCode(hashCode(H_NEG_CHAR, x), y), plain, value, true, FeatureKind.CharBigram, w, negCue, x, y);
    else this.add(plain, 0, value, false, FeatureKind.CharBigram, w, '', x, y);
  }

  emotive(token: string): void {
    this.add(hashString(H_EMO, token), 0, 1, false, FeatureKind.Emotive, token, '', 0, 0);
  }

  cue(cue: string): void {
    this.add(hashString(H_CUE, cue), 0, 1, false, FeatureKind.Cue, cue, '', 0, 0);
  }

  /** Masses are summed (and capped when scored), each hit kept for the reasons. */
  lexicon(positive: boolean, mass: number, negated: boolean, negCue: string, word: string): void {
    if (positive) this.positiveMass += mass;
    else this.negativeMass += mass;
    this.lexiconHits.push({ positive, mass, negated, negCue, word });
  }

  /** Feature k's weight: the model's, else for a negated feature the damped opposite of its plain form's. */
  weightOf(k: number, table: HashTable): number | undefined {
    const w = table.get(this.hashes[k]);
    if (w !== undefined || this.plainHashes[k] === 0) return w;
    const plain = table.get(this.plainHashes[k]);
    return plain === undefined ? undefined : -NEGATION_FLIP * plain;
  }

  /** For an emoji the model (weight w) has no usable opinion on, its hand-set prior in logit units; else 0. */
  emotiveFallback(k: number, w: number | undefined): number {
    if (this.kinds[k] !== FeatureKind.Emotive || (w !== undefined && Math.abs(w) >= MODEL_HAS_OPINION)) return 0;
    const emo = emotivePrior(this.texts[k]);
    return emo === 0 ? 0 : emo * EMOTIVE_PRIOR_LOGIT;
  }

  /** The reason text of feature k: "太差", "不+好", "[怒]", "not+good", "waste of". */
  termOf(k: number): string {
    if (this.negated[k]) return this.others[k] + '+' + this.texts[k];
    switch (this.kinds[k]) {
      case FeatureKind.WordBigram: return this.texts[k] + this.bigramJoin + this.others[k];
      case FeatureKind.CharBigram: return String.fromCharCode(this.xs[k], this.ys[k]);
      default: return this.texts[k];
    }
  }

  /**
   * Adds the lexicon masses to `logit`: one weight each (wPos, wNeg), the mass capped at `cap`
   * and shared out over the words in proportion to their mass; each word's share becomes a part.
   */
  addLexicon<S extends string>(logit: number, wPos: number, wNeg: number, cap: number, parts: Part<S>[]): number {
    const posScale = this.positiveMass > 0 ? Math.min(cap, this.positiveMass) / this.positiveMass : 0;
    const negScale = this.negativeMass > 0 ? Math.min(cap, this.negativeMass) / this.negativeMass : 0;
    for (const hit of this.lexiconHits) {
      const c = hit.positive ? wPos * hit.mass * posScale : wNeg * hit.mass * negScale;
      logit += c;
      parts.push({ term: hit.negated ? hit.negCue + '+' + hit.word : hit.word, weight: c, negated: hit.negated, source: 'model' });
    }
    return logit;
  }

  /** The features as hash -> value, the lexicon masses capped: what the scorer sees, for tests. */
  hashedVector(hLexPos: number, hLexNeg: number, cap: number): Map<number, number> {
    const out = new Map<number, number>();
    for (let k = 0; k < this.size; k++) out.set(this.hashes[k], this.values[k]);
    if (this.positiveMass > 0) out.set(hLexPos, Math.min(cap, this.positiveMass));
    if (this.negativeMass > 0) out.set(hLexNeg, Math.min(cap, this.negativeMass));
    return out;
  }
}

// Enough single features to cover the top terms after grouping.
const EXPLAIN_CANDIDATES = 16;
const EXPLAIN_TERMS = 8;

/**
 * Indices of the EXPLAIN_CANDIDATES features of largest |contribution| (0 means none), in the
 * order they are kept. Only the strongest few get their term built: this runs for every post.
 */
export function topFeatures(contrib: Float64Array, size = contrib.length): number[] {
  const top: number[] = [];
  let minAt = -1;
  for (let k = 0; k < size; k++) {
    const c = Math.abs(contrib[k]);
    if (c === 0) continue;
    if (top.length < EXPLAIN_CANDIDATES) {
      top.push(k);
      if (top.length === EXPLAIN_CANDIDATES) minAt = smallest(top, contrib);
    } else if (c > Math.abs(contrib[top[minAt]])) {
      top[minAt] = k;
      minAt = smallest(top, contrib);
    }
  }
  return top;
}

function smallest(top: number[], contrib: Float64Array): number {
  let best = 0;
  for (let i = 1; i < top.length; i++) if (Math.abs(contrib[top[i]]) < Math.abs(contrib[top[best]])) best = i;
  return best;
}

/**
 * The strongest terms: a word, its bigrams and its lexicon mass often name the same term
 * ("太差"), so the top parts are grouped by term; a term any of whose parts came from the
 * scorer's fallback is marked so. Only the top few are grouped, not all: this runs for every
 * post and a full sort would cost more than the scoring itself.
 */
export function explain<S extends string>(parts: Part<S>[]): Part<S>[] {
  const byTerm = new Map<string, Part<S>>();
  for (const p of parts) {
    const entry = byTerm.get(p.term);
    if (entry) {
      entry.weight += p.weight;
      if (p.source !== 'model') entry.source = p.source;
    } else byTerm.set(p.term, { term: p.term, weight: p.weight, negated: p.negated, source: p.source });
  }
  return [...byTerm.values()].sort((a, b) => Math.abs(b.weight) - Math.abs(a.weight)).slice(0, EXPLAIN_TERMS);
}
