/** Posts: reply, edit, delete, like, flag. Each write records its domain event in the same transaction. */
import { literal, Op } from 'sequelize';
import { Flag, Like, Post, Thread, User } from '../models';
import type { Actor, ChapterRef, ThreadRef } from '../policies';
import { authorize } from '../policies';
import { Invalid, NotFound } from '../errors';
import { withTransaction } from '../db';
import { inList, sqlDate, sqlRows } from '../sql';
import { recordEvents } from '../events';
import { renderMarkdown } from '../markdown';
import { audit } from './audit';
import { recordUploadUses } from './uploadUses';
import { loadThread, type ThreadContext } from './threads';

export interface PostContext extends ThreadContext {
  post: Post;
}

/** Load a live post with its thread context; 404 if missing or removed, 403 if unreadable. */
export async function loadPost(actor: Actor | null, postId: number): Promise<PostContext> {
  const post = await Post.findByPk(postId);
  if (!post || post.deletedAt || post.hiddenAt) throw NotFound('Post');
  const ctx = await loadThread(actor, post.threadId);
  return { ...ctx, post };
}

/** A post for a moderator's hide/restore: hidden posts are found too (deleted ones are not). */
export async function loadPostForModeration(actor: Actor | null, postId: number): Promise<PostContext> {
  const post = await Post.findByPk(postId);
  if (!post || post.deletedAt) throw NotFound('Post');
  const ctx = await loadThread(actor, post.threadId);
  return { ...ctx, post };
}

/**
 * Hide a post (or restore it): it leaves pages, sockets, counts and the listening index, but the
 * row stays for the audit trail and can come back. Always audit-logged with the reason.
 */
export async function setPostHidden(actor: Actor, ctx: PostContext, hidden: boolean, reason: string | null): Promise<void> {
  authorize(actor, 'post.hide', ctx);
  const post = ctx.post;
  if (!!post.hiddenAt === hidden) return; // already so: nothing to record
  await withTransaction(async (transaction) => {
    post.hiddenAt = hidden ? new Date() : null;
    await post.save({ transaction });
    await Thread.increment('postCount', { by: hidden ? -1 : 1, where: { id: post.threadId }, transaction });
    await audit(transaction, actor.id, hidden ? 'post.hide' : 'post.restore', 'post', String(post.id), reason);
    await recordEvents(
      transaction,
      hidden
        ? { type: 'post.removed', postId: post.id, threadId: post.threadId, actorId: actor.id, chapterId: ctx.thread.chapterId, reason: 'hidden' }
        : { type: 'post.updated', postId: post.id, threadId: post.threadId, actorId: actor.id, chapterId: ctx.thread.chapterId },
    );
  });
}

