/**
 * `npm run seed -- --size medium|large`: a synthetic community of 100k or 1M posts (issue #13).
 *
 * Too big for the services (one transaction per post would take hours), so it is planned in typed
 * arrays and written with multi-row INSERTs, a few thousand posts per transaction, into the same
 * tables the services write, with the same derived fields: rendered html and mentions
 * (renderMarkdown), floors, thread postCount/floorCount/lastPostAt/lastPostAuthorId, chapter
 * memberCount. Every post also records its outbox events (thread.created, post.created) exactly as
 * createThread/createPost do, so the pipeline analyses, indexes, scores and notifies everything
 * after the load, through the one code path real posts take: a running worker drains it (measured
 * by bench/large.bench.ts); nothing is analysed twice or by a second implementation.
 *
 * Shapes: member activity is Pareto (a few members write most posts), replies go to threads by a
 * Pareto weight (a few threads get most replies), chapters by Zipf (a few hot chapters), recent
 * days are busier. Planted truth: KOL members whose threads draw many replies and who get
 * @mentioned, and one incident (a burst of crisis posts in one chapter within one hour).
 */
import type { Transaction } from 'sequelize';
import type { Config } from './config';
import { openDatabase, closeDatabase, withTransaction, isSqlite, db } from './db';
import { migrate } from './migrate';
import { log } from './log';
import { hashPassword } from './passwords';
import { AuditEntry, Category, Chapter, OutboxEvent, Post, ProcessorCursor, User } from './models';
import { notifyProcessor } from './workers/notify';
import { messageNotifyProcessor } from './workers/messageNotify';
import { sqlDate, sqlRows } from './sql';
import { renderMarkdown } from './markdown';
import { audit } from './services/audit';
import { prng, seedAdmin, seedStructure, type Rng } from './seed';
import { DEMO_PASSWORD, PRIVATE_CHAPTER, STAFF } from './seed-data';
import { chapterSpec, memberName, postBody, threadTitle, toneOf, THREAD_KINDS, type ThreadKind, type Tone } from './seed-large-text';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export interface LargeParams {
  posts: number;
  members: number;
  /** Chapters in all, the seed-data ones included. */
  chapters: number;
  /** Posts per thread on average (threads = posts / this). */
  postsPerThread: number;
  days: number;
  seed: number;
  /** Posts per write transaction. */
  batch: number;
}

/** The named sizes of `--size`. `small` is for trying it out; the test uses its own params. */
export const SIZES: Record<'small' | 'medium' | 'large', Omit<LargeParams, 'seed' | 'batch' | 'days' | 'postsPerThread'>> = {
  small: { posts: 10_000, members: 1_000, chapters: 50 },
  medium: { posts: 100_000, members: 10_000, chapters: 200 },
  large: { posts: 1_000_000, members: 100_000, chapters: 200 },
};
export type SizeName = keyof typeof SIZES;

/** Full parameters for a named size. */
export function sizeParams(size: SizeName): LargeParams {
  return { ...SIZES[size], postsPerThread: 10, days: 90, seed: 20261213, batch: 5_000 };
}

export interface LargeSummary {
  alreadySeeded: boolean;
  params: LargeParams;
  members: number;
  memberships: number;
  chapters: number;
  threads: number;
  posts: number;
  englishPosts: number;
  mentionPosts: number;
  outboxEvents: number;
  kols: string[];
  incident: { chapter: string; from: string; to: string; posts: number; threads: number };
  seconds: number;
  postsPerSecond: number;
}

const AUDIT_ACTION = 'seed.large';

