/** Threads: start one, list those a viewer may see, load one with its posts, lock. */
import { col, literal, Op, where, type WhereOptions } from 'sequelize';
import { Category, Chapter, Post, Thread, User } from '../models';
import type { Actor } from '../policies';
import { authorize, seesHidden } from '../policies';
import { unreadableChapterIds } from './chapters';
import { NotFound } from '../errors';
import { withTransaction } from '../db';
import { recordEvents } from '../events';
import { renderMarkdown } from '../markdown';
import { audit } from './audit';
import { recordUploadUses } from './uploadUses';

export interface ThreadContext {
  thread: Thread;
  chapter: Chapter | null;
  category: Category | null;
}

/** Load a thread with its chapter and category; 404 if missing, 403 if not readable. */
export async function loadThread(actor: Actor | null, threadId: number): Promise<ThreadContext> {
  const thread = await Thread.findByPk(threadId);
  if (!thread) throw NotFound('Thread');
  const [chapter, category] = await Promise.all([
    thread.chapterId ? Chapter.findByPk(thread.chapterId) : null,
    thread.categoryId ? Category.findByPk(thread.categoryId) : null,
  ]);
  // Hidden threads are simply gone for non-staff.
  if (thread.hiddenAt && !seesHidden(actor)) throw NotFound('Thread');
  authorize(actor, 'thread.read', { thread, chapter });
  return { thread, chapter, category };
}

/** Start a thread with its first post. */
export async function createThread(
  actor: Actor,
  input: { title: string; body: string; chapter: Chapter | null; category: Category | null },
) {
  authorize(actor, 'thread.create', { chapter: input.chapter });
  const { html, mentions } = renderMarkdown(input.body);
  return withTransaction(async (transaction) => {
    const now = new Date();
    const thread = await Thread.create(
      {
        title: input.title,
        authorId: actor.id,
        chapterId: input.chapter?.id ?? null,
        categoryId: input.category?.id ?? null,
        postCount: 1,
        floorCount: 1,
        lastPostAt: now,
        lastPostAuthorId: actor.id,
        hiddenAt: null,
      },
      { transaction },
    );
    const post = await Post.create(
      { threadId: thread.id, authorId: actor.id, body: input.body, html, mentions, replyToId: null, floor: 1, editedAt: null, deletedAt: null, hiddenAt: null },
      { transaction },
    );
    await recordUploadUses(transaction, { post: post.id }, input.body, [actor.id]);
    await recordEvents(
      transaction,
      { type: 'thread.created', threadId: thread.id, postId: post.id, authorId: actor.id, chapterId: thread.chapterId },
      { type: 'post.created', postId: post.id, threadId: thread.id, authorId: actor.id, chapterId: thread.chapterId, replyToId: null, mentions: mentions.length },
    );
    return { thread, post };
  });
}

/** Where-clause fragment: only threads the viewer may read. */
export async function visibleThreadsWhere(actor: Actor | null): Promise<WhereOptions<Thread>> {
  const hidden = await unreadableChapterIds(actor);
  const where: Record<string | symbol, unknown> = {};
  if (!seesHidden(actor)) where.hiddenAt = null;
  if (hidden.length) where[Op.or] = [{ chapterId: null }, { chapterId: { [Op.notIn]: hidden } }];
  return where as WhereOptions<Thread>;
}

/** The orders of a thread list (issue #12). */
export const THREAD_SORTS = ['latest', 'new', 'top', 'unanswered'] as const;
export type ThreadSort = (typeof THREAD_SORTS)[number];
/** The window of the "top" sort: threads started within it. */
export const TOP_WINDOWS = ['day', 'week', 'month', 'year', 'all'] as const;
export type TopWindow = (typeof TOP_WINDOWS)[number];
const WINDOW_DAYS = new Map<TopWindow, number>([['day', 1], ['week', 7], ['month', 30], ['year', 365]]);

/** A keyset position: the sort key and the id of the last (or first) row of a page. */
export interface ThreadCursor {
  key: number | string;
  id: number;
}

/** Encode a cursor for a URL (opaque to clients). */
export function encodeCursor(c: ThreadCursor): string {
  return Buffer.from(JSON.stringify([c.key, c.id])).toString('base64url');
}

