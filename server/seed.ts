/**
 * `npm run seed [-- --demo]`: chapters and categories, plus (with --demo) a small, realistic
 * community written through the real services, so outbox events, counters and mention lists
 * are exactly what real use produces. Content comes from ./seed-data, combined by a fixed-seed
 * PRNG: the same structure every run. Times are backdated afterwards over the last ~30 days.
 */
import { Op } from 'sequelize';
import type { Config } from './config';
import { openDatabase, closeDatabase, withTransaction } from './db';
import { migrate } from './migrate';
import { log } from './log';
import { hashPassword } from './passwords';
import { Category, Chapter, Flag, Like, Membership, Post, Thread, User } from './models';
import type { Actor } from './policies';
import { actorFor, bootstrapAdmin } from './services/accounts';
import { createChapter, decideMembership, joinChapter } from './services/chapters';
import { createCategory } from './services/categories';
import { createThread, type ThreadContext } from './services/threads';
import { createPost, flagPost, likePost } from './services/posts';
import * as data from './seed-data';
import type { MemberSeed, TopicKind } from './seed-data';

const DAY = 86_400_000;
const MINUTE = 60_000;
const SEED = 20241122;

export interface SeedSummary {
  alreadySeeded: boolean;
  chapters: number;
  categories: number;
  users: number;
  threads: number;
  posts: number;
  englishPosts: number;
  mentionPosts: number;
  replies: number;
  likes: number;
  flags: number;
  seconds: number;
}

/** Seed chapters and categories; with demo, also members, threads, posts, likes and flags. */
export async function seedDemo(config: Config, opts: { demo: boolean; out?: (line: string) => void }): Promise<SeedSummary> {
  const out = opts.out ?? ((line: string) => console.log(line));
  const started = Date.now();
  log.setLevel(config.LOG_LEVEL);
  const sequelize = await openDatabase(config);
  try {
    await migrate(sequelize);
    // db.ts asks for WAL in an afterConnect hook, but Sequelize's SQLite dialect never runs that
    // hook; without WAL every commit costs several fsyncs. journal_mode=WAL persists in the file.
    if (sequelize.getDialect() === 'sqlite') await sequelize.query('PRAGMA journal_mode=WAL');
    const admin = await seedAdmin(config);
    const { chapters, categories, created } = await seedStructure(admin);
    const base = { alreadySeeded: false, chapters: chapters.size, categories: categories.size, users: 0, threads: 0, posts: 0, englishPosts: 0, mentionPosts: 0, replies: 0, likes: 0, flags: 0 };
    if (!opts.demo) {
      out(`seeded ${chapters.size} chapters and ${categories.size} categories (${created} new); add --demo for members and posts`);
      return { ...base, seconds: (Date.now() - started) / 1000 };
    }
    if (await User.findOne({ where: { username: data.STAFF[0].username } })) {
      out(`demo community already seeded in ${config.DATABASE_URL ? 'the database' : config.sqlitePath}; nothing to do`);
      return { ...base, alreadySeeded: true, seconds: (Date.now() - started) / 1000 };
    }
    const counts = await seedCommunity(chapters, categories);
    const summary = { ...base, ...counts, seconds: (Date.now() - started) / 1000 };
    out(
      `demo seeded into ${config.DATABASE_URL ? 'the database' : config.sqlitePath}: ${summary.chapters} chapters, ${summary.categories} categories, ` +
        `${summary.users} users, ${summary.threads} threads, ${summary.posts} posts (${summary.englishPosts} English, ${summary.mentionPosts} with @mentions, ` +
        `${summary.replies} replies-to), ${summary.likes} likes, ${summary.flags} flags in ${summary.seconds.toFixed(1)}s`,
    );
    out(`demo login: any member (e.g. ${data.MEMBERS[0].username}) or staff demo_mod (moderator) / demo_pr (pr), password "${data.DEMO_PASSWORD}"`);
    return summary;
  } finally {
    await closeDatabase();
  }
}

/** The admin that creates chapters and categories: RESONANCE_ADMIN, else any admin, else a no-login system account. */
export async function seedAdmin(config: Config): Promise<Actor> {
  if (config.RESONANCE_ADMIN) return actorFor(await bootstrapAdmin(config.RESONANCE_ADMIN));
  const existing = await User.findOne({ where: { role: 'admin' }, order: [['id', 'ASC']] });
  if (existing) return actorFor(existing);
  // '!' is not a scrypt hash, so verifyPassword() rejects every password: nobody can log in as it.
  const system = await User.create({ username: 'system', displayName: '系统', passwordHash: '!', role: 'admin', locale: null, suspendedAt: null });
  return actorFor(system);
}