/** Load a large synthetic community into an empty database (a no-op if this seed already ran there). */
export async function seedLarge(config: Config, params: LargeParams, opts: { out?: (line: string) => void; progress?: (line: string) => void } = {}): Promise<LargeSummary> {
  const out = opts.out ?? ((line: string) => console.log(line));
  const progress = opts.progress ?? ((line: string) => process.stderr.write(`\r${line}`));
  const started = Date.now();
  log.setLevel(config.LOG_LEVEL);
  const sequelize = await openDatabase(config);
  try {
    await migrate(sequelize);
    if (sequelize.getDialect() === 'sqlite') await sequelize.query('PRAGMA journal_mode=WAL');
    const done = await AuditEntry.findOne({ where: { action: AUDIT_ACTION } });
    if (done) {
      const before = done.data as unknown as LargeSummary;
      out(`a synthetic community is already seeded here (${before.posts} posts, ${before.members} members, on ${done.createdAt.toISOString()}); nothing to do`);
      return { ...before, alreadySeeded: true };
    }
    // Planned ids start after what exists, so the database must not hold a community already.
    const existing = await Post.count();
    if (existing > 0) throw new Error(`refusing to seed: the database already has ${existing} posts (a demo or real community); use an empty DATA_DIR`);
    if ((await User.count({ where: { role: 'member' } })) > 0) throw new Error('refusing to seed: the database already has members (perhaps an interrupted seed); use an empty DATA_DIR');

    const admin = await seedAdmin(config);
    await seedStructure(admin);
    const chapters = await addChapters(params.chapters);
    const categories = new Map((await Category.findAll()).map((c) => [c.slug, c.id]));
    const now = Date.now();
    const plan = planCommunity(params, chapters, now);
    const passwordHash = await hashPassword(DEMO_PASSWORD);
    // The demo's staff, so the console and the desk can be tried on the big community too.
    for (const s of STAFF) if (!(await User.findOne({ where: { username: s.username } }))) await User.create({ ...s, passwordHash, locale: null, suspendedAt: null });
    const userBase = await nextId('users');
    const memberships = await writeMembers(plan, chapters, passwordHash, now, userBase);
    const counts = await writeContent(plan, params, chapters, categories, userBase, progress);
    progress('\n');
    await skipHistory();
    const seconds = (Date.now() - started) / 1000;
    const incidentChapter = chapters[plan.incident.chapter];
    const summary: LargeSummary = {
      alreadySeeded: false,
      params,
      members: params.members,
      memberships,
      chapters: chapters.length,
      threads: plan.threadCount,
      posts: params.posts,
      ...counts,
      kols: [...plan.kols].map((m) => plan.usernames[m]),
      incident: { chapter: incidentChapter.slug, from: new Date(plan.incident.from).toISOString(), to: new Date(plan.incident.from + HOUR).toISOString(), posts: plan.incident.posts, threads: plan.incident.threads },
      seconds,
      postsPerSecond: Math.round(params.posts / seconds),
    };
    await withTransaction((t) => audit(t, admin.id, AUDIT_ACTION, 'community', 'synthetic', null, { ...summary } as unknown as Record<string, unknown>));
    out(
      `seeded ${summary.members} members, ${summary.chapters} chapters, ${summary.threads} threads, ${summary.posts} posts (${summary.englishPosts} English, ` +
        `${summary.mentionPosts} with @mentions) and ${summary.outboxEvents} outbox events in ${seconds.toFixed(1)}s (${summary.postsPerSecond} posts/s); ` +
        `incident: ${summary.incident.posts} crisis posts in ${summary.incident.chapter} from ${summary.incident.from}; a worker (npm start) now analyses and indexes them`,
    );
    out(`login: any member (e.g. ${plan.usernames[0]}) or staff ${STAFF.map((s) => `${s.username} (${s.role})`).join(' / ')}, password "${DEMO_PASSWORD}"`);
    return summary;
  } finally {
    await closeDatabase();
  }
}

interface ChapterRow {
  id: number;
  slug: string;
  city: string;
  visibility: string;
}

/** Generated chapters up to `total`, after the seed-data ones; the list in creation order. */
async function addChapters(total: number): Promise<ChapterRow[]> {
  const have = await Chapter.findAll({ order: [['id', 'ASC']] });
  const taken = new Set(have.map((c) => c.slug));
  const at = sqlDate(new Date(Date.now() - 400 * DAY));
  const rows: unknown[][] = [];
  for (let n = 0; have.length + rows.length < total; n++) {
    const spec = chapterSpec(n);
    if (taken.has(spec.slug)) continue;
    rows.push([spec.slug, spec.name, spec.city, spec.description, 'public', 0, at, at]);
  }
  await withTransaction((t) => insertRows('chapters', ['slug', 'name', 'city', 'description', 'visibility', 'memberCount', 'createdAt', 'updatedAt'], rows, t));
  const all = await Chapter.findAll({ order: [['id', 'ASC']] });
  return all.map((c) => ({ id: c.id, slug: c.slug, city: c.city, visibility: c.visibility }));
}

// ---------------------------------------------------------------------------------------------
// The plan, in typed arrays (1M posts fit in a few tens of MB)

