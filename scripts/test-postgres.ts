/**
 * Runs the integration suite on Postgres instead of SQLite: `npm run test:postgres [-- mocha args]`.
 *
 * Starts a throwaway PostgreSQL cluster from the machine's own binaries (Debian's
 * /usr/lib/postgresql/<version>/bin, or TEST_POSTGRES_BIN), on 127.0.0.1 and a free port, with
 * trust auth and its data in a temp dir; runs mocha with TEST_DATABASE_URL pointing at it (each
 * test server then gets a fresh schema, see test/support/server.ts); stops the cluster and removes
 * its data whatever happens. A user with their own database sets TEST_DATABASE_URL instead.
 * initdb and postgres refuse to run as root: as root they run as the `postgres` user.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startRedis } from '../test/support/redis';

const log = (m: string) => console.error(`[postgres] ${m}`);

function binDir(): string {
  if (process.env.TEST_POSTGRES_BIN) return process.env.TEST_POSTGRES_BIN;
  const root = '/usr/lib/postgresql';
  const versions = fs.existsSync(root) ? fs.readdirSync(root).filter((v) => fs.existsSync(path.join(root, v, 'bin', 'initdb'))) : [];
  if (!versions.length) throw new Error('no PostgreSQL binaries: install the Debian package postgresql, or set TEST_POSTGRES_BIN or TEST_DATABASE_URL');
  return path.join(root, versions.sort((a, b) => Number(b) - Number(a))[0], 'bin');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

/** argv to run a binary as the cluster's owner (root cannot own a cluster). */
function asOwner(bin: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
}

async function runMocha(url: string, args: string[]): Promise<number> {
  const mochaArgs = args.length ? args : ['test/integration/**/*.test.ts'];
  const redis = process.env.TEST_WITH_REDIS === '1' ? await startRedis() : null;
  if (redis) log(`Redis on ${redis.url}`);
  try {
    const child = spawn(process.execPath, ['node_modules/mocha/bin/mocha.js', ...mochaArgs], {
      stdio: 'inherit',
      env: { ...process.env, TEST_DATABASE_URL: url, ...(redis ? { TEST_REDIS_URL: redis.url } : {}) },
    });
    return await new Promise((resolve) => child.once('exit', (code) => resolve(code ?? 1)));
  } finally {
    await redis?.close();
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2).filter((a) => a !== '--');
  if (process.env.TEST_DATABASE_URL) process.exit(await runMocha(process.env.TEST_DATABASE_URL, args));

  const bin = binDir();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'resonance-pg-'));
  if (process.getuid?.() === 0) execFileSync('chown', ['postgres', dir]);
  const data = path.join(dir, 'data');
  const port = await freePort();
  const ctl = (...a: string[]) => {
    const [cmd, argv] = asOwner(path.join(bin, 'pg_ctl'), ['-D', data, ...a]);
    return spawnSync(cmd, argv, { encoding: 'utf8' });
  };
  let code = 1;
  try {
    const [initCmd, initArgs] = asOwner(path.join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--encoding=UTF8', '--locale=C']);
    execFileSync(initCmd, initArgs, { stdio: 'ignore' });
    // fsync off: a throwaway test cluster does not need to survive a power cut.
    const started = ctl('-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, '-l', path.join(dir, 'log'), '-w', 'start');
    if (started.status !== 0) throw new Error(`pg_ctl start failed: ${started.stderr || started.stdout}\n${fs.readFileSync(path.join(dir, 'log'), 'utf8')}`);
    const [createCmd, createArgs] = asOwner(path.join(bin, 'createdb'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', 'resonance_test']);
    execFileSync(createCmd, createArgs, { stdio: 'inherit' });
    const url = `postgres://postgres@127.0.0.1:${port}/resonance_test`;
    log(`PostgreSQL (${path.basename(path.dirname(bin))}) on ${url}`);
    code = await runMocha(url, args);
  } finally {
    ctl('-m', 'fast', 'stop');
    fs.rmSync(dir, { recursive: true, force: true });
  }
  process.exit(code);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