/** Decode a cursor; null when it is not one of ours (the caller answers 400). */
export function decodeCursor(raw: string): ThreadCursor | null {
  try {
    const v: unknown = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    if (!Array.isArray(v) || v.length !== 2) return null;
    const [key, id] = v as [unknown, unknown];
    if (!Number.isSafeInteger(id) || (id as number) < 0) return null;
    if (typeof key === 'number' && Number.isSafeInteger(key)) return { key, id: id as number };
    if (typeof key === 'string' && key.length <= 40 && !Number.isNaN(Date.parse(key))) return { key, id: id as number };
    return null;
  } catch {
    return null;
  }
}

// "top": replies plus likes. One expression for the ORDER BY, the keyset and the cursor.
const TOP_SCORE = '("Thread"."postCount" - 1 + "Thread"."likeCount")';
const sortKey = (sort: ThreadSort) => (sort === 'latest' ? 'lastPostAt' : sort === 'top' ? null : 'createdAt');

/** The cursor a page boundary row gives for this sort. */
export function cursorOf(thread: Thread, sort: ThreadSort): ThreadCursor {
  if (sort === 'top') return { key: thread.postCount - 1 + thread.likeCount, id: thread.id };
  const at = sort === 'latest' ? thread.lastPostAt : thread.createdAt;
  return { key: new Date(at).toISOString(), id: thread.id };
}

export interface ThreadListOptions {
  chapter?: Chapter | null;
  category?: Category | null;
  sort?: ThreadSort;
  window?: TopWindow;
  limit: number;
  /** Keyset paging: rows after this cursor (the next page) or before it (the previous page). */
  after?: ThreadCursor;
  before?: ThreadCursor;
  /** Legacy offset paging (the API's `offset`); keyset paging is used whenever it is 0. */
  offset?: number;
  /** Leave out the threads pinnedThreads() shows for the same list (they are listed first). */
  excludePinned?: boolean;
  now?: Date;
}

/**
 * Threads the viewer may read, optionally in one chapter or category, in one of the sort orders,
 * a page at a time by keyset (a row comparison on the sort key and id: no OFFSET scan). With
 * `before`, the page before the cursor, still in display order.
 */
export async function listThreads(actor: Actor | null, opts: ThreadListOptions): Promise<Thread[]> {
  if (opts.chapter) authorize(actor, 'chapter.read', { chapter: opts.chapter });
  const sort = opts.sort ?? 'latest';
  const and: unknown[] = [await visibleThreadsWhere(actor)];
  if (opts.chapter) and.push({ chapterId: opts.chapter.id });
  if (opts.category) and.push({ categoryId: opts.category.id });
  if (opts.excludePinned) and.push(pinnedWhere(opts, false));
  if (sort === 'unanswered') and.push({ postCount: { [Op.lte]: 1 } });
  if (sort === 'top') {
    const days = WINDOW_DAYS.get(opts.window ?? 'month');
    if (days) and.push({ createdAt: { [Op.gte]: new Date((opts.now ?? new Date()).getTime() - days * 86_400_000) } });
  }
  const column = sortKey(sort);
  const keyExpr = column ? col(`Thread.${column}`) : literal(TOP_SCORE);
  const position = opts.after ?? opts.before;
  if (position) {
    const value = column ? new Date(String(position.key)) : Number(position.key);
    const beyond = opts.before ? Op.gt : Op.lt;
    and.push({ [Op.or]: [where(keyExpr, { [beyond]: value }), { [Op.and]: [where(keyExpr, { [Op.eq]: value }), { id: { [beyond]: position.id } }] }] });
  }
  const direction = opts.before ? 'ASC' : 'DESC';
  const rows = await Thread.findAll({
    where: { [Op.and]: and } as WhereOptions<Thread>,
    order: [[keyExpr, direction], ['id', direction]],
    limit: opts.limit,
    offset: position ? 0 : (opts.offset ?? 0),
  });
  return opts.before ? rows.reverse() : rows;
}

/**
 * The threads pinned at the top of a list: on the home page, the announcements; in a chapter or
 * a category, its pinned threads and the announcements in it. Announcements first, then newest pin.
 */
export async function pinnedThreads(actor: Actor | null, opts: { chapter?: Chapter | null; category?: Category | null; limit?: number }): Promise<Thread[]> {
  if (opts.chapter) authorize(actor, 'chapter.read', { chapter: opts.chapter });
  const and: unknown[] = [await visibleThreadsWhere(actor), pinnedWhere(opts, true)];
  if (opts.chapter) and.push({ chapterId: opts.chapter.id });
  if (opts.category) and.push({ categoryId: opts.category.id });
  return Thread.findAll({
    where: { [Op.and]: and } as WhereOptions<Thread>,
    order: [['announcement', 'DESC'], ['pinnedAt', 'DESC'], ['id', 'DESC']],
    limit: opts.limit ?? 20,
  });
}

