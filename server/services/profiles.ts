/** Member profiles: who they are, where they belong, what they wrote (that the viewer may read). */
import { Op } from 'sequelize';
import { Chapter, Post, Thread, User } from '../models';
import type { Actor } from '../policies';
import { can } from '../policies';
import { NotFound } from '../errors';
import { chaptersOf } from './chapters';

/** Load a profile: the user, their chapters the viewer may see, and recent posts the viewer may read. */
export async function loadProfile(viewer: Actor | null, username: string, limit = 20) {
  const user = await User.findOne({ where: { username } });
  if (!user) throw NotFound('User');
  // Over-fetch, then drop posts in threads the viewer cannot read (private chapters, hidden).
  const recent = await Post.findAll({ where: { authorId: user.id, deletedAt: null, hiddenAt: null }, order: [['id', 'DESC']], limit: limit * 3 });
  const threads = await Thread.findAll({ where: { id: { [Op.in]: [...new Set(recent.map((p) => p.threadId))] } } });
  const chapterIds = [...new Set(threads.map((t) => t.chapterId).filter((x): x is number => x !== null))];
  const chapterRows = chapterIds.length ? await Chapter.findAll({ where: { id: { [Op.in]: chapterIds } } }) : [];
  const chapterById = new Map(chapterRows.map((c) => [c.id, c]));
  const readable = new Map(
    threads
      .filter((thread) => can(viewer, 'thread.read', { thread, chapter: thread.chapterId ? chapterById.get(thread.chapterId) ?? null : null }))
      .map((t) => [t.id, t]),
  );
  const posts = recent.filter((p) => readable.has(p.threadId)).slice(0, limit);
  const chapters = (await chaptersOf(user.id)).filter((chapter) => can(viewer, 'chapter.read', { chapter }));
  return { user, chapters, posts, threads: readable };
}
