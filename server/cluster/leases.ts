/**
 * Several workers on one database: each durable pipeline lane (indexer, alert rules, notifiers,
 * webhooks) is run by ONE process at a time, the holder of its lease in `worker_leases`.
 *
 * Every process that runs lanes (role `worker` or `all`) keeps a lease keeper. Each round (a
 * third of WORKER_LEASE_SECONDS) it renews what it holds and its `member:<owner>` row, counts the
 * live members, and takes free lanes up to its fair share (lanes / members, rounded up); one that
 * holds more than its share (a worker joined) gives the extra back, after stopping them, so the
 * newcomer takes them at its next round. A lease is free when nobody holds it, when its holder
 * stopped renewing it (it died or froze: after WORKER_LEASE_SECONDS), or at once when its holder
 * was a process on this host (and pid namespace) that is gone (a restart after a crash does not
 * wait out the lease).
 *
 * Why the database and not Redis: the lanes' cursors are there, it is there whenever a lane can
 * run at all, and every round is one small write transaction.
 *
 * A holder that froze past its lease and wakes mid-batch writes nothing more: each of a lane's
 * write transactions checks its lease first, under the write lock (fence.ts), and a failed check
 * stops the lane and drops the lease here. Search-index writes are not fenced: they are idempotent
 * by document id.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import { withTransaction } from '../db';
import { log } from '../log';
import { sqlRows } from '../sql';

export interface LeaseKeeperOptions {
  /**
   * The lanes to share (processor names), heaviest first: a process giving lanes back keeps the
   * first ones of its list, so the two heaviest end up in different processes.
   */
  names: readonly string[];
  ttlMs: number;
  /** Start running a lane: this process holds it now. */
  gained(name: string): Promise<void>;
  /** Stop running a lane and save its progress (before the lease is given back). */
  lost(name: string): Promise<void>;
}

export interface LeaseKeeper {
  /** `host/pid/random`: this process in `worker_leases`. */
  readonly owner: string;
  /** Hold what there is to hold now (awaited before the process starts its work), then keep rounds going. */
  start(): Promise<void>;
  /** Stop every lane held and give the leases back (a clean shutdown hands over at once). */
  stop(): Promise<void>;
  /** One round now (tests). */
  round(): Promise<void>;
  /**
   * A lane found its lease gone (its fence failed, fence.ts): stop it as a lost lease (lost() is
   * called); the next round takes it again if it is free or still ours.
   */
  dropped(name: string): Promise<void>;
  held(): string[];
}

interface LeaseRow {
  name: string;
  owner: string;
  expiresAt: number | string;
}

const MEMBER = 'member:';
/** The pid namespace's inode (Linux): containers that share a host name need not share pids. */
function pidNamespace(): string {
  try {
    return fs.readlinkSync('/proc/self/ns/pid').replace(/\D/g, '');
  } catch {
    return '';
  }
}
/**
 * This host (and pid namespace) in owner ids, bounded so that `member:<owner>` fits the column.
 * Pids are compared only between owners with the same one.
 */
const HOST = `${os.hostname().slice(0, 64)}${pidNamespace() ? `~${pidNamespace()}` : ''}`;

/** An owner id as a process on this host with this pid would have it (tests plant such rows). */
export function ownerOnThisHost(pid: number, suffix: string): string {
  return `${HOST}/${pid}/${suffix}`;
}

