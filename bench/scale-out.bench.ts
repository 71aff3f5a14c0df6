/**
 * Several web processes: how fast a post made through one reaches readers on the others, and how
 * many posts per second the processes together can write.
 *
 *   node --import tsx bench/scale-out.bench.ts [--readers=300] [--posts=200] [--rate=20]
 *     [--write-seconds=10] [--connections=30] [--quick] [--database-url=postgres://...]
 *     [--writes-only]  (only the references and the write ceiling)
 *
 * Topology: 3 web processes + 1 worker (RESONANCE_ROLE) on one database (SQLite in a temp dir, or
 * --database-url / DATABASE_URL for PostgreSQL), embedded search.
 *
 * Delivery, for two configurations in the same run:
 *   - `poll`: no Redis; each process reads the outbox every OUTBOX_POLL_MS (500 ms, the default);
 *   - `redis-bus`: REDIS_URL set; commits are published on the bus (server/cluster/bus.ts).
 * Readers are spread evenly over the three processes and join one thread; a poster writes --posts
 * posts at --rate per second, alternately through B and C. Latency is from the POST being sent to
 * a reader receiving post:created (one clock: senders and readers live in this process). Each
 * post must reach every reader exactly once: the counts are printed.
 * Reference, same run: a raw Redis PUBLISH → subscriber round trip (the floor of any design that
 * crosses processes through Redis), and readers on the process that took the write.
 *
 * Write ceiling: autocannon POSTs replies through all three web processes at once for
 * --write-seconds (--connections in total), with Redis; posts/s and latency; then mention batches
 * of 100 the same way (items/s). Reference: raw
 * INSERTs of the same rows into the same database from this process, one transaction each (the
 * single-writer ceiling without HTTP, analysis, outbox or events).
 */
import { figure } from './support/headline';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import autocannon from 'autocannon';
import { io as connectIo, type Socket } from 'socket.io-client';
import { Redis } from 'ioredis';
import { Sequelize, QueryTypes, type Transaction } from 'sequelize';
import sqlite3 from '../server/sqlite';
import { machine } from './support/machine';
import { freePort, rssMB, spawnTsx, stop, waitForOk } from './support/processes';
import { RAISED_LIMITS } from './support/limits';
import { ADMIN, api, adminToken, ingestKey, log, mentionItems, percentile, round, sleep } from './support/listening';
import { partitionedOutbox } from './support/partitioned-outbox';
import { watchSaturation, writeLockCounters } from './support/saturation';
import { WRITE_LOCK_KEY } from '../server/db';

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const quick = args.has('quick');
const num = (k: string, d: number, q: number) => Number(args.get(k) ?? (quick ? q : d));
const params = {
  readers: num('readers', 300, 90),
  posts: num('posts', 200, 60),
  rate: num('rate', 20, 20),
  writeSeconds: num('write-seconds', 10, 5),
  connections: num('connections', 30, 15),
  partitions: num('partitions', 8, 8),
  webProcesses: 3,
  workers: 1,
  database: (args.get('database-url') ?? process.env.DATABASE_URL) ? 'postgres' : 'sqlite',
  search: 'embedded',
};
const databaseUrl = args.get('database-url') ?? process.env.DATABASE_URL ?? null;

interface Topology {
  urls: string[];
  pids: number[];
  stop(): Promise<void>;
}

async function startRedis(): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-redis-'));
  const child = spawn('/usr/bin/redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
  const probe = new Redis(`redis://127.0.0.1:${port}`, { lazyConnect: true, retryStrategy: () => 50 });
  for (let i = 0; i < 100; i++) {
    if (await probe.connect().then(() => true, () => false)) break;
    await sleep(50);
  }
  probe.disconnect();
  return { url: `redis://127.0.0.1:${port}`, child };
}

async function resetPostgres(url: string) {
  const s = new Sequelize(url, { logging: false });
  await s.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public;');
  await s.close();
}

