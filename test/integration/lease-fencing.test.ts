/**
 * Fencing (server/cluster/fence.ts): a lane whose process froze past its lease must not commit
 * the batch it had in hand once it wakes, because the lease's new holder does that work. The
 * freeze is played by a handler held at a gate while the lease row is given to another owner (as
 * the other process's keeper would), on the real server's keeper and dispatcher.
 */
import { expect } from 'chai';
import { startServer, type TestServer } from '../support/server';
import { buildThread } from '../support/factories';
import { db, withTransaction } from '../../server/db';
import { sqlRows } from '../../server/sql';
import { ProcessorCursor } from '../../server/models';
import type { Processor } from '../../server/workers/dispatcher';
import type { StoredEvent } from '../../server/events';

const LANE = 'test-fenced';
const OTHER = 'another-worker';

async function effects(): Promise<number[]> {
  const rows = await sqlRows<{ postId: number | string }>('SELECT "postId" FROM "fence_effects" ORDER BY "postId"');
  return rows.map((r) => Number(r.postId));
}

async function setLease(owner: string, expiresAt: number): Promise<void> {
  await withTransaction((t) => sqlRows('UPDATE "worker_leases" SET "owner" = $1, "expiresAt" = $2 WHERE "name" = $3', [owner, expiresAt, LANE], t));
}

async function until(what: string, test: () => Promise<boolean> | boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await test())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('lease fencing', function () {
  this.timeout(60_000);
  let server: TestServer;
  let gate: Promise<void> | null = null;
  let entered: number[] = [];
  /** false: the handler writes nothing, so only the cursor save can notice the lease is gone. */
  let writes = true;
  const lane: Processor<'post.created'> = {
    name: LANE,
    handles: ['post.created'],
    async handle(event: StoredEvent<'post.created'>) {
      entered.push(event.postId);
      if (gate) await gate; // the freeze: the lease changes hands while this batch is in hand
      if (writes) await withTransaction((t) => sqlRows('INSERT INTO "fence_effects" ("postId") VALUES ($1)', [event.postId], t));
    },
  };

  beforeEach(async () => {
    entered = [];
    gate = null;
    writes = true;
    // Rounds only when a test calls keeper.round(): a timed one could renew a lease a test expired.
    server = await startServer({ WORKER_LEASE_SECONDS: '600' }, { processors: [lane as Processor] });
    await db().query('CREATE TABLE "fence_effects" ("postId" INTEGER NOT NULL)');
  });
  afterEach(() => server.close());

  /**
   * The freeze: a new post's handler is held at the gate while `moveLease` changes the lease row
   * (as the other process's keeper would); then it goes on, and we wait for the lane to stop.
   */
  async function freezeWhileLeaseMoves(moveLease: () => Promise<void>) {
    let release!: () => void;
    gate = new Promise((resolve) => (release = resolve));
    const built = await buildThread();
    await until('the lane to take the post', () => entered.includes(built.post.id));
    await moveLease();
    release();
    await until('the lane to stop', () => !server.resonance.dispatcher.activeLanes().includes(LANE));
    gate = null;
    return built;
  }

  it('a lane that lost its lease mid-batch commits nothing; the new holder does the work once', async () => {
    const keeper = server.resonance.leases!;
    expect(keeper.held()).to.include(LANE);
    const first = await buildThread();
    await server.resonance.dispatcher.drain(10_000);
    expect(await effects()).to.deep.equal([first.post.id]);
    const savedBefore = (await ProcessorCursor.findByPk(LANE))!.lastEventId;

    // Meanwhile the lease ran out and another worker took it.
    const second = await freezeWhileLeaseMoves(() => setLease(OTHER, Date.now() + 60_000));
    expect(await effects(), 'the stale holder wrote nothing').to.deep.equal([first.post.id]);
    expect((await ProcessorCursor.findByPk(LANE))!.lastEventId).to.equal(savedBefore);

    // The keeper's next round sees the lane is another's and keeps its hands off it.
    await keeper.round();
    expect(keeper.held()).to.not.include(LANE);
    expect(await effects()).to.deep.equal([first.post.id]);

    // The other worker dies; its lease runs out; this process takes the lane back and does the work, once.
    await setLease(OTHER, Date.now() - 1);
    await keeper.round();
    expect(keeper.held()).to.include(LANE);
    await until('the second post to be handled', async () => (await effects()).length === 2);
    await server.resonance.dispatcher.drain(10_000);
    expect(await effects()).to.deep.equal([first.post.id, second.post.id]);
  });

  it('a lease that ran out with nobody taking it over fences too, and the keeper renews and resumes the lane', async () => {
    const keeper = server.resonance.leases!;
    // Still ours by name, but expired: a process that froze past its lease and was not replaced yet.
    const post = await freezeWhileLeaseMoves(async () => {
      const [{ owner }] = await sqlRows<{ owner: string }>('SELECT "owner" FROM "worker_leases" WHERE "name" = $1', [LANE]);
      await setLease(owner, Date.now() - 1);
    });
    expect(await effects()).to.deep.equal([]);
    await keeper.round();
    await until('the post to be handled', async () => (await effects()).length === 1);
    await server.resonance.dispatcher.drain(10_000);
    expect(await effects()).to.deep.equal([post.post.id]);
    expect(server.resonance.dispatcher.activeLanes()).to.include(LANE);
  });

  it('a lane that handled its batch without writing does not save its cursor once the lease is gone', async () => {
    const first = await buildThread();
    await server.resonance.dispatcher.drain(10_000);
    const savedBefore = (await ProcessorCursor.findByPk(LANE))!.lastEventId;
    writes = false;
    // Only the fenced cursor save can notice: the handler made no transaction of its own.
    await freezeWhileLeaseMoves(() => setLease(OTHER, Date.now() + 60_000));
    expect((await ProcessorCursor.findByPk(LANE))!.lastEventId, 'the cursor the new holder owns').to.equal(savedBefore);
    expect(server.resonance.leases!.held()).to.not.include(LANE);
    expect(await effects()).to.deep.equal([first.post.id]);
  });
});