/** Samples indices in proportion to weights (cumulative sums + binary search). */
function sampler(weights: ArrayLike<number>, rng: Rng): () => number {
  const cum = new Float64Array(weights.length);
  let total = 0;
  for (let i = 0; i < weights.length; i++) cum[i] = total += weights[i];
  return () => {
    const x = rng.next() * total;
    let lo = 0;
    let hi = cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid] > x) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
}
const pareto = (rng: Rng, alpha: number, cap: number) => Math.min(cap, (1 - rng.next()) ** (-1 / alpha));

export interface Plan {
  usernames: string[];
  displayNames: string[];
  english: Uint8Array;
  kols: Set<number>;
  joinedAt: Float64Array;
  /** Chapter indices per member (the first is the home chapter). */
  memberChapters: number[][];
  threadCount: number;
  threadAuthor: Int32Array;
  threadChapter: Int32Array; // -1: no chapter
  threadKind: Uint8Array;
  threadTone: Uint8Array;
  threadEnglish: Uint8Array;
  threadCrisis: Uint8Array;
  /** Posts grouped by thread, each thread's in time order: thread t owns [offset[t], offset[t+1]). */
  offset: Int32Array;
  postTime: Float64Array;
  postAuthor: Int32Array;
  postReplyFloor: Int32Array; // 0: not a reply to a specific post
  incident: { chapter: number; from: number; posts: number; threads: number };
}

const TONES: Tone[] = ['positive', 'neutral', 'negative'];
const LURKERS = 0.5;

