/**
 * Time slices for long synchronous work on the event loop. Analysing a batch of 1,000 mentions
 * takes seconds of CPU; done in one go, every request and socket push waits for all of it. A loop
 * that awaits `pause()` between items gives the loop a turn whenever a slice of work has run.
 */

/**
 * Work this long (ms) between two turns of the event loop. A request needs several turns (socket,
 * database, response), each waiting up to a slice plus one item (~5 ms for 9 kB): 8 ms gave
 * GET /api/v1/chapters a p50 of 76 ms under a maximal batch, so about one item per slice.
 */
export const SLICE_MS = 5;

/** A yield point: resolves at once while the slice lasts, after a setImmediate turn once it is spent. */
export type Pause = () => Promise<void>;

/** A fresh slicer; `sliceMs` 0 yields at every pause (tests). */
export function timeSlicer(sliceMs = SLICE_MS): Pause {
  let sliceStart = performance.now();
  return async () => {
    if (performance.now() - sliceStart < sliceMs) return;
    // setImmediate, not a resolved promise: microtasks run before I/O, a check-phase turn after it.
    await new Promise<void>((resolve) => setImmediate(resolve));
    sliceStart = performance.now();
  };
}
