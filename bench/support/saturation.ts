/**
 * What a write phase ran out of: the single writer, or CPU. Read from outside the processes, so
 * every lock holder counts (the worker serves no /metrics):
 *   - the write lock's busy share, sampled from pg_locks (the advisory lock every Resonance write
 *     takes, server/db.ts): the share of samples in which some transaction holds it, and how many
 *     wait for it on average;
 *   - the CPU each process used (/proc/<pid>/stat), PostgreSQL's backends together, and the
 *     machine's busy share (/proc/stat).
 * A busy share near 1 with spare CPU is the lock; CPU near all cores with the lock often free is
 * CPU. Both near their limit: a CPU-starved lock holder (descheduled while it holds the lock)
 * stretches every hold, and only more cores would tell the two apart.
 */
import fs from 'node:fs';
import os from 'node:os';
import { Sequelize } from 'sequelize';

const TICK = 100; // USER_HZ on Linux

/** CPU seconds (user + system) a process has used, or null once it is gone. */
export function cpuSecondsOf(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces), from field 3 on: utime is 14, stime 15.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[11]) + Number(rest[12])) / TICK;
  } catch {
    return null;
  }
}

/** CPU seconds of every process named `postgres` (the server and its backends). */
export function postgresCpuSeconds(): number {
  let total = 0;
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      if (stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) !== 'postgres') continue;
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      total += (Number(rest[11]) + Number(rest[12])) / TICK;
    } catch {
      // exited while we looked
    }
  }
  return total;
}

/** Busy and total jiffies of the whole machine. */
function machineTicks(): { busy: number; total: number } {
  const [, ...fields] = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  const v = fields.map(Number);
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0); // user nice system idle iowait irq softirq steal
  return { busy: total - v[3] - v[4], total };
}

export interface Saturation {
  seconds: number;
  /** Share of pg_locks samples in which a transaction held the write lock (null on SQLite). */
  writeLockBusyShare: number | null;
  /** Mean transactions waiting for the write lock per sample (null on SQLite). */
  writeLockMeanWaiters: number | null;
  lockSamples: number;
  /** Cores used over the phase: each process given, PostgreSQL's processes together, the machine. */
  cores: { processes: Array<number | null>; postgres: number | null; machine: number; available: number };
  machineBusyShare: number;
}

const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;

/**
 * Watch a phase: call before it starts, await `stop()` once it ends. `lockKey` is the advisory
 * lock's key (server/db.ts WRITE_LOCK_KEY); pg_locks shows a one-argument key as objid, objsubid 1.
 */
export function watchSaturation(pids: number[], databaseUrl: string | null, lockKey: number, everyMs = 10) {
  const t0 = performance.now();
  const cpu0 = pids.map(cpuSecondsOf);
  const pg0 = databaseUrl ? postgresCpuSeconds() : 0;
  const m0 = machineTicks();
  let samples = 0;
  let busy = 0;
  let waiters = 0;
  let running = true;
  const sequelize = databaseUrl ? new Sequelize(databaseUrl, { logging: false, pool: { max: 1 } }) : null;
  const sampler = (async () => {
    if (!sequelize) return;
    while (running) {
      const [[row]] = (await sequelize.query(
        `SELECT count(*) FILTER (WHERE granted) AS "held", count(*) FILTER (WHERE NOT granted) AS "waiting"
           FROM pg_locks WHERE locktype = 'advisory' AND objid = ${lockKey} AND objsubid = 1`,
      )) as unknown as [[{ held: string; waiting: string }]];
      samples++;
      if (Number(row.held) > 0) busy++;
      waiters += Number(row.waiting);
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return {
    async stop(): Promise<Saturation> {
      running = false;
      await sampler;
      await sequelize?.close();
      const seconds = (performance.now() - t0) / 1000;
      const m1 = machineTicks();
      const processes = pids.map((pid, i) => {
        const now = cpuSecondsOf(pid);
        return now === null || cpu0[i] === null ? null : round((now - cpu0[i]!) / seconds, 2);
      });
      const machineShare = (m1.busy - m0.busy) / Math.max(1, m1.total - m0.total);
      return {
        seconds: round(seconds, 1),
        writeLockBusyShare: sequelize && samples > 0 ? round(busy / samples) : null,
        writeLockMeanWaiters: sequelize && samples > 0 ? round(waiters / samples, 2) : null,
        lockSamples: samples,
        cores: {
          processes,
          postgres: databaseUrl ? round((postgresCpuSeconds() - pg0) / seconds, 2) : null,
          machine: round(machineShare * os.cpus().length, 2),
          available: os.cpus().length,
        },
        machineBusyShare: round(machineShare),
      };
    },
  };
}

/** The write-lock counters of one web process's /metrics (server/db.ts), or null when it has none. */
export async function writeLockCounters(base: string): Promise<{ transactions: number; waitSeconds: number; heldSeconds: number } | null> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const read = (name: string) => Number(new RegExp(`^${name} ([0-9.e+-]+)$`, 'm').exec(text)?.[1] ?? NaN);
  const c = { transactions: read('resonance_write_transactions_total'), waitSeconds: read('resonance_write_lock_wait_seconds_total'), heldSeconds: read('resonance_write_lock_held_seconds_total') };
  return Object.values(c).every(Number.isFinite) ? c : null;
}
