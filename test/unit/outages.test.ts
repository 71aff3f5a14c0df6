/** Outages (database down, disk full) become 503 `unavailable` with Retry-After; everything else keeps its mapping. */
import { expect } from 'chai';
import { ConnectionRefusedError, DatabaseError, ConnectionAcquireTimeoutError } from 'sequelize';
import { outageOf } from '../../server/outages';
import { toAppError } from '../../server/middleware/errors';

/** An error shaped as the drivers throw it: a message and a code. */
const coded = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('outages', () => {
  it('recognises a database that cannot be reached, or went away under an open connection', () => {
    expect(outageOf(new ConnectionRefusedError(coded('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')))).to.equal('database_down');
    expect(outageOf(new ConnectionAcquireTimeoutError(new Error('Operation timeout')))).to.equal('database_down');
    // Postgres "terminating connection due to administrator command" (a restart), wrapped by Sequelize.
    expect(outageOf(new DatabaseError(coded('terminating connection due to administrator command', '57P01') as never))).to.equal('database_down');
    expect(outageOf(new DatabaseError(new Error('Connection terminated unexpectedly') as never))).to.equal('database_down');
  });

  it('recognises a full disk, from SQLite or from the file system', () => {
    expect(outageOf(new DatabaseError(coded('SQLITE_FULL: database or disk is full', 'SQLITE_FULL') as never))).to.equal('storage_full');
    expect(outageOf(coded("ENOSPC: no space left on device, write", 'ENOSPC'))).to.equal('storage_full');
  });

  it('leaves bugs and bad queries alone', () => {
    expect(outageOf(new Error('boom'))).to.equal(null);
    expect(outageOf(new DatabaseError(coded('syntax error at or near "SELEC"', '42601') as never))).to.equal(null);
    expect(outageOf(null)).to.equal(null);
    // A refused connection to Elasticsearch is a search outage, not the database's.
    expect(outageOf(Object.assign(coded('connect ECONNREFUSED 127.0.0.1:9200', 'ECONNREFUSED'), { name: 'ConnectionError' }))).to.equal(null);
    expect(toAppError(new Error('boom')).status).to.equal(500);
  });

  it('answers an outage with 503 unavailable, a retry hint and a message that says which', () => {
    const down = toAppError(new ConnectionRefusedError(coded('connect ECONNREFUSED', 'ECONNREFUSED')));
    expect([down.status, down.code]).to.deep.equal([503, 'unavailable']);
    expect(down.details?.retryAfterSeconds).to.be.greaterThan(0);
    expect(down.message).to.match(/database/i);
    const full = toAppError(new DatabaseError(coded('SQLITE_FULL: database or disk is full', 'SQLITE_FULL') as never));
    expect([full.status, full.code]).to.deep.equal([503, 'unavailable']);
    expect(full.message).to.match(/storage/i);
  });
});
