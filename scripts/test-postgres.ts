/**
 * Runs the integration suite on Postgres instead of SQLite: `npm run test:postgres [-- mocha args]`.
 *
 * Starts a throwaway PostgreSQL cluster (test/support/postgres-cluster.ts), runs mocha with
 * TEST_DATABASE_URL pointing at it (each test server then gets a fresh schema, see
 * test/support/server.ts), and removes the cluster whatever happens. A user with their own
 * database sets TEST_DATABASE_URL instead.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { postgresBinDir, startPostgresCluster } from '../test/support/postgres-cluster';

const log = (m: string) => console.error(`[postgres] ${m}`);

async function runMocha(url: string, args: string[]): Promise<number> {
  const mochaArgs = args.length ? args : ['test/integration/**/*.test.ts'];
  const child = spawn(process.execPath, ['node_modules/mocha/bin/mocha.js', ...mochaArgs], {
    stdio: 'inherit',
    env: { ...process.env, TEST_DATABASE_URL: url },
  });
  return new Promise((resolve) => child.once('exit', (code) => resolve(code ?? 1)));
}

async function main(): Promise<void> {
  const args = process.argv.slice(2).filter((a) => a !== '--');
  if (process.env.TEST_DATABASE_URL) process.exit(await runMocha(process.env.TEST_DATABASE_URL, args));
  const cluster = await startPostgresCluster();
  let code = 1;
  try {
    log(`PostgreSQL (${path.basename(path.dirname(postgresBinDir()))}) on ${cluster.url}`);
    code = await runMocha(cluster.url, args);
  } finally {
    cluster.destroy();
  }
  process.exit(code);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
