/**
 * The scale-out topology on one machine, as real processes: three web processes and one worker
 * on one database (SQLite here; PostgreSQL under `npm run test:postgres`), Redis and
 * Elasticsearch on loopback.
 *
 * Every process polls the outbox only every 10 minutes (OUTBOX_POLL_MS) and trusts its thread
 * caches for 10 minutes (THREAD_CACHE_TTL_SECONDS), so anything that arrives within the test's
 * waits came over the Redis bus: without it these tests fail (remove REDIS_URL to see them fail).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { io as connectIo, type Socket } from 'socket.io-client';
import { freePort, requireElasticsearch } from '../support/elasticsearch';
import { Client } from '../support/client';
import { collect, openSocket, request, until, type TestSocket } from '../support/sockets';
import { requireRedis, type TestRedis } from '../support/redis';
import { resetPostgres } from '../support/server';
import { waitFor } from '../support/wait';

const ADMIN = { username: 'boss', password: 'boss-password-1' };

function startRole(role: 'web' | 'worker', env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    env: { ...process.env, ...env, RESONANCE_ROLE: role, LOG_LEVEL: 'warn', NODE_ENV: 'test' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

describe('scale-out: 3 web processes + 1 worker over Redis', function () {
  this.timeout(180_000);
  let redis: TestRedis;
  const children: ChildProcess[] = [];
  const urls: string[] = [];
  const sockets: Array<TestSocket | Socket> = [];
  let admin: Client;
  let threadId: string;

  before(async function () {
    const es = await requireElasticsearch(this);
    redis = await requireRedis(this);
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'resonance-scale-'));
    if (process.env.TEST_DATABASE_URL) await resetPostgres(process.env.TEST_DATABASE_URL);
    const env = {
      DATA_DIR: dataDir,
      HOST: '127.0.0.1',
      RESONANCE_ADMIN: `${ADMIN.username}:${ADMIN.password}`,
      ...(process.env.TEST_DATABASE_URL ? { DATABASE_URL: process.env.TEST_DATABASE_URL } : {}),
      ELASTICSEARCH_URL: es.url,
      ELASTICSEARCH_INDEX_PREFIX: `scale_${crypto.randomBytes(4).toString('hex')}`,
      REDIS_URL: redis.url,
      OUTBOX_POLL_MS: '600000',
      THREAD_CACHE_TTL_SECONDS: '600',
      RATE_LIMIT_POSTS_PER_MINUTE: '6',
      RATE_LIMIT_API_PER_MINUTE: '100000',
      RATE_LIMIT_REGISTRATIONS_PER_MINUTE: '1000',
      SESSION_SECRET: 'scale-out-test-secret-0123456789',
    };
    const ports = [await freePort(), await freePort(), await freePort()];
    // The first one migrates; the rest start once the schema is there.
    children.push(startRole('web', { ...env, PORT: String(ports[0]) }));
    urls.push(`http://127.0.0.1:${ports[0]}`);
    await waitFor(async () => (await fetch(`${urls[0]}/healthz`).catch(() => null))?.ok === true, 'web process A', 60_000);
    for (const port of ports.slice(1)) {
      children.push(startRole('web', { ...env, PORT: String(port) }));
      urls.push(`http://127.0.0.1:${port}`);
    }
    children.push(startRole('worker', { ...env, PORT: '0' }));
    for (const url of urls) {
      await waitFor(async () => {
        const r = await fetch(`${url}/healthz`).catch(() => null);
        return r?.ok === true && (await r.json()).redis === 'ok';
      }, `web process ${url} with redis`, 60_000);
    }
    // Every process (the worker too) is on the bus before anything is written.
    await waitFor(async () => (await numsub()) >= 4, 'all four processes subscribed', 60_000);
    admin = new Client(urls[0]);
    const login = await admin.post('/api/v1/auth/login', ADMIN);
    admin.withToken(login.body.token);
    const thread = await admin.post('/api/v1/threads', { title: '发布会直播帖', body: '一楼：欢迎大家' });
    expect(thread.status).to.equal(201);
    threadId = String(thread.body.thread.id);
  });

  after(async () => {
    for (const s of sockets) s.close();
    for (const c of children) c.kill('SIGKILL');
    await redis?.close();
  });

  async function numsub(): Promise<number> {
    const { connectRedis } = await import('../../server/cluster/redis');
    const link = connectRedis({ url: redis.url, keyPrefix: 'probe:', commandTimeoutMs: 500 });
    try {
      await waitFor(() => link.status() === 'ok', 'probe link', 5_000);
      const [, n] = (await link.commands.pubsub('NUMSUB', 'resonance:bus')) as [string, number];
      return Number(n);
    } finally {
      await link.close();
    }
  }

  async function member(name: string, on: string): Promise<{ client: Client; token: string }> {
    const reg = await new Client(on).post('/api/v1/auth/register', { username: name, password: 'password-123' });
    expect(reg.status).to.equal(201);
    return { client: new Client(on).withToken(reg.body.token), token: reg.body.token };
  }

  it('streams posts made through B and C to a reader on A (and each other), once each, and counts readers on all three', async () => {
    const readers: TestSocket[] = [];
    for (const url of urls) {
      const s = await openSocket(url);
      sockets.push(s);
      readers.push(s);
    }
    const presence = readers.map((s) => collect(s, 'presence:updated'));
    const seen = readers.map((s) => collect(s, 'post:created'));
    for (const s of readers) expect((await request(s, 'thread:join', { threadId })).ok).to.equal(true);
    for (const [i, updates] of presence.entries()) {
      await until(() => updates.some((p) => p.viewers === 3), 20_000, `reader on process ${'ABC'[i]} to count all three readers`);
    }

    const onB = await member('fan_b', urls[1]);
    const onC = await member('fan_c', urls[2]);
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const { client } = i % 2 ? onC : onB;
      const res = await client.post(`/api/v1/threads/${threadId}/posts`, { body: `经由 ${i % 2 ? 'C' : 'B'} 进程 #${i}` });
      expect(res.status).to.equal(201);
      ids.push(String(res.body.post.id));
    }
    for (const [i, got] of seen.entries()) {
      const mine = () => got.map((e) => e.post.id).filter((id) => ids.includes(id));
      await until(() => mine().length >= ids.length, 20_000, `every post on process ${'ABC'[i]}`);
      // In commit order, each exactly once (a process delivers only to its own sockets).
      expect(mine()).to.deep.equal(ids);
    }
    await new Promise((r) => setTimeout(r, 500)); // anything duplicated would have arrived by now
    for (const got of seen) expect(got.map((e) => e.post.id).filter((id) => ids.includes(id))).to.deep.equal(ids);

    // Typing on B reaches the readers on A and C.
    const typist = await openSocket(urls[1], onB.token);
    sockets.push(typist);
    expect((await request(typist, 'thread:join', { threadId })).ok).to.equal(true);
    await until(() => presence[0].some((p) => p.viewers === 4), 20_000, 'A to count the typist on B');
    const typingOnA = collect(readers[0], 'typing');
    const typingOnC = collect(readers[2], 'typing');
    expect((await request(typist, 'typing:start', { threadId })).ok).to.equal(true);
    await until(() => typingOnA.length > 0 && typingOnC.length > 0, 20_000, 'typing on A and C');
    expect(typingOnA[0]).to.include({ threadId, username: 'fan_b' });

    // A reader leaving on C is counted out on A.
    readers[2].close();
    await until(() => presence[0].at(-1)?.viewers === 3, 20_000, 'A to count the reader on C out');
  });

  it('holds one member to one posting limit across the three processes', async () => {
    const { token } = await member('fan_limit', urls[0]);
    const statuses: number[] = [];
    for (let i = 0; i < 9; i++) {
      const res = await new Client(urls[i % 3]).withToken(token).post(`/api/v1/threads/${threadId}/posts`, { body: `限流 #${i}` });
      statuses.push(res.status);
    }
    // RATE_LIMIT_POSTS_PER_MINUTE=6 in all: six go through, wherever they land; then 429s.
    expect(statuses).to.deep.equal([201, 201, 201, 201, 201, 201, 429, 429, 429]);
  });

  it('serves an edit made through A from B at once (its caches are invalidated over the bus)', async () => {
    const { client, token } = await member('fan_edit', urls[0]);
    const thread = await client.post('/api/v1/threads', { title: '续航讨论', body: '大家的续航怎么样？' });
    const editId = thread.body.thread.id;
    const made = await client.post(`/api/v1/threads/${editId}/posts`, { body: '原文：续航一般' });
    const onB = new Client(urls[1]).withToken(token);
    const page = async () => (await new Client(urls[1]).get(`/t/${editId}`)).text;
    // B caches the thread (API and anonymous page) with the original text.
    await waitFor(async () => (await onB.get(`/api/v1/threads/${editId}`)).body.posts?.some((p: { body: string }) => p.body === '原文：续航一般'), 'B to read the post');
    expect(await page()).to.contain('原文：续航一般');
    const edited = await client.patch(`/api/v1/posts/${made.body.post.id}`, { body: '改正：续航很好' });
    expect(edited.status).to.equal(200);
    await waitFor(async () => (await onB.get(`/api/v1/threads/${editId}`)).body.posts.some((p: { body: string }) => p.body === '改正：续航很好'), 'B to serve the edit', 20_000);
    await waitFor(async () => (await page()).includes('改正：续航很好'), 'B to render the edit', 20_000);
    expect(await page()).not.to.contain('原文：续航一般');
  });

  it('puts a case raised from a post on C onto the alert desk open on B', async () => {
    const mod = await member('desk_mod', urls[0]);
    expect((await admin.put('/api/v1/users/desk_mod/role', { role: 'moderator' })).status).to.equal(200);
    const desk = connectIo(`${urls[1]}/desk`, { transports: ['websocket'], auth: { token: mod.token }, reconnection: false, forceNew: true });
    sockets.push(desk);
    await new Promise<void>((resolve, reject) => {
      desk.once('connect', () => resolve());
      desk.once('connect_error', reject);
    });
    const raised: Array<{ alert: { subject: { threadId?: string } } }> = [];
    desk.on('alert:raised', (p: (typeof raised)[number]) => void raised.push(p));
    const onC = await member('fan_fire', urls[2]);
    const thread = await onC.client.post('/api/v1/threads', { title: '地库里的情况', body: '今天下午地库里有台车的电池起火了，消防已经到场。' });
    expect(thread.status).to.equal(201);
    await until(() => raised.some((p) => p.alert.subject.threadId === String(thread.body.thread.id)), 60_000, 'the case on the desk on B');
  });

  it('degrades to acting alone while Redis is down, and streams across processes again once it is back', async () => {
    await redis.stop();
    for (const url of urls) await waitFor(async () => (await (await fetch(`${url}/healthz`)).json()).redis === 'down', `redis down on ${url}`, 20_000);
    const poster = await member('fan_outage', urls[2]).catch(() => null);
    // Registration and posting work during the outage (limits counted per process meanwhile).
    expect(poster).to.not.equal(null);
    const during = await poster!.client.post(`/api/v1/threads/${threadId}/posts`, { body: 'Redis 停机时发的帖' });
    expect(during.status).to.equal(201);

    await redis.start();
    for (const url of urls) await waitFor(async () => (await (await fetch(`${url}/healthz`)).json()).redis === 'ok', `redis ok on ${url}`, 30_000);
    await waitFor(async () => (await numsub()) >= 4, 'every process subscribed again', 30_000);
    const reader = await openSocket(urls[0]);
    sockets.push(reader);
    const seen = collect(reader, 'post:created');
    expect((await request(reader, 'thread:join', { threadId })).ok).to.equal(true);
    const after = await poster!.client.post(`/api/v1/threads/${threadId}/posts`, { body: 'Redis 恢复后发的帖' });
    expect(after.status).to.equal(201);
    await until(() => seen.some((e) => e.post.id === String(after.body.post.id)), 20_000, 'the post through C on A after recovery');
  });
});
