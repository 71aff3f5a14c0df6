/**
 * Resonance as a real child process (`node --import tsx server/main.ts`), for the tests that must
 * kill it (SIGKILL, crash points) or take its dependencies away. Every child is SIGKILLed when
 * the test process exits, so a failed test never leaves a server behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, REPO_ROOT } from './elasticsearch';
import { waitFor } from './wait';

export const CHILD_ADMIN = { username: 'resil_admin', password: 'resil-admin-pw' };

export interface ChildServer {
  url: string;
  port: number;
  dataDir: string;
  child: ChildProcess;
  /** Resolves with the signal (or exit code) once the process has gone. */
  exited: Promise<NodeJS.Signals | number | null>;
  /** The child's stderr so far (crash-point lines, boot errors). */
  stderr(): string;
  /** SIGKILL it (a crash from outside) and wait until it is gone. */
  kill(): Promise<void>;
}

const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

/** Settings every child gets: quiet, generous limits, read-your-writes search. */
function baseEnv(): Record<string, string> {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    RESONANCE_ADMIN: `${CHILD_ADMIN.username}:${CHILD_ADMIN.password}`,
    RATE_LIMIT_POSTS_PER_MINUTE: '100000',
    RATE_LIMIT_API_PER_MINUTE: '1000000',
    RATE_LIMIT_REGISTRATIONS_PER_MINUTE: '10000',
    RATE_LIMIT_LOGIN_PER_ADDRESS_PER_MINUTE: '10000',
    RATE_LIMIT_SEARCH_PER_MINUTE: '100000',
    RATE_LIMIT_SOCKET_COMMANDS_PER_MINUTE: '100000',
    RATE_LIMIT_SOCKET_REPLAY_POSTS_PER_MINUTE: '1000000',
    ELASTICSEARCH_REFRESH: 'wait_for',
  };
}

/** A fresh DATA_DIR under the system temp dir. */
export function tempDataDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'resonance-resil-'));
}

/** Start server/main.ts with these settings on top of the test defaults; resolves once /healthz answers 200. */
export async function startChildServer(env: Record<string, string> & { DATA_DIR: string }, bootTimeoutMs = 60_000): Promise<ChildServer> {
  const port = env.PORT ? Number(env.PORT) : await freePort();
  // Only what the server needs from our environment: a CI job's own settings must not leak in.
  const inherited = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root' };
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: REPO_ROOT,
    env: { ...inherited, ...baseEnv(), ...env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.add(child);
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (err = (err + c).slice(-20_000)));
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
    child.once('exit', (code, signal) => {
      children.delete(child);
      resolve(signal ?? code);
    }),
  );
  let gone = false;
  void exited.then(() => (gone = true));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => {
      if (gone) throw new Error(`server exited during boot:\n${err}`);
      return fetch(`${url}/healthz`).then((r) => r.status === 200, () => false);
    },
    'the child server to answer /healthz',
    bootTimeoutMs,
    100,
  );
  return {
    url,
    port,
    dataDir: env.DATA_DIR,
    child,
    exited,
    stderr: () => err,
    async kill() {
      if (!gone) child.kill('SIGKILL');
      await exited;
    },
  };
}
