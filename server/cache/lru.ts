/**
 * A small LRU map with a time-to-live per entry (Map keeps insertion order; re-insert on hit).
 * Bounded by entry count and, when given a sizeOf, by bytes: a count alone lets a few large
 * values (50-post pages) take hundreds of megabytes. Expired entries are swept actively, so
 * memory is given back after a burst even if nobody asks for those keys again.
 */
export interface LruOptions<V> {
  /** The byte budget; requires sizeOf. */
  maxBytes?: number;
  sizeOf?: (value: V) => number;
  /** Sweep expired entries this often (an unref'd timer: it never keeps a process alive). */
  sweepEveryMs?: number;
}

export class LruCache<K, V> {
  private entries = new Map<K, { value: V; expiresAt: number; bytes: number }>();
  private totalBytes = 0;
  private timer: NodeJS.Timeout | null = null;
  maxBytes: number;

  constructor(
    readonly maxEntries: number,
    /** Mutable: applies to entries stored from now on. */
    public ttlMs: number,
    private readonly options: LruOptions<V> = {},
  ) {
    this.maxBytes = options.maxBytes ?? Infinity;
    if (options.sweepEveryMs) {
      this.timer = setInterval(() => this.sweep(), options.sweepEveryMs);
      this.timer.unref();
    }
  }

  /** The live value for key, or undefined. */
  get(key: K, now = Date.now()): V | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.expiresAt <= now) {
      this.remove(key);
      return undefined;
    }
    this.entries.delete(key);
    this.entries.set(key, e);
    return e.value;
  }

  /** Store value under key, evicting the least recently used entries while over either bound. */
  set(key: K, value: V, now = Date.now()): void {
    this.remove(key);
    const bytes = this.options.sizeOf ? this.options.sizeOf(value) : 0;
    if (bytes > this.maxBytes) return; // would evict everything else and still not fit
    this.entries.set(key, { value, expiresAt: now + this.ttlMs, bytes });
    this.totalBytes += bytes;
    while (this.entries.size > this.maxEntries || this.totalBytes > this.maxBytes) this.remove(this.entries.keys().next().value as K);
  }

  delete(key: K): void {
    this.remove(key);
  }

  /** Drop every entry that matches. */
  deleteWhere(match: (key: K, value: V) => boolean): void {
    for (const [key, e] of this.entries) if (match(key, e.value)) this.remove(key);
  }

  /** Drop every expired entry now. */
  sweep(now = Date.now()): void {
    for (const [key, e] of this.entries) if (e.expiresAt <= now) this.remove(key);
  }

  clear(): void {
    this.entries.clear();
    this.totalBytes = 0;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Bytes held, as counted by sizeOf (0 without one). */
  get bytes(): number {
    return this.totalBytes;
  }

  private remove(key: K): void {
    const e = this.entries.get(key);
    if (!e) return;
    this.entries.delete(key);
    this.totalBytes -= e.bytes;
  }
}
