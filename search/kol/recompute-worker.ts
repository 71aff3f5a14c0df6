/**
 * Worker-thread entry: one full KOL recompute per message, off the server's event loop (at 100k
 * members and 1M interactions it takes about a second). Receives a graph snapshot, answers with
 * the KolState; every typed array goes back as a transfer, not a copy.
 */
import { parentPort } from 'node:worker_threads';
import { InteractionGraph, type GraphSnapshot } from './graph';
import { computeKolState, type KolParams, type KolState } from './score';

export interface RecomputeRequest { id: number; snapshot: GraphSnapshot; now: number; params: KolParams }
export type RecomputeReply = { id: number; state: KolState } | { id: number; error: string };

/** The ArrayBuffers behind a state's typed arrays, each once (a transfer list may not repeat one). */
export function buffersOf(value: unknown, out = new Set<ArrayBuffer>()): ArrayBuffer[] {
  if (ArrayBuffer.isView(value)) out.add(value.buffer as ArrayBuffer);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) buffersOf(v, out);
  return [...out];
}

/** The names this worker was sent, for one graph: each request sends only the ones added since. */
let names: string[] = [];
let graphOfNames = -1;

parentPort?.on('message', (req: RecomputeRequest) => {
  try {
    const s = req.snapshot;
    if (s.graph !== graphOfNames || s.namesFrom === 0) {
      names = [];
      graphOfNames = s.graph;
    }
    if (s.namesFrom !== names.length) throw new Error(`names from ${s.namesFrom}, ${names.length} known`);
    for (const name of s.names) names.push(name);
    const state = computeKolState(InteractionGraph.fromSnapshot({ ...s, names: names.slice(0, s.n), namesFrom: 0 }), { now: req.now, params: req.params });
    parentPort!.postMessage({ id: req.id, state } satisfies RecomputeReply, buffersOf(state));
  } catch (err) {
    parentPort!.postMessage({ id: req.id, error: String(err instanceof Error ? err.stack ?? err.message : err) } satisfies RecomputeReply);
  }
});
