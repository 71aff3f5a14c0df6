/**
 * Chinese sentiment: a logistic-regression model (trained by search/train/train-sentiment.ts,
 * stored in search/models/sentiment-zh.json) over the features of features-zh.ts, with a
 * Platt calibration so that score = 2p-1 means what it says.
 *
 * Scoring hashes feature keys from their characters (hash-table.ts) instead of building and
 * looking up strings: same features as training, a fraction of the cost.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { emotivePrior } from './emoji';
import { LEXICON_MASS_CAP, LEXICON_NEGATIVE, LEXICON_POSITIVE, walkZhFeatures, type FeatureSink } from './features-zh';
import { HASH_INIT, HashTable, hashCode, hashOf, hashString } from './hash-table';
import { zhLexiconPolarity } from './lexicon-zh';
import { lexNormalized, type SentimentToken } from './tokenize';

/** The serialised model: sparse weights plus calibration and the neutral band chosen on validation. */
export interface ZhSentimentModel {
  version: 1;
  bias: number;
  calibration: { slope: number; intercept: number };
  /** |score| below this is labelled neutral (chosen on the validation split). */
  neutralBand: number;
  weights: Record<string, number>;
  info?: Record<string, unknown>;
}

/** A model ready for scoring: weights in a hash table keyed by the 32-bit hash of the feature key. */
export interface LoadedZhModel { model: ZhSentimentModel; table: HashTable }

/** How much one term moved the logit, and whether the weight came from the model or the hand lexicon. */
export interface Contribution { term: string; weight: number; negated: boolean; source: 'model' | 'lexicon' }

/** Raw result of the Chinese scorer, before labelling. */
export interface ZhScore {
  logit: number;
  probability: number;
  /** 2p-1 in [-1,1]. */
  score: number;
  /** The strongest per-term logit contributions (up to 8), largest magnitude first. */
  contributions: Contribution[];
  /** How many features the model knew: 0 means the text gave it nothing to go on. */
  evidence: number;
}

const MODEL_PATH = fileURLToPath(new URL('../models/sentiment-zh.json', import.meta.url));

// Fallbacks for features the model never saw (pruned or absent from the corpora):
// a negated word the corpora never negated takes a damped opposite of its plain weight...
const NEGATION_FLIP = 0.6;
// ...an emoji/emoticon without a usable learned weight takes its hand-set prior, in logit units...
const EMOTIVE_PRIOR_LOGIT = 1.5;
const MODEL_HAS_OPINION = 0.3;
// ...and a lexicon word the model never kept a weight for (new slang: "拉胯", "遥遥领先")
// takes its hand-set polarity.
const LEXICON_LOGIT = 2;

let loaded: LoadedZhModel | undefined;

/** Wrap a parsed model for scoring. */
export function prepareZhModel(model: ZhSentimentModel): LoadedZhModel {
  const keys = Object.keys(model.weights);
  const table = new HashTable(keys.map((k): [number, number] => [hashOf(k), model.weights[k]]), keys.length);
  return { model, table };
}

/** The committed model, read on first use. */
export function zhModel(): LoadedZhModel {
  if (!loaded) loaded = prepareZhModel(JSON.parse(readFileSync(MODEL_PATH, 'utf8')) as ZhSentimentModel);
  return loaded;
}

// Hash states after each key prefix, so a key's hash continues from its prefix.
const H_WORD = hashString(HASH_INIT, 'w:');
const H_NEG_WORD = hashString(HASH_INIT, 'n:');
const H_BIGRAM = hashString(HASH_INIT, 'b:');
const H_CHAR = hashString(HASH_INIT, 'c:');
const H_NEG_CHAR = hashString(HASH_INIT, 'm:');
const H_EMO = hashString(HASH_INIT, 'e:');
const H_CUE = hashString(HASH_INIT, 'p:');
const H_LEX_POS = hashOf(LEXICON_POSITIVE);
const H_LEX_NEG = hashOf(LEXICON_NEGATIVE);
const BAR = '|'.charCodeAt(0);

const enum Kind { Word, WordBigram, CharBigram, Emotive, Cue, Lexicon }