/** The fixed chapters and categories of seed-data (created when missing). */
export async function seedStructure(admin: Actor) {
  const chapters = new Map<string, Chapter>();
  const categories = new Map<string, Category>();
  let created = 0;
  for (const c of data.CHAPTERS) {
    const existing = await Chapter.findOne({ where: { slug: c.slug } });
    if (!existing) created++;
    chapters.set(c.slug, existing ?? (await createChapter(admin, c)));
  }
  for (const c of data.CATEGORIES) {
    const existing = await Category.findOne({ where: { slug: c.slug } });
    if (!existing) created++;
    categories.set(c.slug, existing ?? (await createCategory(admin, c)));
  }
  return { chapters, categories, created };
}

// ---------------------------------------------------------------------------------------------
// Deterministic randomness and templates

/** mulberry32: tiny, fast, good enough for demo data; the same seed gives the same community. */
export function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)];
  const chance = (p: number) => next() < p;
  const shuffle = <T>(xs: readonly T[]): T[] => {
    const copy = [...xs];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [copy[i], copy[j]] = [copy[j], copy[i]];
    }
    return copy;
  };
  return { next, int, pick, chance, shuffle };
}
export type Rng = ReturnType<typeof prng>;

function fill(rng: Rng, template: string, ctx: { city: string; peer?: string }): string {
  return template
    .replace(/\{(@?\w+)(?::(\d+)-(\d+))?\}/g, (whole, name: string, lo?: string, hi?: string) => {
      if (lo !== undefined && hi !== undefined) return String(rng.int(Number(lo), Number(hi)));
      if (name === 'city') return ctx.city;
      if (name === '@peer') return ctx.peer ? `@${ctx.peer}` : '';
      const options = (name === 'place' && data.CITY_PLACES[ctx.city]) || data.SLOTS[name];
      return options ? rng.pick(options) : whole;
    })
    .replace(/ +([，。！])/g, '$1')
    .trim();
}

// ---------------------------------------------------------------------------------------------
// The plan: every thread and post decided in memory first, then written in time order

interface PlannedPost {
  author: string;
  body: string;
  at: number;
  english: boolean;
  replyTo?: number; // index of an earlier post in the same thread
  likers: string[];
  flags: Array<{ by: string; reason: string }>;
}

interface PlannedThread {
  title: string;
  chapter: string | null;
  category: string;
  posts: PlannedPost[];
}

function planCommunity(rng: Rng, now: number): PlannedThread[] {
  const members = data.MEMBERS;
  const bySlug = new Map(data.CHAPTERS.map((c) => [c.slug, c]));
  const approvedPrivate = members.filter((m) => m.chapters.includes(data.PRIVATE_CHAPTER) && !data.PENDING_PRIVATE.includes(m.username));
  const englishMembers = members.filter((m) => m.english);
  const staff = data.STAFF.map((s) => s.username);
  const publicCities = data.CHAPTERS.filter((c) => c.visibility === 'public').map((c) => c.slug);
  const homeCity = (m: MemberSeed) => bySlug.get(m.chapters[0])?.city ?? '上海';
  const readers = (chapter: string | null): string[] =>
    chapter === data.PRIVATE_CHAPTER ? [...approvedPrivate.map((m) => m.username), ...staff] : [...members.map((m) => m.username), ...staff];
  const memberOf = (name: string) => members.find((m) => m.username === name);

  const threads: PlannedThread[] = [];
  let meetupCity = 0;
  for (const kind of Object.keys(data.TOPICS) as TopicKind[]) {
    const topic = data.TOPICS[kind];
    const titles = rng.shuffle(topic.titles);
    const bodies = rng.shuffle(topic.bodies);
    for (let i = 0; i < topic.count; i++) {
      let chapter: string | null = null;
      let author: MemberSeed;
      if (topic.place === 'city') {
        chapter = publicCities[meetupCity++ % publicCities.length];
        author = rng.pick(members.filter((m) => m.chapters.includes(chapter!)));
      } else if (topic.place === 'private') {
        chapter = data.PRIVATE_CHAPTER;
        author = rng.pick(approvedPrivate);
      } else {
        author = rng.pick(topic.english ? englishMembers : members);
        const home = author.chapters[0];
        if (topic.place === 'home-or-none' && home !== data.PRIVATE_CHAPTER && rng.chance(0.5)) chapter = home;
      }
      const official = kind === 'news' && rng.chance(0.4);
      const opener = official ? 'demo_pr' : author.username;
      const city = chapter && chapter !== data.PRIVATE_CHAPTER ? bySlug.get(chapter)!.city : homeCity(author);
      const canRead = readers(chapter).filter((u) => !staff.includes(u));
      const peer = rng.pick(canRead.filter((u) => u !== opener));
      const ctx = { city, peer };
      const first: PlannedPost = { author: opener, body: fill(rng, bodies[i % bodies.length], ctx), at: 0, english: !!topic.english, likers: [], flags: [] };
      const thread: PlannedThread = { title: fill(rng, titles[i % titles.length], ctx).slice(0, 200), chapter, category: topic.category, posts: [first] };
      planReplies(rng, thread, kind, { ctx, canRead, englishMembers: englishMembers.map((m) => m.username), memberOf });
      threads.push(thread);
    }
  }
  threads.push({
    title: '社区版规（新人必读）',
    chapter: null,
    category: 'news',
    posts: [{ author: 'demo_mod', body: '欢迎来到声浪社区！\n\n1. 友善讨论，禁止人身攻击和地域黑\n2. 禁止广告引流、倒卖内测资格\n3. 售后问题请附上城市和大致时间，方便 @demo_pr 跟进\n\n发现违规内容请直接举报，版主会在 24 小时内处理。', at: 0, english: false, likers: [], flags: [] }],
  });
  plantFlaggable(rng, threads, readers);
  for (const thread of threads) {
    const readable = readers(thread.chapter);
    thread.posts.forEach((post, i) => {
      if (post.flags.length) return;
      // Each like is its own transaction (~15 ms on SQLite): enough to look alive, few enough to stay fast.
      const n = i === 0 ? rng.int(1, 5) : rng.chance(0.7) ? 0 : rng.int(1, 3);
      post.likers = rng.shuffle(readable.filter((u) => u !== post.author)).slice(0, n);
    });
  }
  schedule(rng, threads, now);
  return threads;
}

