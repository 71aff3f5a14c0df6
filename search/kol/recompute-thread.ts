/**
 * A full KOL recompute on a worker thread, so a request or the schedule never stalls the event
 * loop for it. One long-lived, unref'd worker (started on first use, restarted after a crash);
 * recomputes queue on it one at a time.
 */
import { Worker } from 'node:worker_threads';
import type { GraphSnapshot } from './graph';
import type { KolParams, KolState } from './score';
import { buffersOf, type RecomputeReply, type RecomputeRequest } from './recompute-worker';

export class KolRecomputeThread {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (s: KolState) => void; reject: (e: Error) => void }>();
  /** The graph whose names the current worker holds, and how many: later runs send only the new ones. */
  private sent = { graph: -1, names: 0 };

  /** Computes the state of `snapshot` at `now` on the worker. The snapshot's buffers are transferred (unusable after). */
  run(snapshot: GraphSnapshot, now: number, params: KolParams): Promise<KolState> {
    const worker = this.worker ?? this.start();
    const id = this.nextId++;
    // Cloning 10^5 names into the worker costs more than the arrays' transfer: send only the tail.
    const from = this.sent.graph === snapshot.graph && this.sent.names <= snapshot.n ? this.sent.names : 0;
    const message = { ...snapshot, namesFrom: from, names: from ? snapshot.names.slice(from) : snapshot.names };
    this.sent = { graph: snapshot.graph, names: snapshot.n };
    return new Promise<KolState>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      worker.ref(); // a recompute in flight keeps the process up; an idle worker does not
      worker.postMessage({ id, snapshot: message, now, params } satisfies RecomputeRequest, buffersOf(snapshot));
    });
  }

  /** Stops the worker; pending recomputes fail. */
  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate();
    this.failAll(new Error('KOL recompute thread closed'));
  }

  private start(): Worker {
    // Running from TypeScript sources (tsx), boot through recompute-boot.mjs; compiled, directly.
    const ts = import.meta.url.endsWith('.ts');
    const worker = new Worker(new URL(ts ? './recompute-boot.mjs' : './recompute-worker.js', import.meta.url));
    worker.unref();
    this.sent = { graph: -1, names: 0 };
    worker.on('message', (reply: RecomputeReply) => {
      const w = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
      if (this.waiting.size === 0) worker.unref();
      if (!w) return;
      if ('error' in reply) w.reject(new Error(reply.error));
      else w.resolve(reply.state);
    });
    const lost = (err: Error) => {
      if (this.worker === worker) this.worker = null;
      this.failAll(err);
    };
    worker.on('error', lost);
    worker.on('exit', (code) => lost(new Error(`KOL recompute thread exited (${code})`)));
    this.worker = worker;
    return worker;
  }

  private failAll(err: Error): void {
    for (const w of this.waiting.values()) w.reject(err);
    this.waiting.clear();
  }
}
