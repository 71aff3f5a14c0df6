/**
 * Which failures are outages (a dependency down, the disk full) rather than bugs: requests answer
 * them with 503 and Retry-After instead of 500, and the pipeline retries them forever instead of
 * dead-lettering the events that met them.
 */

// Sequelize's ConnectionError family: refused, timed out, host unreachable, pool acquire timeout.
const CONNECTION_ERRORS = new Set([
  'SequelizeConnectionError',
  'SequelizeConnectionRefusedError',
  'SequelizeConnectionTimedOutError',
  'SequelizeHostNotFoundError',
  'SequelizeHostNotReachableError',
  'SequelizeConnectionAcquireTimeoutError',
  'SequelizeInvalidConnectionError',
]);

// Postgres going away under an open connection: admin/crash shutdown, starting up, link lost.
const PG_OUTAGE_CODES = new Set(['57P01', '57P02', '57P03', '08000', '08001', '08003', '08006']);
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH']);
// SQLite/the OS out of space (the database file, its WAL, the embedded index, uploads).
const FULL_CODES = new Set(['SQLITE_FULL', 'ENOSPC', 'EDQUOT']);

type Coded = { name?: unknown; code?: unknown; message?: unknown; parent?: unknown; original?: unknown };

/** The outage behind an error, if it is one: the disk is full, or the database is unreachable. */
export function outageOf(err: unknown): 'storage_full' | 'database_down' | null {
  // Socket failures mean "the database is down" only under a Sequelize error: the same codes
  // from the Elasticsearch client are a search outage, which the search paths handle themselves.
  const viaDatabase = typeof (err as Coded | null)?.name === 'string' && String((err as Coded).name).startsWith('Sequelize');
  for (let e = err as Coded | undefined, depth = 0; e && typeof e === 'object' && depth < 4; e = (e.parent ?? e.original) as Coded | undefined, depth++) {
    const code = typeof e.code === 'string' ? e.code : '';
    if (FULL_CODES.has(code) || /SQLITE_FULL|ENOSPC/.test(String(e.message ?? ''))) return 'storage_full';
    if (typeof e.name === 'string' && CONNECTION_ERRORS.has(e.name)) return 'database_down';
    if (!viaDatabase) continue;
    if (PG_OUTAGE_CODES.has(code) || SOCKET_CODES.has(code)) return 'database_down';
    // node-postgres' own error when the server closes a connection mid-query (no code).
    if (/^Connection terminated( unexpectedly)?$/.test(String(e.message ?? ''))) return 'database_down';
  }
  return null;
}