/**
 * The distinct features of the text being scored, in parallel typed arrays reused across calls
 * (analyze() is synchronous, so one buffer per thread is enough). De-duplication by hash keeps
 * the largest value, as featureVector does with string keys. Objects and a Map<number> here
 * cost more than the scoring itself: the 32-bit hashes are not small integers, so a Map boxes them.
 */
class FeatureBuffer implements FeatureSink {
  size = 0;
  hashes = new Int32Array(256);
  plainHashes = new Int32Array(256);
  values = new Float64Array(256);
  kinds = new Uint8Array(256);
  negated = new Uint8Array(256);
  xs = new Uint16Array(256);
  ys = new Uint16Array(256);
  texts: string[] = [];
  others: string[] = [];
  positiveMass = 0;
  negativeMass = 0;
  lexiconHits: { positive: boolean; mass: number; negated: boolean; negCue: string; word: string }[] = [];
  private slots = new Int32Array(1024);
  private usedSlots: number[] = [];

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

  private add(hash: number, plainHash: number, value: number, negated: boolean, kind: Kind, text: string, other: string, x: number, y: number): void {
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
    if (negated) this.add(hashString(H_NEG_WORD, w), hashString(H_WORD, w), value, true, Kind.Word, w, negCue, 0, 0);
    else this.add(hashString(H_WORD, w), 0, value, false, Kind.Word, w, '', 0, 0);
  }

  wordBigram(a: string, b: string): void {
    this.add(hashString(hashCode(hashString(H_BIGRAM, a), BAR), b), 0, 1, false, Kind.WordBigram, a, b, 0, 0);
  }

  charBigram(x: number, y: number, value: number, negated: boolean, negCue: string, w: string): void {
    const plain = hashCode(hashCode(H_CHAR, x), y);
    if (negated) this.add(hashCode(hashCode(H_NEG_CHAR, x), y), plain, value, true, Kind.CharBigram, w, negCue, x, y);
    else this.add(plain, 0, value, false, Kind.CharBigram, w, '', x, y);
  }

  emotive(token: string): void {
    this.add(hashString(H_EMO, token), 0, 1, false, Kind.Emotive, token, '', 0, 0);
  }

  cue(cue: string): void {
    this.add(hashString(H_CUE, cue), 0, 1, false, Kind.Cue, cue, '', 0, 0);
  }

  lexicon(positive: boolean, mass: number, negated: boolean, negCue: string, word: string): void {
    if (positive) this.positiveMass += mass;
    else this.negativeMass += mass;
    this.lexiconHits.push({ positive, mass, negated, negCue, word });
  }

  /** The reason text of feature k: "太差", "不+好", "[怒]". */
  termOf(k: number): string {
    if (this.negated[k]) return this.others[k] + '+' + this.texts[k];
    switch (this.kinds[k]) {
      case Kind.WordBigram: return this.texts[k] + this.others[k];
      case Kind.CharBigram: return String.fromCharCode(this.xs[k], this.ys[k]);
      default: return this.texts[k];
    }
  }
}

const buffer = new FeatureBuffer();

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** One term's share of the logit, before grouping. */
interface Part { term: string; weight: number; negated: boolean; source: 'model' | 'lexicon' }

