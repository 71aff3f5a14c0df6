/** Sequelize: a SQLite file under DATA_DIR by default, Postgres when DATABASE_URL is set. */
import sqlite3 from './sqlite';
import { QueryTypes, Sequelize, Transaction } from 'sequelize';
import type { Config } from './config';
import { initModels } from './models';
import { log } from './log';
import { ensurePrivateFile } from './files';
import { finalizeStatements, type SqliteHandle } from './sql';
import { FENCE_SQL, LeaseLostError, currentFence, type Fence } from './cluster/fence';

let current: Sequelize | null = null;

/** Open the database and bind every model to it. */
export async function openDatabase(config: Config): Promise<Sequelize> {
  let sequelize: Sequelize;
  if (config.DATABASE_URL) {
    // A sqlite: URL works too, on the same driver (see server/sqlite.ts).
    const driver = config.DATABASE_URL.startsWith('sqlite:') ? { dialectModule: sqlite3 } : {};
    sequelize = new Sequelize(config.DATABASE_URL, { logging: false, pool: { max: 10 }, ...driver });
  } else {
    ensurePrivateFile(config.sqlitePath);
    sequelize = new Sequelize({
      dialect: 'sqlite',
      dialectModule: sqlite3, // not Sequelize's default `require('sqlite3')`: see server/sqlite.ts
      storage: config.sqlitePath,
      logging: false,
      // SQLite has one writer: take the write lock up front so a transaction never fails
      // half-way with SQLITE_BUSY when it upgrades from reading to writing.
      transactionType: Transaction.TYPES.IMMEDIATE,
    });
  }
  if (sequelize.getDialect() === 'sqlite') configureSqliteConnections(sequelize);
  await sequelize.authenticate();
  initModels(sequelize);
  current = sequelize;
  log.debug('database opened', { dialect: sequelize.getDialect() });
  return sequelize;
}

type SqliteConnection = {
  configure(opt: 'busyTimeout', ms: number): void;
  exec(sql: string, cb: (err: Error | null) => void): void;
  close(cb?: (err: Error | null) => void): void;
  uuid?: string;
};

// Sequelize opens (and closes) a fresh SQLite connection for every transaction, which costs
// more than the transaction itself; keep a few finished ones for reuse.
const idleTransactionConnections: SqliteConnection[] = [];
const MAX_IDLE = 4;

/**
 * Sequelize's SQLite connection manager opens a connection per transaction and runs no
 * afterConnect hooks, so set our pragmas on every connection it hands out: WAL (readers never
 * block the writer), synchronous=NORMAL (no fsync per commit; WAL keeps it crash-safe) and a
 * busy timeout (wait for another process's write lock instead of failing with SQLITE_BUSY).
 */
function configureSqliteConnections(sequelize: Sequelize): void {
  const manager = sequelize.connectionManager as unknown as {
    connections: Record<string, SqliteConnection>;
    getConnection(options?: { uuid?: string }): Promise<SqliteConnection>;
    releaseConnection(connection: SqliteConnection, force?: boolean): unknown;
  };
  const original = manager.getConnection.bind(manager);
  const originalRelease = manager.releaseConnection.bind(manager);
  const configured = new WeakSet<SqliteConnection>();
  manager.releaseConnection = (connection, force) => {
    if (connection.uuid && !force && idleTransactionConnections.length < MAX_IDLE) {
      delete manager.connections[connection.uuid];
      connection.uuid = undefined;
      idleTransactionConnections.push(connection);
      return;
    }
    return originalRelease(connection, force);
  };
  manager.getConnection = async (options?: { uuid?: string }) => {
    // Only a transaction (its own uuid) takes an idle connection. server/sql.ts asks for the
    // 'default' one by name: handing it an idle one replaced the default connection, and the old
    // one was never closed (64 SQLite connections leaked in the first 30 s of bench/soak.bench.ts).
    const forTransaction = options?.uuid !== undefined && options.uuid !== 'default';
    const reusable = forTransaction ? idleTransactionConnections.pop() : undefined;
    if (reusable && options?.uuid) {
      manager.connections[options.uuid] = reusable;
      return reusable;
    }
    const connection = await original(options);
    if (!configured.has(connection)) {
      configured.add(connection);
      // server/sql.ts caches prepared statements per connection: finalize them before closing.
      const close = connection.close.bind(connection);
      connection.close = (cb) => void finalizeStatements(connection as unknown as SqliteHandle).then(() => close(cb));
      connection.configure('busyTimeout', 10_000);
      await new Promise<void>((resolve, reject) =>
        connection.exec('PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;', (err) => (err ? reject(err) : resolve())),
      );
    }
    return connection;
  };
}

