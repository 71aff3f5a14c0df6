/** Prometheus text metrics: request counts and latency by route class, plus gauges supplied at scrape time. */
const counters = new Map<string, number>();
const durations = new Map<string, { sum: number; count: number }>();

/** Count one HTTP response. */
export function observeRequest(method: string, route: string, status: number, seconds: number): void {
  const key = `method="${method}",route="${route}",status="${status}"`;
  counters.set(key, (counters.get(key) ?? 0) + 1);
  const dkey = `method="${method}",route="${route}"`;
  const d = durations.get(dkey) ?? { sum: 0, count: 0 };
  d.sum += seconds;
  d.count++;
  durations.set(dkey, d);
}

/** Render every metric; gauges and the counters kept elsewhere (the write lock's) are read fresh by the caller. */
export function renderMetrics(gauges: Record<string, number>, totals: Record<string, number> = {}): string {
  const lines = ['# TYPE resonance_http_requests_total counter'];
  for (const [labels, v] of counters) lines.push(`resonance_http_requests_total{${labels}} ${v}`);
  lines.push('# TYPE resonance_http_request_duration_seconds summary');
  for (const [labels, d] of durations) {
    lines.push(`resonance_http_request_duration_seconds_sum{${labels}} ${d.sum.toFixed(6)}`);
    lines.push(`resonance_http_request_duration_seconds_count{${labels}} ${d.count}`);
  }
  for (const [name, v] of Object.entries(gauges)) lines.push(`# TYPE ${name} gauge`, `${name} ${v}`);
  for (const [name, v] of Object.entries(totals)) lines.push(`# TYPE ${name} counter`, `${name} ${Number.isInteger(v) ? v : v.toFixed(6)}`);
  const mem = process.memoryUsage();
  lines.push('# TYPE process_resident_memory_bytes gauge', `process_resident_memory_bytes ${mem.rss}`);
  lines.push('# TYPE nodejs_heap_used_bytes gauge', `nodejs_heap_used_bytes ${mem.heapUsed}`);
  lines.push('# TYPE nodejs_heap_total_bytes gauge', `nodejs_heap_total_bytes ${mem.heapTotal}`);
  // Buffers and other memory outside the JS heap (socket frames, SQLite): RSS growing while the
  // heap does not shows here, or in neither (then it is the allocator's).
  lines.push('# TYPE nodejs_external_bytes gauge', `nodejs_external_bytes ${mem.external}`);
  // Timers, sockets, file handles by kind: a leak shows as one of these growing under steady load.
  const resources = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) resources.set(kind, (resources.get(kind) ?? 0) + 1);
  lines.push('# TYPE nodejs_active_resources gauge');
  for (const [kind, n] of [...resources].sort()) lines.push(`nodejs_active_resources{type="${kind.replace(/[^A-Za-z0-9_]/g, '_')}"} ${n}`);
  return lines.join('\n') + '\n';
}
