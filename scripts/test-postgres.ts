/**
 * Runs the integration suite on Postgres instead of SQLite: `npm run test:postgres [-- mocha args]`.
 *
 * Starts a throwaway PostgreSQL cluster (test/support/postgres-cluster.ts), runs mocha with
 * TEST_DATABASE_URL pointing at it (each test server then gets a fresh schema, see
 * test/support/server.ts), and removes the cluster whatever happens. A user with their own
 * database sets TEST_DATABASE_URL instead. With TEST_WITH_REDIS=1 it also starts a throwaway Redis
 * and sets TEST_REDIS_URL, so every test server shares limits and events through it (the
 * scale-out configuration).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { postgresBinDir, startPostgresCluster } from '../test/support/postgres-cluster';
import { startRedis } from '../test/support/redis';

const log = (m: string) => console.error(`[postgres] ${m}`);

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
