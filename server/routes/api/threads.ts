/** Threads and posts API. Handlers: validate -> load -> authorize (in the service) -> service -> present. */
import { Router } from 'express';
import { z } from 'zod';
import * as threads from '../../services/threads';
import * as posts from '../../services/posts';
import { chapterBySlug } from '../../services/chapters';
import { categoryBySlug } from '../../services/categories';
import { presentPost, presentThread } from '../../presenters';
import { readPosts, readThread } from '../../services/threadReads';
import { likedBy } from '../../services/posts';
import { analysesOf } from '../../services/analyses';
import { can } from '../../policies';
import { Unauthenticated } from '../../errors';
import { User } from '../../models';
import { parse, cursor, id, limit, offset, postBody, reason, slug, threadListing, title, text } from '../schemas';
import { threadPage } from '../threadPage';
import { presentPosts, presentThreads } from '../present';
import type { HttpDeps } from '../deps';
import { crashPoint } from '../../crashPoints';

// Input schemas, built once: zod compiles a schema on its first parse, so one per request is costly.
const threadListQuery = z.object({
  chapter: slug.optional(),
  category: slug.optional(),
  limit: limit(20, 100),
  offset,
  sort: threadListing.shape.sort,
  window: threadListing.shape.window,
  cursor: cursor.optional(),
});
const pinInput = z.object({ pinned: z.boolean().optional(), announcement: z.boolean().optional(), reason });
const threadInput = z.object({ title, body: postBody, chapter: slug.optional(), category: slug.optional() });
const threadPageQuery = z.object({ after: id.optional(), limit: limit(50, 200) });
const replyInput = z.object({ body: postBody, replyTo: id.optional() });
const lockInput = z.object({ locked: z.boolean().default(true), reason });
const editInput = z.object({ body: postBody, reason: text(1, 500).optional() });
const deleteInput = z.object({ reason: text(1, 500).optional() });
const flagInput = z.object({ reason });
const hideInput = z.object({ reason });
const restoreInput = z.object({ reason: text(1, 500).optional() });

