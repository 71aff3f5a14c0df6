/**
 * A throwaway Redis: Debian's `redis-server` on a free loopback port, nothing persisted, its
 * files in a temp dir. `stop()` and `start()` again on the same port stand for an outage.
 * Without the binary, tests that need it say so (CI installs it: .ci/run).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './elasticsearch';

export interface TestRedis {
  url: string;
  port: number;
  /** Stop the server (an outage); start() brings it back on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stop for good and remove its files. */
  close(): Promise<void>;
}

const BINARY = process.env.TEST_REDIS_SERVER ?? '/usr/bin/redis-server';

/** Whether redis-server can run here, and if not why (for a skip message). */
export function redisMissing(): string | null {
  if (!fs.existsSync(BINARY)) return `no ${BINARY} (apt-get install redis-server, or set TEST_REDIS_SERVER)`;
  const r = spawnSync(BINARY, ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? null : `${BINARY} --version failed: ${r.stderr}`;
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** For `before` hooks: a fresh Redis, or (outside CI only) print why there is none and skip the suite. */
export async function requireRedis(ctx: Mocha.Context): Promise<TestRedis> {
  const missing = redisMissing();
  if (missing) {
    if (process.env.CI) throw new Error(`Redis is required under CI: ${missing}`);
    console.log(`      skipped: ${missing}`);
    ctx.skip();
  }
  return startRedis();
}

export async function startRedis(): Promise<TestRedis> {
  const missing = redisMissing();
  if (missing) throw new Error(missing);
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'resonance-redis-'));
  let child: ChildProcess | null = null;

  async function start() {
    if (child) return;
    child = spawn(BINARY, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--protected-mode', 'no'], { stdio: 'ignore' });
    const deadline = Date.now() + 15_000;
    while (!(await listening(port))) {
      if (Date.now() > deadline) throw new Error(`redis-server did not listen on ${port}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  async function stop() {
    const c = child;
    if (!c) return;
    child = null;
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill('SIGKILL');
    });
  }
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop,
    start,
    async close() {
      await stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
