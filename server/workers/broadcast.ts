/** After commit: push forum facts to the sockets that may see them (thread rooms, user rooms). */
import type { Processor } from './dispatcher';
import type { StoredEvent } from '../events';
import type { ResonanceServer } from '../realtime/io';
import { rooms } from '../realtime/rooms';
import { Chapter, Notification } from '../models';
import { asDate, asJson, inList, sqlRows } from '../sql';
import { presentNotification, presentPost } from '../presenters';
import { notificationContext, unreadCount } from '../services/notifications';
import { replyTargets } from '../services/posts';
import { isStaff } from '../policies';

type Handled = 'post.created' | 'post.updated' | 'post.removed' | 'post.liked' | 'thread.updated' | 'notification.created' | 'member.left';

/** The broadcast processor bound to one Socket.IO server (any adapter). */
export function broadcastProcessor(io: ResonanceServer): Processor<Handled> {
  /** The visible posts of a batch, presented: one prepared query whatever the batch size. */
  async function presentedPosts(postIds: number[]) {
    const out = new Map<number, ReturnType<typeof presentPost>>();
    if (postIds.length === 0) return out;
    const ids = inList([...new Set(postIds)]);
    const rows = await sqlRows<Record<string, unknown>>(
      `SELECT p."id", p."threadId", p."body", p."html", p."replyToId", p."floor", p."mentions", p."likeCount", p."createdAt", p."editedAt", u."username", u."displayName"
         FROM "posts" p LEFT JOIN "users" u ON u."id" = p."authorId"
        WHERE p."id" IN (${ids.sql}) AND p."deletedAt" IS NULL AND p."hiddenAt" IS NULL`,
      ids.params,
    );
    // Live-arrived replies show "回复 @alice 的 3楼" too: one more query for the whole batch.
    const targets = await replyTargets(rows.map((r) => (r.replyToId === null ? null : Number(r.replyToId))));
    for (const r of rows) {
      const post = {
        id: Number(r.id),
        threadId: Number(r.threadId),
        body: String(r.body),
        html: String(r.html),
        replyToId: r.replyToId === null ? null : Number(r.replyToId),
        floor: r.floor === null || r.floor === undefined ? null : Number(r.floor),
        mentions: asJson<string[]>(r.mentions),
        likeCount: Number(r.likeCount),
        createdAt: asDate(r.createdAt),
        editedAt: r.editedAt === null ? null : asDate(r.editedAt),
      };
      const author = r.username === null ? undefined : { username: String(r.username), displayName: String(r.displayName) };
      out.set(post.id, presentPost(post, author, { replyTarget: post.replyToId ? targets.get(post.replyToId) : undefined }));
    }
    return out;
  }

  return {
    name: 'broadcast',
    // Each web process pushes to its own sockets, so each reads every event itself; a reconnect
    // replays what a client missed, so the cursor need not survive a restart.
    durable: false,
    handles: ['post.created', 'post.updated', 'post.removed', 'post.liked', 'thread.updated', 'notification.created', 'member.left'],
    // In batches: under load a poll brings tens of new posts, and each would cost two reads.
    async handleBatch(events) {
      const posts = await presentedPosts(events.flatMap((e) => (e.type === 'post.created' || e.type === 'post.updated' ? [e.postId] : [])));
      for (const event of events) await emit(event, posts);
    },
  };

  async function emit(event: StoredEvent<Handled>, posts: Map<number, ReturnType<typeof presentPost>>) {
    switch (event.type) {
      case 'post.created':
      case 'post.updated': {
        const post = posts.get(event.postId);
        if (!post) return; // removed since: its post:removed follows
        const name = event.type === 'post.created' ? 'post:created' : 'post:updated';
        io.to(rooms.thread(event.threadId)).emit(name, { threadId: String(event.threadId), post });
        return;
      }
      case 'post.removed':
        io.to(rooms.thread(event.threadId)).emit('post:removed', { threadId: String(event.threadId), postId: String(event.postId), reason: event.reason });
        return;
      case 'post.liked':
        io.to(rooms.thread(event.threadId)).emit('post:liked', { threadId: String(event.threadId), postId: String(event.postId), likes: event.likes });
        return;
      case 'thread.updated':
        io.to(rooms.thread(event.threadId)).emit('thread:updated', { threadId: String(event.threadId), locked: event.locked });
        return;
      case 'notification.created': {
        const note = await Notification.findByPk(event.notificationId);
        if (!note) return;
        const ctx = await notificationContext([note]);
        const notification = presentNotification(note, {
          actor: note.actorId ? ctx.actors.get(note.actorId) : undefined,
          thread: note.threadId ? ctx.threads.get(note.threadId) : undefined,
          chapter: note.chapterId ? ctx.chapters.get(note.chapterId) : undefined,
        });
        io.to(rooms.user(event.userId)).emit('notification:created', { notification, unread: await unreadCount(event.userId) });
        return;
      }
      case 'member.left': {
        // Someone left (or was removed from) a chapter: stop their private-thread streams now.
        const chapter = await Chapter.findByPk(event.chapterId);
        if (!chapter || chapter.visibility !== 'private') return;
        const sockets = await io.in(rooms.user(event.userId)).fetchSockets();
        for (const s of sockets) {
          if (isStaff(s.data.actor)) continue;
          for (const [threadId, chapterId] of Object.entries(s.data.threads ?? {})) {
            if (chapterId !== event.chapterId) continue;
            s.leave(rooms.thread(threadId));
            delete s.data.threads[threadId];
            s.emit('thread:revoked', { threadId });
          }
        }
        return;
      }
    }
  }
}