export function threadsApi({ limits }: HttpDeps): Router {
  const r = Router();

  r.get('/threads', async (req, res) => {
    const q = parse(threadListQuery, req.query);
    const chapter = q.chapter ? await chapterBySlug(q.chapter) : null;
    const category = q.category ? await categoryBySlug(q.category) : null;
    const page = await threadPage(req.actor, { chapter, category, sort: q.sort, window: q.window, after: q.cursor, limit: q.limit, offset: q.offset });
    // The first page of the default order lists the pinned threads first (issue #12).
    const items = [...page.pinned, ...page.threads];
    res.json({ items: await presentThreads(items), ...(page.next ? { cursor: page.next } : {}) });
  });

  r.post('/threads', limits.posting, async (req, res) => {
    if (!req.actor) throw Unauthenticated();
    const input = parse(threadInput, req.body);
    const chapter = input.chapter ? await chapterBySlug(input.chapter) : null;
    const category = input.category ? await categoryBySlug(input.category) : null;
    const { thread, post } = await threads.createThread(req.actor, { title: input.title, body: input.body, chapter, category });
    const author = await User.findByPk(req.actor.id);
    res.status(201).json({
      thread: presentThread(thread, { author: author!, chapter, category }),
      post: (await presentPosts([post], req.actor))[0],
    });
  });

  r.get('/threads/:id', async (req, res) => {
    const threadId = parse(id, req.params.id, 'id');
    const q = parse(threadPageQuery, req.query);
    const snap = await readThread(req.actor, threadId);
    const { posts } = await readPosts(threadId, { after: q.after, limit: q.limit });
    const liked = await likedBy(req.actor?.id, posts.map((p) => Number(p.presented.id)));
    // CONTRACT: staff (only) see each post's analysis.
    const analyses = can(req.actor, 'post.viewAnalysis', null) ? await analysesOf(posts.map((p) => `post:${p.presented.id}`)) : null;
    res.json({
      thread: snap.thread,
      posts: posts.map(({ presented }) => ({
        ...presented,
        likedByMe: req.actor ? liked.has(Number(presented.id)) : undefined,
        ...(analyses?.has(`post:${presented.id}`) ? { analysis: analyses.get(`post:${presented.id}`) } : {}),
      })),
    });
  });

  r.post('/threads/:id/posts', limits.posting, async (req, res) => {
    if (!req.actor) throw Unauthenticated();
    const threadId = parse(id, req.params.id, 'id');
    const input = parse(replyInput, req.body);
    // The cached snapshot is enough to authorise; the transaction itself needs no thread row.
    const snap = await readThread(req.actor, threadId);
    const post = await posts.createPost(req.actor, { thread: snap.ref, chapter: snap.chapterRef }, input);
    crashPoint('post.committed');
    // The author is the caller: nothing to load to present the new post but what it replies to.
    const replyTarget = post.replyToId ? (await posts.replyTargets([post.replyToId])).get(post.replyToId) : undefined;
    res.status(201).json({ post: presentPost(post, { username: req.actor.username, displayName: req.actor.displayName } as User, { likedByMe: false, replyTarget }) });
  });

  r.post('/threads/:id/lock', async (req, res) => {
    if (!req.actor) throw Unauthenticated();
    const input = parse(lockInput, req.body);
    const ctx = await threads.loadThread(req.actor, parse(id, req.params.id, 'id'));
    const thread = await threads.setThreadLocked(req.actor, ctx, input.locked, input.reason);
    res.json({ thread: (await presentThreads([thread]))[0] });
  });

  // Pin in its chapter/category, or make a global announcement (moderators; audit-logged).
  r.post('/threads/:id/pin', async (req, res) => {
    if (!req.actor) throw Unauthenticated();
    const input = parse(pinInput, req.body);
    const ctx = await threads.loadThread(req.actor, parse(id, req.params.id, 'id'));
    const change = input.pinned === undefined && input.announcement === undefined ? { pinned: true } : { pinned: input.pinned, announcement: input.announcement };
    const thread = await threads.setThreadPinned(req.actor, ctx, change, input.reason);
    res.json({ thread: (await presentThreads([thread]))[0] });
  });

  r.patch('/posts/:id', limits.posting, async (req, res) => {
    if (!req.actor) throw Unauthenticated();
    const input = parse(editInput, req.body);
    const ctx = await posts.loadPost(req.actor, parse(id, req.params.id, 'id'));
    const post = await posts.editPost(req.actor, ctx, input.body, input.reason ?? null);
    res.json({ post: (await presentPosts([post], req.actor))[0] });
  });

  r.delete('/posts/:id', async (req, res) => {
    if (!req.actor) throw Unauthenticated();
    const input = parse(deleteInput, req.body ?? {});
    const ctx = await posts.loadPost(req.actor, parse(id, req.params.id, 'id'));
    await posts.deletePost(req.actor, ctx, input.reason ?? null);
    res.status(204).end();
  });

  r.post('/posts/:id/like', limits.likes, async (req, res) => {
    if (!req.actor) throw Unauthenticated();
    const ctx = await posts.loadPost(req.actor, parse(id, req.params.id, 'id'));
    const likes = await posts.likePost(req.actor, ctx);
    res.json({ likes, likedByMe: true });
  });

  r.delete('/posts/:id/like', limits.likes, async (req, res) => {
    if (!req.actor) throw Unauthenticated();
    const ctx = await posts.loadPost(req.actor, parse(id, req.params.id, 'id'));
    const likes = await posts.unlikePost(req.actor, ctx);
    res.json({ likes, likedByMe: false });
  });

  // Moderation: hide a post (it leaves pages, sockets and listening) and restore it.
  r.post('/posts/:id/hide', async (req, res) => {
    if (!req.actor) throw Unauthenticated();
    const input = parse(hideInput, req.body);
    const ctx = await posts.loadPostForModeration(req.actor, parse(id, req.params.id, 'id'));
    await posts.setPostHidden(req.actor, ctx, true, input.reason);
    res.json({ postId: String(ctx.post.id), hidden: true });
  });

  r.delete('/posts/:id/hide', async (req, res) => {
    if (!req.actor) throw Unauthenticated();
    const input = parse(restoreInput, req.body ?? {});
    const ctx = await posts.loadPostForModeration(req.actor, parse(id, req.params.id, 'id'));
    await posts.setPostHidden(req.actor, ctx, false, input.reason ?? null);
    res.json({ postId: String(ctx.post.id), hidden: false });
  });

  r.post('/posts/:id/flag', limits.flags, async (req, res) => {
    if (!req.actor) throw Unauthenticated();
    const input = parse(flagInput, req.body);
    const ctx = await posts.loadPost(req.actor, parse(id, req.params.id, 'id'));
    const flag = await posts.flagPost(req.actor, ctx, input.reason);
    res.status(201).json({ flag: { id: String(flag.id), postId: String(flag.postId), reason: flag.reason, status: flag.status } });
  });

  return r;
}
