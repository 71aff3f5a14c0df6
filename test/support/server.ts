/** Start a real Resonance (real SQLite file in a temp dir, real HTTP on a free loopback port). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Sequelize } from 'sequelize';
import { loadConfig } from '../../server/config';
import { createResonance, type Resonance, type ResonanceOptions } from '../../server/app';

export interface TestServer {
  url: string;
  resonance: Resonance;
  dataDir: string;
  close(opts?: { keepData?: boolean }): Promise<void>;
}

let starts = 0;

/** Boot a server; env overrides are applied on top of quiet, generous test defaults. */
export async function startServer(env: Record<string, string> = {}, options: ResonanceOptions = {}): Promise<TestServer> {
  const dataDir = env.DATA_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'resonance-test-'));
  // TEST_DATABASE_URL runs the suite on Postgres (npm run test:postgres). A server with a fresh
  // DATA_DIR gets a fresh schema, as it would get a fresh SQLite file; a restart keeps it.
  const databaseUrl = process.env.TEST_DATABASE_URL;
  if (databaseUrl && !env.DATA_DIR) await resetPostgres(databaseUrl);
  // TEST_REDIS_URL runs the suite with Redis (`TEST_WITH_REDIS=1 npm run test:postgres`): limits,
  // presence and the bus then go through it. Each server start gets its own key prefix, so servers
  // never hear each other, as they never share a database.
  // (REDIS_URL '' in env: this server runs without Redis even then.)
  const redisUrl = env.REDIS_URL === '' ? undefined : process.env.TEST_REDIS_URL;
  if (env.REDIS_URL === '') env = Object.fromEntries(Object.entries(env).filter(([k]) => k !== 'REDIS_URL'));
  const config = loadConfig({
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    ...(redisUrl ? { REDIS_URL: redisUrl, REDIS_KEY_PREFIX: `t${process.pid}-${++starts}:` } : {}),
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    HOST: '127.0.0.1',
    PORT: '0',
    RATE_LIMIT_LOGIN_PER_ADDRESS_PER_MINUTE: '10000',
    RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT_PER_MINUTE: '10000',
    RATE_LIMIT_REGISTRATIONS_PER_MINUTE: '10000',
    RATE_LIMIT_POSTS_PER_MINUTE: '10000',
    RATE_LIMIT_API_PER_MINUTE: '100000',
    RATE_LIMIT_PAGES_PER_MINUTE: '100000',
    RATE_LIMIT_SOCKETS_PER_ADDRESS: '1000',
    RATE_LIMIT_LIKES_PER_MINUTE: '100000',
    RATE_LIMIT_FLAGS_PER_MINUTE: '100000',
    RATE_LIMIT_SEARCH_PER_MINUTE: '100000',
    RATE_LIMIT_PREVIEW_PER_MINUTE: '100000',
    // Tests read their own writes right after draining the pipeline.
    ELASTICSEARCH_REFRESH: 'wait_for',
    ...env,
    DATA_DIR: dataDir,
  });
  const resonance = await createResonance(config, { dispatcher: { pollMs: 50, backoffBaseMs: 20, ...options.dispatcher }, processors: options.processors, realtime: options.realtime });
  const url = await resonance.listen(0, '127.0.0.1');
  return {
    url,
    resonance,
    dataDir,
    async close(opts = {}) {
      await resonance.close();
      if (!opts.keepData) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Drop and recreate the public schema of a test Postgres database. */
export async function resetPostgres(url: string): Promise<void> {
  const admin = new Sequelize(url, { logging: false });
  try {
    await admin.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public;');
  } finally {
    await admin.close();
  }
}
