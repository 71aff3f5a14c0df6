/**
 * Benchmark: live-thread fan-out. N socket.io clients follow one thread while a member posts at a
 * steady rate over HTTP; measures the time from just before each POST to each client's
 * `post:created` (p50/p99/max), deliveries vs expected, and the server's RSS.
 *
 *   node --import tsx bench/fanout.bench.ts [--clients 100,1000,5000] [--rate 5] [--seconds 10]
 *                                            [--workers auto|1|2] [--batch 200] [--quick]
 *
 * Resonance runs in its own process (server/main.ts, SQLite seeded by a child process), restarted
 * for each N. The clients live in 1-2 child processes (bench/support/fanout-clients.ts); the
 * poster is this process. The same-run floor is a bare Socket.IO 4 server in its own process
 * (bench/support/raw-socketio-server.ts) emitting the same payload to the same clients in one
 * room, timed the same way from its HTTP request. Prints one JSON document on stdout.
 */
import { figure } from './support/headline';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { ChildProcess } from 'node:child_process';
import { freePort, killAll, rssMB, runTsx, stop, waitForOk, runBench } from './support/processes';
import { cpuSeconds, machineBusySeconds, openFileLimit, spawnNode } from './support/node-child';
import { machine } from './support/machine';
import type { SeededThread } from './support/seed-thread';
import { MARKER, type FromClients, type ToClients } from './support/fanout-clients';
import { RAISED_LIMITS } from './support/limits';

const argv = process.argv.slice(2);
const flag = (name: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const quick = argv.includes('--quick');
const params = {
  clients: (flag('clients') ?? (quick ? '100' : '100,1000,5000')).split(',').map(Number),
  ratePerSec: Number(flag('rate') ?? 5),
  seconds: Number(flag('seconds') ?? (quick ? 3 : 10)),
  warmupPosts: quick ? 2 : 5,
  workers: flag('workers') ?? 'auto',
  connectBatch: Number(flag('batch') ?? 200),
  drainTimeoutMs: 15_000,
  poster: 'this process: POST /api/v1/threads/:id/posts with a member bearer token, open loop at ratePerSec',
  clientsRunIn: 'socket.io-client 4 (websocket transport) in child processes on the same machine',
  server: 'node --import tsx server/main.ts, NODE_ENV=production, RESONANCE_ROLE=all, SQLite (WAL), restarted per N',
  note: 'server, clients, poster and reference share the same CPUs; compare ratios, not absolute numbers',
};
if (params.clients.some((n) => !(n > 0)) || !(params.ratePerSec > 0) || !(params.seconds > 0)) throw new Error('bad --clients/--rate/--seconds');

// A realistic reply: Markdown with a list and mixed scripts (~500 bytes), plus the marker.
const BODY = `同意楼上，补充一下冬季续航的数据：\n\n- 高速 110 km/h：**18.2 kWh/100km**\n- 市区通勤：14.5 kWh/100km\n- 预热 15 分钟后出发，掉电明显少一些\n\nThanks for organising the meetup, see you on Saturday!`;

const log = (msg: string) => process.stderr.write(`[fanout] ${msg}\n`);
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** One client child process with request/answer helpers over IPC. */
class ClientWorker {
  private waiters = new Map<FromClients['type'], Array<(m: FromClients) => void>>();
  constructor(readonly child: ChildProcess) {
    child.on('message', (m: FromClients) => this.waiters.get(m.type)?.shift()?.(m));
  }
  ask<T extends FromClients['type']>(msg: ToClients, answer: T, timeoutMs = 300_000): Promise<Extract<FromClients, { type: T }>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`client worker did not answer ${msg.type} within ${timeoutMs}ms`)), timeoutMs);
      const list = this.waiters.get(answer) ?? [];
      list.push((m) => {
        clearTimeout(timer);
        resolve(m as Extract<FromClients, { type: T }>);
      });
      this.waiters.set(answer, list);
      if (this.child.exitCode !== null) return reject(new Error('client worker exited'));
      this.child.send(msg);
    });
  }
}

interface Target {
  name: 'resonance' | 'reference';
  url: string;
  pid: number | undefined;
  /** Send post `marker`; resolves with the HTTP status. */
  post: (marker: string) => Promise<number>;
}

