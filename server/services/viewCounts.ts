/**
 * Thread view counts, counted in memory and written in batches: a page view costs a Map update,
 * never a statement. Every flush (on a timer, and on shutdown) runs one UPDATE per thread viewed
 * since the last one, adding that thread's views. A viewer (member id, else address) counts once
 * per thread per window; crawlers are not counted. Views still in memory when a process dies
 * are lost: a view count is a popularity hint, not a ledger.
 */
import { Thread } from '../models';
import { LruCache } from '../cache/lru';

/** User agents that are crawlers or link previews, not readers. */
const BOT_AGENT = /bot|crawl|spider|slurp|preview|facebookexternalhit|bingpreview|mediapartners/i;

/** Whether a request's User-Agent names a crawler (its views are not counted). */
export const isBotAgent = (userAgent: string | undefined): boolean => !userAgent || BOT_AGENT.test(userAgent);

export interface ViewCounterOptions {
  /** One view per viewer per thread within this window. */
  windowMs: number;
  /** How many (viewer, thread) pairs are remembered for that; the oldest are forgotten first. */
  maxViewers?: number;
}

export interface FlushResult {
  /** Threads written (= UPDATE statements run). */
  threads: number;
  /** Views added over all of them. */
  views: number;
}

/** A view counter: record() on each page view, flush() to write the batch. */
export class ViewCounter {
  private pending = new Map<number, number>();
  private readonly seen: LruCache<string, true>;
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<FlushResult> | null = null;

  constructor(options: ViewCounterOptions) {
    this.seen = new LruCache<string, true>(options.maxViewers ?? 200_000, options.windowMs, { sweepEveryMs: Math.max(1_000, options.windowMs) });
  }

  /** Count a view of a thread by a viewer (`u:<id>` or `a:<address>`); false when it was not counted. */
  record(threadId: number, viewer: string): boolean {
    const key = `${threadId}:${viewer}`;
    if (this.seen.get(key)) return false;
    this.seen.set(key, true);
    this.pending.set(threadId, (this.pending.get(threadId) ?? 0) + 1);
    return true;
  }

  /** Views recorded for a thread and not yet written. */
  pendingViews(threadId: number): number {
    return this.pending.get(threadId) ?? 0;
  }

  /** Write what was counted: one UPDATE per thread. Concurrent calls share one flush. */
  flush(): Promise<FlushResult> {
    this.flushing ??= this.write().finally(() => (this.flushing = null));
    return this.flushing;
  }

  private async write(): Promise<FlushResult> {
    const batch = this.pending;
    if (batch.size === 0) return { threads: 0, views: 0 };
    this.pending = new Map();
    let views = 0;
    for (const [threadId, count] of batch) {
      try {
        await Thread.increment('viewCount', { by: count, where: { id: threadId }, silent: true });
        views += count;
      } catch (err) {
        // Put them back for the next flush rather than lose them to a busy database.
        this.pending.set(threadId, (this.pending.get(threadId) ?? 0) + count);
        throw err;
      }
    }
    return { threads: batch.size, views };
  }

  /** Flush every `intervalMs` (an unref'd timer: it never keeps the process alive). */
  start(intervalMs: number): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.flush().catch(() => undefined), intervalMs);
    this.timer.unref();
  }

  /** Stop the timer and write what is left (on shutdown). */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.flush().catch(() => undefined);
    this.seen.clear();
  }
}