/** The open database (throws before openDatabase). */
export function db(): Sequelize {
  if (!current) throw new Error('database not opened');
  return current;
}

/** True when running on the embedded SQLite file. */
export function isSqlite(): boolean {
  return db().getDialect() === 'sqlite';
}

/** Any constant will do: every Resonance process takes the same one (Postgres advisory lock). */
export const WRITE_LOCK_KEY = 0x5245534f; // "RESO"

// SQLite serialises writers anyway; queueing write transactions in-process avoids lock
// contention between our own connections (busy_timeout still covers other processes).
let writeQueue: Promise<unknown> = Promise.resolve();

/**
 * How the single writer is used, since this process started: write transactions, the time they
 * waited for the write lock and the time they held it (from taking it to the end of COMMIT or
 * ROLLBACK). Summed over every process, held seconds per second is the share of time the one
 * writer is busy: near 1, writes queue on the lock whatever the CPU; well below, the limit is
 * elsewhere. Wait includes getting a pool connection and BEGIN. On SQLite the lock is this
 * process's write queue: another process's file lock is waited for inside the transaction (it
 * counts as held), and the queue moves on only after the after-commit hooks (the next writer's wait).
 */
export interface WriteLockStats { transactions: number; waitSeconds: number; heldSeconds: number }
const writeLock: WriteLockStats = { transactions: 0, waitSeconds: 0, heldSeconds: 0 };

/** A copy of this process's write-lock counters (served on /metrics). */
export function writeLockStats(): WriteLockStats {
  return { ...writeLock };
}

/** Whether this lease is still held by its owner, read inside transaction t (server/cluster/fence.ts). */
export async function leaseHolds(fence: Fence, t: Transaction): Promise<boolean> {
  const rows = await db().query(FENCE_SQL, { bind: [fence.lease, fence.owner, Date.now()], transaction: t, type: QueryTypes.SELECT });
  return rows.length > 0;
}

/**
 * Run fn in a write transaction; domain events recorded inside are dispatched after commit. Inside
 * a leased lane (a fence in the async context) the lease is checked first, under the write lock:
 * a lane that lost its lease writes nothing (LeaseLostError).
 */
export async function withTransaction<T>(fn: (t: Transaction) => Promise<T>): Promise<T> {
  const fence = currentFence();
  const asked = performance.now();
  let lockedAt = 0;
  let counted = false;
  const release = () => {
    if (counted || lockedAt === 0) return;
    counted = true;
    writeLock.transactions++;
    writeLock.heldSeconds += (performance.now() - lockedAt) / 1000;
  };
  /** The lock is ours: count the wait, then check the lane's lease (if any) under it. */
  const locked = async (t: Transaction) => {
    lockedAt = performance.now();
    writeLock.waitSeconds += (lockedAt - asked) / 1000;
    // Registered before any event's hook, so it runs first, right after COMMIT returns.
    t.afterCommit(release);
    if (fence && !(await leaseHolds(fence, t))) throw new LeaseLostError(fence.lease);
  };
  try {
    if (!isSqlite()) {
      // Postgres: one writer at a time, as on SQLite, through a transaction-scoped advisory lock.
      // The outbox depends on it: rows must commit in id order, or a processor whose cursor has
      // passed id N+1 would never see an N that commits later. (Same lock in every process.)
      return await db().transaction(async (t) => {
        await db().query('SELECT pg_advisory_xact_lock($1)', { bind: [WRITE_LOCK_KEY], transaction: t });
        await locked(t);
        return fn(t);
      });
    }
    const run = () =>
      db().transaction(async (t) => {
        await locked(t);
        return fn(t);
      });
    const result = writeQueue.then(run, run);
    writeQueue = result.catch(() => undefined);
    return await result;
  } finally {
    release(); // a rollback held the lock too
  }
}

/** Close the database connection. */
export async function closeDatabase(): Promise<void> {
  for (const connection of idleTransactionConnections.splice(0)) {
    await new Promise<void>((resolve) => connection.close(() => resolve()));
  }
  if (current) await current.close();
  current = null;
}
