/** One autocannon measurement (warm-up discarded) reduced to the numbers benchmarks print. */
import autocannon from 'autocannon';

export interface LoadParams {
  connections: number;
  durationSec: number;
  warmupSec: number;
  headers?: Record<string, string>;
  /** Headers per request, in turn (each connection cycles through them): many viewers, not one. */
  rotate?: Array<Record<string, string>>;
}

export interface LoadResult {
  requestsPerSec: number;
  requestsTotal: number;
  latencyMs: { p50: number; p99: number; max: number };
  throughputMBps: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}

function run(url: string, connections: number, duration: number, headers: Record<string, string>, rotate?: Array<Record<string, string>>) {
  const requests = rotate?.map((h) => ({ method: 'GET' as const, headers: { ...headers, ...h } }));
  return autocannon({ url, connections, duration, headers, pipelining: 1, ...(requests ? { requests } : {}) });
}

/** Warm up for warmupSec, then measure for durationSec against url. */
export async function measure(url: string, params: LoadParams): Promise<LoadResult> {
  const headers = params.headers ?? {};
  if (params.warmupSec > 0) await run(url, params.connections, params.warmupSec, headers, params.rotate);
  const r = await run(url, params.connections, params.durationSec, headers, params.rotate);
  const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;
  return {
    requestsPerSec: round(r.requests.average, 1),
    requestsTotal: r.requests.total,
    latencyMs: { p50: r.latency.p50, p99: r.latency.p99, max: r.latency.max },
    throughputMBps: round(r.throughput.average / 1024 / 1024),
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
  };
}

/** Median latency in ms of `count` sequential GETs (after two unmeasured ones). */
export async function serviceTimeMs(url: string, headers: Record<string, string>, count: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < count + 2; i++) {
    const t0 = performance.now();
    const res = await fetch(url, { headers });
    await res.arrayBuffer();
    if (i >= 2) times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return Math.round(times[Math.floor(times.length / 2)] * 10) / 10;
}

/** Wait until url answers fast twice in a row (the server has worked off its backlog), at most timeoutMs. */
export async function settle(url: string, fastMs = 100, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let fast = 0;
  while (fast < 2 && Date.now() < deadline) {
    const t0 = performance.now();
    try {
      await (await fetch(url)).arrayBuffer();
      fast = performance.now() - t0 < fastMs ? fast + 1 : 0;
    } catch {
      fast = 0;
    }
  }
}
