/**
 * The single writer's counters on /metrics (server/db.ts): every write transaction, the time it
 * waited for the write lock and the time it held it. Operators (and bench/scale-out.bench.ts) read
 * rate(held) summed over the processes as the lock's busy share, so a commit, a rollback and a
 * queued writer must all be counted, and held time must never exceed the transaction's own span.
 */
import { expect } from 'chai';
import { startServer, type TestServer } from '../support/server';
import { Client } from '../support/client';
import { buildThread, buildUser } from '../support/factories';
import { withTransaction, writeLockStats } from '../../server/db';
import { recordEvents } from '../../server/events';
import { sqlRows } from '../../server/sql';

function counter(text: string, name: string): number {
  const m = text.match(new RegExp(`^${name} ([0-9.e+-]+)$`, 'm'));
  expect(m, `${name} on /metrics`).to.not.equal(null);
  expect(text).to.include(`# TYPE ${name} counter`);
  return Number(m![1]);
}

describe('write lock metrics', function () {
  this.timeout(60_000);
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server?.close());

  it('/metrics counts the write transactions of a post, with their lock wait and hold', async () => {
    const { thread } = await buildThread();
    const { token } = await buildUser();
    const c = new Client(server.url).withToken(token);
    const read = async () => {
      const text = (await c.get('/metrics')).text;
      return {
        transactions: counter(text, 'resonance_write_transactions_total'),
        wait: counter(text, 'resonance_write_lock_wait_seconds_total'),
        held: counter(text, 'resonance_write_lock_held_seconds_total'),
      };
    };
    const before = await read();
    const r = await c.post(`/api/v1/threads/${thread.id}/posts`, { body: '写锁计数：这一楼要被数到' });
    expect(r.status).to.equal(201);
    const after = await read();
    expect(after.transactions).to.be.greaterThan(before.transactions);
    expect(after.held).to.be.greaterThan(before.held);
  });

  describe('with the pipeline stopped (no other writer in this process)', () => {
    before(async () => {
      // The exact counts below need every background writer quiet: the lease keeper's rounds,
      // the lanes and their cursor saves (the alert rules' timers stop with their lease).
      await server.resonance.dispatcher.drain(10_000);
      await server.resonance.leases?.stop();
      await server.resonance.dispatcher.stop();
    });

    it('counts a commit (with events, whose hooks run after COMMIT) once and a rollback once', async () => {
      const { thread } = await buildThread();
      const before = writeLockStats();
      await withTransaction(async (t) => {
        await recordEvents(t, { type: 'thread.updated', threadId: thread.id, chapterId: null, locked: false, actorId: thread.authorId });
        await recordEvents(t, { type: 'thread.updated', threadId: thread.id, chapterId: null, locked: false, actorId: thread.authorId });
      });
      const committed = writeLockStats();
      expect(committed.transactions, 'a commit with two after-commit hooks').to.equal(before.transactions + 1);
      expect(committed.heldSeconds).to.be.greaterThan(before.heldSeconds);
      let thrown: unknown = null;
      try {
        await withTransaction(async (t) => {
          await sqlRows('SELECT 1 AS "one"', [], t);
          throw new Error('roll back');
        });
      } catch (e) {
        thrown = e;
      }
      expect((thrown as Error)?.message).to.equal('roll back');
      const after = writeLockStats();
      expect(after.transactions, 'a rollback held the lock too').to.equal(committed.transactions + 1);
      expect(after.heldSeconds).to.be.greaterThan(committed.heldSeconds);
    });

    it('a writer that queues behind another counts its wait, and the two never hold the lock at once', async () => {
      const before = writeLockStats();
      let releaseFirst!: () => void;
      const gate = new Promise<void>((resolve) => (releaseFirst = resolve));
      const order: string[] = [];
      let firstIn!: () => void;
      const firstEntered = new Promise<void>((resolve) => (firstIn = resolve));
      const first = withTransaction(async (t) => {
        order.push('first in');
        firstIn();
        await sqlRows('SELECT 1 AS "one"', [], t);
        await gate;
        order.push('first out');
      });
      await firstEntered;
      const second = withTransaction(async (t) => {
        order.push('second in');
        await sqlRows('SELECT 1 AS "one"', [], t);
      });
      // withTransaction notes when it was asked before its first await, so the second asked before this.
      const secondAsked = performance.now();
      // Let the second reach the lock (or the queue) while the first still holds it.
      await new Promise((resolve) => setTimeout(resolve, 200));
      const released = performance.now();
      releaseFirst();
      await Promise.all([first, second]);
      expect(order).to.deep.equal(['first in', 'first out', 'second in']);
      const after = writeLockStats();
      expect(after.transactions).to.equal(before.transactions + 2);
      // The second got the lock only after the first let go, so it waited at least from asking to then.
      expect(after.waitSeconds - before.waitSeconds).to.be.at.least((released - secondAsked) / 1000);
    });
  });
});