/** Decide every member, thread and post (not the texts: those are made while writing). */
export function planCommunity(params: LargeParams, chapters: ChapterRow[], now: number): Plan {
  const rng = prng(params.seed);
  const M = params.members;
  const names = prng(params.seed ^ 0x5eed);
  const usernames: string[] = [];
  const displayNames: string[] = [];
  const english = new Uint8Array(M);
  const activity = new Float64Array(M);
  for (let m = 0; m < M; m++) {
    english[m] = rng.chance(0.05) ? 1 : 0;
    const n = memberName(names, m, english[m] === 1);
    usernames.push(n.username);
    displayNames.push(n.displayName);
    // Half the members only read (as in most forums); among the rest, alpha 1.2: at 1M posts the
    // top 1% of all members write 43% of the posts.
    activity[m] = rng.chance(LURKERS) ? 0 : pareto(rng, 1.2, 5_000);
  }
  const kols = new Set<number>();
  while (kols.size < Math.max(5, Math.round(M / 2_000))) kols.add(rng.int(0, M - 1));
  for (const k of kols) activity[k] = Math.max(activity[k], 20) * 3;

  // Chapters: Zipf over the public ones (the private seed-data chapter is left to the demo).
  const open = chapters.map((c, i) => ({ c, i })).filter((x) => x.c.visibility === 'public' && x.c.slug !== PRIVATE_CHAPTER);
  const pickChapter = sampler(open.map((_, rank) => 1 / (rank + 1)), rng);
  const memberChapters: number[][] = [];
  const joinedAt = new Float64Array(M);
  const chapterMembers: number[][] = chapters.map(() => []);
  for (let m = 0; m < M; m++) {
    const mine = new Set<number>([open[pickChapter()].i]);
    if (rng.chance(0.3)) mine.add(open[pickChapter()].i);
    if (rng.chance(0.1)) mine.add(open[pickChapter()].i);
    memberChapters.push([...mine]);
    for (const c of mine) chapterMembers[c].push(m);
    joinedAt[m] = now - params.days * DAY - rng.next() * 300 * DAY;
  }
  const anyAuthor = sampler(activity, rng);
  // A chapter of readers only has nobody to pick: its threads' replies come from anywhere.
  const inChapter = chapterMembers.map((list) => (list.some((m) => activity[m] > 0) ? { list, pick: sampler(list.map((m) => activity[m]), rng) } : null));
  const authorIn = (c: number) => {
    const s = c >= 0 ? inChapter[c] : null;
    return s && rng.chance(0.65) ? s.list[s.pick()] : anyAuthor();
  };

  // The incident: the third hottest chapter, one evening hour three days ago.
  const incidentChapter = open[Math.min(2, open.length - 1)].i;
  const incidentFrom = Math.floor((now - 3 * DAY) / HOUR) * HOUR;
  const incidentPosts = Math.max(60, Math.round(params.posts * 0.0008));
  const incidentThreads = Math.max(3, Math.round(incidentPosts / 25));

  const regularThreads = Math.max(1, Math.round(params.posts / params.postsPerThread));
  const T = regularThreads + incidentThreads;
  const threadAuthor = new Int32Array(T);
  const threadChapter = new Int32Array(T);
  const threadKind = new Uint8Array(T);
  const threadTone = new Uint8Array(T);
  const threadEnglish = new Uint8Array(T);
  const threadCrisis = new Uint8Array(T);
  const threadStart = new Float64Array(T);
  const replyWeight = new Float64Array(regularThreads);
  const pickKind = sampler(THREAD_KINDS.map((k) => k.weight), rng);
  for (let t = 0; t < T; t++) {
    const crisis = t >= regularThreads;
    const author = crisis ? authorIn(incidentChapter) : anyAuthor();
    threadAuthor[t] = author;
    threadCrisis[t] = crisis ? 1 : 0;
    threadChapter[t] = crisis ? incidentChapter : rng.chance(0.6) ? memberChapters[author][0] : -1;
    const kind = crisis ? 0 : pickKind();
    threadKind[t] = kind;
    threadTone[t] = crisis ? 2 : TONES.indexOf(toneOf(rng, THREAD_KINDS[kind].kind));
    threadEnglish[t] = !crisis && english[author] && rng.chance(0.5) ? 1 : 0;
    // Recent days are busier; the incident's threads open in its first quarter hour.
    threadStart[t] = crisis ? incidentFrom + rng.next() * 15 * MINUTE : now - MINUTE - params.days * DAY * rng.next() ** 1.3;
    if (!crisis) replyWeight[t] = pareto(rng, 1.1, 3_000) * (kols.has(author) ? 15 : 1);
  }

  // Replies: regular threads by weight (a few get most), the incident's spread over its threads.
  const size = new Int32Array(T).fill(1);
  const pickThread = sampler(replyWeight, rng);
  const regularReplies = params.posts - T - (incidentPosts - incidentThreads);
  if (regularReplies < 0) throw new Error('too few posts for this many threads');
  for (let r = 0; r < regularReplies; r++) size[pickThread()]++;
  for (let r = 0; r < incidentPosts - incidentThreads; r++) size[regularThreads + (r % incidentThreads)]++;

  const offset = new Int32Array(T + 1);
  for (let t = 0; t < T; t++) offset[t + 1] = offset[t] + size[t];
  const N = offset[T];
  const postTime = new Float64Array(N);
  const postAuthor = new Int32Array(N);
  const postReplyFloor = new Int32Array(N);
  const scratch: number[] = [];
  for (let t = 0; t < T; t++) {
    const start = threadStart[t];
    const n = size[t];
    // A thread's replies come over hours to weeks, bigger threads longer, most of them early.
    const span = threadCrisis[t] ? incidentFrom + HOUR - MINUTE - start : Math.min(now - MINUTE - start, 4 * HOUR * n ** 0.6);
    scratch.length = 0;
    for (let k = 1; k < n; k++) scratch.push(start + span * rng.next() ** 1.5);
    scratch.sort((a, b) => a - b);
    const o = offset[t];
    postTime[o] = start;
    postAuthor[o] = threadAuthor[t];
    for (let k = 1; k < n; k++) {
      postTime[o + k] = Math.round(scratch[k - 1]);
      let author = authorIn(threadChapter[t]);
      if (author === postAuthor[o + k - 1]) author = anyAuthor();
      postAuthor[o + k] = author;
      if (k >= 1 && rng.chance(0.25)) postReplyFloor[o + k] = rng.chance(0.5) ? 1 : rng.int(1, k);
    }
    postTime[o] = Math.round(start);
  }
  return {
    usernames, displayNames, english, kols, joinedAt, memberChapters,
    threadCount: T, threadAuthor, threadChapter, threadKind, threadTone, threadEnglish, threadCrisis,
    offset, postTime, postAuthor, postReplyFloor,
    incident: { chapter: incidentChapter, from: incidentFrom, posts: incidentPosts, threads: incidentThreads },
  };
}

// ---------------------------------------------------------------------------------------------
// Writing

/**
 * The seeded history is old news: members are not notified of it and webhooks do not announce it
 * (a notification storm of 90 days of mentions, dated today, is what real use never produces).
 * Those processors start after it; the listening pipeline (index, then alerts and KOL scoring from
 * its item.analyzed events) reads all of it.
 */
const HISTORY_SKIPPED_BY = [notifyProcessor.name, messageNotifyProcessor.name, 'webhooks'];

async function skipHistory(): Promise<void> {
  const end = Number((await OutboxEvent.max('id')) ?? 0);
  await withTransaction(async (transaction) => {
    for (const name of HISTORY_SKIPPED_BY) await ProcessorCursor.upsert({ name, lastEventId: end, attempts: 0, lastError: null }, { transaction });
  });
}