function planReplies(
  rng: Rng,
  thread: PlannedThread,
  kind: TopicKind,
  env: { ctx: { city: string }; canRead: string[]; englishMembers: string[]; memberOf: (u: string) => MemberSeed | undefined },
) {
  const topic = data.TOPICS[kind];
  const count = kind === 'meetup' ? rng.int(4, 9) : rng.int(2, 8);
  const chapterMembers = thread.chapter ? env.canRead.filter((u) => env.memberOf(u)?.chapters.includes(thread.chapter!)) : env.canRead;
  const prIndex = ['service', 'delivery', 'caros'].includes(kind) && rng.chance(0.7) ? rng.int(1, 2) : -1;
  const used = new Set(thread.posts.map((p) => p.body));
  for (let i = 1; i <= count; i++) {
    const previous = thread.posts[thread.posts.length - 1].author;
    if (i === prIndex) {
      const body = `@${thread.posts[0].author} ${fill(rng, rng.pick(data.PR_REPLIES), env.ctx)}`;
      thread.posts.push({ author: 'demo_pr', body, at: 0, english: false, replyTo: 0, likers: [], flags: [] });
      continue;
    }
    let author = rng.pick(rng.chance(0.65) ? chapterMembers : env.canRead);
    if (topic.english && rng.chance(0.7)) author = rng.pick(env.englishMembers.filter((u) => env.canRead.includes(u)));
    if (author === previous) author = rng.pick(env.canRead.filter((u) => u !== previous));
    const english = topic.english ? rng.chance(0.9) : env.memberOf(author)?.english ? rng.chance(0.3) : rng.chance(0.03);
    let body = '';
    for (let attempt = 0; attempt < 6 && (!body || used.has(body)); attempt++) {
      const pool = english ? (topic.english && rng.chance(0.7) ? topic.replies : data.GENERIC_REPLIES_EN) : rng.chance(0.6) ? topic.replies : data.GENERIC_REPLIES;
      body = fill(rng, rng.pick(pool), env.ctx);
    }
    used.add(body);
    const post: PlannedPost = { author, body, at: 0, english, likers: [], flags: [] };
    const targets = thread.posts.map((p, index) => ({ p, index })).filter(({ p }) => p.author !== author);
    if (targets.length && rng.chance(0.35)) {
      const target = rng.pick(targets);
      post.replyTo = target.index;
      if (rng.chance(0.5)) post.body = `@${target.p.author} ${post.body}`;
    } else if (rng.chance(0.18)) {
      const who = rng.pick(env.canRead.filter((u) => u !== author));
      const form = rng.pick(english ? data.MENTION_FORMS_EN : data.MENTION_FORMS).replace('{user}', who);
      post.body = `${post.body} ${form}`;
    }
    if (!english && !post.body.endsWith('？')) post.body += rng.pick(data.TAILS);
    thread.posts.push(post);
  }
}