type Deliveries = Extract<FromClients, { type: 'report' }>;

/** Connect N clients, warm up, post at the steady rate, wait for deliveries, and measure. */
async function runPhase(target: Target, workers: ClientWorker[], n: number, runId: string) {
  const shares = workers.map((_, i) => Math.floor(n / workers.length) + (i < n % workers.length ? 1 : 0));
  let connectMs = 0;
  let connected = 0;
  let joined = 0;
  const errors: string[] = [];
  for (const [i, w] of workers.entries()) {
    const r = await w.ask({ type: 'connect', url: target.url, threadId: threadId!, count: shares[i], batch: params.connectBatch }, 'connected');
    connectMs += r.connectMs;
    connected += r.connected;
    joined += r.joined;
    errors.push(...r.errors);
  }
  log(`${target.name}: ${joined}/${n} clients joined in ${connectMs} ms${errors.length ? ` (errors: ${errors.join('; ')})` : ''}`);
  // Joins schedule debounced presence:updated broadcasts; let them finish before measuring.
  await sleep(1_000);
  const received = async () => (await Promise.all(workers.map((w) => w.ask({ type: 'progress' }, 'progress')))).reduce((s, r) => s + r.received, 0);
  const waitFor = async (count: number, deadline: number) => {
    while ((await received()) < count && Date.now() < deadline) await sleep(100);
  };

  const fire = async (markers: string[]) => {
    const sentAt = new Map<string, number>();
    const statuses: number[] = [];
    const httpMs: number[] = [];
    const start = now();
    const inflight: Promise<void>[] = [];
    for (const [i, marker] of markers.entries()) {
      const due = start + (i * 1000) / params.ratePerSec;
      const wait = due - now();
      if (wait > 0) await sleep(wait);
      const t0 = now();
      sentAt.set(marker, t0);
      inflight.push(
        target.post(marker).then(
          (status) => {
            statuses.push(status);
            httpMs.push(now() - t0);
          },
          () => void statuses.push(0),
        ),
      );
    }
    await Promise.all(inflight);
    return { sentAt, statuses, httpMs };
  };

  // Warm-up posts (not measured): JIT, prepared statements, the first-broadcast costs.
  const warm = Array.from({ length: params.warmupPosts }, (_, i) => `[fanout:${runId}-warm:${i}]`);
  await fire(warm);
  await waitFor(joined * warm.length, Date.now() + params.drainTimeoutMs);
  await sleep(500);

  const cpuBefore = { server: cpuSeconds(target.pid), clients: workers.map((w) => cpuSeconds(w.child.pid)), bench: process.cpuUsage(), machine: machineBusySeconds(), wall: now() };
  const posts = Math.round(params.ratePerSec * params.seconds);
  const markers = Array.from({ length: posts }, (_, i) => `[fanout:${runId}:${i}]`);
  log(`${target.name}: ${posts} posts at ${params.ratePerSec}/s to ${joined} clients`);
  const { sentAt, statuses, httpMs } = await fire(markers);
  await waitFor(joined * (warm.length + posts), Date.now() + params.drainTimeoutMs);
  const wall = (now() - cpuBefore.wall) / 1000;
  const cpuPct = (before: number | null, pid: number | undefined) => {
    const after = cpuSeconds(pid);
    return before === null || after === null ? null : round(((after - before) / wall) * 100);
  };
  const serverCpuPct = cpuPct(cpuBefore.server, target.pid);
  const clientCpuPct = workers.map((w, i) => cpuPct(cpuBefore.clients[i], w.child.pid));
  const benchCpu = process.cpuUsage(cpuBefore.bench);
  const benchCpuPct = round(((benchCpu.user + benchCpu.system) / 1e6 / wall) * 100);
  const machineAfter = machineBusySeconds();
  const machineCpuPct = cpuBefore.machine === null || machineAfter === null ? null : round(((machineAfter - cpuBefore.machine) / wall) * 100);
  // Whatever else runs on the machine (other jobs) competes with the server and the clients.
  const otherCpuPct = machineCpuPct === null ? null : round(machineCpuPct - (serverCpuPct ?? 0) - clientCpuPct.reduce((s: number, c) => s + (c ?? 0), 0) - benchCpuPct);
  const serverRss = rssMB(target.pid);

  const reports: Deliveries[] = await Promise.all(workers.map((w) => w.ask({ type: 'report' }, 'report')));
  const latencies: number[] = [];
  for (const report of reports) {
    for (const [marker, times] of Object.entries(report.deliveries)) {
      const t0 = sentAt.get(marker);
      if (t0 === undefined) continue; // warm-up
      for (const t of times) latencies.push(t - t0);
    }
  }
  latencies.sort((a, b) => a - b);
  httpMs.sort((a, b) => a - b);
  const expected = n * posts;
  const result = {
    clients: n,
    joined,
    posts,
    expected,
    delivered: latencies.length,
    deliveryRatio: round(latencies.length / expected, 4),
    duplicates: reports.reduce((s, r) => s + r.duplicates, 0),
    latencyMs: { p50: round(percentile(latencies, 50)), p99: round(percentile(latencies, 99)), max: round(latencies.at(-1) ?? NaN) },
    requestMs: { p50: round(percentile(httpMs, 50)), p99: round(percentile(httpMs, 99)), non2xx: statuses.filter((s) => s < 200 || s > 299).length },
    connectMs,
    serverRssMB: serverRss,
    /** Percent of one CPU over the measured posts (the machine has os.cpus().length x 100). */
    cpuPercent: { server: serverCpuPct, clientProcesses: clientCpuPct, poster: benchCpuPct, wholeMachine: machineCpuPct, otherProcesses: otherCpuPct },
    clientEventLoopUtilization: reports.map((r) => r.eventLoopUtilization),
    ...(errors.length ? { connectErrors: errors } : {}),
  };
  const sample = reports.find((r) => r.sample)?.sample ?? null;
  await Promise.all(workers.map((w) => w.ask({ type: 'close' }, 'closed')));
  await sleep(500);
  return { result, sample };
}

