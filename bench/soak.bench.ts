/**
 * Soak: a steady launch-day load for minutes, watching for leaks.
 *
 *   node --import tsx bench/soak.bench.ts [--minutes=10] [--sockets=2000] [--rate=100] [--threads=20] [--quick]
 *   (--quick: 2 minutes, 500 sockets, 50 posts/s)
 *
 * One Resonance process (RESONANCE_ROLE=all, SQLite, embedded search) takes --rate posts per
 * second spread over --threads live threads, while --sockets readers follow those threads and an
 * admin has the opinion console (/console) and the alert desk (/desk) open. Every 10 s the bench
 * reads the server's RSS (/proc) and its /metrics (heap, active handles and timers by kind).
 * The first 20 % of the run is warm-up. Goals (issue #13): RSS growth under 10 % from the end of
 * warm-up to the end, no growth in handles or timers. Growth is read on the trend of all samples
 * after warm-up (single samples ride V8's heap sawtooth); the endpoints are printed too, and the
 * trend of the native part (RSS minus V8's heap). Reference, same run: the RSS the process had
 * right after start, before any load.
 */
import autocannon from 'autocannon';
import { io as connectIo, type Socket } from 'socket.io-client';
import { machine } from './support/machine';
import { adminToken, api, log, round, sleep, startResonance } from './support/listening';
import { rssMB } from './support/processes';

const argv = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const quick = argv.has('quick');
const num = (k: string, d: number, q: number) => Number(argv.get(k) ?? (quick ? q : d));
const params = {
  minutes: num('minutes', 10, 2),
  sockets: num('sockets', 2000, 500),
  rate: num('rate', 100, 50),
  threads: num('threads', 20, 10),
  sampleSeconds: 10,
  warmupShare: 0.2,
  quick,
};

interface Sample {
  atSeconds: number;
  rssMB: number | null;
  heapMB: number;
  heapTotalMB: number;
  externalMB: number;
  resources: Record<string, number>;
  delivered: number;
}