/** Put each flaggable post in a different thread (the 内测包 one in the private chapter), flag it, and let the moderator answer. */
function plantFlaggable(rng: Rng, threads: PlannedThread[], readers: (chapter: string | null) => string[]) {
  const publicThreads = rng.shuffle(threads.filter((t) => t.chapter !== data.PRIVATE_CHAPTER && t.posts.length > 2));
  const privateThreads = rng.shuffle(threads.filter((t) => t.chapter === data.PRIVATE_CHAPTER && t.posts.length > 2));
  data.FLAGGABLE.forEach((item, i) => {
    const leak = item.body.includes('内测包');
    const thread = leak ? privateThreads[0] : publicThreads[i];
    if (!thread) return;
    const pool = readers(thread.chapter).filter((u) => !u.startsWith('demo_'));
    const author = rng.pick(pool);
    const position = rng.int(2, thread.posts.length);
    const flaggers = rng.shuffle(pool.filter((u) => u !== author)).slice(0, rng.int(1, 2));
    const post: PlannedPost = { author, body: item.body, at: 0, english: /^[\x20-\x7e]+$/.test(item.body), likers: [], flags: flaggers.map((by, k) => ({ by, reason: item.reasons[k % item.reasons.length] })) };
    const note = data.MOD_REPLIES[/spam|广告|VX/i.test(item.body) ? 2 : leak ? 1 : 0];
    const modPost: PlannedPost = { author: 'demo_mod', body: note, at: 0, english: false, replyTo: position, likers: [], flags: [] };
    thread.posts.splice(position, 0, post, modPost);
    // Inserting shifts later posts: keep their replyTo pointing at the same post.
    thread.posts.forEach((p, k) => {
      if (k > position + 1 && p.replyTo !== undefined && p.replyTo >= position) p.replyTo += 2;
    });
  });
}

/** Spread threads over the last 30 days (more recent ones more likely); replies follow minutes to hours apart. */
function schedule(rng: Rng, threads: PlannedThread[], now: number) {
  for (const thread of threads) {
    const start = now - 30 * DAY * Math.pow(rng.next(), 1.3) - 30 * MINUTE;
    let at = start;
    const times = thread.posts.map((_, i) => (i === 0 ? at : (at += MINUTE * Math.max(2, -Math.log(1 - rng.next()) * 160))));
    const latest = now - MINUTE;
    const last = times[times.length - 1];
    const scale = last > latest ? (latest - start) / (last - start) : 1;
    thread.posts.forEach((post, i) => (post.at = Math.round(start + (times[i] - start) * scale)));
  }
}

// ---------------------------------------------------------------------------------------------
// Writing it through the services

