/**
 * Database connections do not pile up. server/sql.ts reads on the default connection and
 * server/db.ts keeps finished transaction connections for reuse; a mix-up between the two once
 * replaced the default connection on every read after a transaction, and the old one was never
 * closed: 64 SQLite connections (two file descriptors each, their page caches and prepared
 * statements) in the first 30 s of bench/soak.bench.ts, and native memory rising with them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { startServer, type TestServer } from '../support/server';
import { db, isSqlite, withTransaction } from '../../server/db';
import { sqlRows } from '../../server/sql';

/** Open descriptors of this process on the database file (each SQLite connection holds one). */
function openHandlesOn(file: string): number {
  let n = 0;
  for (const fd of fs.readdirSync('/proc/self/fd')) {
    try {
      if (fs.readlinkSync(`/proc/self/fd/${fd}`) === file) n++;
    } catch {
      // closed while we looked
    }
  }
  return n;
}

/** Connections the database server has open to our database (PostgreSQL). */
async function postgresConnections(): Promise<number> {
  const [row] = await sqlRows<{ n: string | number }>(`SELECT count(*) AS "n" FROM pg_stat_activity WHERE datname = current_database()`);
  return Number(row.n);
}

describe('database connections', () => {
  let server: TestServer | null = null;
  afterEach(async () => {
    await server?.close();
    server = null;
  });

  it('reads between transactions reuse the same connections instead of opening new ones', async () => {
    server = await startServer();
    const file = path.join(server.dataDir, 'resonance.sqlite');
    const count = () => (isSqlite() ? Promise.resolve(openHandlesOn(fs.realpathSync(file))) : postgresConnections());
    // Warm up: the default connection and one transaction connection exist.
    await withTransaction((t) => sqlRows('SELECT 1 AS "one"', [], t));
    await sqlRows('SELECT 1 AS "one"');
    const before = await count();
    expect(before).to.be.greaterThan(0);
    for (let i = 0; i < 40; i++) {
      // The pattern of a post: a write transaction, then reads on the default connection.
      const [row] = await withTransaction((t) => sqlRows<{ one: number }>('SELECT 1 AS "one"', [], t));
      expect(Number(row.one)).to.equal(1);
      await sqlRows('SELECT 1 AS "one"');
      await db().query('SELECT 1');
    }
    const after = await count();
    // A few idle transaction connections may be kept (server/db.ts, MAX_IDLE 4); 40 rounds must not leave 40.
    expect(after, `${before} connections before, ${after} after 40 transactions`).to.be.at.most(before + 4);
  });
});
