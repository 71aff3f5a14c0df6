/**
 * The partitioned outbox of docs/scaling.md (§1, path 1), as a prototype on tables of its own, so
 * that its two claims can be proven on a real PostgreSQL before the product's outbox moves to it:
 * writers on different partitions commit concurrently, and within a partition the order a consumer
 * reads is the commit order (so a cursor never passes an event that commits later).
 *
 * Today every write takes one global advisory lock and the outbox id is a global BIGSERIAL. Here
 * each partition has a head row holding its last sequence number. A write allocates its numbers
 * with `UPDATE … SET seq = seq + n … RETURNING seq`: the row lock that UPDATE takes is held to the
 * end of COMMIT, so it is the partition's write lock, and a second writer on the same partition
 * waits for it and then reads the committed head. A rollback undoes the increment, so a partition's
 * numbers are dense (1, 2, 3, … with no holes): a consumer that reads a hole has found a bug, and
 * the tests check for exactly that. No advisory lock is needed, and one round trip fewer is taken.
 *
 * Partition = chapter for forum writes (a thread lives in one chapter, so per-thread order holds),
 * source for mentions. Used by test/integration/partitioned-outbox.test.ts and by
 * `bench/scale-out.bench.ts --lock-only` (the write ceiling with P partitions).
 */
import type { Sequelize, Transaction } from 'sequelize';

export interface PartitionedEvent {
  partition: number;
  seq: number;
  thread: number;
  floor: number;
}

/** The tables, prefixed so that a test and a bench can share a database without meeting. */
export function partitionedOutbox(sequelize: Sequelize, prefix = 'p') {
  const heads = `${prefix}_outbox_heads`;
  const events = `${prefix}_outbox_events`;
  const threads = `${prefix}_threads`;

  return {
    /** (Re)create the tables with `partitions` partitions and `threadCount` threads at floor 0. */
    async install(partitions: number, threadCount: number): Promise<void> {
      await sequelize.query(`DROP TABLE IF EXISTS ${heads}, ${events}, ${threads}`);
      await sequelize.query(`CREATE TABLE ${heads} (partition INTEGER PRIMARY KEY, seq BIGINT NOT NULL DEFAULT 0)`);
      await sequelize.query(
        `CREATE TABLE ${events} (partition INTEGER NOT NULL, seq BIGINT NOT NULL, thread INTEGER NOT NULL, floor INTEGER NOT NULL, payload TEXT NOT NULL, "createdAt" TIMESTAMPTZ NOT NULL DEFAULT now(), PRIMARY KEY (partition, seq))`,
      );
      await sequelize.query(`CREATE TABLE ${threads} (id INTEGER PRIMARY KEY, floors INTEGER NOT NULL DEFAULT 0)`);
      await sequelize.query(`INSERT INTO ${heads} (partition) SELECT g FROM generate_series(0, ${partitions - 1}) g`);
      await sequelize.query(`INSERT INTO ${threads} (id) SELECT g FROM generate_series(1, ${threadCount}) g`);
    },

    /**
     * A post-shaped write inside transaction t: the thread's floor counter, then one outbox event in
     * the thread's partition. The floor counter comes first, as in Resonance's post transaction; the
     * head row (the partition lock) is taken last, so the statements before it run concurrently.
     */
    async appendPost(t: Transaction, partition: number, thread: number, payload: string): Promise<PartitionedEvent> {
      const [[{ floors }]] = (await sequelize.query(`UPDATE ${threads} SET floors = floors + 1 WHERE id = $1 RETURNING floors`, {
        bind: [thread],
        transaction: t,
      })) as unknown as [[{ floors: number }]];
      const [[{ seq }]] = (await sequelize.query(`UPDATE ${heads} SET seq = seq + 1 WHERE partition = $1 RETURNING seq`, {
        bind: [partition],
        transaction: t,
      })) as unknown as [[{ seq: string }]];
      await sequelize.query(`INSERT INTO ${events} (partition, seq, thread, floor, payload) VALUES ($1, $2, $3, $4, $5)`, {
        bind: [partition, seq, thread, floors, payload],
        transaction: t,
      });
      return { partition, seq: Number(seq), thread, floor: floors };
    },

    /** A consumer's read: the partition's events after its cursor, in sequence order. */
    async after(partition: number, afterSeq: number, limit = 500): Promise<PartitionedEvent[]> {
      const [rows] = (await sequelize.query(`SELECT partition, seq, thread, floor FROM ${events} WHERE partition = $1 AND seq > $2 ORDER BY seq LIMIT $3`, {
        bind: [partition, afterSeq, limit],
      })) as unknown as [Array<{ partition: number; seq: string; thread: number; floor: number }>];
      return rows.map((r) => ({ partition: r.partition, seq: Number(r.seq), thread: r.thread, floor: r.floor }));
    },

    async drop(): Promise<void> {
      await sequelize.query(`DROP TABLE IF EXISTS ${heads}, ${events}, ${threads}`);
    },
  };
}

export type PartitionedOutbox = ReturnType<typeof partitionedOutbox>;
