/** Threads: start one, list those a viewer may see, load one with its posts, lock. */
import { Op, type WhereOptions } from 'sequelize';
import { Category, Chapter, Post, Thread, User } from '../models';
import type { Actor } from '../policies';
import { authorize, seesHidden } from '../policies';
import { unreadableChapterIds } from './chapters';
import { NotFound } from '../errors';
import { withTransaction } from '../db';
import { recordEvents } from '../events';
import { renderMarkdown } from '../markdown';
import { audit } from './audit';

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

/** Latest threads the viewer may read, optionally in one chapter or category. */
export async function listThreads(
  actor: Actor | null,
  opts: { chapter?: Chapter | null; category?: Category | null; limit: number; offset?: number },
): Promise<Thread[]> {
  if (opts.chapter) authorize(actor, 'chapter.read', { chapter: opts.chapter });
  const where: Record<string | symbol, unknown> = { ...(await visibleThreadsWhere(actor)) };
  if (opts.chapter) where.chapterId = opts.chapter.id;
  if (opts.category) where.categoryId = opts.category.id;
  return Thread.findAll({ where, order: [['lastPostAt', 'DESC'], ['id', 'DESC']], limit: opts.limit, offset: opts.offset ?? 0 });
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
