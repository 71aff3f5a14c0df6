/**
 * Factories: create real rows through the real services (so events and counters are right),
 * inventing whatever parent is missing. buildPost() makes a thread, which makes an author.
 */
import crypto from 'node:crypto';
import { Category, Chapter, Membership, Thread, User } from '../../server/models';
import type { Role } from '../../server/models/User';
import { register, actorFor } from '../../server/services/accounts';
import { createChapter } from '../../server/services/chapters';
import { createCategory } from '../../server/services/categories';
import { createThread } from '../../server/services/threads';
import { createPost } from '../../server/services/posts';
import { Chapter as ChapterModel } from '../../server/models';
import type { Actor } from '../../server/policies';

const uniq = () => crypto.randomBytes(4).toString('hex');
export const PASSWORD = 'correct horse battery';

export interface BuiltUser {
  user: User;
  token: string;
  actor: Actor;
  username: string;
  password: string;
}

/** A registered user with a login token (and a role, set directly as an admin would). */
export async function buildUser(opts: { role?: Role; username?: string; displayName?: string } = {}): Promise<BuiltUser> {
  const username = opts.username ?? `u_${uniq()}`;
  const { user, token } = await register({ username, password: PASSWORD, displayName: opts.displayName });
  if (opts.role && opts.role !== 'member') {
    user.role = opts.role;
    await user.save();
  }
  return { user, token, actor: await actorFor(user), username, password: PASSWORD };
}

let adminCache: BuiltUser | null = null;
async function anAdmin(): Promise<BuiltUser> {
  // Each test server has a fresh database: an admin with the same id there is somebody else.
  const existing = adminCache ? await User.findByPk(adminCache.user.id) : null;
  if (adminCache && existing?.username === adminCache.username) return adminCache;
  adminCache = await buildUser({ role: 'admin' });
  return adminCache;
}

/** A chapter (public by default), optionally with members already approved. */
export async function buildChapter(opts: { visibility?: 'public' | 'private'; slug?: string; name?: string; members?: BuiltUser[]; moderators?: BuiltUser[] } = {}): Promise<Chapter> {
  const admin = await anAdmin();
  const slug = opts.slug ?? `city-${uniq()}`;
  const chapter = await createChapter(admin.actor, { slug, name: opts.name ?? `同城会 ${slug}`, city: '上海', visibility: opts.visibility ?? 'public' });
  for (const m of opts.members ?? []) await addMember(chapter, m, 'member');
  for (const m of opts.moderators ?? []) await addMember(chapter, m, 'moderator');
  return chapter;
}

/** Make u an approved member (or chapter moderator) of chapter, and refresh u.actor. */
export async function addMember(chapter: Chapter, u: BuiltUser, role: 'member' | 'moderator' = 'member'): Promise<void> {
  await Membership.create({ chapterId: chapter.id, userId: u.user.id, status: 'member', role });
  await ChapterModel.increment('memberCount', { by: 1, where: { id: chapter.id } });
  u.actor = await actorFor(u.user);
}

/** A category. */
export async function buildCategory(opts: { slug?: string; name?: string } = {}): Promise<Category> {
  const admin = await anAdmin();
  const slug = opts.slug ?? `cat-${uniq()}`;
  return createCategory(admin.actor, { slug, name: opts.name ?? `分类 ${slug}` });
}

/** A thread with its first post; the author is created (and let into the chapter) when missing. */
export async function buildThread(opts: { author?: BuiltUser; chapter?: Chapter | null; category?: Category | null; title?: string; body?: string } = {}) {
  const author = opts.author ?? (await buildUser());
  const chapter = opts.chapter ?? null;
  if (chapter && chapter.visibility === 'private' && !author.actor.memberships.has(chapter.id) && author.actor.role === 'member') {
    await addMember(chapter, author);
  }
  const { thread, post } = await createThread(author.actor, {
    title: opts.title ?? `测试主题 ${uniq()}`,
    body: opts.body ?? '今天试驾了新车，续航比想象中好。',
    chapter,
    category: opts.category ?? null,
  });
  return { thread, post, author };
}

/** A reply in a thread (thread and author created when missing). */
export async function buildPost(opts: { thread?: Thread; author?: BuiltUser; body?: string; replyTo?: number } = {}) {
  const thread = opts.thread ?? (await buildThread()).thread;
  const author = opts.author ?? (await buildUser());
  const chapter = thread.chapterId ? await Chapter.findByPk(thread.chapterId) : null;
  if (chapter && chapter.visibility === 'private' && !author.actor.memberships.has(chapter.id) && author.actor.role === 'member') {
    await addMember(chapter, author);
  }
  const fresh = (await Thread.findByPk(thread.id))!;
  const post = await createPost(author.actor, { thread: fresh, chapter }, { body: opts.body ?? '同意楼上，周末一起去看看。', replyTo: opts.replyTo });
  return { post, thread: fresh, author };
}
