/** Forum pages: home, chapters, categories, threads, new thread, replies and post actions. Forms work without JavaScript. */
import { Router, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import * as threads from '../../services/threads';
import * as posts from '../../services/posts';
import * as chapters from '../../services/chapters';
import { listCategories, categoryBySlug } from '../../services/categories';
import { authorize, can, requirePerson, seesHiddenPosts, type Actor } from '../../policies';
import { presentCategory, presentChapter, presentThread } from '../../presenters';
import { quoteMarkdown } from '../../quote';
import { User } from '../../models';
import { t } from '../../i18n';
import { parse, id, page as pageNumber, postBody, reason, slug, threadListing, title, text, username } from '../schemas';
import { threadPage } from '../threadPage';
import { isBotAgent } from '../../services/viewCounts';
import type { Category, Chapter } from '../../models';
import { presentPosts, presentThreads } from '../present';
import { readPosts, readThread, threadScopedCache, type ThreadSnapshot } from '../../services/threadReads';
import { likedBy } from '../../services/posts';
import { formErrors, navFor, renderPage, renderPageHtml, type FormErrors } from './context';
import { fillSlots, slotMarker, splitSlots, type SlottedHtml } from '../../slots';
import { unreadCount } from '../../services/notifications';
import Handlebars from 'handlebars';
import { toAppError } from '../../middleware/errors';
import type { Request } from 'express';
import type { Render } from '../../views';
import type { HttpDeps } from '../deps';

// Input schemas, built once: zod compiles a schema on its first parse, so one per request is costly.
const decisionParam = z.enum(['approve', 'reject']);
const replyForm = z.object({ body: postBody, replyTo: z.union([id, z.literal('')]).optional() });
const threadFormQuery = z.object({ chapter: slug.optional(), category: slug.optional() });
const threadForm = z.object({ title, body: postBody, chapter: z.union([slug, z.literal('')]).optional(), category: z.union([slug, z.literal('')]).optional(), draftChapter: z.union([slug, z.literal('-')]).optional() });
// On a failed reply, the replied-to post stays in the form when it is an id at all.
const keptReplyTo = z.union([id, z.literal('')]).optional().catch(undefined);
// The new-thread draft is kept per chapter the form was opened from.
const keptDraftChapter = slug.catch('-');
const editForm = z.object({ body: postBody, reason: z.union([text(1, 500), z.literal('')]).optional() });
const deleteForm = z.object({ reason: z.union([text(1, 500), z.literal('')]).optional() });
const reasonForm = z.object({ reason });
const pinForm = z.object({ action: z.enum(['pin', 'unpin', 'announce', 'unannounce']), reason });
const SORTS = ['latest', 'new', 'top', 'unanswered'] as const;
const WINDOWS = ['day', 'week', 'month', 'year', 'all'] as const;
type Listing = z.output<typeof threadListing>;

/** A list URL keeping the sort (defaults left out), with a keyset cursor. */
function listHref(base: string, q: Pick<Listing, 'sort' | 'window'>, cursor: { after?: string; before?: string } = {}): string {
  const params = new URLSearchParams();
  if (q.sort !== 'latest') params.set('sort', q.sort);
  if (q.sort === 'top' && q.window !== 'month') params.set('window', q.window);
  if (cursor.after) params.set('after', cursor.after);
  if (cursor.before) params.set('before', cursor.before);
  const qs = params.toString();
  return qs ? `${base}?${qs}` : base;
}

const PAGE_SIZE = 30;
const POSTS_PER_PAGE = 50;
const pageParam = z.object({ page: pageNumber });
// A plain read of a thread page (no reply target, no notice) is the same for everyone in one
// audience: rendered once per audience, page, locale and zone and kept as bytes with slots for
// what is each viewer's own (server/slots.ts). Staff with per-author tools get pages of their own.
const MEMBER_SLOTS = ['account-nav', 'post-actions'];
interface SharedThreadPage {
  html: SlottedHtml;
  /** What the post-actions slot needs of each post on the page, by post id. */
  posts: Map<string, { index: number; authorId: number; hidden: boolean }>;
  /**
   * Each post's links, rendered once per combination of the viewer's permissions on it (most
   * members of an audience share one), keyed by `index * 64 + permission bits`. Lives and dies
   * with the page; at most 64 variants per post.
   */
  actions: Map<number, SlottedHtml>;
}
const sharedPages = threadScopedCache<SharedThreadPage>(2_000, { sizeOf: (p) => p.html.bytes + 64 * p.posts.size + 100 });
// The inputs of each composer form an error can be shown next to.
const REPLY_FIELDS = ['body', 'replyTo'] as const;
const THREAD_FIELDS = ['title', 'body', 'chapter', 'category'] as const;
const EDIT_FIELDS = ['body', 'reason'] as const;

/** The composer's state on a thread page: what the reply box holds, and any error to show in it. */
interface ReplyComposer {
  draft: string;
  replyTo: number | null;
  /** The post to quote into the draft (`?quote=`, the no-JavaScript path). */
  quote?: number;
  failure?: FormErrors;
}

/** A form's validation failure, translated; anything else (not found, locked, rate limited) is thrown on. */
function validationFailure(req: Request, err: unknown, fields: readonly string[]): FormErrors {
  const e = toAppError(err);
  if (e.code !== 'validation_failed') throw err;
  return formErrors(req.locale, e, fields);
}
const threadPageQuery = pageParam.extend({ quote: id.optional(), replyTo: id.optional() });

/** The shared thread page cache's bytes and entries (for tests). */
export const threadPageCache = () => ({ entries: sharedPages.size, bytes: sharedPages.bytes });

export function forumPages(render: Render, { limits, config, viewCounts }: HttpDeps): Router {
  /** Count a thread page view (in memory; flushed in batches): once per member or address per window, crawlers not at all. */
  const countView = (req: Request, threadId: number) => {
    if (isBotAgent(req.get('user-agent'))) return;
    viewCounts.record(threadId, req.actor ? `u:${req.actor.id}` : `a:${req.ip}`);
  };
  sharedPages.maxBytes = config.PAGE_CACHE_MAX_MB * 1024 * 1024;
  const r = Router();
  const requireLogin = (req: Parameters<Parameters<Router['get']>[1]>[0]) => {
    requirePerson(req.actor);
    return req.actor;
  };

  /**
   * A page of a thread list for home, a chapter or a category: pinned block first (marked), the
   * sort tabs, and prev/next links by keyset cursor.
   */
  async function listing(req: Request, base: string, scope: { chapter?: Chapter | null; category?: Category | null }, readable = true) {
    const q = parse(threadListing, req.query);
    const page = readable ? await threadPage(req.actor, { ...scope, ...q, limit: PAGE_SIZE }) : { pinned: [], threads: [], next: null, prev: null };
    const [pinned, rest] = await Promise.all([presentThreads(page.pinned), presentThreads(page.threads)]);
    return {
      threads: [...pinned.map((t) => ({ ...t, pinnedHere: true })), ...rest],
      pager: {
        prevHref: page.prev ? listHref(base, q, { before: page.prev }) : null,
        nextHref: page.next ? listHref(base, q, { after: page.next }) : null,
      },
      listing: {
        sorts: SORTS.map((sort) => ({ key: sort, label: t(req.locale, `sort.${sort}`), href: listHref(base, { sort, window: q.window }), current: sort === q.sort })),
        windows: q.sort === 'top' ? WINDOWS.map((w) => ({ label: t(req.locale, `sort.window.${w}`), href: listHref(base, { sort: 'top', window: w }), current: w === q.window })) : null,
      },
      emptyText: q.sort === 'unanswered' ? t(req.locale, 'sort.noneUnanswered') : undefined,
    };
  }

  async function sidebar() {
    const [chapterList, categoryList] = await Promise.all([chapters.listChapters(), listCategories()]);
    return { chapters: chapterList.map(presentChapter), categories: categoryList.map(presentCategory) };
  }

  r.get('/', async (req, res) => {
    const list = await listing(req, '/', {});
    const sort = list.listing.sorts.find((x) => x.current)?.key ?? 'latest';
    await renderPage(req, res, render, 'home', { heading: t(req.locale, sort === 'latest' ? 'home.latest' : `home.${sort}`), ...list, ...(await sidebar()) });
  });

  r.get('/chapters', async (req, res) => {
    const list = await chapters.listChapters();
    await renderPage(req, res, render, 'chapters', {
      title: t(req.locale, 'nav.chapters'),
      chapters: list.map((c) => ({ ...presentChapter(c), membership: req.actor?.memberships.get(c.id)?.status })),
    });
  });

  r.get('/c/:slug', async (req, res) => {
    const chapter = await chapters.chapterBySlug(parse(slug, req.params.slug, 'slug'));
    const readable = can(req.actor, 'chapter.read', { chapter });
    const list = await listing(req, `/c/${chapter.slug}`, { chapter }, readable);
    const moderate = can(req.actor, 'chapter.moderate', { chapter });
    const pending = moderate ? await chapters.pendingMembers(chapter) : [];
    await renderPage(req, res, render, 'chapter', {
      title: chapter.name,
      chapter: presentChapter(chapter),
      readable,
      membership: req.actor?.memberships.get(chapter.id)?.status,
      ...list,
      canPost: can(req.actor, 'thread.create', { chapter }),
      pending: pending.map((p) => ({ username: p.user.username, displayName: p.user.displayName })),
    });
  });

  r.post('/c/:slug/join', async (req, res) => {
    const actor = requireLogin(req);
    const chapter = await chapters.chapterBySlug(parse(slug, req.params.slug, 'slug'));
    await chapters.joinChapter(actor, chapter);
    res.redirect(303, `/c/${chapter.slug}`);
  });

  r.post('/c/:slug/leave', async (req, res) => {
    const actor = requireLogin(req);
    const chapter = await chapters.chapterBySlug(parse(slug, req.params.slug, 'slug'));
    await chapters.leaveChapter(actor.id, chapter);
    res.redirect(303, `/c/${chapter.slug}`);
  });

  r.post('/c/:slug/members/:username/:decision', async (req, res) => {
    const actor = requireLogin(req);
    const chapter = await chapters.chapterBySlug(parse(slug, req.params.slug, 'slug'));
    const decision = parse(decisionParam, req.params.decision, 'decision');
    await chapters.decideMembership(actor, chapter, parse(username, req.params.username, 'username'), decision === 'approve');
    res.redirect(303, `/c/${chapter.slug}`);
  });

  r.get('/categories/:slug', async (req, res) => {
    const category = await categoryBySlug(parse(slug, req.params.slug, 'slug'));
    await renderPage(req, res, render, 'category', {
      title: category.name,
      category: presentCategory(category),
      ...(await listing(req, `/categories/${category.slug}`, { category })),
    });
  });

  /** What this viewer may do with one post of the page (the post-actions partial's flags). */
  function postActions(actor: Actor | null, snap: ThreadSnapshot, post: { id: number; authorId: number; hidden: boolean }, liked: Set<number>) {
    const subject = { post: { id: post.id, authorId: post.authorId, deletedAt: null, hiddenAt: post.hidden ? new Date(0) : null }, thread: snap.ref, chapter: snap.chapterRef };
    // A hidden post takes no edits, likes or flags until it is restored.
    return {
      likedByMe: actor ? liked.has(post.id) : undefined,
      canEdit: !post.hidden && can(actor, 'post.edit', subject),
      canLike: !post.hidden && can(actor, 'post.like', subject),
      canFlag: !post.hidden && !!actor,
      canHide: !post.hidden && can(actor, 'post.hide', subject),
      canRestore: post.hidden && can(actor, 'post.hide', subject),
    };
  }

  /** The thread page's data: one page of posts and the reply box holding `composer`'s state. */
  async function threadPageData(req: Request, threadId: number, pageNo: number, composer: ReplyComposer, shared: boolean) {
    const snap = await readThread(req.actor, threadId);
    const actor = req.actor && !req.actor.scopes ? req.actor : null;
    // Moderators see hidden posts in place, marked, with a restore button (issue #10).
    const includeHidden = seesHiddenPosts(actor, snap.chapterRef);
    const { posts: page } = await readPosts(threadId, { limit: POSTS_PER_PAGE + 1, offset: (pageNo - 1) * POSTS_PER_PAGE, includeHidden });
    const shown = page.slice(0, POSTS_PER_PAGE);
    const canSanctionAuthors = can(actor, 'people.view', null);
    // A shared render leaves the post actions to each request's slots: no likes to read here.
    const liked = shared ? new Set<number>() : await likedBy(actor?.id, shown.map((p) => Number(p.presented.id)));
    let draft = composer.draft;
    // Who the reply answers, by name: loaded only when the page is opened to reply to one post.
    let replyToName: string | null = null;
    const target = composer.quote ?? composer.replyTo;
    if (target) {
      const replied = await posts.loadPost(req.actor, target).catch(() => null);
      if (replied && replied.post.threadId === threadId) {
        const author = await User.findByPk(replied.post.authorId);
        replyToName = author?.displayName ?? null;
        if (composer.quote && !draft) {
          draft = quoteMarkdown({ username: author?.username ?? 'deleted', threadId, postId: replied.post.id, body: replied.post.body }, t(req.locale, 'composer.quoteHeader'));
        }
      }
    }
    const scope = { thread: snap.ref, chapter: snap.chapterRef };
    const data = {
      title: snap.thread.title,
      thread: snap.thread,
      chapter: snap.chapter,
      category: snap.category,
      posts: shown.map(({ presented, authorId, hidden }) => ({
        ...presented,
        hidden: !!hidden,
        ...(shared ? {} : postActions(actor, snap, { id: Number(presented.id), authorId, hidden: !!hidden }, liked)),
        canSanction: canSanctionAuthors && authorId !== actor?.id && presented.author.username !== 'deleted',
      })),
      lastPostId: shown.at(-1)?.presented.id ?? null,
      pager: { page: pageNo, prev: pageNo > 1 ? pageNo - 1 : null, next: page.length > POSTS_PER_PAGE ? pageNo + 1 : null, base: `/t/${threadId}` },
      canReply: can(actor, 'thread.reply', scope),
      canPin: can(actor, 'thread.pin', scope),
      canAnnounce: can(actor, 'thread.announce', scope),
      draft,
      flagged: req.query.flagged === '1',
      replyTo: composer.replyTo ? String(composer.replyTo) : null,
      replyToName: replyToName ?? (composer.replyTo ? `#${composer.replyTo}` : null),
      error: composer.failure?.error ?? null,
      errors: composer.failure?.errors ?? {},
    };
    return { snap, actor, data, shown, includeHidden, canSanctionAuthors };
  }

  /** The thread page's HTML for this viewer alone (a reply target, an error in the form). */
  async function threadPageHtml(req: Request, threadId: number, pageNo: number, composer: ReplyComposer, overrides: Record<string, unknown> = {}): Promise<string> {
    const { data } = await threadPageData(req, threadId, pageNo, composer, false);
    return renderPageHtml(req, render, 'thread', data, overrides);
  }

  /**
   * Who sees the same thread page: everything outside the slots follows from these. Staff who may
   * sanction authors see the link on every post but their own, so each has an audience of one.
   */
  function audienceOf(req: Request, snap: ThreadSnapshot, actor: Actor | null, includeHidden: boolean, canSanctionAuthors: boolean): string {
    const scope = { thread: snap.ref, chapter: snap.chapterRef };
    if (!actor) return 'anon';
    const nav = navFor(actor);
    const bits = [can(actor, 'thread.reply', scope), can(actor, 'thread.pin', scope), can(actor, 'thread.announce', scope), includeHidden, nav.console, nav.desk, nav.admin, nav.people, !!actor.timeZone];
    return `${bits.map((b) => (b ? 1 : 0)).join('')}${canSanctionAuthors ? `:u${actor.id}` : ''}`;
  }

  /** Render a thread page for its audience: slot markers wherever the viewer's own bits go. */
  async function sharedThreadPage(req: Request, threadId: number, pageNo: number): Promise<{ key: string; page: SharedThreadPage; snap: ThreadSnapshot }> {
    const snap = await readThread(req.actor, threadId); // authorizes this viewer, cached or not
    const actor = req.actor && !req.actor.scopes ? req.actor : null;
    const audience = audienceOf(req, snap, actor, seesHiddenPosts(actor, snap.chapterRef), can(actor, 'people.view', null));
    const key = `${threadId}:${req.locale}:${pageNo}:${req.timeZone}:${audience}`;
    const hit = sharedPages.get(key);
    if (hit) return { key, page: hit, snap };
    const { data, shown } = await threadPageData(req, threadId, pageNo, { draft: '', replyTo: null }, true);
    // Nothing of this viewer is written into the shared page: their name and counts are slots too.
    const viewer = actor ? { username: slotMarker('username'), displayName: slotMarker('display-name'), role: actor.role } : null;
    const html = await renderPageHtml(req, render, 'thread', data, { csrfToken: slotMarker('csrf'), viewer, unread: 0, slotted: actor ? MEMBER_SLOTS : [] });
    const page = { html: splitSlots(html), posts: new Map(shown.map((p, index) => [p.presented.id, { index, authorId: p.authorId, hidden: !!p.hidden }])), actions: new Map() };
    sharedPages.set(key, page);
    return { key, page, snap };
  }

  r.get('/t/:id', async (req, res) => {
    const threadId = parse(id, req.params.id, 'id');
    const q = parse(threadPageQuery, req.query);
    // Keyed by the canonical page, never the raw URL: `?v=1`, `?v=2` … are one page, not new entries.
    if (q.quote || q.replyTo || req.query.flagged) {
      const html = await threadPageHtml(req, threadId, q.page, { draft: '', replyTo: q.replyTo ?? q.quote ?? null, quote: q.quote });
      countView(req, threadId); // after the read: only threads that exist and that this viewer may read
      return void res.type('html').send(html);
    }
    const { page, snap } = await sharedThreadPage(req, threadId, q.page);
    countView(req, threadId);
    const actor = req.actor && !req.actor.scopes ? req.actor : null;
    const csrf = Buffer.from(req.csrfToken);
    if (!actor) return void res.status(200).type('html').send(fillSlots(page.html, () => csrf));
    const [liked, unread] = await Promise.all([likedBy(actor.id, [...page.posts.keys()].map(Number)), unreadCount(actor.id)]);
    const canReply = can(actor, 'thread.reply', { thread: snap.ref, chapter: snap.chapterRef });
    const body = fillSlots(page.html, (slot) => {
      switch (slot.name) {
        case 'csrf':
          return csrf;
        case 'username':
          return Handlebars.escapeExpression(actor.username);
        case 'display-name':
          return Handlebars.escapeExpression(actor.displayName);
        case 'account-nav':
          return render.partial('account-nav', { viewer: actor, unread, csrfToken: req.csrfToken, locale: req.locale });
        case 'post-actions': {
          const post = page.posts.get(slot.arg)!;
          const flags = postActions(actor, snap, { id: Number(slot.arg), ...post }, liked);
          const bits = (flags.likedByMe ? 1 : 0) | (flags.canEdit ? 2 : 0) | (flags.canLike ? 4 : 0) | (flags.canFlag ? 8 : 0) | (flags.canHide ? 16 : 0) | (flags.canRestore ? 32 : 0);
          const key = post.index * 64 + bits; // canReply and the locale are the page's own (its cache key)
          let html = page.actions.get(key);
          if (!html) {
            html = splitSlots(render.partial('post-actions', { ...flags, id: slot.arg, threadId, canReply, csrfToken: slotMarker('csrf'), locale: req.locale }));
            page.actions.set(key, html);
          }
          return html;
        }
        default:
          throw new Error(`thread page: unknown slot ${slot.name}`);
      }
    });
    res.status(200).type('html').send(body);
  });

  // Moderators pin/unpin a thread or make it an announcement from its page (with a reason, audit-logged).
  r.post('/t/:id/pin', async (req, res) => {
    const actor = requireLogin(req);
    const input = parse(pinForm, req.body);
    const ctx = await threads.loadThread(actor, parse(id, req.params.id, 'id'));
    const change = input.action === 'pin' || input.action === 'unpin' ? { pinned: input.action === 'pin' } : { announcement: input.action === 'announce' };
    await threads.setThreadPinned(actor, ctx, change, input.reason);
    res.redirect(303, `/t/${ctx.thread.id}`);
  });

  r.post('/t/:id/reply', limits.posting, async (req, res) => {
    const actor = requireLogin(req);
    const threadId = parse(id, req.params.id, 'id');
    const ctx = await threads.loadThread(actor, threadId);
    try {
      const input = parse(replyForm, req.body);
      const post = await posts.createPost(actor, ctx, { body: input.body, replyTo: input.replyTo === '' ? undefined : input.replyTo });
      const count = ctx.thread.postCount + 1;
      res.redirect(303, `/t/${threadId}?page=${Math.ceil(count / POSTS_PER_PAGE)}#p${post.id}`);
    } catch (err) {
      // The last page again (where the reply box is), holding what was typed, the message by the field.
      const failure = validationFailure(req, err, REPLY_FIELDS);
      const replyTo = keptReplyTo.parse(req.body?.replyTo);
      const lastPage = Math.max(1, Math.ceil(ctx.thread.postCount / POSTS_PER_PAGE));
      const html = await threadPageHtml(req, threadId, lastPage, { draft: String(req.body?.body ?? ''), replyTo: replyTo || null, failure });
      res.status(400).type('html').send(html);
    }
  });

  r.get('/new', async (req, res) => {
    requireLogin(req);
    const q = parse(threadFormQuery, req.query);
    await renderPage(req, res, render, 'new-thread', { title: t(req.locale, 'thread.new'), selected: q, draftChapter: q.chapter ?? '-', errors: {}, ...(await sidebar()) });
  });

  r.post('/new', limits.posting, async (req, res) => {
    const actor = requireLogin(req);
    try {
      const input = parse(threadForm, req.body);
      const chapter = input.chapter ? await chapters.chapterBySlug(input.chapter) : null;
      const category = input.category ? await categoryBySlug(input.category) : null;
      const { thread } = await threads.createThread(actor, { title: input.title, body: input.body, chapter, category });
      res.redirect(303, `/t/${thread.id}`);
    } catch (err) {
      const failure = validationFailure(req, err, THREAD_FIELDS);
      const kept = { title: String(req.body?.title ?? ''), body: String(req.body?.body ?? ''), chapter: String(req.body?.chapter ?? ''), category: String(req.body?.category ?? '') };
      await renderPage(req, res, render, 'new-thread', {
        title: t(req.locale, 'thread.new'),
        values: kept,
        selected: { chapter: kept.chapter, category: kept.category },
        draftChapter: keptDraftChapter.parse(req.body?.draftChapter ?? '-'),
        ...failure,
        ...(await sidebar()),
      }, 400);
    }
  });

  r.post('/p/:id/like', limits.likes, async (req, res) => {
    const actor = requireLogin(req);
    const ctx = await posts.loadPost(actor, parse(id, req.params.id, 'id'));
    await posts.likePost(actor, ctx);
    res.redirect(303, `/t/${ctx.thread.id}#p${ctx.post.id}`);
  });

  r.post('/p/:id/unlike', limits.likes, async (req, res) => {
    const actor = requireLogin(req);
    const ctx = await posts.loadPost(actor, parse(id, req.params.id, 'id'));
    await posts.unlikePost(actor, ctx);
    res.redirect(303, `/t/${ctx.thread.id}#p${ctx.post.id}`);
  });

  r.get('/p/:id/edit', async (req, res) => {
    const actor = requireLogin(req);
    const ctx = await posts.loadPost(actor, parse(id, req.params.id, 'id'));
    await renderPage(req, res, render, 'edit-post', { title: t(req.locale, 'post.edit'), post: (await presentPosts([ctx.post], actor))[0], body: ctx.post.body, threadTitle: ctx.thread.title, staffEdit: actor.id !== ctx.post.authorId, errors: {} });
  });

  r.post('/p/:id/edit', limits.posting, async (req, res) => {
    const actor = requireLogin(req);
    const ctx = await posts.loadPost(actor, parse(id, req.params.id, 'id'));
    try {
      const input = parse(editForm, req.body);
      await posts.editPost(actor, ctx, input.body, input.reason || null);
      res.redirect(303, `/t/${ctx.thread.id}#p${ctx.post.id}`);
    } catch (err) {
      const failure = validationFailure(req, err, EDIT_FIELDS);
      await renderPage(req, res, render, 'edit-post', {
        title: t(req.locale, 'post.edit'),
        post: (await presentPosts([ctx.post], actor))[0],
        body: String(req.body?.body ?? ''),
        reason: String(req.body?.reason ?? ''),
        threadTitle: ctx.thread.title,
        staffEdit: actor.id !== ctx.post.authorId,
        ...failure,
      }, 400);
    }
  });

  r.post('/p/:id/delete', async (req, res) => {
    const actor = requireLogin(req);
    const input = parse(deleteForm, req.body);
    const ctx = await posts.loadPost(actor, parse(id, req.params.id, 'id'));
    await posts.deletePost(actor, ctx, input.reason || null);
    res.redirect(303, `/t/${ctx.thread.id}`);
  });

  /**
   * A post action that asks for a reason: GET /p/:id/<verb> shows the form, POST does it. `formGate`
   * is checked before the form is shown (hide/restore are staff-only; any reader may open the flag
   * form, as the edit form); the service authorizes again, and audits, on POST.
   */
  function reasonAction(
    verb: 'flag' | 'hide' | 'restore',
    spec: {
      load: (actor: Actor, postId: number) => Promise<posts.PostContext>;
      /** The policy the form itself is behind: who may not act is not shown the form either. */
      formGate: 'post.flag' | 'post.hide';
      limit?: RequestHandler;
      act: (actor: Actor, ctx: posts.PostContext, reason: string) => Promise<unknown>;
      redirect: (ctx: posts.PostContext) => string;
    },
  ) {
    r.get(`/p/:id/${verb}`, async (req, res) => {
      const actor = requireLogin(req);
      const ctx = await spec.load(actor, parse(id, req.params.id, 'id'));
      authorize(actor, spec.formGate, ctx);
      await renderPage(req, res, render, 'post-reason', {
        title: t(req.locale, `post.${verb}`),
        heading: t(req.locale, `post.${verb}`),
        label: t(req.locale, `post.${verb}Reason`),
        verb,
        post: (await presentPosts([ctx.post], actor))[0],
        threadTitle: ctx.thread.title,
      });
    });
    r.post(`/p/:id/${verb}`, ...(spec.limit ? [spec.limit] : []), async (req, res) => {
      const actor = requireLogin(req);
      const input = parse(reasonForm, req.body);
      const ctx = await spec.load(actor, parse(id, req.params.id, 'id'));
      await spec.act(actor, ctx, input.reason);
      res.redirect(303, spec.redirect(ctx));
    });
  }

  reasonAction('flag', {
    load: posts.loadPost,
    formGate: 'post.flag',
    limit: limits.flags,
    act: posts.flagPost,
    redirect: (ctx) => `/t/${ctx.thread.id}?flagged=1#p${ctx.post.id}`,
  });
  // Moderators hide a post (with a reason for the audit log), and restore it from the thread page;
  // a hidden post is found only for restoring.
  reasonAction('hide', {
    load: posts.loadPost,
    formGate: 'post.hide',
    act: (actor, ctx, why) => posts.setPostHidden(actor, ctx, true, why),
    redirect: (ctx) => `/t/${ctx.thread.id}`,
  });
  reasonAction('restore', {
    load: posts.loadPostForModeration,
    formGate: 'post.hide',
    act: (actor, ctx, why) => posts.setPostHidden(actor, ctx, false, why),
    redirect: (ctx) => `/t/${ctx.thread.id}#p${ctx.post.id}`,
  });

  return r;
}
