/**
 * The partitioned outbox (docs/scaling.md §1, bench/support/partitioned-outbox.ts) on a real
 * PostgreSQL: the proof that path 1 keeps what the global write lock keeps today (a consumer's
 * cursor never passes an event that commits later; a thread's posts arrive in floor order) while
 * writers on different partitions commit at the same time.
 *
 * Whether a writer is blocked is read from PostgreSQL (pg_stat_activity says it waits on a lock),
 * not from a clock.
 */
import { expect } from 'chai';
import { Sequelize, type Transaction } from 'sequelize';
import { partitionedOutbox, type PartitionedEvent, type PartitionedOutbox } from '../../bench/support/partitioned-outbox';
import { requirePostgres, type PostgresCluster } from '../support/postgres-cluster';
import { waitFor } from '../support/wait';

/** The key Resonance's withTransaction takes today (server/db.ts), for the contrast. */
const GLOBAL_WRITE_LOCK_KEY = 0x5245534f;

/** A write transaction that appends one post and stays open until commit() is called. */
interface OpenWrite {
  /** The backend's pid, known as soon as the transaction has begun (before any lock wait). */
  pid: Promise<number>;
  /** The event it appended, once it holds the partition. */
  appended: Promise<PartitionedEvent>;
  commit(): void;
  /** Settles when the transaction has committed. */
  done: Promise<void>;
}

