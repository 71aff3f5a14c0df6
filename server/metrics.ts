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

/** Render every metric; gauges are read fresh by the caller. */
export function renderMetrics(gauges: Record<string, number>): string {
  const lines = ['# TYPE resonance_http_requests_total counter'];
  for (const [labels, v] of counters) lines.push(`resonance_http_requests_total{${labels}} ${v}`);
  lines.push('# TYPE resonance_http_request_duration_seconds summary');
  for (const [labels, d] of durations) {
    lines.push(`resonance_http_request_duration_seconds_sum{${labels}} ${d.sum.toFixed(6)}`);
    lines.push(`resonance_http_request_duration_seconds_count{${labels}} ${d.count}`);
  }
  for (const [name, v] of Object.entries(gauges)) lines.push(`# TYPE ${name} gauge`, `${name} ${v}`);
  const mem = process.memoryUsage();
  lines.push('# TYPE process_resident_memory_bytes gauge', `process_resident_memory_bytes ${mem.rss}`);
  return lines.join('\n') + '\n';
}
