/**
 * Several workers (issue #13): how long the pipeline takes to work through a seeded history with
 * one worker and with N, on copies of the same seed. The workers share the durable lanes by
 * lease (server/cluster/leases.ts), so a second worker takes the alert rules, the notifiers and
 * the webhooks off the indexer's core; one lane still runs in one process.
 *
 *   node --import tsx bench/workers.bench.ts [--size small|medium] [--workers=2] [--alert-age-hours=24]
 *
 * SQLite (DATA_DIR copies), embedded search. The clock runs from the moment every lane has a
 * holder (boot excluded). "Done" is every durable lane's cursor at the end of
 * the outbox, with the outbox no longer growing (the indexer's item.analyzed events feed the alert
 * rules). `--alert-age-hours` is ALERT_MAX_ITEM_AGE_HOURS: the default 24 skips the rules for the
 * seeded months of history (as a real import would); a large value makes them read it all. The
 * reference is one worker on the same seed, in the same run.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sqliteRows } from '../test/support/burst';
import { figure } from './support/headline';
import { machine } from './support/machine';
import { killAll, repoRoot, rssMB, runBench, spawnTsx, stop } from './support/processes';

const argv = process.argv.slice(2);
const arg = (name: string, fallback: string) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? (argv.includes(`--${name}`) ? argv[argv.indexOf(`--${name}`) + 1] : fallback);
const params = {
  size: arg('size', 'small'),
  workers: Number(arg('workers', '2')),
  alertAgeHours: Number(arg('alert-age-hours', '24')),
  database: 'sqlite',
  search: 'embedded',
  timeoutMin: Number(arg('timeout-min', '30')),
};
const log = (m: string) => process.stderr.write(`[bench] ${m}\n`);
const LANES = ['alerts', 'index', 'notify', 'notify-messages', 'webhooks'];

async function progress(dataDir: string): Promise<{ max: number; cursors: Map<string, number> }> {
  const file = path.join(dataDir, 'resonance.sqlite');
  const [{ max }] = await sqliteRows<{ max: number | null }>(file, 'SELECT max("id") AS max FROM "outbox_events"');
  const rows = await sqliteRows<{ name: string; lastEventId: number }>(file, 'SELECT "name", "lastEventId" FROM "processor_cursors"');
  return { max: max ?? 0, cursors: new Map(rows.map((r) => [r.name, r.lastEventId])) };
}

/** Start `n` workers on dataDir and time them to the end of the outbox. */
async function drain(dataDir: string, n: number): Promise<{ seconds: number; events: number; lanesBy: Record<string, number>; peakRssMB: number[] }> {
  const env = { DATA_DIR: dataDir, NODE_ENV: 'production', LOG_LEVEL: 'warn', RESONANCE_ROLE: 'worker', ALERT_MAX_ITEM_AGE_HOURS: String(params.alertAgeHours), WORKER_LEASE_SECONDS: '6' };
  const start = (await progress(dataDir)).max;
  const workers = Array.from({ length: n }, () => spawnTsx('server/main.ts', env));
  const peak = workers.map(() => 0);
  const deadline = Date.now() + params.timeoutMin * 60_000;
  // The clock starts when every lane has a holder (boot, ~10 s, is not the pipeline's work; a
  // handover to a second worker after that is).
  const leased = async () => (await sqliteRows<{ n: number }>(path.join(dataDir, 'resonance.sqlite'), `SELECT count(*) AS n FROM "worker_leases" WHERE "name" IN (${LANES.map((l) => `'${l}'`).join(',')})`).catch(() => [{ n: 0 }]))[0].n;
  while ((await leased()) < LANES.length) {
    if (Date.now() > deadline) throw new Error('the workers never held every lane');
    await new Promise((r) => setTimeout(r, 100));
  }
  const t0 = performance.now();
  let lastMax = -1;
  let stable = 0;
  for (;;) {
    await new Promise((r) => setTimeout(r, 500));
    workers.forEach((w, i) => (peak[i] = Math.max(peak[i], rssMB(w.pid) ?? 0)));
    const { max, cursors } = await progress(dataDir);
    const done = LANES.every((l) => (cursors.get(l) ?? 0) >= max);
    stable = done && max === lastMax ? stable + 1 : 0;
    lastMax = max;
    if (stable >= 2) break;
    if (Date.now() > deadline) throw new Error(`${n} worker(s) did not finish within ${params.timeoutMin} min (${[...cursors].map(([k, v]) => `${k}=${v}`).join(', ')} of ${max})`);
  }
  const seconds = (performance.now() - t0) / 1000 - 1; // the last two polls only confirmed it
  const owners = await sqliteRows<{ name: string; owner: string }>(path.join(dataDir, 'resonance.sqlite'), 'SELECT "name", "owner" FROM "worker_leases"');
  const lanesBy: Record<string, number> = {};
  for (const o of owners.filter((r) => LANES.includes(r.name))) {
    const i = workers.findIndex((w) => o.owner.split('/').at(-2) === String(w.pid));
    lanesBy[`worker ${i + 1}`] = (lanesBy[`worker ${i + 1}`] ?? 0) + 1;
  }
  for (const w of workers) await stop(w, 20_000);
  return { seconds: Math.round(seconds * 10) / 10, events: lastMax - start, lanesBy, peakRssMB: peak };
}

async function main(): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'resonance-workers-bench-'));
  try {
    const seedDir = path.join(root, 'seed');
    fs.mkdirSync(seedDir);
    log(`seeding --size ${params.size}`);
    execFileSync(process.execPath, ['--import', 'tsx', 'server/cli.ts', 'seed', '--size', params.size], { cwd: repoRoot, env: { ...process.env, DATA_DIR: seedDir, LOG_LEVEL: 'warn' }, stdio: ['ignore', 'ignore', 'inherit'] });
    const copy = (name: string) => {
      const dir = path.join(root, name);
      fs.cpSync(seedDir, dir, { recursive: true });
      return dir;
    };
    const posts = (await sqliteRows<{ n: number }>(path.join(seedDir, 'resonance.sqlite'), 'SELECT count(*) AS n FROM "posts"'))[0].n;
    const loadBefore = os.loadavg()[0];
    log('1 worker');
    const one = await drain(copy('one'), 1);
    log(`${params.workers} workers`);
    const many = await drain(copy('many'), params.workers);
    const rate = (r: { seconds: number }) => Math.round(posts / r.seconds);
    console.log(JSON.stringify({
      benchmark: 'workers',
      headline: [
        figure(`history drained by ${params.workers} workers, posts/s`, rate(many), 'posts/s', true, { params: { ...params, posts }, reference: { what: 'one worker, same seed, same run', value: rate(one) } }),
      ],
      params: { ...params, posts },
      machine: { ...machine(), loadAvg1: [loadBefore, os.loadavg()[0]].map((l) => Number(l.toFixed(2))) },
      results: { oneWorker: { ...one, postsPerSecond: rate(one) }, workers: { ...many, postsPerSecond: rate(many) }, speedup: Number((one.seconds / many.seconds).toFixed(2)) },
    }, null, 2));
  } finally {
    await killAll();
    fs.rmSync(root, { recursive: true, force: true });
  }
}

runBench(main);