let threadId: string | undefined;

/**
 * Start Resonance in its own process and wait for /healthz. Retried a few times: other people
 * edit the tree while benchmarks run, and a half-saved file can make one start fail.
 */
async function startResonance(dataDir: string, port: number, nofile: number): Promise<ChildProcess> {
  const env = {
    DATA_DIR: dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    ...RAISED_LIMITS,
  };
  for (let attempt = 1; ; attempt++) {
    const server = spawnNode('server/main.ts', env, { nofile });
    try {
      await waitForOk(`http://127.0.0.1:${port}/healthz`, server);
      return server;
    } catch (err) {
      await stop(server);
      if (attempt >= 5) throw err;
      log(`resonance did not start (${err instanceof Error ? err.message : String(err)}); retrying in 10 s`);
      await sleep(10_000);
    }
  }
}

async function main(): Promise<void> {
  const loadavg1mAtStart = machine().loadavg1m;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'resonance-fanout-'));
  const maxClients = Math.max(...params.clients);
  // Each process holds at most maxClients sockets (server, reference, one client process).
  const nofile = maxClients + 1_024;
  if (openFileLimit() < nofile) log(`open-file limit ${openFileLimit()} (hard ${openFileLimit(true)}) < ${nofile}: children raise it with ulimit -n`);
  try {
    log(`seeding a thread in ${dataDir}`);
    const seededOut = await runTsx('bench/support/seed-thread.ts', { DATA_DIR: dataDir, LOG_LEVEL: 'warn' });
    const seeded = JSON.parse(seededOut.trim().split('\n').at(-1)!) as SeededThread;
    threadId = seeded.threadId;

    const refPort = await freePort();
    const reference = spawnNode('bench/support/raw-socketio-server.ts', { PORT: String(refPort), NODE_ENV: 'production' }, { nofile });
    const refBase = `http://127.0.0.1:${refPort}`;
    await waitForOk(`${refBase}/`, reference);

    const results = [];
    for (const n of params.clients) {
      const port = await freePort();
      const base = `http://127.0.0.1:${port}`;
      const server = await startResonance(dataDir, port, nofile);
      const idleRssMB = rssMB(server.pid);
      const workerCount = params.workers === 'auto' ? (n > 2_000 ? 2 : 1) : Number(params.workers);
      const workers = Array.from({ length: workerCount }, () => new ClientWorker(spawnNode('bench/support/fanout-clients.ts', {}, { ipc: true, nofile })));
      log(`N=${n}: resonance pid ${server.pid} on ${base}, ${workerCount} client process(es)`);

      const resonance: Target = {
        name: 'resonance',
        url: base,
        pid: server.pid,
        post: async (marker) => {
          const res = await fetch(`${base}/api/v1/threads/${threadId}/posts`, {
            method: 'POST',
            headers: { authorization: `Bearer ${seeded.memberToken}`, 'content-type': 'application/json' },
            body: JSON.stringify({ body: `${BODY}\n\n${marker}` }),
          });
          await res.arrayBuffer();
          return res.status;
        },
      };
      const r = await runPhase(resonance, workers, n, `r${n}`);
      if (!r.sample) throw new Error('no post:created reached any client; cannot build the reference payload');
      await stop(server);

      // The reference replays the exact payload a Resonance client received, with a fresh marker.
      const sample = r.sample;
      const referenceTarget: Target = {
        name: 'reference',
        url: refBase,
        pid: reference.pid,
        post: async (marker) => {
          const body = JSON.stringify({ ...sample, post: { ...sample.post, body: sample.post.body.replace(MARKER, marker), html: sample.post.html.replace(MARKER, marker) } });
          const res = await fetch(`${refBase}/emit`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
          await res.arrayBuffer();
          return res.status;
        },
      };
      const ref = await runPhase(referenceTarget, workers, n, `x${n}`);
      await Promise.all(workers.map((w) => stop(w.child)));

      const ratio = (a: number, b: number) => round(a / b, 2);
      results.push({
        ...r.result,
        serverIdleRssMB: idleRssMB,
        clientProcesses: workerCount,
        payloadBytes: Buffer.byteLength(JSON.stringify(sample)),
        reference: ref.result,
        ratioP99: ratio(r.result.latencyMs.p99, ref.result.latencyMs.p99),
        ratioP50: ratio(r.result.latencyMs.p50, ref.result.latencyMs.p50),
      });
      log(`N=${n}: p50 ${r.result.latencyMs.p50} / p99 ${r.result.latencyMs.p99} ms (reference ${ref.result.latencyMs.p50} / ${ref.result.latencyMs.p99}), delivered ${r.result.deliveryRatio * 100}%`);
    }
    await stop(reference);

    const at1000 = results.find((r) => r.clients === 1_000);
    const headline = results.flatMap((r) => [
      figure(`post → post:created p99, ${r.clients} sockets`, r.latencyMs.p99, 'ms', false, { params: { clients: r.clients, ratePerSec: params.ratePerSec, seconds: params.seconds }, reference: { what: 'raw Socket.IO broadcast, same payload', value: r.reference.latencyMs.p99 } }),
      figure(`delivered, ${r.clients} sockets`, round(r.deliveryRatio * 100, 2), '%', true, { params: { clients: r.clients } }),
    ]);
    const report = {
      benchmark: 'fanout',
      headline,
      date: new Date().toISOString(),
      params: { ...params, quick, openFileLimit: { soft: openFileLimit(), hard: openFileLimit(true), neededPerProcess: maxClients + 1_024 } },
      machine: { ...machine(), loadavg1mAtStart, loadavg1mAtEnd: machine().loadavg1m, busy: Math.max(loadavg1mAtStart, machine().loadavg1m) > os.cpus().length },
      seeded: { threadId: seeded.threadId, postsBefore: seeded.posts },
      reference: {
        description: 'bare Socket.IO 4 server in its own process: POST /emit -> io.to(room).emit("post:created", same payload) to the same clients; the floor our stack adds latency on top of',
      },
      results,
      goal: {
        text: 'with 1,000 clients: p99 < 100 ms, p99 within 2x of the raw broadcast, 100% delivered',
        ...(at1000
          ? { p99Ms: at1000.latencyMs.p99, ratioP99: at1000.ratioP99, deliveryRatio: at1000.deliveryRatio, met: at1000.latencyMs.p99 < 100 && at1000.ratioP99 <= 2 && at1000.deliveryRatio === 1 }
          : { met: null, why: 'N=1000 not run' }),
      },
    };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } finally {
    await killAll();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

runBench(main);