/** Score sentiment tokens with a model; the training script evaluates through this same path. */
export function scoreZhTokens(tokens: SentimentToken[], m: LoadedZhModel = zhModel()): ZhScore {
  const f = buffer;
  f.reset();
  walkZhFeatures(tokens, f);
  const { table } = m;
  let logit = m.model.bias;
  let evidence = 0;
  // Contributions by feature index; terms are only built for the strongest few (explain()).
  const contrib = new Float64Array(f.size);
  const fromLexicon = new Uint8Array(f.size);
  for (let k = 0; k < f.size; k++) {
    let w = table.get(f.hashes[k]);
    if (w === undefined && f.plainHashes[k] !== 0) {
      const plain = table.get(f.plainHashes[k]);
      if (plain !== undefined) w = -NEGATION_FLIP * plain;
    }
    const kind = f.kinds[k];
    if (w === undefined && kind === Kind.Word) {
      const prior = zhLexiconPolarity(f.texts[k]);
      if (prior !== undefined) {
        w = prior * LEXICON_LOGIT * (f.negated[k] ? -NEGATION_FLIP : 1);
        fromLexicon[k] = 1;
      }
    }
    if (kind === Kind.Emotive && (w === undefined || Math.abs(w) < MODEL_HAS_OPINION)) {
      const emo = emotivePrior(f.texts[k]);
      if (emo !== 0) {
        w = emo * EMOTIVE_PRIOR_LOGIT;
        fromLexicon[k] = 1;
      }
    }
    if (w === undefined) continue;
    evidence++;
    contrib[k] = w * f.values[k];
    logit += contrib[k];
  }
  const parts = topParts(f, contrib, fromLexicon);
  // Lexicon masses: one weight each, capped, shared out over the words in proportion to their mass.
  const wPos = table.get(H_LEX_POS) ?? 0;
  const wNeg = table.get(H_LEX_NEG) ?? 0;
  const posScale = f.positiveMass > 0 ? Math.min(LEXICON_MASS_CAP, f.positiveMass) / f.positiveMass : 0;
  const negScale = f.negativeMass > 0 ? Math.min(LEXICON_MASS_CAP, f.negativeMass) / f.negativeMass : 0;
  for (const hit of f.lexiconHits) {
    const c = hit.positive ? wPos * hit.mass * posScale : wNeg * hit.mass * negScale;
    logit += c;
    parts.push({ term: hit.negated ? hit.negCue + '+' + hit.word : hit.word, weight: c, negated: hit.negated, source: 'model' });
  }
  const { slope, intercept } = m.model.calibration;
  const probability = sigmoid(slope * logit + intercept);
  return { logit, probability, score: 2 * probability - 1, contributions: explain(parts), evidence };
}

// Enough single features to cover the top terms after grouping.
const EXPLAIN_CANDIDATES = 16;
const EXPLAIN_TERMS = 8;

/** The EXPLAIN_CANDIDATES features of largest |contribution|, as parts with their terms. */
function topParts(f: FeatureBuffer, contrib: Float64Array, fromLexicon: Uint8Array): Part[] {
  const top: number[] = [];
  let minAt = -1;
  for (let k = 0; k < contrib.length; k++) {
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
  return top.map((k) => ({ term: f.termOf(k), weight: contrib[k], negated: f.negated[k] === 1, source: fromLexicon[k] ? 'lexicon' : 'model' }));
}

function smallest(top: number[], contrib: Float64Array): number {
  let best = 0;
  for (let i = 1; i < top.length; i++) if (Math.abs(contrib[top[i]]) < Math.abs(contrib[top[best]])) best = i;
  return best;
}

/**
 * The strongest terms: word, char-bigram and word-bigram features often name the same term
 * ("太差"), so the top features are grouped by term. Only the top few are grouped, not all:
 * this runs for every post and a full sort would cost more than the scoring itself.
 */
function explain(parts: Part[]): Contribution[] {
  const byTerm = new Map<string, Contribution>();
  for (const p of parts) {
    const entry = byTerm.get(p.term);
    if (entry) {
      entry.weight += p.weight;
      if (p.source === 'lexicon') entry.source = 'lexicon';
    } else byTerm.set(p.term, { term: p.term, weight: p.weight, negated: p.negated, source: p.source });
  }
  return [...byTerm.values()].sort((a, b) => Math.abs(b.weight) - Math.abs(a.weight)).slice(0, EXPLAIN_TERMS);
}

/**
 * Distinct features of the tokens as hash -> value, exactly as the scorer sees them; lets a test
 * check that hashing from characters matches hashing the trainer's string keys.
 */
export function hashedFeatureVector(tokens: SentimentToken[]): Map<number, number> {
  const f = buffer;
  f.reset();
  walkZhFeatures(tokens, f);
  const out = new Map<number, number>();
  for (let k = 0; k < f.size; k++) out.set(f.hashes[k], f.values[k]);
  if (f.positiveMass > 0) out.set(H_LEX_POS, Math.min(LEXICON_MASS_CAP, f.positiveMass));
  if (f.negativeMass > 0) out.set(H_LEX_NEG, Math.min(LEXICON_MASS_CAP, f.negativeMass));
  return out;
}

/** Score already-normalised Chinese text with the committed model. */
export function scoreZh(normalized: string): ZhScore {
  return scoreZhTokens(lexNormalized(normalized).sentimentTokens);
}