/** Reply in a thread, optionally to a specific post of it. */
export async function createPost(
  actor: Actor,
  ctx: { thread: ThreadRef; chapter: ChapterRef | null },
  input: { body: string; replyTo?: number },
) {
  authorize(actor, 'thread.reply', { thread: ctx.thread, chapter: ctx.chapter });
  if (input.replyTo !== undefined) {
    const target = await Post.findByPk(input.replyTo);
    if (!target || target.threadId !== ctx.thread.id || target.deletedAt || target.hiddenAt) {
      throw Invalid('replyTo', 'validation.replyToThisThread');
    }
  }
  const { html, mentions } = renderMarkdown(input.body);
  return withTransaction(async (transaction) => {
    // The hottest write in the forum: prepared statements (server/sql.ts), not model calls.
    const now = new Date();
    const at = sqlDate(now);
    // The thread row first: its UPDATE takes the row lock (Postgres) before the floor is read, so
    // concurrent replies get distinct floors; `postCount = postCount + 1` never loses a count.
    const [{ floorCount: floor }] = await sqlRows<{ floorCount: number }>(
      'UPDATE "threads" SET "lastPostAt" = $1, "postCount" = "postCount" + 1, "floorCount" = "floorCount" + 1, "lastPostAuthorId" = $3, "updatedAt" = $1 WHERE "id" = $2 RETURNING "floorCount"',
      [at, ctx.thread.id, actor.id],
      transaction,
    );
    const [{ id }] = await sqlRows<{ id: number }>(
      'INSERT INTO "posts" ("threadId","authorId","body","html","replyToId","floor","mentions","likeCount","createdAt","updatedAt") VALUES ($1,$2,$3,$4,$5,$6,$7,0,$8,$8) RETURNING "id"',
      [ctx.thread.id, actor.id, input.body, html, input.replyTo ?? null, Number(floor), JSON.stringify(mentions), at],
      transaction,
    );
    const post = Post.build(
      { id, threadId: ctx.thread.id, authorId: actor.id, body: input.body, html, mentions, replyToId: input.replyTo ?? null, floor: Number(floor), likeCount: 0, editedAt: null, deletedAt: null, hiddenAt: null, createdAt: now, updatedAt: now },
      { isNewRecord: false, raw: true },
    );
    await recordUploadUses(transaction, { post: id }, input.body, [actor.id]);
    await recordEvents(transaction, {
      type: 'post.created',
      postId: id,
      threadId: ctx.thread.id,
      authorId: actor.id,
      chapterId: ctx.thread.chapterId,
      replyToId: post.replyToId,
      mentions: mentions.length,
    });
    return post;
  });
}

/** Edit a post's body (author or staff); staff edits of others' posts are audit-logged. */
export async function editPost(actor: Actor, ctx: PostContext, body: string, reason: string | null) {
  authorize(actor, 'post.edit', ctx);
  const { html, mentions } = renderMarkdown(body);
  return withTransaction(async (transaction) => {
    const post = ctx.post;
    post.body = body;
    post.html = html;
    post.mentions = mentions;
    post.editedAt = new Date();
    await post.save({ transaction });
    // The author's images, and a moderator's own if they add one (kept private with the post).
    await recordUploadUses(transaction, { post: post.id }, body, [post.authorId, actor.id]);
    if (actor.id !== post.authorId) await audit(transaction, actor.id, 'post.edit', 'post', String(post.id), reason);
    await recordEvents(transaction, { type: 'post.updated', postId: post.id, threadId: post.threadId, actorId: actor.id, chapterId: ctx.thread.chapterId });
    return post;
  });
}

/** Delete a post (author or staff). Soft delete: the row stays for the audit trail. */
export async function deletePost(actor: Actor, ctx: PostContext, reason: string | null) {
  authorize(actor, 'post.delete', ctx);
  await withTransaction(async (transaction) => {
    const post = ctx.post;
    post.deletedAt = new Date();
    await post.save({ transaction });
    await Thread.decrement('postCount', { by: 1, where: { id: post.threadId }, transaction });
    if (actor.id !== post.authorId) await audit(transaction, actor.id, 'post.delete', 'post', String(post.id), reason);
    await recordEvents(transaction, { type: 'post.removed', postId: post.id, threadId: post.threadId, actorId: actor.id, chapterId: ctx.thread.chapterId, reason: 'deleted' });
  });
}

/** Like a post (idempotent); returns the new like count. */
export async function likePost(actor: Actor, ctx: PostContext): Promise<number> {
  authorize(actor, 'post.like', ctx);
  return withTransaction(async (transaction) => {
    const [, created] = await Like.findOrCreate({ where: { postId: ctx.post.id, userId: actor.id }, transaction });
    const likes = await Like.count({ where: { postId: ctx.post.id }, transaction });
    if (created) {
      await Post.update({ likeCount: likes }, { where: { id: ctx.post.id }, transaction });
      await Thread.increment('likeCount', { by: 1, where: { id: ctx.post.threadId }, transaction, silent: true });
      await recordEvents(transaction, { type: 'post.liked', postId: ctx.post.id, threadId: ctx.post.threadId, userId: actor.id, chapterId: ctx.thread.chapterId, likes });
    }
    return likes;
  });
}