async function seedCommunity(chapters: Map<string, Chapter>, categories: Map<string, Category>) {
  const rng = prng(SEED);
  const now = Date.now();
  const plan = planCommunity(rng, now);

  // One scrypt hash for everybody: register() would hash 42 times at ~50 ms each.
  const passwordHash = await hashPassword(data.DEMO_PASSWORD);
  const people = [...data.STAFF.map((s) => ({ ...s })), ...data.MEMBERS.map((m) => ({ username: m.username, displayName: m.displayName, role: 'member' as const }))];
  const users = new Map<string, User>();
  await withTransaction(async (transaction) => {
    for (const p of people) {
      users.set(p.username, await User.create({ username: p.username, displayName: p.displayName, passwordHash, role: p.role, locale: null, suspendedAt: null }, { transaction }));
    }
  });

  const actors = new Map<string, Actor>();
  for (const [name, user] of users) actors.set(name, await actorFor(user));
  for (const m of data.MEMBERS) for (const slug of m.chapters) await joinChapter(actors.get(m.username)!, chapters.get(slug)!);
  const privateChapter = chapters.get(data.PRIVATE_CHAPTER)!;
  for (const m of data.MEMBERS) {
    if (m.chapters.includes(data.PRIVATE_CHAPTER) && !data.PENDING_PRIVATE.includes(m.username)) {
      await decideMembership(actors.get('demo_mod')!, privateChapter, m.username, true);
    }
  }
  for (const [name, user] of users) actors.set(name, await actorFor(user));

  // Write every post in global time order, so ids follow time like they would in real use.
  const steps = plan.flatMap((thread, t) => thread.posts.map((post, i) => ({ t, i, at: post.at })));
  steps.sort((a, b) => a.at - b.at || a.t - b.t || a.i - b.i);
  const contexts: ThreadContext[] = [];
  const postIds: number[][] = plan.map(() => []);
  const created: Array<{ post: Post; planned: PlannedPost; t: number }> = [];
  for (const step of steps) {
    const thread = plan[step.t];
    const planned = thread.posts[step.i];
    const actor = actors.get(planned.author)!;
    if (step.i === 0) {
      const chapter = thread.chapter ? chapters.get(thread.chapter)! : null;
      const category = categories.get(thread.category)!;
      const result = await createThread(actor, { title: thread.title, body: planned.body, chapter, category });
      contexts[step.t] = { thread: result.thread, chapter, category };
      postIds[step.t][0] = result.post.id;
      created.push({ post: result.post, planned, t: step.t });
    } else {
      const replyTo = planned.replyTo !== undefined ? postIds[step.t][planned.replyTo] : undefined;
      const post = await createPost(actor, contexts[step.t], { body: planned.body, replyTo });
      postIds[step.t][step.i] = post.id;
      created.push({ post, planned, t: step.t });
    }
  }

  let likes = 0;
  let flags = 0;
  for (const { post, planned, t } of created) {
    for (const name of planned.likers) {
      await likePost(actors.get(name)!, { ...contexts[t], post });
      likes++;
    }
    for (const flag of planned.flags) {
      await flagPost(actors.get(flag.by)!, { ...contexts[t], post }, flag.reason);
      flags++;
    }
  }

  await backdate(plan, contexts, created, users, chapters, categories, now);
  return {
    users: users.size,
    threads: plan.length,
    posts: created.length,
    englishPosts: created.filter((c) => c.planned.english).length,
    mentionPosts: created.filter((c) => c.post.mentions.length > 0).length,
    replies: created.filter((c) => c.post.replyToId !== null).length,
    likes,
    flags,
  };
}

/** Move creation times into the past (a seed may write models directly); outbox events keep their real times. */
async function backdate(
  plan: PlannedThread[],
  contexts: ThreadContext[],
  created: Array<{ post: Post; planned: PlannedPost; t: number }>,
  users: Map<string, User>,
  chapters: Map<string, Chapter>,
  categories: Map<string, Category>,
  now: number,
) {
  const at = (ms: number) => new Date(Math.min(ms, now));
  const silent = { silent: true } as const;
  await withTransaction(async (transaction) => {
    const long = at(now - 60 * DAY);
    await Chapter.update({ createdAt: long, updatedAt: long }, { where: { id: { [Op.in]: [...chapters.values()].map((c) => c.id) } }, transaction, ...silent });
    await Category.update({ createdAt: long, updatedAt: long }, { where: { id: { [Op.in]: [...categories.values()].map((c) => c.id) } }, transaction, ...silent });
    // A member joined a little before their first post (or some time in the window if they never wrote).
    const firstPost = new Map<number, number>();
    for (const { post, planned } of created) firstPost.set(post.authorId, Math.min(firstPost.get(post.authorId) ?? Infinity, planned.at));
    let k = 0;
    for (const user of users.values()) {
      const joined = at(Math.min(firstPost.get(user.id) ?? now - 10 * DAY, now - 10 * DAY) - (5 + (k++ % 20)) * DAY);
      await User.update({ createdAt: joined, updatedAt: joined }, { where: { id: user.id }, transaction, ...silent });
      await Membership.update({ createdAt: joined, updatedAt: joined }, { where: { userId: user.id }, transaction, ...silent });
    }
    for (const { post, planned } of created) {
      const when = at(planned.at);
      await Post.update({ createdAt: when, updatedAt: when }, { where: { id: post.id }, transaction, ...silent });
      // Likes and flags come a little after the post.
      await Like.update({ createdAt: at(planned.at + 7 * MINUTE), updatedAt: at(planned.at + 7 * MINUTE) }, { where: { postId: post.id }, transaction, ...silent });
      await Flag.update({ createdAt: at(planned.at + 25 * MINUTE), updatedAt: at(planned.at + 25 * MINUTE) }, { where: { postId: post.id }, transaction, ...silent });
    }
    for (const [t, thread] of plan.entries()) {
      const first = at(thread.posts[0].at);
      const last = at(Math.max(...thread.posts.map((p) => p.at)));
      await Thread.update({ createdAt: first, updatedAt: last, lastPostAt: last }, { where: { id: contexts[t].thread.id }, transaction, ...silent });
    }
  });
}