// Bound parameters per statement: SQLite allows 32766, Postgres 65535; a couple of thousand keeps
// statements cheap to prepare and lets each fixed-size one be prepared once (server/sql.ts).
const PARAMS_PER_STATEMENT = 2_000;

async function insertRows(table: string, columns: string[], rows: unknown[][], t: Transaction): Promise<void> {
  const per = Math.max(1, Math.floor(PARAMS_PER_STATEMENT / columns.length));
  const names = columns.map((c) => `"${c}"`).join(',');
  for (let i = 0; i < rows.length; i += per) {
    const chunk = rows.slice(i, i + per);
    const values = chunk.map((_, r) => `(${columns.map((_, c) => `$${r * columns.length + c + 1}`).join(',')})`).join(',');
    await sqlRows(`INSERT INTO "${table}" (${names}) VALUES ${values}`, chunk.flat(), t);
  }
}

const bool = (v: boolean) => (isSqlite() ? (v ? 1 : 0) : v);
const nextId = async (table: string) => Number((await sqlRows<{ id: number | null }>(`SELECT MAX("id") AS "id" FROM "${table}"`))[0]?.id ?? 0) + 1;

/** Postgres: explicit ids leave the serial sequence behind; move it past them. */
async function syncSequence(table: string): Promise<void> {
  if (isSqlite()) return;
  await db().query(`SELECT setval(pg_get_serial_sequence('"${table}"', 'id'), (SELECT COALESCE(MAX("id"), 1) FROM "${table}"))`);
}

/** Members (ids from `userBase` on, in plan order) and their memberships; returns the memberships. */
async function writeMembers(plan: Plan, chapters: ChapterRow[], passwordHash: string, now: number, userBase: number): Promise<number> {
  let memberships = 0;
  const M = plan.usernames.length;
  for (let from = 0; from < M; from += 10_000) {
    await withTransaction(async (t) => {
      const users: unknown[][] = [];
      const joins: unknown[][] = [];
      for (let m = from; m < Math.min(M, from + 10_000); m++) {
        const at = sqlDate(new Date(Math.min(now, plan.joinedAt[m])));
        users.push([userBase + m, plan.usernames[m], plan.displayNames[m], passwordHash, 'member', bool(true), null, at, at]);
        for (const c of plan.memberChapters[m]) joins.push([chapters[c].id, userBase + m, 'member', 'member', at, at]);
      }
      await insertRows('users', ['id', 'username', 'displayName', 'passwordHash', 'role', 'analyticsConsent', 'locale', 'createdAt', 'updatedAt'], users, t);
      await insertRows('memberships', ['chapterId', 'userId', 'status', 'role', 'createdAt', 'updatedAt'], joins, t);
      memberships += joins.length;
    });
  }
  await syncSequence('users');
  await sqlRows(`UPDATE "chapters" SET "memberCount" = (SELECT COUNT(*) FROM "memberships" m WHERE m."chapterId" = "chapters"."id" AND m."status" = 'member')`);
  return memberships;
}

