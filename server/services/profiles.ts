/**
 * Member profiles: who they are (bio, join date, last seen), what they did (counts and the
 * threads / replies / likes tabs) and where they belong (chapters), all of it scoped to what the
 * viewer may read (the policy's query scopes) and to what the member chose to show.
 */
import { Op } from 'sequelize';
import { Chapter, Credential, MemberProfile, Post, Thread, User } from '../models';
import type { Actor } from '../policies';
import { can, seesHidden } from '../policies';
import { NotFound } from '../errors';
import { withTransaction } from '../db';
import { sqlRows } from '../sql';
import { LruCache } from '../cache/lru';
import { chaptersOf, unreadableChapterIds } from './chapters';

/** The tabs of a profile that list posts or threads (chapters are a short list of their own). */
export const ACTIVITY_TABS = ['threads', 'replies', 'likes'] as const;
export type ActivityTab = (typeof ACTIVITY_TABS)[number];

/** A member's privacy choices for their profile (all off: everything shown, as on Discourse). */
export interface ProfilePrivacy { hideLikes: boolean; hideChapters: boolean; hideLastSeen: boolean }

export interface ProfileCounts { threads: number; posts: number; replies: number; likesReceived: number }

/** One page of a tab: threads (threads tab) or posts with their threads (replies, likes, recent posts). */
export type ActivityPage =
  | { kind: 'threads'; threads: Thread[]; next: number | null }
  | { kind: 'posts'; posts: Post[]; threads: Map<number, Thread>; next: number | null };

/** What a profile shows this viewer; sections the member hides from them are null. */
export interface ProfileView {
  user: User;
  bio: string | null;
  privacy: ProfilePrivacy;
  /** Whether the viewer sees the parts the member keeps private (the owner, moderators). */
  seesPrivate: boolean;
  isOwner: boolean;
  counts: ProfileCounts;
  lastSeenAt: Date | null;
  /** null when hidden from this viewer; private chapters the viewer may not read are left out. */
  chapters: Chapter[] | null;
  likesVisible: boolean;
}

const DEFAULT_PRIVACY: ProfilePrivacy = { hideLikes: false, hideChapters: false, hideLastSeen: false };

/** The viewer's read scope as SQL over `t` (threads) and optionally `p` (posts): chapters and hidden content. */
interface Scope { unreadable: number[]; seesHidden: boolean }

async function scopeFor(viewer: Actor | null): Promise<Scope> {
  return { unreadable: await unreadableChapterIds(viewer), seesHidden: seesHidden(viewer) };
}

/** Builds SQL with `$n` placeholders (one text for SQLite and Postgres; see server/sql.ts). */
class Query {
  params: unknown[] = [];
  bind(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }
  /** Threads the viewer may read (private chapters they are not in and, for members, hidden threads are out). */
  threadScope(scope: Scope): string {
    const parts: string[] = [];
    if (scope.unreadable.length) parts.push(`(t."chapterId" IS NULL OR t."chapterId" NOT IN (${scope.unreadable.map((id) => this.bind(id)).join(', ')}))`);
    if (!scope.seesHidden) parts.push('t."hiddenAt" IS NULL');
    return parts.length ? ` AND ${parts.join(' AND ')}` : '';
  }
  /** Posts the viewer may read: in readable threads, not deleted, not hidden (members). */
  postScope(scope: Scope): string {
    return `${this.threadScope(scope)} AND p."deletedAt" IS NULL${scope.seesHidden ? '' : ' AND p."hiddenAt" IS NULL'}`;
  }
}

// A reply is any post after its thread's opening post (MIN(id) per thread: the (threadId, id) index).
const IS_REPLY = 'p.id > (SELECT MIN(f.id) FROM posts f WHERE f."threadId" = p."threadId")';

async function loadUser(username: string): Promise<User> {
  const user = await User.findOne({ where: { username } });
  if (!user) throw NotFound('User');
  return user;
}

/** A member's privacy choices (defaults when they never saved any). */
export async function privacyOf(userId: number): Promise<ProfilePrivacy & { bio: string | null }> {
  const row = await MemberProfile.findByPk(userId);
  if (!row) return { ...DEFAULT_PRIVACY, bio: null };
  return { bio: row.bio, hideLikes: row.hideLikes, hideChapters: row.hideChapters, hideLastSeen: row.hideLastSeen };
}

