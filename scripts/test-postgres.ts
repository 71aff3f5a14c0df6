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

// Integration files that never open the SQL database of this run: their servers and children are
// started on SQLite (a DATA_DIR of their own) or they test search, sentiment or crash points alone.
// `npm test` runs them on both Node versions; here they would only repeat that run (~4 min each
// time). resilience-crash.test.ts is among them: its PostgreSQL target already runs in `npm test`,
// on a throwaway cluster of its own, and its other targets are SQLite.
const NOT_ON_THIS_DATABASE = [
  'cli',
  'crash-points',
  'elasticsearch-backend',
  'elasticsearch-harness',
  'embedded-backend',
  'resilience-crash',
  'roles',
  'search-backends',
  'sentiment-en-heldout',
  'sentiment-heldout',
  'warm-start',
];

async function runMocha(url: string, args: string[]): Promise<number> {
  const mochaArgs = args.length
    ? args
    : ['test/integration/**/*.test.ts', ...NOT_ON_THIS_DATABASE.flatMap((name) => ['--ignore', `test/integration/${name}.test.ts`])];
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