/** Threads, then posts in time order with their outbox events. */
async function writeContent(plan: Plan, params: LargeParams, chapters: ChapterRow[], categories: Map<string, number>, userBase: number, progress: (line: string) => void) {
  const T = plan.threadCount;
  const N = plan.offset[T];
  const text = prng(params.seed ^ 0x7e47);
  // Ids follow time, as in real use: threads by their first post, posts by their own time.
  const threadOrder = Array.from({ length: T }, (_, t) => t).sort((a, b) => plan.postTime[plan.offset[a]] - plan.postTime[plan.offset[b]] || a - b);
  const threadBase = await nextId('threads');
  const threadId = new Int32Array(T);
  threadOrder.forEach((t, rank) => (threadId[t] = threadBase + rank));
  const postOrder = new Uint32Array(N);
  for (let i = 0; i < N; i++) postOrder[i] = i;
  postOrder.sort((a, b) => plan.postTime[a] - plan.postTime[b] || a - b);
  const postBase = await nextId('posts');
  const postId = new Int32Array(N);
  postOrder.forEach((p, rank) => (postId[p] = postBase + rank));
  const threadOf = new Int32Array(N);
  for (let t = 0; t < T; t++) for (let p = plan.offset[t]; p < plan.offset[t + 1]; p++) threadOf[p] = t;
  const cityOf = (t: number) => (plan.threadChapter[t] >= 0 ? chapters[plan.threadChapter[t]].city : '上海');
  const chapterIdOf = (t: number) => (plan.threadChapter[t] >= 0 ? chapters[plan.threadChapter[t]].id : null);

  for (let from = 0; from < T; from += 10_000) {
    await withTransaction(async (t) => {
      const rows: unknown[][] = [];
      for (const th of threadOrder.slice(from, from + 10_000)) {
        const first = plan.offset[th];
        const last = plan.offset[th + 1] - 1;
        const n = last - first + 1;
        const kind = THREAD_KINDS[plan.threadKind[th]];
        const category = plan.threadEnglish[th] ? categories.get('english') : plan.threadCrisis[th] ? categories.get('service') : categories.get(kind.category);
        const title = threadTitle(text, kind.kind as ThreadKind, cityOf(th), plan.threadEnglish[th] === 1, plan.threadCrisis[th] === 1);
        const created = sqlDate(new Date(plan.postTime[first]));
        const lastAt = sqlDate(new Date(plan.postTime[last]));
        rows.push([threadId[th], title, userBase + plan.threadAuthor[th], chapterIdOf(th), category ?? null, n, lastAt, bool(false), bool(false), n * text.int(3, 30), 0, n, userBase + plan.postAuthor[last], created, lastAt]);
      }
      await insertRows('threads', ['id', 'title', 'authorId', 'chapterId', 'categoryId', 'postCount', 'lastPostAt', 'locked', 'announcement', 'viewCount', 'likeCount', 'floorCount', 'lastPostAuthorId', 'createdAt', 'updatedAt'], rows, t);
    });
  }
  await syncSequence('threads');

  let englishPosts = 0;
  let mentionPosts = 0;
  let outboxEvents = 0;
  const kols = [...plan.kols];
  const anyone = plan.usernames.length;
  const started = Date.now();
  for (let from = 0; from < N; from += params.batch) {
    await withTransaction(async (t) => {
      const posts: unknown[][] = [];
      const events: unknown[][] = [];
      for (let r = from; r < Math.min(N, from + params.batch); r++) {
        const p = postOrder[r];
        const th = threadOf[p];
        const floor = p - plan.offset[th] + 1;
        const author = plan.postAuthor[p];
        const crisis = plan.threadCrisis[th] === 1;
        const english = !crisis && (plan.threadEnglish[th] === 1 ? text.chance(0.85) : plan.english[author] ? text.chance(0.3) : text.chance(0.02));
        // @mentions: KOLs draw a good share of them.
        let mention: string | null = null;
        if (text.chance(0.08)) {
          const target = text.chance(0.4) ? kols[text.int(0, kols.length - 1)] : text.int(0, anyone - 1);
          if (target !== author) mention = plan.usernames[target];
        }
        const body = postBody(text, { tone: TONES[plan.threadTone[th]], city: cityOf(th), english, mention, crisis });
        const { html, mentions } = renderMarkdown(body);
        if (english) englishPosts++;
        if (mentions.length) mentionPosts++;
        const replyFloor = plan.postReplyFloor[p];
        const replyTo = replyFloor ? postId[plan.offset[th] + replyFloor - 1] : null;
        const at = sqlDate(new Date(plan.postTime[p]));
        const id = postId[p];
        posts.push([id, threadId[th], userBase + author, body, html, replyTo, floor, JSON.stringify(mentions), 0, at, at]);
        const chapterId = chapterIdOf(th);
        // The events createThread and createPost record, in their order.
        if (floor === 1) events.push(['thread.created', JSON.stringify({ threadId: threadId[th], postId: id, authorId: userBase + author, chapterId }), at]);
        events.push(['post.created', JSON.stringify({ postId: id, threadId: threadId[th], authorId: userBase + author, chapterId, replyToId: replyTo, mentions: mentions.length }), at]);
      }
      await insertRows('posts', ['id', 'threadId', 'authorId', 'body', 'html', 'replyToId', 'floor', 'mentions', 'likeCount', 'createdAt', 'updatedAt'], posts, t);
      await insertRows('outbox_events', ['type', 'payload', 'createdAt'], events, t);
      outboxEvents += events.length;
    });
    const done = Math.min(N, from + params.batch);
    progress(`posts ${done}/${N} (${Math.round(done / ((Date.now() - started) / 1000))}/s)`);
  }
  await syncSequence('posts');
  return { englishPosts, mentionPosts, outboxEvents };
}