/** Remove a like (idempotent); returns the new like count. */
export async function unlikePost(actor: Actor, ctx: PostContext): Promise<number> {
  authorize(actor, 'post.like', ctx);
  return withTransaction(async (transaction) => {
    const removed = await Like.destroy({ where: { postId: ctx.post.id, userId: actor.id }, transaction });
    const likes = await Like.count({ where: { postId: ctx.post.id }, transaction });
    if (removed) {
      await Post.update({ likeCount: likes }, { where: { id: ctx.post.id }, transaction });
      await Thread.decrement('likeCount', { by: 1, where: { id: ctx.post.threadId }, transaction, silent: true });
      await recordEvents(transaction, { type: 'post.liked', postId: ctx.post.id, threadId: ctx.post.threadId, userId: actor.id, chapterId: ctx.thread.chapterId, likes });
    }
    return likes;
  });
}

/** Flag a post for the moderators; one open flag per member and post. */
export async function flagPost(actor: Actor, ctx: PostContext, reason: string) {
  authorize(actor, 'post.flag', ctx);
  return withTransaction(async (transaction) => {
    const existing = await Flag.findOne({ where: { postId: ctx.post.id, userId: actor.id, status: 'open' }, transaction });
    if (existing) return existing;
    const flag = await Flag.create({ postId: ctx.post.id, userId: actor.id, reason }, { transaction });
    await recordEvents(transaction, { type: 'post.flagged', flagId: flag.id, postId: ctx.post.id, threadId: ctx.post.threadId, userId: actor.id, chapterId: ctx.thread.chapterId, reason });
    return flag;
  });
}

/** Which of these posts the viewer has liked. */
export async function likedBy(userId: number | undefined, postIds: number[]): Promise<Set<number>> {
  if (!userId || postIds.length === 0) return new Set();
  // Every signed-in thread view asks this for its whole page of posts: one prepared statement.
  const ids = inList([...new Set(postIds)], 2);
  const rows = await sqlRows<{ postId: number }>(`SELECT "postId" FROM "likes" WHERE "userId" = $1 AND "postId" IN (${ids.sql})`, [userId, ...ids.params]);
  return new Set(rows.map((r) => Number(r.postId)));
}

/** Authors of these posts, by id. */
export async function authorsOf(posts: Post[]): Promise<Map<number, User>> {
  const ids = [...new Set(posts.map((p) => p.authorId))];
  const users = ids.length ? await User.findAll({ where: { id: { [Op.in]: ids } } }) : [];
  return new Map(users.map((u) => [u.id, u]));
}

/** What a reply shows of the post it answers: its floor and author ("回复 @alice 的 3楼"). */
export interface ReplyTarget {
  floor: number | null;
  author: { username: string; displayName: string } | null;
}

/** The replied-to posts of these ids (removed ones too: a floor outlives its post), one query. */
export async function replyTargets(postIds: Array<number | null | undefined>): Promise<Map<number, ReplyTarget>> {
  const wanted = [...new Set(postIds.filter((x): x is number => typeof x === 'number'))];
  if (wanted.length === 0) return new Map();
  const ids = inList(wanted);
  const rows = await sqlRows<{ id: number; floor: number | null; username: string | null; displayName: string | null }>(
    `SELECT p."id", p."floor", u."username", u."displayName" FROM "posts" p LEFT JOIN "users" u ON u."id" = p."authorId" WHERE p."id" IN (${ids.sql})`,
    ids.params,
  );
  return new Map(
    rows.map((r) => [
      Number(r.id),
      { floor: r.floor === null ? null : Number(r.floor), author: r.username === null ? null : { username: String(r.username), displayName: String(r.displayName) } },
    ]),
  );
}