async function startTopology(redisUrl: string | null): Promise<Topology> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-scale-'));
  if (databaseUrl) await resetPostgres(databaseUrl);
  const env: Record<string, string> = {
    DATA_DIR: dataDir,
    HOST: '127.0.0.1',
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    RESONANCE_ADMIN: `${ADMIN.username}:${ADMIN.password}`,
    SESSION_SECRET: 'bench-scale-out-secret-0123456789',
    ...RAISED_LIMITS,
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    ...(redisUrl ? { REDIS_URL: redisUrl } : {}),
  };
  delete process.env.ELASTICSEARCH_URL;
  const children: ChildProcess[] = [];
  const urls: string[] = [];
  for (let i = 0; i < params.webProcesses; i++) {
    const port = await freePort();
    const child = spawnTsx('server/main.ts', { ...env, PORT: String(port), RESONANCE_ROLE: 'web' });
    children.push(child);
    urls.push(`http://127.0.0.1:${port}`);
    await waitForOk(`${urls[i]}/healthz`, child, 90_000); // one at a time: the first migrates
  }
  children.push(spawnTsx('server/main.ts', { ...env, PORT: '0', RESONANCE_ROLE: 'worker' }));
  await sleep(3_000);
  return {
    urls,
    pids: children.map((c) => c.pid!),
    async stop() {
      for (const c of children.reverse()) await stop(c);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function register(base: string, name: string): Promise<string> {
  const r = await api<{ token: string }>(base, 'POST', '/api/v1/auth/register', null, { username: name, password: 'bench-password-1' });
  if (r.status !== 201) throw new Error(`register ${name}: ${r.status}`);
  return r.json.token;
}

function summarise(values: number[]) {
  const s = [...values].sort((a, b) => a - b);
  return { n: s.length, p50: round(percentile(s, 50)), p95: round(percentile(s, 95)), p99: round(percentile(s, 99)), max: round(s[s.length - 1] ?? 0) };
}

/** Readers on every process, a poster through B and C: latency and exactly-once counts. */
async function delivery(config: 'poll' | 'redis-bus', redisUrl: string | null) {
  const topo = await startTopology(redisUrl);
  try {
    const token = await adminToken(topo.urls[0]);
    const thread = await api<{ thread: { id: number } }>(topo.urls[0], 'POST', '/api/v1/threads', token, { title: '跨进程延迟', body: '一楼' });
    const threadId = String(thread.json.thread.id);
    const posters = [await register(topo.urls[1], `poster_b_${config.replace('-', '_')}`), await register(topo.urls[2], `poster_c_${config.replace('-', '_')}`)];
    const sentAt = new Map<string, number>();
    const pending: Array<{ body: string; at: number }> = [];
    // Latencies by where the reader is relative to the write: another process, or the same one.
    const remote: number[] = [];
    const local: number[] = [];
    const received = new Map<string, number>();
    let duplicates = 0;
    const sockets: Socket[] = [];
    for (let i = 0; i < params.readers; i++) {
      const at = i % 3;
      const s = connectIo(topo.urls[at], { transports: ['websocket'], reconnection: false, forceNew: true });
      const seen = new Set<string>();
      s.on('post:created', (e: { post: { id: string; body: string } }) => {
        const now = performance.now();
        if (seen.has(e.post.id)) {
          duplicates++;
          return;
        }
        seen.add(e.post.id);
        const via = Number(e.post.body.slice(-1)); // the process the post was written through
        const t0 = sentAt.get(e.post.body);
        if (t0 === undefined) return;
        received.set(e.post.id, (received.get(e.post.id) ?? 0) + 1);
        (via === at ? local : remote).push(now - t0);
      });
      await new Promise<void>((resolve, reject) => {
        s.once('connect', () => resolve());
        s.once('connect_error', reject);
      });
      await new Promise((resolve) => s.emit('thread:join', { threadId }, resolve));
      sockets.push(s);
    }
    await sleep(1_000);
    const gap = 1000 / params.rate;
    const start = performance.now();
    for (let i = 0; i < params.posts; i++) {
      const via = 1 + (i % 2);
      const body = `${config} 第${i}帖 via ${via}`;
      const wait = start + i * gap - performance.now();
      if (wait > 0) await sleep(wait);
      sentAt.set(body, performance.now());
      pending.push({ body, at: performance.now() });
      void api(topo.urls[via], 'POST', `/api/v1/threads/${threadId}/posts`, posters[via - 1], { body });
    }
    const expected = params.posts * params.readers;
    const deadline = Date.now() + 15_000;
    while ([...received.values()].reduce((a, b) => a + b, 0) < expected && Date.now() < deadline) await sleep(100);
    const delivered = [...received.values()].reduce((a, b) => a + b, 0);
    for (const s of sockets) s.close();
    return { config, remoteMs: summarise(remote), sameProcessMs: summarise(local), deliveries: { expected, delivered, duplicates }, rssMB: topo.pids.map((p) => rssMB(p)) };
  } finally {
    await topo.stop();
  }
}

/** The floor: PUBLISH on one connection, received on another. */
async function redisRoundTrip(redisUrl: string, n: number) {
  const pub = new Redis(redisUrl);
  const sub = new Redis(redisUrl);
  await sub.subscribe('bench');
  const times: number[] = [];
  let resolveOne: (() => void) | null = null;
  sub.on('message', () => resolveOne?.());
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await new Promise<void>((resolve) => {
      resolveOne = resolve;
      void pub.publish('bench', JSON.stringify({ k: 'events', i, events: [{ type: 'post.created', postId: i, threadId: 1 }] }));
    });
    times.push(performance.now() - t0);
  }
  pub.disconnect();
  sub.disconnect();
  return summarise(times);
}

/**
 * Run a write phase and say what it ran out of (bench/support/saturation.ts): the write lock's busy
 * share from pg_locks, the web processes' own lock counters (/metrics), and the cores each process,
 * PostgreSQL and the machine used. `limit` is the verdict: 'write lock', 'cpu', 'both' or 'neither'.
 */
async function observePhase<T>(topo: Topology, run: () => Promise<T>) {
  const before = await Promise.all(topo.urls.map(writeLockCounters));
  const watch = watchSaturation(topo.pids, databaseUrl, WRITE_LOCK_KEY);
  const result = await run();
  const seen = await watch.stop();
  const after = await Promise.all(topo.urls.map(writeLockCounters));
  let transactions = 0;
  let held = 0;
  let wait = 0;
  after.forEach((a, i) => {
    const b = before[i];
    if (!a || !b) return;
    transactions += a.transactions - b.transactions;
    held += a.heldSeconds - b.heldSeconds;
    wait += a.waitSeconds - b.waitSeconds;
  });
  const web = {
    transactionsPerSecond: round(transactions / seen.seconds),
    meanHoldMs: round((1000 * held) / Math.max(1, transactions)),
    meanWaitMs: round((1000 * wait) / Math.max(1, transactions)),
    // The web processes' transactions only: the worker's come on top (pg_locks sees them all).
    heldShare: round(held / seen.seconds, 3),
  };
  // The lock is full when it is busy nearly all the time AND writers queue for it. On SQLite only
  // the processes' own sums exist, which count another process's file lock as held: unknown.
  const lockFull = seen.writeLockBusyShare === null ? null : seen.writeLockBusyShare >= 0.85 && (seen.writeLockMeanWaiters ?? 0) >= 1;
  // CPU is full when a web process (one JS thread) nears a whole core, or the machine (this
  // bench's load generator included: it competes for the same cores) is nearly all busy.
  const webCores = seen.cores.processes.slice(0, topo.urls.length).map((c) => c ?? 0);
  const cpuFull = Math.max(...webCores) >= 0.9 || seen.machineBusyShare >= 0.85;
  const limit = lockFull === null ? (cpuFull ? 'cpu' : 'unknown') : lockFull && cpuFull ? 'both' : lockFull ? 'write lock' : cpuFull ? 'cpu' : 'neither';
  return { result, saturation: { limit, ...seen, webWriteLock: web } };
}

/**
 * All three processes taking replies at once, then mention batches. First one connection alone:
 * its write-lock hold is the hold without contention for the lock or the cores, against which the
 * loaded phases' holds show how much CPU starvation stretches them.
 */
async function writeCeiling(redisUrl: string) {
  const topo = await startTopology(redisUrl);
  try {
    const token = await adminToken(topo.urls[0]);
    const thread = await api<{ thread: { id: number } }>(topo.urls[0], 'POST', '/api/v1/threads', token, { title: '写入上限', body: '一楼' });
    const id = thread.json.thread.id;
    const tokens: string[] = [];
    for (let i = 0; i < params.webProcesses; i++) tokens.push(await register(topo.urls[i], `writer_${i}`));
    const per = Math.max(1, Math.round(params.connections / params.webProcesses));
    const postBody = JSON.stringify({ body: '发布会现场人很多，新车的续航和车机都不错，期待交付！' });
    const { result: alone, saturation: aloneSaturation } = await observePhase(topo, () =>
      autocannon({
        url: `${topo.urls[0]}/api/v1/threads/${id}/posts`,
        method: 'POST',
        connections: 1,
        duration: Math.max(3, Math.round(params.writeSeconds / 2)),
        headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[0]}` },
        body: postBody,
      }),
    );
    const oneConnection = { postsPerSecond: round(alone['2xx'] / Math.max(3, Math.round(params.writeSeconds / 2))), latencyMs: { p50: alone.latency.p50, p99: alone.latency.p99 }, saturation: aloneSaturation };
    const runs = topo.urls.map((url, i) =>
      autocannon({
        url: `${url}/api/v1/threads/${id}/posts`,
        method: 'POST',
        connections: per,
        duration: params.writeSeconds,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[i]}` },
        body: postBody,
      }),
    );
    const { result: results, saturation: postSaturation } = await observePhase(topo, () => Promise.all(runs));
    const ok = results.reduce((n, r) => n + r['2xx'], 0);
    const errors = results.reduce((n, r) => n + r.non2xx + r.errors, 0);
    const posts = {
      postsPerSecond: round(ok / params.writeSeconds),
      non2xxOrErrors: errors,
      latencyMs: { p50: Math.max(...results.map((r) => r.latency.p50)), p99: Math.max(...results.map((r) => r.latency.p99)) },
      connections: per * params.webProcesses,
      rssMB: topo.pids.map((p) => rssMB(p)),
      saturation: postSaturation,
    };
    // Mentions: batches of BATCH through all three at once (each batch its own externalIds).
    const key = await ingestKey(topo.urls[0], token);
    const BATCH = 100;
    let batchNo = 0;
    const mentionRuns = topo.urls.map((url) =>
      autocannon({
        url: `${url}/api/v1/mentions`,
        method: 'POST',
        connections: Math.max(1, Math.round(per / 3)),
        duration: params.writeSeconds,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        requests: [{ setupRequest: (req) => ({ ...req, body: JSON.stringify({ items: mentionItems(BATCH, ++batchNo, `w${batchNo}`) }) }) }],
      }),
    );
    const { result: mr, saturation: mentionSaturation } = await observePhase(topo, () => Promise.all(mentionRuns));
    const accepted = mr.reduce((n, r) => n + r['2xx'], 0) * BATCH;
    return {
      postsOneConnection: oneConnection,
      posts,
      mentions: {
        itemsPerSecond: round(accepted / params.writeSeconds),
        batch: BATCH,
        non2xxOrErrors: mr.reduce((n, r) => n + r.non2xx + r.errors, 0),
        latencyMs: { p50: Math.max(...mr.map((r) => r.latency.p50)), p99: Math.max(...mr.map((r) => r.latency.p99)) },
        saturation: mentionSaturation,
      },
    };
  } finally {
    await topo.stop();
  }
}

