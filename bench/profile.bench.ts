/**
 * Benchmark: the profile's reads at the demo community's size, in process (no HTTP).
 *
 *   node --import tsx bench/profile.bench.ts [--rounds 200] [--extra 0]
 *
 * Seeds the demo community (`resonance seed --demo`) into a fresh SQLite file, takes its most
 * active member, and times `loadProfile` (bio, viewer-scoped counts, last seen, chapters) and one
 * page of each tab (keyset, 20 items) for an anonymous viewer and for a signed-in member:
 * median and p95 wall milliseconds per call. `--extra N` first gives that member N more replies
 * (spread over the demo's threads) and N likes, to see the per-member aggregates at a heavy poster.
 */
import { figure } from './support/headline';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fn, col, Op } from 'sequelize';
import { loadConfig } from '../server/config';
import { openDatabase, closeDatabase } from '../server/db';
import { seedDemo } from '../server/seed';
import { Like, Post, Thread, User } from '../server/models';
import { actorFor } from '../server/services/accounts';
import { loadProfile, profileActivity } from '../server/services/profiles';
import type { Actor } from '../server/policies';
import { arg, log, round } from './support/listening';
import { machine } from './support/machine';
import { runBench } from './support/processes';

const params = { rounds: Number(arg('rounds', '200')), extra: Number(arg('extra', '0')), pageSize: 20 };

async function time(label: string, call: () => Promise<unknown>) {
  for (let i = 0; i < 20; i++) await call(); // warm-up: statement caches, JIT
  const ms: number[] = [];
  for (let i = 0; i < params.rounds; i++) {
    const t0 = performance.now();
    await call();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  log(label);
  return { medianMs: round(ms[Math.floor(ms.length / 2)], 3), p95Ms: round(ms[Math.floor(ms.length * 0.95)], 3) };
}

runBench(async () => {
  const m = machine();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'resonance-profile-'));
  const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'warn', NODE_ENV: 'production' });
  const seeded = await seedDemo(config, { demo: true, out: () => undefined });
  await openDatabase(config);
  const [top] = (await Post.findAll({ attributes: ['authorId', [fn('count', col('id')), 'n']], group: ['authorId'], order: [[fn('count', col('id')), 'DESC']], limit: 1, raw: true })) as unknown as { authorId: number; n: number }[];
  const member = (await User.findByPk(top.authorId))!;
  if (params.extra > 0) {
    const threadIds = (await Thread.findAll({ attributes: ['id'] })).map((t) => t.id);
    const rows = Array.from({ length: params.extra }, (_, i) => ({ threadId: threadIds[i % threadIds.length], authorId: member.id, body: `第 ${i} 条`, html: `<p>第 ${i} 条</p>`, replyToId: null, editedAt: null, deletedAt: null, hiddenAt: null }));
    for (let i = 0; i < rows.length; i += 1000) await Post.bulkCreate(rows.slice(i, i + 1000));
    const others = await Post.findAll({ attributes: ['id'], where: { authorId: { [Op.ne]: member.id } }, limit: params.extra });
    await Like.bulkCreate(others.map((p) => ({ postId: p.id, userId: member.id })), { ignoreDuplicates: true });
    log(`added ${params.extra} replies and ${others.length} likes for ${member.username}`);
  }
  const viewerUser = (await User.findOne({ where: { role: 'member', id: { [Op.ne]: member.id } } })) ?? member;
  const viewers: Array<[string, Actor | null]> = [['anonymous', null], ['member', await actorFor(viewerUser)]];
  const results: Record<string, Record<string, { medianMs: number; p95Ms: number }>> = {};
  for (const [name, viewer] of viewers) {
    results[name] = {
      loadProfile: await time(`${name}: loadProfile`, () => loadProfile(viewer, member.username)),
      threadsTab: await time(`${name}: threads tab`, () => profileActivity(viewer, member.username, 'threads', { limit: params.pageSize })),
      repliesTab: await time(`${name}: replies tab`, () => profileActivity(viewer, member.username, 'replies', { limit: params.pageSize })),
      likesTab: await time(`${name}: likes tab`, () => profileActivity(viewer, member.username, 'likes', { limit: params.pageSize })),
    };
  }
  const profile = await loadProfile(null, member.username);
  await closeDatabase();
  fs.rmSync(dataDir, { recursive: true, force: true });
  console.log(
    JSON.stringify(
      {
        bench: 'profile',
        // No same-run reference exists for these reads: they are figures to compare across runs.
        headline: Object.entries(results).flatMap(([viewer, r]) => (['loadProfile', 'likesTab'] as const).map((read) =>
          figure(`${read} p95, ${viewer} viewer`, r[read].p95Ms, 'ms', false, { params: { rounds: params.rounds, extra: params.extra } }))),
        params,
        machine: m,
        community: { users: seeded.users, threads: seeded.threads, posts: seeded.posts, likes: seeded.likes },
        member: { username: member.username, counts: profile.counts },
        results,
      },
      null,
      2,
    ),
  );
});
