/**
 * 32-bit FNV-1a hashing of strings (incrementally, so a feature key can be hashed from its parts
 * without building the string) and a compact open-addressing table from hash to float.
 * Why: the hot path looked up ~100 string keys per post in V8 Maps of 100k-270k entries; every
 * lookup chased 3-4 pointers (bucket, entry, key string, boxed number). Typed arrays cost one or two.
 */

/** FNV-1a offset basis. */
export const HASH_INIT = 0x811c9dc5 | 0;

/** Mix one UTF-16 code unit into a hash. */
export function hashCode(h: number, code: number): number {
  return Math.imul(h ^ code, 0x01000193);
}

/** Mix every code unit of a string into a hash. */
export function hashString(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h;
}

/** The hash of a whole string (what the table is built with). */
export function hashOf(s: string): number {
  return hashString(HASH_INIT, s);
}

/**
 * Read-only hash -> number table, packed for cache: each slot is one 32-bit word holding a 16-bit
 * fingerprint (high half of the hash) and the value quantised to 16 bits. The sentiment model's
 * ~90k weights fit in 512 KB (an L2 cache), not the ~6 MB a Map<string, number> takes.
 * Quantisation error is at most half a step (max|value| / 65534); a lookup of an absent key
 * matches a stored fingerprint with probability ~1e-4, a small, deterministic noise.
 */
export class HashTable {
  private readonly slots: Uint32Array;
  private readonly mask: number;
  private readonly scale: number;
  /** Entries dropped because their slot run already held the same fingerprint (the first one wins). */
  readonly collisions: number;

  constructor(entries: Iterable<[number, number]>, expectedSize: number) {
    const list = [...entries];
    // Load factor at most ~0.7: short probe runs, all inside one or two cache lines.
    let size = 1;
    while (size < Math.max(expectedSize, list.length) * 1.4) size <<= 1;
    this.slots = new Uint32Array(size);
    this.mask = size - 1;
    const maxAbs = list.reduce((m, [, v]) => Math.max(m, Math.abs(v)), 0);
    this.scale = maxAbs > 0 ? 32767 / maxAbs : 1;
    let collisions = 0;
    for (const [hash, value] of list) {
      const fp = fingerprint(hash);
      let i = hash & this.mask;
      while (this.slots[i] !== 0 && this.slots[i] >>> 16 !== fp) i = (i + 1) & this.mask;
      if (this.slots[i] !== 0) collisions++;
      else this.slots[i] = ((fp << 16) | (Math.round(value * this.scale) & 0xffff)) >>> 0;
    }
    this.collisions = collisions;
  }

  /** The value stored for a hash, or undefined. */
  get(hash: number): number | undefined {
    const fp = fingerprint(hash);
    let i = hash & this.mask;
    for (;;) {
      const slot = this.slots[i];
      if (slot === 0) return undefined;
      if (slot >>> 16 === fp) return ((slot << 16) >> 16) / this.scale;
      i = (i + 1) & this.mask;
    }
  }
}

/**
 * Several columns of values under one key set, as HashTable would store each column alone (the
 * same table size, probe runs, fingerprints, first-wins rule and per-column 16-bit quantisation, so
 * every value read is the one a HashTable per column returns), but found with one probe: the
 * community word model reads four scores per feature, and four tables cost four cache misses.
 */
export class HashColumns {
  private readonly fingerprints: Uint16Array;
  /** `width` values per slot, at the slot's index: a hit reads the cache line after its fingerprint's, no row indirection. */
  private readonly values: Int16Array;
  private readonly scales: Float64Array;
  private readonly mask: number;
  readonly width: number;
  readonly collisions: number;

  /** `entries`: each key's hash and its `width` values. */
  constructor(entries: readonly (readonly [number, ArrayLike<number>])[], width: number, expectedSize: number) {
    this.width = width;
    let size = 1;
    while (size < Math.max(expectedSize, entries.length) * 1.4) size <<= 1;
    this.fingerprints = new Uint16Array(size);
    this.values = new Int16Array(size * width);
    this.mask = size - 1;
    this.scales = new Float64Array(width);
    for (let c = 0; c < width; c++) {
      const maxAbs = entries.reduce((m, [, v]) => Math.max(m, Math.abs(v[c])), 0);
      this.scales[c] = maxAbs > 0 ? 32767 / maxAbs : 1;
    }
    let collisions = 0;
    for (const [hash, v] of entries) {
      const fp = fingerprint(hash);
      let i = hash & this.mask;
      while (this.fingerprints[i] !== 0 && this.fingerprints[i] !== fp) i = (i + 1) & this.mask;
      if (this.fingerprints[i] !== 0) { collisions++; continue; }
      this.fingerprints[i] = fp;
      for (let c = 0; c < width; c++) this.values[i * width + c] = Math.round(v[c] * this.scales[c]);
    }
    this.collisions = collisions;
  }

  /** Where a hash's values are (pass it to value()), or -1. */
  row(hash: number): number {
    const fp = fingerprint(hash);
    let i = hash & this.mask;
    for (;;) {
      const at = this.fingerprints[i];
      if (at === 0) return -1;
      if (at === fp) return i;
      i = (i + 1) & this.mask;
    }
  }

  /** Column c at a place row() returned. */
  value(row: number, c: number): number {
    return this.values[row * this.width + c] / this.scales[c];
  }
}

// High 16 bits of the hash, never 0 (0 marks an empty slot).
function fingerprint(hash: number): number {
  return hash >>> 16 || 1;
}