async function metrics(base: string) {
  const text = await (await fetch(`${base}/metrics`)).text();
  const heap = Number(/^nodejs_heap_used_bytes (\d+)/m.exec(text)?.[1] ?? 0);
  const heapTotal = Number(/^nodejs_heap_total_bytes (\d+)/m.exec(text)?.[1] ?? 0);
  const external = Number(/^nodejs_external_bytes (\d+)/m.exec(text)?.[1] ?? 0);
  const resources: Record<string, number> = {};
  for (const m of text.matchAll(/^nodejs_active_resources\{type="([^"]+)"\} (\d+)/gm)) resources[m[1]] = Number(m[2]);
  return { heapMB: round(heap / 1048576), heapTotalMB: round(heapTotal / 1048576), externalMB: round(external / 1048576), resources };
}

async function main() {
  const server = await startResonance('embedded', null, { env: { RATE_LIMIT_SOCKETS_PER_ADDRESS: '1000000' } });
  const sockets: Socket[] = [];
  try {
    const startRss = rssMB(server.pid);
    const token = await adminToken(server.base);
    const threads: number[] = [];
    for (let i = 0; i < params.threads; i++) {
      const r = await api<{ thread: { id: number } }>(server.base, 'POST', '/api/v1/threads', token, { title: `发布会直播 ${i}`, body: '一楼' });
      threads.push(r.json.thread.id);
    }
    let delivered = 0;
    for (let i = 0; i < params.sockets; i++) {
      const s = connectIo(server.base, { transports: ['websocket'], reconnection: false, forceNew: true });
      s.on('post:created', () => void delivered++);
      await new Promise<void>((resolve, reject) => {
        s.once('connect', () => resolve());
        s.once('connect_error', reject);
      });
      s.emit('thread:join', { threadId: String(threads[i % threads.length]) }, () => undefined);
      sockets.push(s);
    }
    for (const ns of ['/console', '/desk']) {
      const s = connectIo(`${server.base}${ns}`, { transports: ['websocket'], auth: { token }, reconnection: false, forceNew: true });
      sockets.push(s);
    }
    log(`soak: ${params.sockets} sockets on ${params.threads} threads, console and desk open; ${params.rate} posts/s for ${params.minutes} min`);
    // Posters: a few members so no one member's limit matters (limits are raised anyway).
    const bodies = ['新车到店了，现场排队的人很多', '续航比宣传的还好一点，满意', '车机偶尔卡顿，希望尽快 OTA', 'Delivery day! Love the new interior.', '售后响应很快，点赞'];
    const durationS = params.minutes * 60;
    const load = autocannon({
      url: server.base,
      connections: 10,
      overallRate: params.rate,
      duration: durationS,
      requests: [
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          setupRequest: (req) => {
            const t = threads[Math.floor(Math.random() * threads.length)];
            return { ...req, path: `/api/v1/threads/${t}/posts`, body: JSON.stringify({ body: bodies[Math.floor(Math.random() * bodies.length)] }) };
          },
        },
      ],
    });
    const samples: Sample[] = [];
    const t0 = Date.now();
    const sampler = (async () => {
      while (Date.now() - t0 < durationS * 1000) {
        await sleep(params.sampleSeconds * 1000);
        const m = await metrics(server.base).catch(() => ({ heapMB: 0, heapTotalMB: 0, externalMB: 0, resources: {} }));
        samples.push({ atSeconds: Math.round((Date.now() - t0) / 1000), rssMB: rssMB(server.pid), ...m, delivered });
        log(`t=${samples.at(-1)!.atSeconds}s rss=${samples.at(-1)!.rssMB} MB heap=${m.heapMB} MB delivered=${delivered}`);
      }
    })();
    const result = await load;
    await sampler;
    const warm = samples.filter((s) => s.atSeconds >= durationS * params.warmupShare);
    const first = warm[0];
    const last = samples.at(-1)!;
    const rssGrowth = first?.rssMB && last.rssMB ? round(((last.rssMB - first.rssMB) / first.rssMB) * 100, 1) : null;
    // RSS follows V8's heap up and down by 150-250 MB between major collections, so two single
    // samples say where in that cycle each fell. The trend says whether memory grows: a least-squares
    // line through every sample after warm-up, its rise over the run against its level at the start.
    // The native part (RSS minus V8's committed heap) is where a leak outside the heap would show.
    const rssTrend = trendGrowth(warm, (s) => s.rssMB);
    const nativeTrend = trendGrowth(warm, (s) => (s.rssMB === null ? null : s.rssMB - s.heapTotalMB));
    const kinds = [...new Set([...Object.keys(first?.resources ?? {}), ...Object.keys(last.resources)])];
    const resourceGrowth = Object.fromEntries(kinds.map((k) => [k, (last.resources[k] ?? 0) - (first?.resources[k] ?? 0)]));
    console.log(
      JSON.stringify(
        {
          bench: 'soak',
          params,
          machine: machine(),
          reference: { rssAtStartMB: startRss },
          posts: { accepted: result['2xx'], non2xx: result.non2xx, errors: result.errors, perSecond: round(result['2xx'] / durationS), latencyMs: { p50: result.latency.p50, p99: result.latency.p99 } },
          delivered,
          rss: {
            afterWarmupMB: first?.rssMB ?? null,
            endMB: last.rssMB,
            growthPercent: rssGrowth,
            trend: rssTrend,
            nativeTrend,
            goalPercent: 10,
            // The goal is read on the trend (above); the two endpoints are printed beside it.
            met: rssTrend !== null && rssTrend.growthPercent < 10,
          },
          heapMB: { afterWarmup: first?.heapMB ?? null, end: last.heapMB },
          heapTotalMB: { afterWarmup: first?.heapTotalMB ?? null, end: last.heapTotalMB },
          externalMB: { afterWarmup: first?.externalMB ?? null, end: last.externalMB },
          resources: { afterWarmup: first?.resources ?? {}, end: last.resources, growth: resourceGrowth },
          samples,
        },
        null,
        2,
      ),
    );
  } finally {
    for (const s of sockets) s.close();
    await server.stop();
  }
}

/** The least-squares line through (atSeconds, value): its level at the first sample, its rise to the last, and that rise in percent. */
function trendGrowth(samples: Sample[], value: (s: Sample) => number | null): { startMB: number; endMB: number; perMinuteMB: number; growthPercent: number } | null {
  const points = samples.flatMap((s) => {
    const v = value(s);
    return v === null ? [] : [[s.atSeconds, v] as const];
  });
  if (points.length < 3) return null;
  const n = points.length;
  const mx = points.reduce((a, [x]) => a + x, 0) / n;
  const my = points.reduce((a, [, y]) => a + y, 0) / n;
  const sxx = points.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  const slope = points.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0) / sxx;
  const at = (x: number) => my + slope * (x - mx);
  const startMB = at(points[0][0]);
  const endMB = at(points[n - 1][0]);
  return { startMB: round(startMB), endMB: round(endMB), perMinuteMB: round(slope * 60, 2), growthPercent: round(((endMB - startMB) / startMB) * 100, 1) };
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
