/** Notifications: created after commit by the notify processor, listed and marked read by members. */
import { Op } from 'sequelize';
import { Chapter, Notification, Post, Sanction, Thread, User } from '../models';
import { can } from '../policies';
import { withTransaction } from '../db';
import { recordEvents } from '../events';
import { actorFor } from './accounts';
import { sqlRows } from '../sql';
import { NotFound } from '../errors';
import type { EventOf } from '../events';
import { blockersOf } from './blocks';

/**
 * Notify the members a new post mentions, and the author it replies to. Idempotent: a
 * notification is keyed by (user, kind, post), so a retried event creates nothing twice.
 */
export async function notifyForPost(postId: number): Promise<number> {
  const post = await Post.findByPk(postId);
  if (!post || post.deletedAt || post.hiddenAt) return 0;
  const thread = await Thread.findByPk(post.threadId);
  if (!thread) return 0;
  const chapter = thread.chapterId ? await Chapter.findByPk(thread.chapterId) : null;

  const targets = new Map<number, 'mention' | 'reply'>();
  if (post.mentions.length) {
    const users = await User.findAll({ where: { username: { [Op.in]: post.mentions } } });
    for (const u of users) if (u.id !== post.authorId) targets.set(u.id, 'mention');
  }
  if (post.replyToId) {
    const parent = await Post.findByPk(post.replyToId);
    if (parent && parent.authorId !== post.authorId && !targets.has(parent.authorId)) targets.set(parent.authorId, 'reply');
  }
  let created = 0;
  for (const [userId, kind] of targets) {
    const user = await User.findByPk(userId);
    if (!user) continue;
    // Never leak a private chapter's post to someone who cannot read it.
    if (!can(await actorFor(user), 'thread.read', { thread, chapter })) continue;
    await withTransaction(async (transaction) => {
      const [note, isNew] = await Notification.findOrCreate({
        where: { userId, kind, postId: post.id },
        defaults: { userId, kind, postId: post.id, threadId: thread.id, actorId: post.authorId, chapterId: thread.chapterId, readAt: null },
        transaction,
      });
      if (isNew) {
        created++;
        await recordEvents(transaction, { type: 'notification.created', notificationId: note.id, userId });
      }
    });
  }
  return created;
}

/**
 * Notify the recipients of a private message (not those who blocked its author). Idempotent:
 * keyed by (user, kind, message). Shown grouped per conversation; opening one opens the group.
 */
export async function notifyForMessage(event: EventOf<'message.created'>): Promise<number> {
  const blockers = await blockersOf(event.authorId, event.recipientIds);
  let created = 0;
  for (const userId of event.recipientIds) {
    if (blockers.has(userId)) continue;
    await withTransaction(async (transaction) => {
      const [note, isNew] = await Notification.findOrCreate({
        where: { userId, kind: 'message', messageId: event.messageId },
        defaults: { userId, kind: 'message', messageId: event.messageId, conversationId: event.conversationId, actorId: event.authorId, threadId: null, postId: null, chapterId: null, readAt: null },
        transaction,
      });
      if (isNew) {
        created++;
        await recordEvents(transaction, { type: 'notification.created', notificationId: note.id, userId });
      }
    });
  }
  return created;
}

/** A member's notifications, newest first. */
export async function listNotifications(userId: number, limit = 50): Promise<Notification[]> {
  return Notification.findAll({ where: { userId }, order: [['id', 'DESC']], limit });
}

/** How many notifications the member hasn't read. */
export async function unreadCount(userId: number): Promise<number> {
  // Every signed-in page asks this: a prepared statement (server/sql.ts), not a model count.
  const [row] = await sqlRows<{ n: number }>('SELECT count(*) AS "n" FROM "notifications" WHERE "userId" = $1 AND "readAt" IS NULL', [userId]);
  return Number(row?.n ?? 0);
}

/** Mark some (or all) of a member's notifications read. */
export async function markRead(userId: number, ids?: number[]): Promise<void> {
  await withTransaction(async (transaction) => {
    await Notification.update(
      { readAt: new Date() },
      { where: { userId, readAt: null, ...(ids ? { id: { [Op.in]: ids } } : {}) }, transaction },
    );
  });
}

/** Kinds shown grouped per thread ("3 replies in …"): opening one opens the group. */
export const GROUPED_KINDS: ReadonlySet<string> = new Set(['reply', 'mention']);

/**
 * Open one of the member's notifications (someone else's is 404): it is marked read and
 * returned. A reply or mention opens its whole group: every unread one of that kind in the thread.
 */
export async function openNotification(userId: number, id: number): Promise<Notification> {
  const note = await Notification.findOne({ where: { id, userId } });
  if (!note) throw NotFound('Notification');
  if (note.kind === 'message' && note.conversationId) {
    await withTransaction(async (transaction) => {
      await Notification.update({ readAt: new Date() }, { where: { userId, kind: 'message', conversationId: note.conversationId, readAt: null }, transaction });
    });
  } else if (GROUPED_KINDS.has(note.kind) && note.threadId !== null) {
    await withTransaction(async (transaction) => {
      await Notification.update({ readAt: new Date() }, { where: { userId, kind: note.kind, threadId: note.threadId, readAt: null }, transaction });
    });
  } else if (!note.readAt) {
    await markRead(userId, [note.id]);
  }
  return note;
}

/** Rows needed to present notifications: actors, threads, chapters. */
export async function notificationContext(notes: Notification[]) {
  const ids = (xs: Array<number | null>) => [...new Set(xs.filter((x): x is number => x !== null))];
  const [actors, threads, chapters, sanctions] = await Promise.all([
    User.findAll({ where: { id: { [Op.in]: ids(notes.map((n) => n.actorId)) } } }),
    Thread.findAll({ where: { id: { [Op.in]: ids(notes.map((n) => n.threadId)) } } }),
    Chapter.findAll({ where: { id: { [Op.in]: ids(notes.map((n) => n.chapterId)) } } }),
    Sanction.findAll({ where: { id: { [Op.in]: ids(notes.map((n) => n.sanctionId ?? null)) } } }),
  ]);
  return {
    actors: new Map(actors.map((u) => [u.id, u])),
    threads: new Map(threads.map((t) => [t.id, t])),
    chapters: new Map(chapters.map((c) => [c.id, c])),
    sanctions: new Map(sanctions.map((s) => [s.id, s])),
  };
}
