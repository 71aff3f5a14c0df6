/**
 * Several workers as real processes: one web process and two workers on one database (SQLite
 * here; PostgreSQL under `npm run test:postgres`). The workers share the durable lanes, one
 * holder each (server/cluster/leases.ts); when the worker holding the indexer is SIGKILLed, the
 * other takes every lane over and the pipeline goes on: posts are indexed once each and alerts
 * raised; a third worker joining takes its share.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { Client } from '../support/client';
import { freePort } from '../support/elasticsearch';
import { indexedIds, postgresRows, sqliteRows } from '../support/burst';
import { resetPostgres } from '../support/server';
import { waitFor } from '../support/wait';

const ADMIN = { username: 'lease_admin', password: 'lease-admin-pw-1' };
const LANES = ['alerts', 'index', 'notify', 'notify-messages', 'webhooks'];

describe('several workers: lanes shared by lease, taken over when one dies', function () {
  this.timeout(180_000);
  const children: ChildProcess[] = [];
  let dataDir = '';
  let env: Record<string, string> = {};
  let web: Client;
  let admin: Client;
  const databaseUrl = process.env.TEST_DATABASE_URL;

  function start(role: 'web' | 'worker', extra: Record<string, string> = {}): ChildProcess {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', ...env, ...extra, RESONANCE_ROLE: role },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    children.push(child);
    return child;
  }

  /** Lane → the pid of the process holding it. */
  async function holders(): Promise<Map<string, number>> {
    const sql = 'SELECT "name", "owner" FROM "worker_leases"';
    const rows = databaseUrl ? await postgresRows<{ name: string; owner: string }>(databaseUrl, sql) : await sqliteRows<{ name: string; owner: string }>(path.join(dataDir, 'resonance.sqlite'), sql);
    return new Map(rows.filter((r) => LANES.includes(r.name)).map((r) => [r.name, Number(r.owner.split('/').at(-2))]));
  }

  const pidsOf = (h: Map<string, number>) => [...h.values()].sort();
  const count = (h: Map<string, number>, pid: number) => [...h.values()].filter((p) => p === pid).length;

  /** A negative post in a new thread: the indexer must index it, the alert rules raise a case on it. */
  async function incident(author: Client, text: string): Promise<{ threadId: string; postId: string }> {
    const res = await author.post('/api/v1/threads', { title: '地库里的情况', body: text });
    expect(res.status, res.text).to.equal(201);
    return { threadId: String(res.body.thread.id), postId: String(res.body.post.id) };
  }

  async function expectHandled(post: { threadId: string; postId: string }, who: string): Promise<void> {
    await waitFor(async () => (await indexedIds(dataDir)).get(`post:${post.postId}`) === 1, `post ${post.postId} indexed (${who})`, 60_000, 100);
    await waitFor(
      async () => ((await admin.get('/api/v1/alerts?status=active')).body.items as { subject: { threadId?: string } }[]).some((a) => a.subject.threadId === post.threadId),
      `a case raised on thread ${post.threadId} (${who})`,
      60_000,
      200,
    );
  }

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'resonance-leases-'));
    if (databaseUrl) await resetPostgres(databaseUrl);
    env = {
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      RESONANCE_ADMIN: `${ADMIN.username}:${ADMIN.password}`,
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
      OUTBOX_POLL_MS: '100',
      // Rounds every second; takeover of a killed worker on this host needs no wait at all.
      WORKER_LEASE_SECONDS: '3',
      RATE_LIMIT_API_PER_MINUTE: '100000',
      RATE_LIMIT_POSTS_PER_MINUTE: '10000',
      RATE_LIMIT_REGISTRATIONS_PER_MINUTE: '1000',
      SESSION_SECRET: 'worker-leases-test-secret-0123',
    };
    const port = await freePort();
    start('web', { PORT: String(port) }); // migrates first; the workers start on the schema
    const url = `http://127.0.0.1:${port}`;
    await waitFor(async () => (await fetch(`${url}/healthz`).catch(() => null))?.ok === true, 'the web process', 60_000, 100);
    web = new Client(url);
    admin = new Client(url);
    const login = await admin.post('/api/v1/auth/login', ADMIN);
    expect(login.status, login.text).to.equal(200);
    admin.withToken(login.body.token);
    const reg = await web.post('/api/v1/auth/register', { username: 'lease_fan', password: 'password-123' });
    expect(reg.status, reg.text).to.equal(201);
    web.withToken(reg.body.token);
  });

  after(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('two workers split the lanes, one holder each, and the pipeline runs through both', async () => {
    const w1 = start('worker', { PORT: '0' });
    const w2 = start('worker', { PORT: '0' });
    await waitFor(async () => {
      const h = await holders();
      return h.size === LANES.length && count(h, w1.pid!) >= 2 && count(h, w2.pid!) >= 2;
    }, 'both workers holding lanes (3 and 2)', 90_000, 200);
    const h = await holders();
    expect(pidsOf(h).filter((p) => p !== w1.pid && p !== w2.pid), 'lanes held by the two workers only').to.deep.equal([]);
    expect((await (await fetch(`${web.baseUrl}/healthz`)).json()).pipeline.workers, '/healthz counts the workers').to.equal(2);
    expect(h.get('index'), 'the indexer and the alert rules, the two heaviest lanes, in different workers').to.not.equal(h.get('alerts'));
    await expectHandled(await incident(web, '今天下午地库里有台车的电池起火了，消防已经到场，太危险了。'), 'two workers');
  });

  it('when the worker holding the indexer is SIGKILLed, the other takes every lane and nothing is lost', async () => {
    const before = await holders();
    const victim = children.find((c) => c.pid === before.get('index'))!;
    const survivor = children.find((c) => c !== victim && c.pid !== undefined && [...before.values()].includes(c.pid))!;
    // Posts made while it dies: each must still be indexed, once.
    const pending = [await incident(web, '刚提的新车刹车失灵，差点追尾，售后到现在没人管。')];
    victim.kill('SIGKILL');
    pending.push(await incident(web, '充电的时候电池冒烟了，吓死人，官方赶紧出来说明。'));
    await waitFor(async () => count(await holders(), survivor.pid!) === LANES.length, 'the survivor holding every lane', 60_000, 200);
    expect((await (await fetch(`${web.baseUrl}/healthz`)).json()).pipeline.workers).to.equal(1);
    for (const post of pending) await expectHandled(post, 'after the kill');
  });

  it('a third worker joining takes its share from the survivor', async () => {
    const joined = start('worker', { PORT: '0' });
    await waitFor(async () => {
      const h = await holders();
      return h.size === LANES.length && count(h, joined.pid!) >= 2;
    }, 'the new worker holding its share', 60_000, 200);
    const h = await holders();
    expect(new Set(h.values()).size, 'two holders now').to.equal(2);
    await expectHandled(await incident(web, '车机黑屏以后方向盘也锁死了，高速上非常危险。'), 'after the join');
  });
});