describe('partitioned outbox on PostgreSQL', function () {
  this.timeout(120_000);
  let cluster: PostgresCluster | undefined;
  let sequelize: Sequelize;
  let outbox: PartitionedOutbox;

  before(async function () {
    const pg = await requirePostgres(this, 'resonance_partitions');
    cluster = pg.cluster;
    const url = pg.url;
    sequelize = new Sequelize(url, { logging: false, pool: { max: 12, min: 0 } });
    outbox = partitionedOutbox(sequelize, 'proof');
  });
  after(async () => {
    await outbox?.drop().catch(() => undefined);
    await sequelize?.close();
    cluster?.destroy();
  });

  const waitingOnLock = async (pid: number) => {
    const [rows] = (await sequelize.query('SELECT wait_event_type FROM pg_stat_activity WHERE pid = $1', { bind: [pid] })) as unknown as [Array<{ wait_event_type: string | null }>];
    return rows[0]?.wait_event_type === 'Lock';
  };

  /** Open a write on `partition`; with `globalLock` it first takes today's single advisory lock. */
  function openWrite(partition: number, thread: number, globalLock: boolean): OpenWrite {
    let commit!: () => void;
    const gate = new Promise<void>((r) => (commit = r));
    let pidKnown!: (pid: number) => void;
    const pid = new Promise<number>((r) => (pidKnown = r));
    let appendedNow!: (e: PartitionedEvent) => void;
    const appended = new Promise<PartitionedEvent>((r) => (appendedNow = r));
    const done = sequelize.transaction(async (t: Transaction) => {
      const [[row]] = (await sequelize.query('SELECT pg_backend_pid() AS pid', { transaction: t })) as unknown as [[{ pid: number }]];
      pidKnown(row.pid);
      if (globalLock) await sequelize.query('SELECT pg_advisory_xact_lock($1)', { bind: [GLOBAL_WRITE_LOCK_KEY], transaction: t });
      appendedNow(await outbox.appendPost(t, partition, thread, `{"thread":${thread}}`));
      await gate;
    });
    return { pid, appended, commit, done };
  }

  /** Where writer B (another partition) stands while writer A holds its transaction open. */
  async function otherPartitionWhileOpen(globalLock: boolean): Promise<'committed' | 'blocked'> {
    await outbox.install(2, 4);
    const a = openWrite(0, 1, globalLock);
    await a.appended;
    const b = openWrite(1, 2, globalLock);
    const bPid = await b.pid;
    const outcome = await Promise.race([
      b.appended.then(async () => {
        b.commit();
        await b.done;
        return 'committed' as const;
      }),
      waitFor(() => waitingOnLock(bPid), 'writer B waiting on a lock', 20_000).then(() => 'blocked' as const),
    ]);
    a.commit();
    b.commit();
    await Promise.all([a.done, b.done]);
    return outcome;
  }

  it('today’s global write lock serialises writers on different partitions (the contrast: this setup tells the designs apart)', async () => {
    expect(await otherPartitionWhileOpen(true)).to.equal('blocked');
  });

  it('commits a writer on another partition while the first still holds its transaction open', async () => {
    expect(await otherPartitionWhileOpen(false)).to.equal('committed');
  });

  it('makes a second writer on the same partition wait, then gives it the next number: the order is the commit order', async () => {
    await outbox.install(2, 4);
    const a = openWrite(0, 1, false);
    const aEvent = await a.appended;
    const c = openWrite(0, 3, false);
    await waitFor(async () => waitingOnLock(await c.pid), 'writer C waiting for partition 0', 20_000);
    // While A is open, a consumer sees nothing of partition 0: neither A nor anything after it.
    expect(await outbox.after(0, 0)).to.deep.equal([]);
    a.commit();
    await a.done;
    const cEvent = await c.appended;
    expect([aEvent.seq, cEvent.seq]).to.deep.equal([1, 2]);
    expect((await outbox.after(0, 0)).map((e) => e.seq)).to.deep.equal([1]);
    c.commit();
    await c.done;
    expect((await outbox.after(0, 0)).map((e) => [e.seq, e.thread])).to.deep.equal([
      [1, 1],
      [2, 3],
    ]);
  });

  it('under 8 concurrent writers with rollbacks, every consumer reads its partition densely, in commit order, and every thread in floor order', async () => {
    const partitions = 4;
    const threadCount = 24;
    const writers = 8;
    const perWriter = 60;
    await outbox.install(partitions, threadCount);
    const committed: PartitionedEvent[] = [];
    let rolledBack = 0;
    let writing = true;

    // Consumers poll while the writers run: a hole at read time would be a number that commits later.
    const consumed = new Map<number, PartitionedEvent[]>();
    const consumer = async (partition: number) => {
      const seen: PartitionedEvent[] = [];
      consumed.set(partition, seen);
      let cursor = 0;
      for (;;) {
        const stillWriting = writing;
        const batch = await outbox.after(partition, cursor);
        batch.forEach((e, i) => expect(e.seq, `partition ${partition}: read ${e.seq} after cursor ${cursor} (index ${i})`).to.equal(cursor + i + 1));
        seen.push(...batch);
        if (batch.length) cursor = batch[batch.length - 1].seq;
        else if (!stillWriting) return;
        else await new Promise((r) => setTimeout(r, 2));
      }
    };
    const consumers = Array.from({ length: partitions }, (_, p) => consumer(p));

    // A deterministic spread of threads, pauses and rollbacks (no Math.random: a failure replays).
    let state = 7;
    // The high bits of a linear congruential generator: its low bits cycle with a short period.
    const next = () => Math.floor((state = (state * 1103515245 + 12345) % 2147483648) / 65536);
    await Promise.all(
      Array.from({ length: writers }, async () => {
        for (let i = 0; i < perWriter; i++) {
          const thread = (next() % threadCount) + 1;
          const partition = thread % partitions;
          const pauseMs = (next() % 4) / 1000;
          const rollback = next() % 10 === 0;
          try {
            const event = await sequelize.transaction(async (t) => {
              const e = await outbox.appendPost(t, partition, thread, `{"thread":${thread}}`);
              // Hold the partition for a moment, so commits on it queue and the others interleave.
              await sequelize.query('SELECT pg_sleep($1)', { bind: [pauseMs], transaction: t });
              if (rollback) throw new Error('rollback');
              return e;
            });
            committed.push(event);
          } catch (err) {
            if ((err as Error).message !== 'rollback') throw err;
            rolledBack++;
          }
        }
      }),
    );
    writing = false;
    await Promise.all(consumers);

    expect(rolledBack, 'some transactions rolled back').to.be.greaterThan(0);
    expect(committed.length + rolledBack).to.equal(writers * perWriter);
    const key = (e: PartitionedEvent) => `${e.partition}:${e.seq}:${e.thread}:${e.floor}`;
    const all = [...consumed.values()].flat();
    expect(all.map(key).sort()).to.deep.equal(committed.map(key).sort());
    for (let p = 0; p < partitions; p++) {
      const seqs = consumed.get(p)!.map((e) => e.seq);
      expect(seqs, `partition ${p} dense from 1`).to.deep.equal(seqs.map((_, i) => i + 1));
      expect(seqs.length, `partition ${p} had writes`).to.be.greaterThan(0);
    }
    for (let thread = 1; thread <= threadCount; thread++) {
      const floors = consumed.get(thread % partitions)!.filter((e) => e.thread === thread).map((e) => e.floor);
      expect(floors, `thread ${thread} in floor order with no holes`).to.deep.equal(floors.map((_, i) => i + 1));
    }
  });
});
