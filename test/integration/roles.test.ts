/** `web` and `worker` roles as separate processes on one database: the pipeline runs in the worker. */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { freePort } from '../support/elasticsearch';
import { Client } from '../support/client';

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
    const notes = await admin.get('/api/v1/notifications');
    expect(notes.body.items[0]).to.include({ kind: 'mention' });
    // The worker is still running (it must not exit when it has nothing to do), and healthz on the
    // web process sees the worker's processors caught up.
    await new Promise((r) => setTimeout(r, 1500));
    expect(worker.exitCode).to.equal(null);
    const health = await admin.get('/healthz');
    expect(health.body.pipeline.backlog).to.equal(0);
  });
});
