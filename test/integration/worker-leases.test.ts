/**
 * Worker leases (server/cluster/leases.ts) on the real database: lanes are shared out, one
 * holder each; a holder that is gone from this host loses them at once, one elsewhere only when
 * its lease runs out; a clean stop hands them over; a lane is stopped before its lease is given
 * back. (Several real worker processes, killed and joined: worker-processes.test.ts.)
 */
import os from 'node:os';
import { expect } from 'chai';
import { startServer, type TestServer } from '../support/server';
import { createLeaseKeeper, ownerOnThisHost, type LeaseKeeper } from '../../server/cluster/leases';
import { withTransaction } from '../../server/db';
import { sqlRows } from '../../server/sql';

const LANES = ['lane-a', 'lane-b', 'lane-c', 'lane-d', 'lane-e'];

/** A keeper whose lanes are a set we can read, with the order of gained/lost calls. */
function keeper(ttlMs = 60_000) {
  const running = new Set<string>();
  const calls: string[] = [];
  const k: LeaseKeeper & { running: Set<string>; calls: string[] } = Object.assign(
    createLeaseKeeper({
      names: LANES,
      ttlMs,
      async gained(name) {
        running.add(name);
        calls.push(`+${name}`);
      },
      async lost(name) {
        // The lane stops while its lease is still ours: nobody else can have started it yet.
        const [row] = await holders(name);
        calls.push(`-${name}:${row?.owner === k.owner ? 'still ours' : 'gone'}`);
        running.delete(name);
      },
    }),
    { running, calls },
  );
  return k;
}

async function holders(name?: string): Promise<{ name: string; owner: string }[]> {
  const rows = await sqlRows<{ name: string; owner: string }>('SELECT "name","owner" FROM "worker_leases" ORDER BY "name"');
  return rows.filter((r) => (name ? r.name === name : LANES.includes(r.name)));
}

async function plant(name: string, owner: string, expiresAt: number): Promise<void> {
  await withTransaction((t) => sqlRows('INSERT INTO "worker_leases" ("name","owner","expiresAt") VALUES ($1,$2,$3)', [name, owner, expiresAt], t));
}

/** A pid no process has (pid_max is at most 2^22 on Linux). */
const DEAD_PID = 4_194_400;

describe('worker leases', () => {
  let server: TestServer;
  const keepers: LeaseKeeper[] = [];
  let serverLanes: { held: string[]; active: string[] };
  beforeEach(async () => {
    server = await startServer();
    serverLanes = { held: server.resonance.leases?.held() ?? [], active: server.resonance.dispatcher.activeLanes() };
    // The server's own keeper holds its real lanes and is a member: take it out of the count.
    await server.resonance.leases?.stop();
  });
  afterEach(async () => {
    for (const k of keepers.splice(0)) await k.stop();
    await server.close();
  });

  it('one process alone holds every lane; the real server holds its durable lanes', async () => {
    const lone = keeper();
    keepers.push(lone);
    await lone.start();
    expect(lone.held()).to.deep.equal(LANES);
    expect([...lone.running].sort()).to.deep.equal(LANES);
    expect((await holders()).map((r) => r.owner)).to.deep.equal(LANES.map(() => lone.owner));
    // The real server (role all) held its durable lanes, and ran them, before we stopped its keeper.
    expect(serverLanes.held).to.deep.equal(['alerts', 'index', 'notify', 'notify-messages', 'webhooks']);
    for (const lane of serverLanes.held) expect(serverLanes.active).to.include(lane);
  });

  it('two processes share the lanes, each lane held by one of them, and a third joining takes its share', async () => {
    const a = keeper();
    const b = keeper();
    keepers.push(a, b);
    await a.start();
    expect(a.held()).to.have.length(5);
    await b.start(); // b is a member now; a gives back its extra lanes at its next round
    await a.round();
    await b.round();
    expect(a.held().length + b.held().length).to.equal(5);
    expect([a.held().length, b.held().length].sort()).to.deep.equal([2, 3]);
    expect(a.held().filter((n) => b.held().includes(n))).to.deep.equal([]);
    const rows = await holders();
    expect(rows.map((r) => r.name)).to.deep.equal(LANES);
    for (const r of rows) expect(r.owner === a.owner ? a.held() : b.held()).to.include(r.name);
    // What a gave back, it stopped first, while the lease was still its own.
    const released = a.calls.filter((c) => c.startsWith('-'));
    expect(released).to.have.length(2);
    for (const c of released) expect(c).to.match(/still ours$/);

    const c = keeper();
    keepers.push(c);
    await c.start();
    for (const k of [a, b, c, a, b, c]) await k.round();
    expect([a, b, c].map((k) => k.held().length).sort()).to.deep.equal([1, 2, 2]);
    expect(new Set([...a.held(), ...b.held(), ...c.held()]).size).to.equal(5);
  });

  it('a clean stop hands the lanes over at the next round of the others', async () => {
    const a = keeper();
    const b = keeper();
    keepers.push(b);
    await a.start();
    await b.start();
    await a.round();
    await b.round();
    expect(a.held()).to.not.be.empty;
    await a.stop();
    expect(a.running.size, 'a stopped every lane it held').to.equal(0);
    await b.round();
    expect(b.held()).to.deep.equal(LANES);
  });

  it('takes at once the lanes of a process gone from this host, but waits out the lease of a live one, a remote one or one in another pid namespace', async () => {
    const far = Date.now() + 3_600_000;
    await plant('lane-a', ownerOnThisHost(DEAD_PID, 'deadbeef'), far); // crashed here: its pid is gone
    await plant('lane-b', ownerOnThisHost(process.pid, 'otherkeeper'), far); // alive (this very process)
    await plant('lane-c', 'another-host/1234/cafebabe', far); // elsewhere: only its lease can tell
    await plant('lane-e', `${os.hostname()}~1/${DEAD_PID}/feedface`, far); // this host name, another pid namespace: its pids are not ours to check
    await plant('lane-d', 'another-host/1234/cafebabe', Date.now() - 1); // ... and this one ran out
    const k = keeper();
    keepers.push(k);
    await k.start();
    expect(k.held()).to.deep.equal(['lane-a', 'lane-d']);
    const rows = new Map((await holders()).map((r) => [r.name, r.owner]));
    expect(rows.get('lane-b')).to.equal(ownerOnThisHost(process.pid, 'otherkeeper'));
    expect(rows.get('lane-c')).to.equal('another-host/1234/cafebabe');
    expect(rows.get('lane-e')).to.equal(`${os.hostname()}~1/${DEAD_PID}/feedface`);
  });

  it('stops a lane at once when another process has taken it over (we froze past our lease)', async () => {
    const k = keeper();
    keepers.push(k);
    await k.start();
    expect(k.held()).to.deep.equal(LANES);
    await withTransaction((t) => sqlRows('UPDATE "worker_leases" SET "owner" = $1, "expiresAt" = $2 WHERE "name" = $3', ['another-host/1/x', Date.now() + 3_600_000, 'lane-e'], t));
    await k.round();
    expect(k.calls).to.include('-lane-e:gone');
    expect(k.held()).to.deep.equal(['lane-a', 'lane-b', 'lane-c', 'lane-d']);
    expect(k.running.has('lane-e')).to.equal(false);
  });
});
