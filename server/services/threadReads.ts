/**
 * Cached, viewer-independent reads of threads and their posts: the hot path of the thread page,
 * the thread API and socket replays. Entries are dropped synchronously when a transaction in
 * this process commits an event about the thread (so a writer always reads its own write), as
 * soon as another process's commit arrives over the cluster bus (REDIS_URL), and expire after a
 * few seconds in any case (several processes without Redis, or a bus message lost). Authorization still runs
 * per request, against the cached refs.
 */
import { Op } from 'sequelize';
import { Category, Chapter, Post, Thread, User } from '../models';
import { authorize, seesHidden, type Actor, type ChapterRef, type ThreadRef } from '../policies';
import { NotFound } from '../errors';
import { onEventsCommitted } from '../events';
import { presentCategory, presentChapter, presentPost, presentThread, type PresentedPost } from '../presenters';
import { LruCache, type LruOptions } from '../cache/lru';
import { replyTargets } from './posts';

const TTL_MS = 5_000;

export interface ThreadSnapshot {
  ref: ThreadRef & { postCount: number };
  chapterRef: ChapterRef | null;
  thread: ReturnType<typeof presentThread>;
  chapter: ReturnType<typeof presentChapter> | null;
  category: ReturnType<typeof presentCategory> | null;
}

export interface PostsSnapshot {
  /** `hidden` is true only in pages read with `includeHidden` (moderators see hidden posts, marked). */
  posts: Array<{ presented: PresentedPost; authorId: number; hidden?: boolean }>;
}

const threads = new LruCache<number, ThreadSnapshot>(10_000, TTL_MS, { sweepEveryMs: TTL_MS });
const scoped: Array<LruCache<string, unknown>> = [];

/** A cache whose keys start with `${threadId}:`; it is invalidated with the thread. Swept every TTL. */
export function threadScopedCache<V>(maxEntries: number, options: LruOptions<V> = {}): LruCache<string, V> {
  const cache = new LruCache<string, V>(maxEntries, TTL_MS, { sweepEveryMs: TTL_MS, ...options });
  scoped.push(cache as LruCache<string, unknown>);
  return cache;
}

/** Roughly what a page of posts holds in memory (UTF-16 strings, two per post). */
const postsBytes = (s: PostsSnapshot) => s.posts.reduce((n, p) => n + 2 * (p.presented.body.length + p.presented.html.length) + 200, 0);
const postPages = threadScopedCache<PostsSnapshot>(10_000, { maxBytes: 64 * 1024 * 1024, sizeOf: postsBytes });

/**
 * How long thread reads are trusted (THREAD_CACHE_TTL_SECONDS): the bound on staleness when
 * another process's change is not heard of (no Redis, or a lost bus message).
 */
export function configureThreadCache(ttlMs: number): void {
  threads.ttlMs = ttlMs;
  for (const cache of scoped) cache.ttlMs = ttlMs;
}

/** Forget everything cached about a thread. */
export function invalidateThread(threadId: number): void {
  threads.delete(threadId);
  for (const cache of scoped) cache.deleteWhere((key) => key.startsWith(`${threadId}:`));
}

onEventsCommitted((events) => {
  for (const e of events) {
    if (e.type === 'post.created') {
      // The common write: keep the thread snapshot (patch its counters) and drop only the pages.
      const snap = threads.get(e.threadId);
      invalidateThread(e.threadId);
      if (snap) {
        snap.ref.postCount += 1;
        snap.thread = { ...snap.thread, postCount: snap.thread.postCount + 1, lastPostAt: new Date().toISOString() };
        threads.set(e.threadId, snap);
      }
    } else if ('threadId' in e && e.type !== 'item.analyzed') invalidateThread(e.threadId);
    // A display-name or role change shows in every cached post of that author: start over.
    else if (e.type === 'user.updated') forgetThreads();
  }
}, { remote: true });

/** Forget every cached thread (an author changed, or invalidations from other processes may have been missed). */
export function forgetThreads(): void {
  threads.clear();
  for (const cache of scoped) cache.clear();
}

async function loadSnapshot(threadId: number): Promise<ThreadSnapshot | null> {
  const thread = await Thread.findByPk(threadId);
  if (!thread) return null;
  const [chapter, category, author] = await Promise.all([
    thread.chapterId ? Chapter.findByPk(thread.chapterId) : null,
    thread.categoryId ? Category.findByPk(thread.categoryId) : null,
    User.findByPk(thread.authorId),
  ]);
  return {
    ref: { id: thread.id, authorId: thread.authorId, chapterId: thread.chapterId, locked: thread.locked, hiddenAt: thread.hiddenAt, postCount: thread.postCount },
    chapterRef: chapter ? { id: chapter.id, visibility: chapter.visibility } : null,
    thread: presentThread(thread, { author: author ?? undefined, chapter, category }),
    chapter: chapter ? presentChapter(chapter) : null,
    category: category ? presentCategory(category) : null,
  };
}

/** A thread the viewer may read (404 if missing or hidden from them, 401/403 by policy). */
export async function readThread(actor: Actor | null, threadId: number): Promise<ThreadSnapshot> {
  let snap = threads.get(threadId);
  if (!snap) {
    const loaded = await loadSnapshot(threadId);
    if (!loaded) throw NotFound('Thread');
    snap = loaded;
    threads.set(threadId, snap);
  }
  if (snap.ref.hiddenAt && !seesHidden(actor)) throw NotFound('Thread');
  authorize(actor, 'thread.read', { thread: snap.ref, chapter: snap.chapterRef });
  return snap;
}

/**
 * Live posts of a thread (oldest first) after a post id or from an offset; cached per page.
 * `includeHidden` (for those who may restore them: seesHiddenPosts) keeps hidden posts, marked.
 */
export async function readPosts(threadId: number, opts: { after?: number; limit: number; offset?: number; includeHidden?: boolean }): Promise<PostsSnapshot> {
  const key = `${threadId}:${opts.after ?? 0}:${opts.limit}:${opts.offset ?? 0}${opts.includeHidden ? ':h' : ''}`;
  const hit = postPages.get(key);
  if (hit) return hit;
  const posts = await Post.findAll({
    where: { threadId, deletedAt: null, ...(opts.includeHidden ? {} : { hiddenAt: null }), ...(opts.after ? { id: { [Op.gt]: opts.after } } : {}) },
    order: [['id', 'ASC']],
    limit: opts.limit,
    offset: opts.offset ?? 0,
  });
  const authorIds = [...new Set(posts.map((p) => p.authorId))];
  const authors = new Map((authorIds.length ? await User.findAll({ where: { id: { [Op.in]: authorIds } } }) : []).map((u) => [u.id, u]));
  const targets = await replyTargets(posts.map((p) => p.replyToId));
  const snap = {
    posts: posts.map((p) => ({
      presented: presentPost(p, authors.get(p.authorId), { replyTarget: p.replyToId ? targets.get(p.replyToId) : undefined }),
      authorId: p.authorId,
      ...(p.hiddenAt ? { hidden: true } : {}),
    })),
  };
  postPages.set(key, snap);
  return snap;
}