/** Which threads are pinned in a list (or, with `pinned` false, which are not). */
function pinnedWhere(opts: { chapter?: Chapter | null; category?: Category | null }, pinned: boolean) {
  const local = !!(opts.chapter || opts.category);
  if (pinned) return local ? { [Op.or]: [{ announcement: true }, { pinnedAt: { [Op.ne]: null } }] } : { announcement: true };
  return local ? { announcement: false, pinnedAt: null } : { announcement: false };
}

/**
 * Pin a thread in its chapter or category (or unpin it), or make it a global announcement (or
 * not): moderators, by policy; audit-logged with the reason.
 */
export async function setThreadPinned(actor: Actor, ctx: ThreadContext, change: { pinned?: boolean; announcement?: boolean }, reason: string) {
  if (change.pinned !== undefined) authorize(actor, 'thread.pin', { thread: ctx.thread, chapter: ctx.chapter });
  if (change.announcement !== undefined) authorize(actor, 'thread.announce', { thread: ctx.thread, chapter: ctx.chapter });
  return withTransaction(async (transaction) => {
    const thread = ctx.thread;
    const actions: string[] = [];
    if (change.pinned !== undefined && change.pinned !== !!thread.pinnedAt) {
      thread.pinnedAt = change.pinned ? new Date() : null;
      actions.push(change.pinned ? 'thread.pin' : 'thread.unpin');
    }
    if (change.announcement !== undefined && change.announcement !== thread.announcement) {
      thread.announcement = change.announcement;
      actions.push(change.announcement ? 'thread.announce' : 'thread.unannounce');
    }
    if (actions.length === 0) return thread; // already so: nothing to record
    await thread.save({ transaction, silent: true });
    for (const action of actions) await audit(transaction, actor.id, action, 'thread', String(thread.id), reason);
    await recordEvents(transaction, { type: 'thread.updated', threadId: thread.id, chapterId: thread.chapterId, locked: thread.locked, actorId: actor.id });
    return thread;
  });
}

/** Posts of a thread after a given post id (oldest first), skipping removed ones. */
export async function threadPosts(threadId: number, opts: { after?: number; limit: number; offset?: number }): Promise<Post[]> {
  return Post.findAll({
    where: { threadId, deletedAt: null, hiddenAt: null, ...(opts.after ? { id: { [Op.gt]: opts.after } } : {}) },
    order: [['id', 'ASC']],
    limit: opts.limit,
    offset: opts.offset ?? 0,
  });
}

/** Lock or unlock a thread (moderators). */
export async function setThreadLocked(actor: Actor, ctx: ThreadContext, locked: boolean, reason: string) {
  authorize(actor, 'thread.lock', { thread: ctx.thread, chapter: ctx.chapter });
  return withTransaction(async (transaction) => {
    ctx.thread.locked = locked;
    await ctx.thread.save({ transaction });
    await audit(transaction, actor.id, locked ? 'thread.lock' : 'thread.unlock', 'thread', String(ctx.thread.id), reason);
    await recordEvents(transaction, { type: 'thread.updated', threadId: ctx.thread.id, chapterId: ctx.thread.chapterId, locked, actorId: actor.id });
    return ctx.thread;
  });
}

/** Look up related rows for presenting a list of threads. */
export async function threadListContext(threads: Thread[]) {
  const ids = (xs: Array<number | null>) => [...new Set(xs.filter((x): x is number => x !== null))];
  const [authors, chapters, categories] = await Promise.all([
    User.findAll({ where: { id: { [Op.in]: ids(threads.flatMap((t) => [t.authorId, t.lastPostAuthorId ?? null])) } } }),
    Chapter.findAll({ where: { id: { [Op.in]: ids(threads.map((t) => t.chapterId)) } } }),
    Category.findAll({ where: { id: { [Op.in]: ids(threads.map((t) => t.categoryId)) } } }),
  ]);
  return {
    authors: new Map(authors.map((u) => [u.id, u])),
    chapters: new Map(chapters.map((c) => [c.id, c])),
    categories: new Map(categories.map((c) => [c.id, c])),
  };
}
