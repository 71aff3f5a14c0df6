/**
 * Hot-path SQL beside Sequelize. Measured on this machine (bench/post-path.bench.ts): a Sequelize
 * statement on SQLite costs ~0.4–0.5 ms of CPU (a fresh prepare, an Error().stack per query, a
 * `PRAGMA table_info` before every SELECT, model building), while the same statement prepared once
 * costs ~0.05 ms. Posting runs a handful of statements per post, so the post path, the outbox
 * reads and the pipeline's bulk reads use this module; everything else stays on the models.
 *
 * One SQL text for both dialects: write `$1, $2 ...` placeholders and double-quoted identifiers.
 * SQLite: the statement is prepared once per connection (the transaction's own connection inside
 * a transaction) and `$n` becomes `?n`. Postgres: Sequelize's query with bind parameters.
 */
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { db, isSqlite } from './db';

/** What SQLite connections (node-sqlite3 API Database objects, from @appthreat/sqlite3) offer here. */
export interface SqliteHandle {
  prepare(sql: string, cb: (err: Error | null) => void): SqliteStatement;
}
interface SqliteStatement {
  all(params: unknown[], cb: (err: Error | null, rows: unknown[]) => void): void;
  finalize(cb?: () => void): void;
}

const statements = new WeakMap<SqliteHandle, Map<string, SqliteStatement>>();

/** Finalize a connection's cached statements (SQLite refuses to close with any unfinalized). */
export function finalizeStatements(conn: SqliteHandle): Promise<void> {
  const cached = statements.get(conn);
  statements.delete(conn);
  if (!cached?.size) return Promise.resolve();
  return Promise.all([...cached.values()].map((s) => new Promise<void>((resolve) => s.finalize(() => resolve())))).then(() => undefined);
}

async function sqliteConnection(t: Transaction | null | undefined): Promise<SqliteHandle> {
  if (t) return (t as unknown as { connection: SqliteHandle }).connection;
  const manager = (db() as Sequelize).connectionManager as unknown as { getConnection(o: { uuid: string }): Promise<SqliteHandle> };
  return manager.getConnection({ uuid: 'default' });
}

function prepared(conn: SqliteHandle, sql: string): SqliteStatement {
  let cache = statements.get(conn);
  if (!cache) statements.set(conn, (cache = new Map()));
  let stmt = cache.get(sql);
  if (!stmt) {
    // Errors (a missing table, bad SQL) surface on the first use; drop the statement then.
    stmt = conn.prepare(sql.replace(/\$(\d+)/g, '?$1'), () => undefined);
    cache.set(sql, stmt);
  }
  return stmt;
}

/** Run a statement and return its rows (with `RETURNING`, the written rows). */
export async function sqlRows<T>(sql: string, params: unknown[] = [], t?: Transaction | null): Promise<T[]> {
  if (!isSqlite()) {
    return db().query(sql, { bind: params, transaction: t ?? undefined, type: QueryTypes.SELECT, raw: true }) as Promise<T[]>;
  }
  const conn = await sqliteConnection(t);
  const stmt = prepared(conn, sql);
  return new Promise<T[]>((resolve, reject) =>
    stmt.all(params, (err, rows) => {
      if (!err) return resolve(rows as T[]);
      // A statement that failed may have failed to prepare: drop it (finalized) so the next call
      // prepares afresh and nothing unfinalized keeps the connection from closing.
      if (statements.get(conn)?.get(sql) === stmt) statements.get(conn)!.delete(sql);
      stmt.finalize(() => reject(err));
    }),
  );
}

/** A Date as the column value Sequelize writes (SQLite: its text format; Postgres: the Date). */
export function sqlDate(d: Date): string | Date {
  return isSqlite() ? d.toISOString().replace('T', ' ').replace('Z', ' +00:00') : d;
}

/** A date column read raw (SQLite gives Sequelize's text, Postgres a Date). */
export function asDate(v: unknown): Date {
  if (v instanceof Date) return v;
  // '2026-11-22 20:17:10.954 +00:00' -> ISO 8601
  return new Date(String(v).replace(' ', 'T').replace(' +00:00', 'Z'));
}

/**
 * A date column read raw, as epoch milliseconds: what bulk loaders want (no Date per row). Parses
 * Sequelize's SQLite text ('2026-11-22 20:17:10.954 +00:00') by position; anything else through Date.
 */
export function asEpochMs(v: unknown): number {
  if (v instanceof Date) return v.getTime();
  const s = String(v);
  if (s.length === 29 && s.charCodeAt(10) === 32 && s.endsWith(' +00:00')) {
    return Date.UTC(+s.slice(0, 4), +s.slice(5, 7) - 1, +s.slice(8, 10), +s.slice(11, 13), +s.slice(14, 16), +s.slice(17, 19), +s.slice(20, 23));
  }
  return asDate(v).getTime();
}

/** A JSON column read raw (SQLite gives text, Postgres parsed JSON). */
export function asJson<T>(v: unknown): T {
  return (typeof v === 'string' ? JSON.parse(v) : v) as T;
}

/**
 * Placeholders for `IN (...)` from `$first` on, padded (repeating the last value) to a power of
 * two, so a batch of any size uses one of a handful of SQL texts and prepared statements.
 */
export function inList(values: readonly unknown[], first = 1): { sql: string; params: unknown[] } {
  if (values.length === 0) throw new Error('inList needs at least one value');
  let size = 1;
  while (size < values.length) size *= 2;
  const params = [...values];
  while (params.length < size) params.push(values[values.length - 1]);
  return { sql: params.map((_, i) => `$${first + i}`).join(','), params };
}
