/**
 * Crash safety on a real process: Resonance runs as a child, takes a burst of replies and mention
 * batches, and is SIGKILLed in the middle (at a crash point, or from outside at a random moment),
 * then restarted on the same DATA_DIR. Everything it acknowledged (201 posts, 202 mentions) must be
 * in the database, in the search index exactly once, and replayed to a live thread. On both
 * search backends, and on PostgreSQL (a child on DATABASE_URL: the same kills, since a write's
 * transaction, its outbox rows and the analyses' storage are the database's).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { expect } from 'chai';
import { startChildServer, tempDataDir, type ChildServer } from '../support/child-server';
import { burst, expectNothingLost, setUpCommunity } from '../support/burst';
import { requireElasticsearch } from '../support/elasticsearch';
import { requirePostgres, type PostgresCluster } from '../support/postgres-cluster';
import { resetPostgres } from '../support/server';

// An upper bound, not the size: the burst goes on until the process dies (a crash point in the
// pipeline fires after a number of bulk writes that depends on batching, so it needs the load).
const BURST = 600;

/** Where the process dies: a crash point (`name:n`, see server/crashPoints.ts) or from outside. */
const KILLS: { what: string; crashAt?: string }[] = [
  { what: 'after a reply commits, before its 201', crashAt: 'post.committed:60' },
  { what: 'after a mention batch commits, before its 202', crashAt: 'mentions.committed:8' },
  { what: 'during analysis', crashAt: 'analysis:70' },
  { what: 'before a bulk index write', crashAt: 'indexer.bulk.before:4' },
  { what: 'after a bulk index write, before its analyses are stored', crashAt: 'indexer.bulk.after:4' },
  { what: 'from outside at a random moment mid-burst' },
];

// On Elasticsearch, the points where the backend differs (its bulk writes), and a kill from
// outside: the request path is the same on both (and each Elasticsearch run costs ~30 s).
const ES_KILLS: typeof KILLS = [
  { what: 'before a bulk index write', crashAt: 'indexer.bulk.before:2' },
  { what: 'after a bulk index write, before its analyses are stored', crashAt: 'indexer.bulk.after:2' },
  { what: 'from outside at a random moment mid-burst' },
];

/** Where the child keeps its data and its index: SQLite with either search backend, or PostgreSQL with the embedded one. */
const TARGETS = [
  { name: 'embedded', kills: KILLS },
  { name: 'elasticsearch', kills: ES_KILLS },
  { name: 'postgres', kills: KILLS },
] as const;

for (const target of TARGETS) {
  describe(`resilience: SIGKILL mid-burst, restart, nothing acknowledged is lost (${target.name})`, function () {
    this.timeout(180_000);
    let searchEnv: Record<string, string> = {};
    let es: { url: string; prefix: string } | undefined;
    /** PostgreSQL: TEST_DATABASE_URL (`npm run test:postgres`), else a throwaway cluster of our own. */
    let databaseUrl: string | undefined;
    let cluster: PostgresCluster | undefined;
    const servers: ChildServer[] = [];
    const dirs: string[] = [];

    before(async function () {
      if (target.name === 'elasticsearch') {
        const handle = await requireElasticsearch(this);
        es = { url: handle.url, prefix: `resil_${crypto.randomBytes(4).toString('hex')}` };
      }
      if (target.name === 'postgres') {
        const pg = await requirePostgres(this, 'resonance_crash');
        databaseUrl = pg.url;
        cluster = pg.cluster;
      }
    });
    afterEach(async () => {
      for (const s of servers.splice(0)) await s.kill();
      for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
    });
    after(() => cluster?.destroy());

    for (const kill of target.kills) {
      it(`killed ${kill.what}${kill.crashAt ? ` (${kill.crashAt})` : ''}`, async () => {
        const dataDir = tempDataDir();
        dirs.push(dataDir);
        // A prefix per run: each run's index holds only its own documents.
        const prefix = es ? `${es.prefix}_${dirs.length}${crypto.randomBytes(2).toString('hex')}` : undefined;
        searchEnv = es && prefix ? { ELASTICSEARCH_URL: es.url, ELASTICSEARCH_INDEX_PREFIX: prefix } : {};
        // A fresh schema per run, as a fresh DATA_DIR is a fresh SQLite file.
        if (databaseUrl) await resetPostgres(databaseUrl);
        const dbEnv: Record<string, string> = databaseUrl ? { DATABASE_URL: databaseUrl } : {};
        const first = await startChildServer({ DATA_DIR: dataDir, ...dbEnv, ...searchEnv, ...(kill.crashAt ? { RESONANCE_CRASH_AT: kill.crashAt } : {}) });
        servers.push(first);
        const community = await setUpCommunity(first.url);
        // From outside: after a random number of acknowledged replies, as a real kill would land.
        const killAfter = 20 + crypto.randomInt(120);
        const ack = await burst(first.url, community, {
          posts: BURST,
          onPost: kill.crashAt ? undefined : (a) => a.posts.length === killAfter && void first.kill(),
        });
        // A crash point in the pipeline may fire after the last request: wait for it (it must fire).
        const how = await Promise.race([first.exited, new Promise((r) => setTimeout(() => r('still running'), 30_000))]);
        expect(how, `the server should have died (${kill.crashAt ?? 'outside kill'}); stderr:\n${first.stderr()}`).to.equal('SIGKILL');
        if (kill.crashAt) expect(first.stderr()).to.include(`crash point ${kill.crashAt.split(':')[0]}: SIGKILL`);
        expect([...ack.refused], 'no request may be refused before the kill').to.deep.equal([]);
        expect(ack.posts.length, 'some replies were acknowledged before the kill').to.be.greaterThan(0);

        // The same port: the community's clients keep talking to the same address.
        const second = await startChildServer({ DATA_DIR: dataDir, PORT: String(first.port), ...dbEnv, ...searchEnv });
        servers.push(second);
        await expectNothingLost(second.url, { dataDir, databaseUrl }, community, ack, es && prefix ? { url: es.url, prefix } : undefined);
        console.log(`      ${target.name} ${kill.crashAt ?? 'outside'}: ${ack.posts.length} replies + ${ack.mentions.length} mentions acknowledged, ${ack.unanswered} unanswered; all stored, indexed once, replayed`);
      });
    }
  });
}