// The counts are aggregates over the member's posts through the (authorId, id) index: ~1 ms at
// demo size, ~100 ms for a member with 20,000 posts (bench/profile.bench.ts). Heavy posters'
// counts are kept a minute per read scope (most viewers share one: anonymous, or members of no
// private chapter); a minute-old count on a 1,000-post profile goes unnoticed.
const HEAVY_POSTER_POSTS = 1_000;
const heavyCounts = new LruCache<string, ProfileCounts>(2_000, 60_000, { sweepEveryMs: 60_000 });

/** Counts the viewer may see: threads, posts (replies among them) and likes those posts received. */
export async function profileCounts(viewer: Actor | null, userId: number, scope?: Scope): Promise<ProfileCounts> {
  const s = scope ?? (await scopeFor(viewer));
  const key = `${userId}|${s.seesHidden ? 'h' : ''}|${s.unreadable.join(',')}`;
  const cached = heavyCounts.get(key);
  if (cached) return cached;
  const counts = await countNow(userId, s);
  if (counts.posts >= HEAVY_POSTER_POSTS) heavyCounts.set(key, counts);
  return counts;
}

async function countNow(userId: number, s: Scope): Promise<ProfileCounts> {
  const tq = new Query();
  const threadsSql = `SELECT COUNT(*) AS n FROM threads t WHERE t."authorId" = ${tq.bind(userId)}${tq.threadScope(s)}`;
  const pq = new Query();
  const postsSql =
    `SELECT COUNT(*) AS n, COALESCE(SUM(p."likeCount"), 0) AS likes, COALESCE(SUM(CASE WHEN ${IS_REPLY} THEN 1 ELSE 0 END), 0) AS replies ` +
    `FROM posts p JOIN threads t ON t.id = p."threadId" WHERE p."authorId" = ${pq.bind(userId)}${pq.postScope(s)}`;
  const [[threads], [posts]] = await Promise.all([
    sqlRows<{ n: number | string }>(threadsSql, tq.params),
    sqlRows<{ n: number | string; likes: number | string; replies: number | string }>(postsSql, pq.params),
  ]);
  return { threads: Number(threads?.n ?? 0), posts: Number(posts?.n ?? 0), replies: Number(posts?.replies ?? 0), likesReceived: Number(posts?.likes ?? 0) };
}

/** When the member last used a session (touched at most hourly by authentication). */
async function lastSeenOf(userId: number): Promise<Date | null> {
  const row = await Credential.findOne({ where: { userId, kind: 'session', lastUsedAt: { [Op.ne]: null } }, order: [['lastUsedAt', 'DESC']], attributes: ['lastUsedAt'] });
  return row?.lastUsedAt ?? null;
}

/** Load a profile's header and sidebar as this viewer may see them. */
export async function loadProfile(viewer: Actor | null, username: string): Promise<ProfileView> {
  const user = await loadUser(username);
  const scope = await scopeFor(viewer);
  const [settings, counts, lastSeen] = await Promise.all([privacyOf(user.id), profileCounts(viewer, user.id, scope), lastSeenOf(user.id)]);
  const { bio, ...privacy } = settings;
  const seesPrivate = can(viewer, 'profile.seePrivate', { owner: user });
  const shows = (hidden: boolean) => !hidden || seesPrivate;
  const chapters = shows(privacy.hideChapters)
    ? (await chaptersOf(user.id)).filter((chapter) => can(viewer, 'chapter.read', { chapter }))
    : null;
  return {
    user,
    bio,
    privacy,
    seesPrivate,
    isOwner: viewer?.id === user.id && viewer.scopes === null,
    counts,
    lastSeenAt: shows(privacy.hideLastSeen) ? lastSeen : null,
    chapters,
    likesVisible: shows(privacy.hideLikes),
  };
}

