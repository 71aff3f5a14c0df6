/**
 * Engine outages under a real Resonance process: Elasticsearch unreachable during a burst,
 * PostgreSQL stopped and started again, and the disk under DATA_DIR full. Posting must answer
 * clearly (201 while only search is down; 503 `unavailable` with Retry-After while the database
 * cannot be reached or written) and the server must recover by itself, losing nothing it
 * acknowledged.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { startChildServer, tempDataDir, type ChildServer } from '../support/child-server';
import { burst, drained, indexedIds, setUpCommunity, sqliteRows, threadPostIds, type Community } from '../support/burst';
import { requireElasticsearch } from '../support/elasticsearch';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';
import { startPostgresCluster, type PostgresCluster } from '../support/postgres-cluster';
import { waitFor } from '../support/wait';

interface Health {
  db: string;
  search: string;
  pipeline: { lagSeconds: number; backlog: number };
}
const health = async (url: string): Promise<{ status: number; body: Health }> => {
  const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(10_000) });
  return { status: res.status, body: (await res.json()) as Health };
};

/** A reply, answered within a deadline (a hang fails the test instead of stalling it). */
async function reply(url: string, community: Community, body: string) {
  const res = await fetch(`${url}/api/v1/threads/${community.threadId}/posts`, {
    method: 'POST',
    // English, so the message can be checked for what it says (zh-CN is the default).
    headers: { 'content-type': 'application/json', 'accept-language': 'en', authorization: `Bearer ${community.member.token}` },
    body: JSON.stringify({ body }),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: text ? JSON.parse(text) : null, text };
}

describe('resilience: Elasticsearch unreachable during a burst', function () {
  this.timeout(180_000);
  let server: ChildServer | undefined;
  let proxy: TcpProxy | undefined;
  let dataDir = '';
  after(async () => {
    await server?.kill();
    await proxy?.close();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps posting (201), shows the backlog and lag rising, and drains it fully once Elasticsearch is back', async function () {
    const es = await requireElasticsearch(this);
    // Cutting a proxy is what a stopped node looks like to the server (connections refused),
    // without stopping the Elasticsearch the other suites share.
    proxy = await startTcpProxy(es.url);
    dataDir = tempDataDir();
    const prefix = `resil_outage_${Date.now()}`;
    server = await startChildServer({ DATA_DIR: dataDir, ELASTICSEARCH_URL: proxy.url, ELASTICSEARCH_INDEX_PREFIX: prefix });
    const community = await setUpCommunity(server.url);
    const before = await burst(server.url, community, { posts: 40, mentionEvery: 1000 });
    await drained(server.url);

    await proxy.cut();
    await waitFor(async () => (await health(server!.url)).body.search === 'down', 'healthz to report search down', 30_000, 100);
    const during = await burst(server.url, community, { posts: 120, mentionEvery: 10, stopWhenGone: false });
    expect([...during.refused], 'posting goes on while search is down').to.deep.equal([]);
    expect(during.unanswered).to.equal(0);
    expect(during.posts.length).to.equal(108);
    const first = (await health(server.url)).body.pipeline;
    expect(first.backlog, 'the backlog while Elasticsearch is down').to.be.greaterThan(0);
    let later = first;
    await waitFor(async () => (later = (await health(server!.url)).body.pipeline).lagSeconds > first.lagSeconds, 'the lag to rise while Elasticsearch is down', 30_000, 200);
    expect(later.backlog).to.be.at.least(first.backlog);

    await proxy.restore();
    await drained(server.url, 120_000);
    const end = (await health(server.url)).body;
    expect(end.pipeline).to.deep.equal({ backlog: 0, lagSeconds: 0, workers: 1 });
    expect(end.search).to.equal('ok');
    const indexed = await indexedIds(dataDir, { url: es.url, prefix });
    const notOnce = [...before.posts, ...during.posts].map((id) => `post:${id}`).filter((id) => indexed.get(id) !== 1);
    expect(notOnce, 'every post indexed exactly once after the outage').to.deep.equal([]);
    expect(during.mentions.length).to.equal(60);
    expect([...indexed.keys()].filter((id) => id.startsWith('mention:')).length).to.equal(60);
  });
});

describe('resilience: PostgreSQL stopped and started again', function () {
  this.timeout(180_000);
  let cluster: PostgresCluster | undefined;
  let server: ChildServer | undefined;
  let dataDir = '';
  before(async function () {
    try {
      cluster = await startPostgresCluster('resonance_resil');
    } catch (err) {
      if (process.env.CI === 'true') throw err;
      console.warn(`\n  [postgres] SKIPPING: no throwaway PostgreSQL cluster: ${(err as Error).message}`);
      this.skip();
    }
  });
  after(async () => {
    await server?.kill();
    cluster?.destroy();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers 503 unavailable with Retry-After while it is down (no 500, no hang) and recovers without a restart', async () => {
    dataDir = tempDataDir();
    server = await startChildServer({ DATA_DIR: dataDir, DATABASE_URL: cluster!.url, OUTAGE_RETRY_AFTER_SECONDS: '7' });
    const community = await setUpCommunity(server.url);
    const before = await burst(server.url, community, { posts: 30, mentionEvery: 1000 });
    expect(before.posts.length).to.equal(30);

    cluster!.pause();
    for (let i = 0; i < 5; i++) {
      const res = await reply(server.url, community, `while the database is down ${i}`);
      expect(res.status, res.text).to.equal(503);
      expect(res.body.error.code).to.equal('unavailable');
      expect(res.body.error.message).to.match(/database/i);
      expect(res.retryAfter, 'Retry-After from OUTAGE_RETRY_AFTER_SECONDS').to.equal('7');
    }
    const read = await fetch(`${server.url}/api/v1/threads/${community.threadId}`, { headers: { authorization: `Bearer ${community.member.token}` }, signal: AbortSignal.timeout(15_000) });
    expect(read.status).to.equal(503);
    expect(((await read.json()) as { error: { code: string } }).error.code).to.equal('unavailable');
    const down = await health(server.url);
    expect(down.status).to.equal(503);
    expect(down.body.db).to.equal('down');

    cluster!.resume();
    await waitFor(async () => (await reply(server!.url, community, 'the database is back')).status === 201, 'posting to work again', 60_000, 250);
    expect(server.child.exitCode, 'the server kept running').to.equal(null);
    const after = await burst(server.url, community, { posts: 30, mentionEvery: 1000 });
    expect([...after.refused]).to.deep.equal([]);
    await drained(server.url);
    const stored = new Set(await threadPostIds(community.member, community.threadId));
    expect([...before.posts, ...after.posts].filter((id) => !stored.has(id))).to.deep.equal([]);
  });
});

describe('resilience: the disk under DATA_DIR full', function () {
  this.timeout(180_000);
  let mountPoint = '';
  let server: ChildServer | undefined;
  before(function () {
    const why = process.getuid?.() !== 0 ? 'not root (mounting a small tmpfs needs root)' : null;
    mountPoint = tempDataDir();
    let mountError = why;
    if (!why) {
      try {
        execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=24m', 'tmpfs', mountPoint], { stdio: 'pipe' });
      } catch (err) {
        mountError = `mount -t tmpfs failed: ${(err as Error).message}`;
      }
    }
    if (mountError) {
      if (process.env.CI === 'true') throw new Error(`CI=true and the disk-full test cannot run: ${mountError}`);
      console.warn(`\n  [disk full] SKIPPING: ${mountError}`);
      this.skip();
    }
  });
  after(async () => {
    await server?.kill();
    if (mountPoint) {
      try {
        execFileSync('umount', [mountPoint], { stdio: 'pipe' });
      } catch {
        /* never mounted */
      }
      fs.rmSync(mountPoint, { recursive: true, force: true });
    }
  });

  it('answers 503 with a clear message, corrupts nothing, loses no 201 post and recovers once space returns', async () => {
    const dataDir = path.join(mountPoint, 'data');
    fs.mkdirSync(dataDir);
    server = await startChildServer({ DATA_DIR: dataDir });
    const community = await setUpCommunity(server.url);
    const acknowledged: string[] = [];
    const before = await burst(server.url, community, { posts: 20, mentionEvery: 1000 });
    acknowledged.push(...before.posts);
    await drained(server.url);

    // Fill what is left of the filesystem.
    const filler = path.join(mountPoint, 'filler');
    const fd = fs.openSync(filler, 'w');
    const chunk = Buffer.alloc(256 * 1024, 1);
    try {
      for (;;) fs.writeSync(fd, chunk);
    } catch (err) {
      expect((err as NodeJS.ErrnoException).code).to.equal('ENOSPC');
    }
    try {
      for (;;) fs.writeSync(fd, chunk.subarray(0, 4096));
    } catch {
      /* every last block taken */
    }
    fs.closeSync(fd);

    // SQLite may still have room in pages it already holds: write until the disk says no.
    let refused: Awaited<ReturnType<typeof reply>> | null = null;
    for (let i = 0; i < 3000 && !refused; i++) {
      const res = await reply(server.url, community, `filling the disk ${i} ${'续航很满意，车机太拉胯了。'.repeat(40)}`);
      if (res.status === 201) acknowledged.push(String(res.body.post.id));
      else refused = res;
    }
    expect(refused, 'a write must be refused once the disk is full').to.not.equal(null);
    expect(refused!.status, refused!.text).to.equal(503);
    expect(refused!.body.error.code).to.equal('unavailable');
    expect(refused!.body.error.message).to.match(/storage/i);
    expect(Number(refused!.retryAfter)).to.be.greaterThan(0);
    expect(server.child.exitCode, 'the server kept running').to.equal(null);

    const integrity = await sqliteRows<{ integrity_check: string }>(path.join(dataDir, 'resonance.sqlite'), 'PRAGMA integrity_check');
    expect(integrity.map((r) => r.integrity_check)).to.deep.equal(['ok']);
    const stored = new Set(await threadPostIds(community.member, community.threadId));
    expect(acknowledged.filter((id) => !stored.has(id)), 'every 201 post is still there').to.deep.equal([]);

    fs.rmSync(filler);
    await waitFor(async () => {
      const res = await reply(server!.url, community, 'space is back');
      if (res.status === 201) acknowledged.push(String(res.body.post.id));
      return res.status === 201;
    }, 'posting to work again once space returns', 60_000, 250);
    await drained(server.url);
    const indexed = await indexedIds(dataDir);
    expect(acknowledged.map((id) => `post:${id}`).filter((id) => indexed.get(id) !== 1), 'every 201 post indexed exactly once').to.deep.equal([]);
    const after = await sqliteRows<{ integrity_check: string }>(path.join(dataDir, 'search.sqlite'), 'PRAGMA integrity_check');
    expect(after.map((r) => r.integrity_check)).to.deep.equal(['ok']);
    // The outage was waited out, not mistaken for poison events.
    const dead = await sqliteRows<{ n: number }>(path.join(dataDir, 'resonance.sqlite'), 'SELECT count(*) AS n FROM "dead_events"');
    expect(dead[0].n, 'events dead-lettered during the outage').to.equal(0);
  });
});