/** The owner id's process is known to be gone: on this host, and no process has its pid. */
function goneFromThisHost(owner: string): boolean {
  const parts = owner.split('/');
  if (parts.length < 3) return false;
  const pid = Number(parts[parts.length - 2]);
  const host = parts.slice(0, -2).join('/');
  if (host !== HOST || !Number.isInteger(pid) || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

export function createLeaseKeeper(options: LeaseKeeperOptions): LeaseKeeper {
  const owner = ownerOnThisHost(process.pid, crypto.randomBytes(4).toString('hex'));
  const names = [...options.names];
  /** Lanes running here, with the time their lease runs out unless renewed. */
  const held = new Map<string, number>();
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let stopped = true;

  const live = (row: LeaseRow, now: number) => Number(row.expiresAt) > now && !goneFromThisHost(row.owner);

  // Rounds and drops one at a time: a lane dropped while a round is in flight must not be
  // stopped twice, nor stopped after that round started it again.
  let chain: Promise<unknown> = Promise.resolve();
  const serially = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = chain.then(fn, fn);
    chain = next.catch(() => undefined);
    return next;
  };

  /** Lanes starting (gained() can take a while: the alert rules warm a day of history). */
  const starting = new Map<string, Promise<void>>();

  async function lose(name: string): Promise<void> {
    held.delete(name);
    await starting.get(name);
    await options.lost(name);
  }

  async function roundNow(): Promise<void> {
    // A lease that ran out before we could renew it (the database was away) may be another's by now.
    for (const [name, until] of [...held]) if (until <= Date.now()) await lose(name);
    let expiresAt = 0;
    const plan = await withTransaction(async (t) => {
      // The clock is read once the write lock is ours: a wait for it must not shorten the lease.
      const now = Date.now();
      expiresAt = now + options.ttlMs;
      const rows = await sqlRows<LeaseRow>('SELECT "name","owner","expiresAt" FROM "worker_leases"', [], t);
      const members = new Set([owner, ...rows.filter((r) => r.name.startsWith(MEMBER) && live(r, now)).map((r) => r.owner)]);
      const byName = new Map(rows.map((r) => [r.name, r]));
      const share = Math.ceil(names.length / members.size);
      const mine = names.filter((n) => byName.get(n)?.owner === owner);
      const keep = mine.slice(0, share);
      const free = names.filter((n) => !keep.includes(n) && !mine.includes(n) && (!byName.has(n) || !live(byName.get(n)!, now)));
      const take = free.slice(0, Math.max(0, share - keep.length));
      // What we give back is renewed too: it stays ours until its lane has stopped (below).
      for (const name of [...mine, ...take, `${MEMBER}${owner}`]) {
        const existing = byName.get(name);
        if (existing) await sqlRows('UPDATE "worker_leases" SET "owner" = $1, "expiresAt" = $2 WHERE "name" = $3', [owner, expiresAt, name], t);
        else await sqlRows('INSERT INTO "worker_leases" ("name","owner","expiresAt") VALUES ($1,$2,$3)', [name, owner, expiresAt], t);
      }
      // Members that are gone leave no row behind (their lane leases are taken over above).
      for (const r of rows) if (r.name.startsWith(MEMBER) && r.owner !== owner && !live(r, now)) await sqlRows('DELETE FROM "worker_leases" WHERE "name" = $1', [r.name], t);
      return { mine, keep, take, release: mine.slice(share) };
    });
    // Taken over by another while we could not renew (we froze past our lease): stop at once.
    for (const name of [...held.keys()]) if (!plan.mine.includes(name)) await lose(name);
    for (const name of [...plan.keep, ...plan.take]) {
      const running = held.has(name);
      held.set(name, expiresAt);
      if (running) continue;
      log.info('pipeline lane taken', { lane: name, owner });
      // Not awaited: the rounds (the renewals) go on while a lane starts; losing it waits for the start.
      starting.set(
        name,
        options
          .gained(name)
          .catch((err) => log.error('pipeline lane did not start', { lane: name, error: err instanceof Error ? err.message : String(err) }))
          .finally(() => starting.delete(name)),
      );
    }
    for (const name of plan.release) {
      await lose(name);
      await withTransaction((t) => sqlRows('DELETE FROM "worker_leases" WHERE "name" = $1 AND "owner" = $2', [name, owner], t));
      log.info('pipeline lane handed over', { lane: name, owner });
    }
  }

  function round(): Promise<void> {
    running ??= serially(roundNow)
      .catch((err) => log.warn('lease round failed; will retry', { error: err instanceof Error ? err.message : String(err) }))
      .finally(() => {
        running = null;
      });
    return running;
  }

  return {
    owner,
    async start() {
      if (!stopped) return;
      stopped = false;
      await round();
      // At boot the lanes this process got are running when start() resolves (tests drain right after).
      await Promise.all(starting.values());
      timer = setInterval(() => void round(), Math.max(500, Math.floor(options.ttlMs / 3)));
      timer.unref();
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      timer = null;
      while (running) await running;
      const names = [...held.keys()];
      for (const name of names) await lose(name);
      await withTransaction((t) => sqlRows('DELETE FROM "worker_leases" WHERE "owner" = $1', [owner], t)).catch((err) =>
        log.warn('leases not given back; they run out by themselves', { error: err instanceof Error ? err.message : String(err) }),
      );
    },
    round,
    dropped(name) {
      return serially(async () => {
        if (!held.has(name)) return;
        log.warn('pipeline lane lost its lease', { lane: name, owner });
        await lose(name);
      });
    },
    held: () => [...held.keys()].sort(),
  };
}

/** How many processes run pipeline lanes now (live `member:` rows), for /healthz: 0 means nothing drains the outbox. */
export async function liveWorkers(): Promise<number> {
  const rows = await sqlRows<LeaseRow>('SELECT "name","owner","expiresAt" FROM "worker_leases" WHERE "name" LIKE $1', [`${MEMBER}%`]);
  const now = Date.now();
  return rows.filter((r) => Number(r.expiresAt) > now && !goneFromThisHost(r.owner)).length;
}
