/**
 * Search over the one listening index, in two audiences: staff search the listening side (posts
 * and mentions, with analysis: API and console pages), everyone else searches the forum (the
 * posts they may read: the API and the /search page). Both take the viewer's chapter scope from
 * the policy module and turn a down backend into a 503, not a 500.
 */
import { fn, col, Op } from 'sequelize';
import type { Actor } from '../policies';
import { can } from '../policies';
import type { SearchService } from '../search';
import type { SearchHit, SearchQuery, SearchResult } from '../../search/backend';
import type { ForumSearchQuery, ListeningSearchQuery } from '../routes/schemas';
import { unreadableChapterIds } from './chapters';
import { Chapter, Post, Thread, User } from '../models';
import { Unavailable, Validation } from '../errors';
import { segmentForIndex } from '../../search/analysis';
import { highlight } from '../../search/highlight';

/** The filters both audiences share, checked and turned into the backend's query. */
async function sharedQuery(actor: Actor | null, q: ForumSearchQuery): Promise<SearchQuery> {
  const from = q.from ? new Date(q.from) : undefined;
  const to = q.to ? new Date(q.to) : undefined;
  if (from && to && from > to) throw Validation('from', 'must not be after to');
  return {
    q: q.q,
    chapter: q.chapter,
    category: q.category,
    author: q.author,
    opening: q.type === undefined ? undefined : q.type === 'thread',
    from,
    to,
    excludeChapterIds: await unreadableChapterIds(actor),
    limit: q.limit,
    cursor: q.cursor,
  };
}

/** Run a query on the backend; an outage is a 503 the client can retry, not an internal error. */
async function run(search: SearchService, query: SearchQuery): Promise<SearchResult> {
  await search.ready().catch(() => {
    throw Unavailable('The search backend is unavailable; try again shortly');
  });
  return search.backend.search(query).catch(async (err) => {
    if (!(await search.healthy())) throw Unavailable('The search backend is unavailable; try again shortly');
    throw err;
  });
}

/** Search the listening index (staff): posts and mentions, with the viewer's chapter scope. */
export async function searchListening(search: SearchService, actor: Actor | null, q: ListeningSearchQuery): Promise<SearchResult> {
  return run(search, {
    ...(await sharedQuery(actor, q)),
    sentiment: q.sentiment,
    source: q.source,
    kind: q.kind,
    kol: q.kol === undefined ? undefined : q.kol === 'true',
  });
}

/** A forum hit with what readers are shown besides the index's fields (read from the database). */
export interface ForumHit {
  hit: SearchHit;
  postId: number;
  /** The thread's opening post (a thread result), from the database: older index documents carry no title. */
  opening: boolean;
  /** The thread's title, HTML-escaped with the query's words in <mark> (from the database title, as every hit shows it). */
  thread: { id: number; title: string; titleHighlight: string };
  author: { username: string; displayName: string };
}

export interface ForumSearchResult {
  total: number;
  items: ForumHit[];
  cursor?: string;
}

/**
 * Search the forum as `actor` may read it: forum posts only, private chapters they cannot read
 * excluded by the index query itself. Each hit is then checked again against the database with
 * the thread policy (a post hidden or deleted a moment ago, before the indexer caught up, is
 * dropped from the page), and gets its thread's title and its author's display name.
 */
export async function searchForum(search: SearchService, actor: Actor | null, q: ForumSearchQuery): Promise<ForumSearchResult> {
  const result = await run(search, { ...(await sharedQuery(actor, q)), kind: 'post', source: 'forum' });
  const postIds = result.items.map((h) => Number(h.id.slice('post:'.length))).filter(Number.isSafeInteger);
  const posts = postIds.length ? await Post.findAll({ where: { id: { [Op.in]: postIds } }, attributes: ['id', 'threadId', 'authorId', 'deletedAt', 'hiddenAt'] }) : [];
  const threadIds = [...new Set(posts.map((p) => p.threadId))];
  const authorIds = [...new Set(posts.map((p) => p.authorId))];
  const [threads, openings, authors, chapters] = await Promise.all([
    threadIds.length ? Thread.findAll({ where: { id: { [Op.in]: threadIds } } }) : [],
    threadIds.length
      ? (Post.findAll({ attributes: ['threadId', [fn('min', col('id')), 'first']], where: { threadId: { [Op.in]: threadIds } }, group: ['threadId'], raw: true }) as unknown as Promise<{ threadId: number; first: number }[]>)
      : [],
    authorIds.length ? User.findAll({ where: { id: { [Op.in]: authorIds } }, attributes: ['id', 'username', 'displayName'] }) : [],
    Chapter.findAll({ attributes: ['id', 'visibility'] }),
  ]);
  const postById = new Map(posts.map((p) => [p.id, p]));
  const threadById = new Map(threads.map((t) => [t.id, t]));
  const authorById = new Map(authors.map((u) => [u.id, u]));
  const chapterById = new Map(chapters.map((c) => [c.id, c]));
  const openingIds = new Set(openings.map((o) => Number(o.first)));
  const terms = [...new Set(segmentForIndex(q.q ?? ''))];
  const items: ForumHit[] = [];
  for (const hit of result.items) {
    const post = postById.get(Number(hit.id.slice('post:'.length)));
    const thread = post ? threadById.get(post.threadId) : undefined;
    if (!post || !thread || post.deletedAt || post.hiddenAt) continue;
    const chapter = thread.chapterId === null ? null : (chapterById.get(thread.chapterId) ?? null);
    if (thread.chapterId !== null && !chapter) continue;
    if (!can(actor, 'thread.read', { thread, chapter })) continue;
    const author = authorById.get(post.authorId);
    items.push({
      hit,
      postId: post.id,
      opening: openingIds.has(post.id),
      thread: { id: thread.id, title: thread.title, titleHighlight: highlight(thread.title, terms, 200) },
      author: author ? { username: author.username, displayName: author.displayName } : { username: hit.author, displayName: hit.author },
    });
  }
  return { total: result.total, items, ...(result.cursor ? { cursor: result.cursor } : {}) };
}
