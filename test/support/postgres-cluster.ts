/**
 * A throwaway PostgreSQL cluster from the machine's own binaries (Debian's
 * /usr/lib/postgresql/<version>/bin, or TEST_POSTGRES_BIN), on 127.0.0.1 and a free port, with
 * trust auth and its data in a temp dir. Used by `npm run test:postgres` (the whole suite on
 * Postgres) and by the resilience suite (which stops and restarts it under a running server).
 * initdb and postgres refuse to run as root: as root they run as the `postgres` user.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './elasticsearch';

export interface PostgresCluster {
  /** postgres://postgres@127.0.0.1:<port>/<database> */
  url: string;
  /** Stop the server (fast shutdown: open connections are terminated), keeping the data. */
  pause(): void;
  /** Start it again on the same port and data. */
  resume(): void;
  /** Stop it and remove its data. */
  destroy(): void;
}

/** The directory of the newest installed PostgreSQL's binaries; throws with the fix when there is none. */
export function postgresBinDir(): string {
  if (process.env.TEST_POSTGRES_BIN) return process.env.TEST_POSTGRES_BIN;
  const root = '/usr/lib/postgresql';
  const versions = fs.existsSync(root) ? fs.readdirSync(root).filter((v) => fs.existsSync(path.join(root, v, 'bin', 'initdb'))) : [];
  if (!versions.length) throw new Error('no PostgreSQL binaries: install the Debian package postgresql, or set TEST_POSTGRES_BIN or TEST_DATABASE_URL');
  return path.join(root, versions.sort((a, b) => Number(b) - Number(a))[0], 'bin');
}

/** argv to run a binary as the cluster's owner (root cannot own a cluster). */
function asOwner(bin: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
}

/** initdb + start + createdb `database`; the caller destroys it. */
export async function startPostgresCluster(database = 'resonance_test'): Promise<PostgresCluster> {
  const bin = postgresBinDir();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'resonance-pg-'));
  if (process.getuid?.() === 0) execFileSync('chown', ['postgres', dir]);
  const data = path.join(dir, 'data');
  const logFile = path.join(dir, 'log');
  const port = await freePort();
  const ctl = (...a: string[]) => {
    const [cmd, argv] = asOwner(path.join(bin, 'pg_ctl'), ['-D', data, ...a]);
    return spawnSync(cmd, argv, { encoding: 'utf8' });
  };
  const start = () => {
    // fsync off: a throwaway test cluster does not need to survive a power cut.
    const started = ctl('-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, '-l', logFile, '-w', 'start');
    if (started.status !== 0) throw new Error(`pg_ctl start failed: ${started.stderr || started.stdout}\n${fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : ''}`);
  };
  const destroy = () => {
    ctl('-m', 'fast', 'stop');
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    const [initCmd, initArgs] = asOwner(path.join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--encoding=UTF8', '--locale=C']);
    execFileSync(initCmd, initArgs, { stdio: 'ignore' });
    start();
    const [createCmd, createArgs] = asOwner(path.join(bin, 'createdb'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', database]);
    execFileSync(createCmd, createArgs, { stdio: 'inherit' });
  } catch (err) {
    destroy();
    throw err;
  }
  return {
    url: `postgres://postgres@127.0.0.1:${port}/${database}`,
    pause() {
      const stopped = ctl('-m', 'fast', '-w', 'stop');
      if (stopped.status !== 0) throw new Error(`pg_ctl stop failed: ${stopped.stderr || stopped.stdout}`);
    },
    resume: start,
    destroy,
  };
}

/**
 * A PostgreSQL for one suite's `before` hook: TEST_DATABASE_URL (`npm run test:postgres`), else a
 * throwaway cluster of its own (`cluster`, for the caller to destroy). Without one it skips, saying
 * why, except under CI=true, where it fails.
 */
export async function requirePostgres(ctx: Mocha.Context, database: string): Promise<{ url: string; cluster?: PostgresCluster }> {
  if (process.env.TEST_DATABASE_URL) return { url: process.env.TEST_DATABASE_URL };
  try {
    const cluster = await startPostgresCluster(database);
    return { url: cluster.url, cluster };
  } catch (err) {
    if (process.env.CI === 'true') throw err;
    console.warn(`\n  [postgres] SKIPPING: no throwaway PostgreSQL cluster: ${(err as Error).message}`);
    ctx.skip();
  }
}
