/**
 * Fencing for leased lanes (leases.ts). A worker that froze past its lease (a long GC pause, a
 * stopped VM, SIGSTOP) wakes up in the middle of a batch while another process already runs the
 * lane. Without a fence it would commit that batch's writes (notifications, cases, cursors) a
 * second time. With one, every write transaction a lane makes first checks, under the write lock,
 * that its lease row still names this process and has not run out; the lease keeper's takeover is
 * a write under the same lock, so the check and the takeover cannot interleave. A failed check
 * rolls the transaction back and stops the lane (LeaseLostError); the lease's new holder does the
 * work once.
 *
 * The fence travels with the lane's async context (AsyncLocalStorage), so handlers need not pass
 * it down; it also reaches every timer and promise created inside, so work a lane only wakes
 * (the webhook sender, the other lanes) starts outsideFence. Writes to the search index
 * (Elasticsearch, or the embedded backend's own file) are not fenced: they are idempotent by
 * document id. (Webhook requests go out from the sender, outside the lanes, each delivery claimed
 * by its own row.)
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** The lease a lane's writes must still hold: `worker_leases.name` and this process's owner id. */
export interface Fence { lease: string; owner: string }

const context = new AsyncLocalStorage<Fence>();

/** Thrown inside a fenced write transaction whose lease is no longer this process's. */
export class LeaseLostError extends Error {
  constructor(readonly lease: string) {
    super(`lease ${lease} is no longer held by this process`);
    this.name = 'LeaseLostError';
  }
}

/** Run fn with its write transactions fenced by this lease (null: unfenced, whatever the caller's fence). */
export function withFence<T>(fence: Fence | null, fn: () => Promise<T>): Promise<T> {
  return fence ? context.run(fence, fn) : context.exit(fn);
}

/** Run fn outside any fence (work that serves several lanes at once, like the shared cursor save). */
export function outsideFence<T>(fn: () => T): T {
  return context.exit(fn);
}

/** The fence of the current async context, if any. */
export function currentFence(): Fence | undefined {
  return context.getStore();
}

/** The statement that checks a fence inside a transaction: a row back means the lease still holds. */
export const FENCE_SQL = 'SELECT 1 AS "held" FROM "worker_leases" WHERE "name" = $1 AND "owner" = $2 AND "expiresAt" > $3';
