/** After commit: push forum facts to the sockets that may see them (thread rooms, user rooms). */
import type { Processor } from './dispatcher';
import type { ResonanceServer } from '../realtime/io';
import { rooms } from '../realtime/rooms';
import { Chapter, Notification, Post, User } from '../models';
import { presentNotification, presentPost } from '../presenters';
import { notificationContext, unreadCount } from '../services/notifications';
import { isStaff } from '../policies';

type Handled = 'post.created' | 'post.updated' | 'post.removed' | 'post.liked' | 'thread.updated' | 'notification.created' | 'member.left';

/** The broadcast processor bound to one Socket.IO server (any adapter). */
export function broadcastProcessor(io: ResonanceServer): Processor<Handled> {
  async function presentedPost(postId: number) {
    const post = await Post.findByPk(postId);
    if (!post || post.deletedAt || post.hiddenAt) return null;
    const author = await User.findByPk(post.authorId);
    return presentPost(post, author ?? undefined);
  }

  return {
    name: 'broadcast',
    handles: ['post.created', 'post.updated', 'post.removed', 'post.liked', 'thread.updated', 'notification.created', 'member.left'],
    async handle(event) {
      switch (event.type) {
        case 'post.created':
        case 'post.updated': {
          const post = await presentedPost(event.postId);
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
    },
  };
}