/** Raw INSERTs of the same row shape, one transaction each, one connection (the single writer). */
async function rawInsertReference() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-raw-'));
  const sequelize = databaseUrl ? new Sequelize(databaseUrl, { logging: false }) : new Sequelize({ dialect: 'sqlite', storage: path.join(dir, 'raw.sqlite'), logging: false, dialectModule: sqlite3 });
  try {
    if (!databaseUrl) await sequelize.query('PRAGMA journal_mode=WAL');
    await sequelize.query('DROP TABLE IF EXISTS raw_posts');
    await sequelize.query(`CREATE TABLE raw_posts (id ${databaseUrl ? 'BIGSERIAL' : 'INTEGER'} PRIMARY KEY, "threadId" INTEGER, "authorId" INTEGER, body TEXT, html TEXT, "createdAt" TEXT)`);
    const end = performance.now() + params.writeSeconds * 1000;
    let n = 0;
    while (performance.now() < end) {
      await sequelize.transaction(async (t) => {
        await sequelize.query('INSERT INTO raw_posts ("threadId","authorId",body,html,"createdAt") VALUES ($1,$2,$3,$4,$5)', { bind: [1, 1, '发布会现场人很多', '<p>发布会现场人很多</p>', new Date().toISOString()], type: QueryTypes.INSERT, transaction: t });
      });
      n++;
    }
    return { insertsPerSecond: round(n / params.writeSeconds) };
  } finally {
    await sequelize.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * PostgreSQL only: where the single writer saturates. --connections concurrent clients each run a
 * post-shaped transaction (a counter UPDATE … RETURNING, the row INSERT, an outbox INSERT), with
 * and without the transaction-scoped advisory lock every Resonance write takes, and through the
 * partitioned outbox (bench/support/partitioned-outbox.ts) with --partitions partitions.
 */
async function lockReference() {
  if (!databaseUrl) return null;
  const sequelize = new Sequelize(databaseUrl, { logging: false, pool: { max: params.connections, min: params.connections } });
  try {
    await sequelize.query('DROP TABLE IF EXISTS raw_posts, raw_outbox, raw_threads');
    await sequelize.query('CREATE TABLE raw_threads (id INTEGER PRIMARY KEY, floors INTEGER NOT NULL DEFAULT 0)');
    await sequelize.query('CREATE TABLE raw_posts (id BIGSERIAL PRIMARY KEY, "threadId" INTEGER, floor INTEGER, body TEXT, html TEXT, "createdAt" TIMESTAMPTZ)');
    await sequelize.query('CREATE TABLE raw_outbox (id BIGSERIAL PRIMARY KEY, type TEXT, payload TEXT, "createdAt" TIMESTAMPTZ)');
    await sequelize.query(`INSERT INTO raw_threads (id) SELECT g FROM generate_series(1, ${params.connections}) g`);
    // 'first': the lock as Resonance takes it (first statement); 'late': just before the outbox
    // INSERT (the only statement whose id order matters), so the other statements run concurrently.
    const measure = async (write: (c: number, transaction: Transaction) => Promise<void>) => {
      const end = performance.now() + params.writeSeconds * 1000;
      let n = 0;
      const lat: number[] = [];
      await Promise.all(
        Array.from({ length: params.connections }, async (_, c) => {
          while (performance.now() < end) {
            const t0 = performance.now();
            await sequelize.transaction((transaction) => write(c, transaction));
            lat.push(performance.now() - t0);
            n++;
          }
        }),
      );
      return { transactionsPerSecond: round(n / params.writeSeconds), latencyMs: summarise(lat) };
    };
    const run = (locked: false | 'first' | 'late') =>
      measure(async (c, transaction) => {
        if (locked === 'first') await sequelize.query('SELECT pg_advisory_xact_lock(1380275023)', { transaction });
        const [[{ floors }]] = (await sequelize.query('UPDATE raw_threads SET floors = floors + 1 WHERE id = $1 RETURNING floors', { bind: [c + 1], transaction })) as unknown as [[{ floors: number }]];
        await sequelize.query('INSERT INTO raw_posts ("threadId", floor, body, html, "createdAt") VALUES ($1, $2, $3, $4, now())', { bind: [c + 1, floors, '发布会现场人很多', '<p>发布会现场人很多</p>'], transaction });
        if (locked === 'late') await sequelize.query('SELECT pg_advisory_xact_lock(1380275023)', { transaction });
        await sequelize.query('INSERT INTO raw_outbox (type, payload, "createdAt") VALUES ($1, $2, now())', { bind: ['post.created', '{"postId":1}'], transaction });
      });
    const unlocked = await run(false);
    const locked = await run('first');
    const late = await run('late');
    // The same transaction through the partitioned outbox: thread c + 1 in partition c % P, the
    // partition's head row taken last (its row lock is the partition's write lock).
    const outbox = partitionedOutbox(sequelize, 'bench');
    await outbox.install(params.partitions, params.connections);
    const partitioned = await measure((c, transaction) =>
      outbox.appendPost(transaction, c % params.partitions, c + 1, '{"postId":1}').then(() => undefined),
    );
    await outbox.drop();
    return {
      connections: params.connections,
      withoutLock: unlocked,
      withAdvisoryLock: locked,
      lockBeforeOutboxInsertOnly: late,
      partitionedOutbox: { partitions: params.partitions, ...partitioned },
    };
  } finally {
    await sequelize.close();
  }
}

async function main() {
  if (args.has('lock-only')) {
    console.log(JSON.stringify({ bench: 'scale-out', part: 'lock-only', params, machine: machine(), postgresWriteLock: await lockReference() }, null, 2));
    return;
  }
  const redis = await startRedis();
  try {
    log(`scale-out bench: ${JSON.stringify(params)}`);
    const raw = await rawInsertReference();
    log(`raw inserts: ${JSON.stringify(raw)}`);
    const lock = await lockReference();
    if (lock) log(`advisory lock: ${JSON.stringify(lock)}`);
    if (args.has('writes-only')) {
      const writes = await writeCeiling(redis.url);
      console.log(JSON.stringify({ bench: 'scale-out', part: 'writes-only', params, machine: machine(), reference: { rawInsert: raw, postgresWriteLock: lock }, writes }, null, 2));
      return;
    }
    const floor = await redisRoundTrip(redis.url, 500);
    const poll = await delivery('poll', null);
    log(`poll: ${JSON.stringify(poll.remoteMs)}`);
    const bus = await delivery('redis-bus', redis.url);
    log(`redis-bus: ${JSON.stringify(bus.remoteMs)}`);
    const writes = await writeCeiling(redis.url);
    log(`writes: ${JSON.stringify(writes)}`);
    console.log(
      JSON.stringify(
        {
          bench: 'scale-out',
          headline: [
            ...[poll, bus].map((d) => figure(`post → post:created on another process p99, ${d.config}`, d.remoteMs.p99, 'ms', false, {
              params: { readers: params.readers, posts: params.posts, rate: params.rate, webProcesses: params.webProcesses },
              reference: { what: 'raw Redis PUBLISH → subscriber round trip p99', value: floor.p99 },
            })),
            figure('posts written through 3 web processes', writes.posts.postsPerSecond, 'posts/s', true, {
              params: { connections: params.connections, writeSeconds: params.writeSeconds, database: params.database },
              reference: { what: 'raw INSERTs, one transaction each, same database', value: raw.insertsPerSecond },
            }),
            figure('mentions ingested through 3 web processes (batches of 100)', writes.mentions.itemsPerSecond, 'items/s', true, {
              params: { writeSeconds: params.writeSeconds, database: params.database },
            }),
            ...(lock
              ? [
                  figure('post-shaped transactions with the write lock', lock.withAdvisoryLock.transactionsPerSecond, 'tx/s', true, {
                    params: { connections: lock.connections, database: 'postgres' },
                    reference: { what: 'the same transactions without the advisory lock', value: lock.withoutLock.transactionsPerSecond },
                  }),
                ]
              : []),
          ],
          params,
          machine: machine(),
          reference: { redisPublishRoundTripMs: floor, rawInsert: raw, postgresWriteLock: lock },
          delivery: { poll, redisBus: bus, remoteP50SpeedupOverPoll: round(poll.remoteMs.p50 / Math.max(0.01, bus.remoteMs.p50)) },
          writes: { ...writes, postsRatioToRawInsert: round(writes.posts.postsPerSecond / raw.insertsPerSecond, 3) },
        },
        null,
        2,
      ),
    );
  } finally {
    redis.child.kill('SIGKILL');
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