async function postsPage(ids: number[], limit: number, cursorOf: (i: number) => number): Promise<ActivityPage> {
  const page = ids.slice(0, limit);
  const posts = page.length ? await Post.findAll({ where: { id: { [Op.in]: page } } }) : [];
  const byId = new Map(posts.map((p) => [p.id, p]));
  const ordered = page.map((id) => byId.get(id)).filter((p): p is Post => !!p);
  const threadIds = [...new Set(ordered.map((p) => p.threadId))];
  const threads = threadIds.length ? await Thread.findAll({ where: { id: { [Op.in]: threadIds } } }) : [];
  return { kind: 'posts', posts: ordered, threads: new Map(threads.map((t) => [t.id, t])), next: ids.length > limit ? cursorOf(limit - 1) : null };
}

/**
 * One page of a profile tab, newest first, keyset-paginated: `before` is the previous page's
 * `next` (a thread id, a post id, or for likes a like id). Likes hidden from the viewer: 404.
 * `posts` (all their posts, openings included) is the JSON API's recent-posts list.
 */
export async function profileActivity(
  viewer: Actor | null,
  username: string,
  tab: ActivityTab | 'posts',
  opts: { before?: number; limit: number },
): Promise<ActivityPage> {
  const user = await loadUser(username);
  const scope = await scopeFor(viewer);
  const q = new Query();
  const uid = q.bind(user.id);
  const before = (column: string) => (opts.before ? ` AND ${column} < ${q.bind(opts.before)}` : '');
  const take = opts.limit + 1;
  if (tab === 'threads') {
    const sql = `SELECT t.id FROM threads t WHERE t."authorId" = ${uid}${before('t.id')}${q.threadScope(scope)} ORDER BY t.id DESC LIMIT ${take}`;
    const ids = (await sqlRows<{ id: number }>(sql, q.params)).map((r) => Number(r.id));
    const page = ids.slice(0, opts.limit);
    const rows = page.length ? await Thread.findAll({ where: { id: { [Op.in]: page } } }) : [];
    const byId = new Map(rows.map((t) => [t.id, t]));
    return { kind: 'threads', threads: page.map((id) => byId.get(id)).filter((t): t is Thread => !!t), next: ids.length > opts.limit ? page[page.length - 1] : null };
  }
  if (tab === 'likes') {
    const { hideLikes } = await privacyOf(user.id);
    if (hideLikes && !can(viewer, 'profile.seePrivate', { owner: user })) throw NotFound('Likes');
    const sql =
      `SELECT l.id AS "likeId", p.id AS "postId" FROM likes l JOIN posts p ON p.id = l."postId" JOIN threads t ON t.id = p."threadId" ` +
      `WHERE l."userId" = ${uid}${before('l.id')}${q.postScope(scope)} ORDER BY l.id DESC LIMIT ${take}`;
    const rows = await sqlRows<{ likeId: number; postId: number }>(sql, q.params);
    return postsPage(rows.map((r) => Number(r.postId)), opts.limit, (i) => Number(rows[i].likeId));
  }
  const sql =
    `SELECT p.id FROM posts p JOIN threads t ON t.id = p."threadId" WHERE p."authorId" = ${uid}${before('p.id')}` +
    `${tab === 'replies' ? ` AND ${IS_REPLY}` : ''}${q.postScope(scope)} ORDER BY p.id DESC LIMIT ${take}`;
  const ids = (await sqlRows<{ id: number }>(sql, q.params)).map((r) => Number(r.id));
  return postsPage(ids, opts.limit, (i) => ids[i]);
}

/** Save the caller's bio and profile privacy choices (only the fields given change). */
export async function updateMemberProfile(userId: number, patch: Partial<ProfilePrivacy> & { bio?: string | null }) {
  return withTransaction(async (transaction) => {
    const [row] = await MemberProfile.findOrCreate({ where: { userId }, defaults: { userId, bio: null }, transaction });
    if (patch.bio !== undefined) row.bio = patch.bio === null || patch.bio.trim() === '' ? null : patch.bio.trim();
    if (patch.hideLikes !== undefined) row.hideLikes = patch.hideLikes;
    if (patch.hideChapters !== undefined) row.hideChapters = patch.hideChapters;
    if (patch.hideLastSeen !== undefined) row.hideLastSeen = patch.hideLastSeen;
    await row.save({ transaction });
    return { bio: row.bio, hideLikes: row.hideLikes, hideChapters: row.hideChapters, hideLastSeen: row.hideLastSeen };
  });
}
