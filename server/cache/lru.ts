/** A small LRU map with a time-to-live per entry (Map keeps insertion order; re-insert on hit). */
export class LruCache<K, V> {
  private entries = new Map<K, { value: V; expiresAt: number }>();
  constructor(
    readonly maxEntries: number,
    readonly ttlMs: number,
  ) {}

  /** The live value for key, or undefined. */
  get(key: K, now = Date.now()): V | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.expiresAt <= now) {
      this.entries.delete(key);
      return undefined;
    }
    this.entries.delete(key);
    this.entries.set(key, e);
    return e.value;
  }

  /** Store value under key, evicting the least recently used entry when full. */
  set(key: K, value: V, now = Date.now()): void {
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt: now + this.ttlMs });
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as K);
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  /** Drop every entry that matches. */
  deleteWhere(match: (key: K, value: V) => boolean): void {
    for (const [key, e] of this.entries) if (match(key, e.value)) this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
