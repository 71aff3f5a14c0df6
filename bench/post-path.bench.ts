/**
 * Benchmark: CPU per accepted post on the write path, in process (no HTTP, no pipeline).
 *
 *   node --import tsx bench/post-path.bench.ts [--posts 2000]
 *
 * Measures process CPU (user + system, which includes SQLite's work on libuv threads) per post for:
 *  - `createPost`: the service as shipped (cached thread snapshot, Markdown render, prepared
 *    statements from server/sql.ts inside one write transaction, outbox event);
 *  - `modelsPath`: the same three writes as Sequelize model calls (Post.create, Thread.update,
 *    OutboxEvent.bulkCreate) in the same kind of transaction: what the service did before;
 *  - reference `rawPrepared`: the same three statements plus BEGIN/COMMIT, prepared once on a bare
 *    node-sqlite3 connection to a copy of the same file layout: the floor for this driver.
 * Posts are issued both one at a time and 50 at once (the write queue serialises them either way).
 */
import { figure } from './support/headline';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sqlite3, { type Statement } from '../server/sqlite';
import { literal } from 'sequelize';
import { loadConfig } from '../server/config';
import { openDatabase, closeDatabase, withTransaction } from '../server/db';
import { migrate } from '../server/migrate';
import { OutboxEvent, Post, Thread } from '../server/models';
import { actorFor, register } from '../server/services/accounts';
import { createThread } from '../server/services/threads';
import { createPost } from '../server/services/posts';
import { readThread } from '../server/services/threadReads';
import { renderMarkdown } from '../server/markdown';
import { arg, log, mentionText, prng, round } from './support/listening';
import { machine } from './support/machine';
import { runBench } from './support/processes';

// --quick: 600 posts instead of 2,000.
const params = { posts: Number(arg('posts', process.argv.includes('--quick') ? '600' : '2000')), concurrency: 50, seed: 11 };

const cpuMs = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};

/** CPU ms per call of fn over bodies, sequentially and `concurrency` at a time. */
async function measure(bodies: string[], fn: (body: string) => Promise<unknown>) {
  for (const b of bodies.slice(0, 50)) await fn(b); // warm-up: JIT, statement caches
  const half = Math.floor(bodies.length / 2);
  let c0 = cpuMs();
  let t0 = performance.now();
  for (const b of bodies.slice(0, half)) await fn(b);
  const sequential = { cpuMsPerPost: round((cpuMs() - c0) / half, 3), wallMsPerPost: round((performance.now() - t0) / half, 3) };
  c0 = cpuMs();
  t0 = performance.now();
  const rest = bodies.slice(half);
  for (let i = 0; i < rest.length; i += params.concurrency) await Promise.all(rest.slice(i, i + params.concurrency).map(fn));
  const concurrent = { cpuMsPerPost: round((cpuMs() - c0) / rest.length, 3), wallMsPerPost: round((performance.now() - t0) / rest.length, 3) };
  return { sequential, concurrent };
}

async function rawPrepared(file: string, bodies: string[]) {
  const conn = new sqlite3.Database(file);
  const exec = (sql: string) => new Promise<void>((res, rej) => conn.exec(sql, (e) => (e ? rej(e) : res())));
  await exec('PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;');
  const prep = (sql: string) => conn.prepare(sql);
  const s = {
    begin: prep('BEGIN IMMEDIATE'),
    insert: prep('INSERT INTO "posts" ("threadId","authorId","body","html","replyToId","mentions","likeCount","createdAt","updatedAt") VALUES (?,?,?,?,NULL,?,0,?,?) RETURNING "id"'),
    bump: prep('UPDATE "threads" SET "lastPostAt" = ?, "postCount" = "postCount" + 1, "updatedAt" = ? WHERE "id" = ?'),
    event: prep('INSERT INTO "outbox_events" ("type","payload","createdAt") VALUES (?,?,?)'),
    commit: prep('COMMIT'),
  };
  const run = (st: Statement, p: unknown[] = []) => new Promise<void>((res, rej) => st.all(p, (e) => (e ? rej(e) : res())));
  let queue: Promise<unknown> = Promise.resolve();
  const one = (body: string) => {
    const go = async () => {
      const { html } = renderMarkdown(body);
      const at = new Date().toISOString();
      await run(s.begin);
      await run(s.insert, [1, 1, body, html, '[]', at, at]);
      await run(s.bump, [at, at, 1]);
      await run(s.event, ['post.created', '{"postId":1}', at]);
      await run(s.commit);
    };
    const p = queue.then(go, go);
    queue = p.catch(() => undefined);
    return p;
  };
  const result = await measure(bodies, one);
  for (const st of Object.values(s)) await new Promise<void>((r) => st.finalize(() => r()));
  await new Promise<void>((r) => conn.close(() => r()));
  return result;
}

runBench(async () => {
  const m = machine();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'resonance-postpath-'));
  const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'warn', NODE_ENV: 'production' });
  const sequelize = await openDatabase(config);
  await migrate(sequelize);
  const { user } = await register({ username: 'bench_author', password: 'bench password 123' });
  const actor = await actorFor(user);
  const { thread } = await createThread(actor, { title: 'post path', body: 'first', chapter: null, category: null });
  const snap = await readThread(actor, thread.id);
  const rand = prng(params.seed);
  const bodies = () => Array.from({ length: params.posts }, () => mentionText(rand));

  log('createPost (as shipped)');
  const shipped = await measure(bodies(), (body) => createPost(actor, { thread: snap.ref, chapter: snap.chapterRef }, { body }));
  log('the same writes through Sequelize models');
  const models = await measure(bodies(), (body) => {
    const { html, mentions } = renderMarkdown(body);
    return withTransaction(async (transaction) => {
      const post = await Post.create({ threadId: thread.id, authorId: user.id, body, html, mentions, replyToId: null, editedAt: null, deletedAt: null, hiddenAt: null }, { transaction });
      await Thread.update({ lastPostAt: new Date(), postCount: literal('"postCount" + 1') as unknown as number }, { where: { id: thread.id }, transaction });
      await OutboxEvent.bulkCreate([{ type: 'post.created', payload: { postId: post.id } }], { transaction });
    });
  });
  await closeDatabase();
  log('reference: the same statements prepared once on a bare sqlite3 connection');
  const reference = await rawPrepared(config.sqlitePath, bodies());
  fs.rmSync(dataDir, { recursive: true, force: true });

  console.log(
    JSON.stringify(
      {
        bench: 'post-path',
        headline: (['concurrent', 'sequential'] as const).flatMap((mode) => [
          figure(`createPost CPU per post, ${mode}`, shipped[mode].cpuMsPerPost, 'ms', false, {
            params: { posts: params.posts, concurrency: mode === 'concurrent' ? params.concurrency : 1 },
            reference: { what: 'raw prepared node-sqlite3 INSERTs, same statements', value: reference[mode].cpuMsPerPost },
          }),
        ]),
        params,
        machine: m,
        results: { createPost: shipped, modelsPath: models },
        reference: { rawPrepared: reference },
        ratios: {
          createPostVsRawPrepared: round(shipped.concurrent.cpuMsPerPost / reference.concurrent.cpuMsPerPost, 2),
          modelsVsCreatePost: round(models.concurrent.cpuMsPerPost / shipped.concurrent.cpuMsPerPost, 2),
        },
      },
      null,
      2,
    ),
  );
});
