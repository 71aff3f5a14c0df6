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
 * Read-only hash -> number table with linear probing; 0 marks an empty slot. Key and value of a
 * slot sit side by side in one buffer, so a lookup usually touches a single cache line.
 */
export class HashTable {
  private readonly keys: Int32Array;
  private readonly values: Float32Array;
  private readonly mask: number;
  /** Entries dropped because their 32-bit hash was already taken (the first one wins). */
  readonly collisions: number;

  constructor(entries: Iterable<[number, number]>, expectedSize: number) {
    // Load factor at most ~0.7: short probe runs without doubling the memory the lookups walk.
    let slots = 1;
    while (slots < expectedSize * 1.4) slots <<= 1;
    const buffer = new ArrayBuffer(slots * 8);
    this.keys = new Int32Array(buffer);
    this.values = new Float32Array(buffer);
    this.mask = slots - 1;
    let collisions = 0;
    for (const [rawHash, value] of entries) {
      const h = rawHash === 0 ? 1 : rawHash;
      let i = h & this.mask;
      while (this.keys[2 * i] !== 0 && this.keys[2 * i] !== h) i = (i + 1) & this.mask;
      if (this.keys[2 * i] === h) collisions++;
      else {
        this.keys[2 * i] = h;
        this.values[2 * i + 1] = value;
      }
    }
    this.collisions = collisions;
  }

  /** The value stored for a hash, or undefined. */
  get(rawHash: number): number | undefined {
    const h = rawHash === 0 ? 1 : rawHash;
    let i = h & this.mask;
    for (;;) {
      const k = this.keys[2 * i];
      if (k === h) return this.values[2 * i + 1];
      if (k === 0) return undefined;
      i = (i + 1) & this.mask;
    }
  }
}
