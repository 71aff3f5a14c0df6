/** Batch-load what presenters need for lists (authors, chapters, likes) and present them. */
import type { Notification, Post, Thread } from '../models';
import type { Actor } from '../policies';
import { presentNotification, presentPost, presentThread } from '../presenters';
import { notificationContext } from '../services/notifications';
import { threadListContext } from '../services/threads';
import { authorsOf, likedBy, replyTargets } from '../services/posts';

/** Present threads with their authors, chapters and categories. */
export async function presentThreads(threads: Thread[]) {
  const ctx = await threadListContext(threads);
  return threads.map((t) =>
    presentThread(t, {
      author: ctx.authors.get(t.authorId),
      chapter: t.chapterId ? ctx.chapters.get(t.chapterId) : null,
      category: t.categoryId ? ctx.categories.get(t.categoryId) : null,
      lastPoster: t.lastPostAuthorId ? ctx.authors.get(t.lastPostAuthorId) : null,
    }),
  );
}

/** Present posts with their authors and the viewer's likes. */
export async function presentPosts(posts: Post[], viewer: Actor | null) {
  const [authors, liked, targets] = await Promise.all([authorsOf(posts), likedBy(viewer?.id, posts.map((p) => p.id)), replyTargets(posts.map((p) => p.replyToId))]);
  return posts.map((p) =>
    presentPost(p, authors.get(p.authorId), { likedByMe: viewer ? liked.has(p.id) : undefined, replyTarget: p.replyToId ? targets.get(p.replyToId) : undefined }),
  );
}

/** Present notifications with their actors, threads and chapters. */
export async function presentNotifications(notes: Notification[]) {
  const ctx = await notificationContext(notes);
  return notes.map((n) =>
    presentNotification(n, {
      actor: n.actorId ? ctx.actors.get(n.actorId) : undefined,
      thread: n.threadId ? ctx.threads.get(n.threadId) : undefined,
      chapter: n.chapterId ? ctx.chapters.get(n.chapterId) : undefined,
      sanction: n.sanctionId ? ctx.sanctions.get(n.sanctionId) : undefined,
    }),
  );
}
