/** `web` and `worker` roles as separate processes on one database: the pipeline runs in the worker, and several web processes each serve live threads. */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { freePort } from '../support/elasticsearch';
import { Client } from '../support/client';
import { collect, openSocket, request, until as untilTrue } from '../support/sockets';

function startRole(role: 'web' | 'worker', env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    env: { ...process.env, ...env, RESONANCE_ROLE: role, LOG_LEVEL: 'warn', NODE_ENV: 'test' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

async function until<T>(fn: () => Promise<T | null>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => null);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('separate web and worker processes', function () {
  this.timeout(90_000);
  const children: ChildProcess[] = [];
  after(() => children.forEach((c) => c.kill('SIGKILL')));

  it('serves from the web process and analyses, indexes and notifies from the worker process', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'resonance-roles-'));
    const port = await freePort();
    const env = { DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', RESONANCE_ADMIN: 'boss:boss-password-1' };
    const web = startRole('web', env);
    children.push(web);
    const url = `http://127.0.0.1:${port}`;
    await until(async () => (await fetch(`${url}/healthz`)).ok, 30_000, 'web process');
    const worker = startRole('worker', { ...env, PORT: '0' });
    children.push(worker);

    const admin = new Client(url);
    const login = await admin.post('/api/v1/auth/login', { username: 'boss', password: 'boss-password-1' });
    admin.withToken(login.body.token);
    const fan = await new Client(url).post('/api/v1/auth/register', { username: 'fan_one', password: 'password-123' });
    const created = await new Client(url).withToken(fan.body.token).post('/api/v1/threads', { title: '双进程', body: '@boss 续航表现遥遥领先，非常满意' });
    expect(created.status).to.equal(201);

    const found = await until(async () => {
      const r = await admin.get(`/api/v1/search?q=${encodeURIComponent('遥遥领先')}`);
      return r.body.total === 1 ? r.body : null;
    }, 30_000, 'the worker to index the post');
    expect(found.items[0].id).to.equal(`post:${created.body.post.id}`);
    // The notify and index lanes run independently in the worker: wait for the notification too.
    const notes = await until(async () => {
      const r = await admin.get('/api/v1/notifications');
      return r.body.items.length ? r.body : null;
    }, 30_000, 'the worker to notify the mentioned admin');
    expect(notes.items[0]).to.include({ kind: 'mention' });
    // The worker is still running (it must not exit when it has nothing to do), and healthz on the
    // web process sees the worker's processors caught up.
    await new Promise((r) => setTimeout(r, 1500));
    expect(worker.exitCode).to.equal(null);
    const health = await admin.get('/healthz');
    expect(health.body.pipeline.backlog).to.equal(0);
  });

  it('streams a post written through one web process to sockets on another (no adapter: each web process reads the outbox)', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'resonance-roles-'));
    const [portA, portB] = [await freePort(), await freePort()];
    const env = { DATA_DIR: dataDir, HOST: '127.0.0.1', RESONANCE_ADMIN: 'boss:boss-password-1' };
    const webA = startRole('web', { ...env, PORT: String(portA) });
    children.push(webA);
    const urlA = `http://127.0.0.1:${portA}`;
    await until(async () => (await fetch(`${urlA}/healthz`)).ok, 30_000, 'web process A');
    const webB = startRole('web', { ...env, PORT: String(portB) });
    children.push(webB);
    const urlB = `http://127.0.0.1:${portB}`;
    await until(async () => (await fetch(`${urlB}/healthz`)).ok, 30_000, 'web process B');

    const fan = await new Client(urlB).post('/api/v1/auth/register', { username: 'fan_two', password: 'password-123' });
    const poster = new Client(urlB).withToken(fan.body.token);
    const thread = await poster.post('/api/v1/threads', { title: '跨进程直播', body: '第一楼' });
    const threadId = String(thread.body.thread.id);
    const onA = await openSocket(urlA);
    const onB = await openSocket(urlB);
    const seenA = collect(onA, 'post:created');
    const seenB = collect(onB, 'post:created');
    for (const s of [onA, onB]) expect((await request(s, 'thread:join', { threadId })).ok).to.equal(true);
    // Alternate between the processes for a few seconds (longer than the 1 s in which a durable
    // cursor would be re-read from the database and shared between them).
    const posterA = new Client(urlA).withToken(fan.body.token);
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) {
      const res = await (i % 2 ? posterA : poster).post(`/api/v1/threads/${threadId}/posts`, { body: `经由 ${i % 2 ? 'A' : 'B'} 进程发出 #${i}` });
      ids.push(String(res.body.post.id));
      await new Promise((r) => setTimeout(r, 400));
    }
    // Each process learns of the other's writes from the outbox (its poll), of its own at commit.
    for (const seen of [seenA, seenB]) {
      const got = () => seen.map((e) => e.post.id).filter((id) => ids.includes(id));
      await untilTrue(() => got().length >= ids.length, 10_000, 'every post on both processes');
      // (The thread's first post may stream too if a process read it after the join: clients
      // de-duplicate against their replay, so only these are asserted, in order, once each.)
      expect(got()).to.deep.equal(ids);
    }
    onA.close();
    onB.close();
  });
});
