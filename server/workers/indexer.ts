/**
 * The listening pipeline's indexing step: after commit, analyse posts and mentions and write
 * them to the search backend in bulk. Idempotent (documents are keyed by `post:<id>` /
 * `mention:<id>`), so at-least-once delivery is safe. A down backend is a transient failure:
 * the batch waits in the outbox and is retried with backoff until the backend returns. One
 * document that cannot be analysed or written is dead-lettered alone: a mention batch is one
 * event, and its other items must still become searchable.
 *
 * Analysis is CPU work on the event loop (~5 ms for a 9 kB mention): the loops over a batch
 * pause between items (slices.ts) so that requests are served while a big batch is analysed.
 */
import { Op } from 'sequelize';
import type { ItemFailure, Processor } from './dispatcher';
import { timeSlicer, type Pause } from './slices';
import { crashPoint } from '../crashPoints';
import { outageOf } from '../outages';
import { recordEvents, type AnalyzedItem, type StoredEvent } from '../events';
import type { SearchService } from '../search';
import type { SearchDocument } from '../../search/backend';
import { analyze, type Analysis as TextAnalysis } from '../../search/analysis';
import { expandForIndex, withTitle } from '../../search/expand';
import { Analysis, Mention, Post, User } from '../models';
import { asDate, inList, sqlRows } from '../sql';
import { LeaseLostError } from '../cluster/fence';
import { withTransaction } from '../db';
import { watchwordMatcher } from '../services/alertSettings';
import { readsAsQuestion } from '../../search/alerts/rules';
import type { WatchwordMatcher } from '../../search/alerts/watchwords';

type Handled = 'post.created' | 'post.updated' | 'post.removed' | 'mentions.ingested' | 'user.updated' | 'user.deleted';

/** A mention author with at least this many followers counts as a KOL until issue-5 scoring refines it. */
export const KOL_FOLLOWERS = 10_000;

type DocFields = Pick<SearchDocument, 'id' | 'kind' | 'text' | 'author' | 'authorFollowers' | 'kol' | 'chapter' | 'chapterId' | 'threadId' | 'category' | 'title' | 'source' | 'url' | 'createdAt'>;

/** A document from its own fields plus the analysis (the part every kind shares). */
function toDocument(fields: DocFields, a: TextAnalysis): SearchDocument {
  return {
    ...fields,
    // The title's words too (opening posts): the analysis judges the body alone.
    tokens: withTitle(expandForIndex(a.tokens), fields.title),
    lang: a.lang,
    sentiment: { label: a.sentiment.label, score: a.sentiment.score, confidence: a.sentiment.confidence },
    keywords: a.keywords,
    hashtags: a.hashtags,
    complaint: a.complaint?.category ?? null,
  };
}

/** What a post's document needs, read in one joined query (see buildPostDocuments). */
interface PostSource {
  id: number;
  body: string;
  createdAt: Date;
  threadId: number;
  author: string;
  chapterId: number | null;
  chapterSlug: string | null;
  categorySlug: string | null;
  /** The thread's title when this post opens the thread, else null. */
  title: string | null;
}

/** The document for a post. */
function postDocument(post: PostSource, a: TextAnalysis): SearchDocument {
  return toDocument(
    {
      id: `post:${post.id}`,
      kind: 'post',
      text: post.body,
      author: post.author,
      authorFollowers: null,
      kol: false,
      chapter: post.chapterSlug,
      chapterId: post.chapterId,
      threadId: String(post.threadId),
      category: post.categorySlug,
      title: post.title,
      source: 'forum',
      url: `/t/${post.threadId}#p${post.id}`,
      createdAt: post.createdAt.toISOString(),
    },
    a,
  );
}

/** The document for an external mention. */
function mentionDocument(m: Mention, a: TextAnalysis): SearchDocument {
  return toDocument(
    {
      id: `mention:${m.id}`,
      kind: 'mention',
      text: m.text,
      author: m.authorHandle,
      authorFollowers: m.authorFollowers,
      kol: (m.authorFollowers ?? 0) >= KOL_FOLLOWERS,
      chapter: null,
      chapterId: null,
      threadId: null,
      category: null,
      title: null,
      source: m.source,
      url: m.url,
      createdAt: m.publishedAt.toISOString(),
    },
    a,
  );
}

type AnalysisRow = ReturnType<typeof analysisRow>;

/** Documents built for a batch (docs[i] goes with rows[i] and items[i]), and the ids whose analysis threw. */
interface Built {
  docs: SearchDocument[];
  rows: AnalysisRow[];
  items: Omit<AnalyzedItem, 'first'>[];
  failed: { id: string; error: unknown }[];
}

/** What the analysis judged, as both the stored row and the item.analyzed event carry it. */
function judgement(a: TextAnalysis) {
  return {
    lang: a.lang,
    label: a.sentiment.label,
    score: a.sentiment.score,
    confidence: a.sentiment.confidence,
    keywords: a.keywords,
    reasons: a.sentiment.reasons,
    complaint: a.complaint?.category ?? null,
  };
}

/** The item.analyzed payload for a document (the consumers' view of one judgement). */
function analyzedItem(doc: SearchDocument, refId: number, authorId: number | null, a: TextAnalysis, text: string, watch: WatchwordMatcher): Omit<AnalyzedItem, 'first'> {
  const matches = watch.match(a.tokens);
  return {
    kind: doc.kind,
    id: refId,
    ...judgement(a),
    chapterId: doc.chapterId,
    threadId: doc.threadId === null ? null : Number(doc.threadId),
    source: doc.source,
    authorId,
    handle: doc.author,
    followers: doc.authorFollowers,
    createdAt: doc.createdAt,
    // Part of the judgement, from the same tokens: the alert rules never segment again.
    ...(matches.length ? { watch: matches.map(({ term, category, list }) => ({ term, category, ...(list ? { list } : {}) })) } : {}),
    ...(readsAsQuestion(text) ? { question: true } : {}),
  };
}

function analysisRow(doc: SearchDocument, refId: number, a: TextAnalysis) {
  return { docId: doc.id, kind: doc.kind, refId, ...judgement(a), analyzedAt: new Date() };
}

/** Analyse one text, after a pause if the slice is spent; a throw is that document's failure alone. */
async function analyzeItem(id: string, text: string, source: string, built: Built, pause: Pause): Promise<TextAnalysis | null> {
  await pause();
  crashPoint('analysis');
  try {
    // The source picks the Chinese model: the Weibo-only one for social platforms (search/analysis/source.ts).
    return analyze(text, { source });
  } catch (error) {
    built.failed.push({ id, error });
    return null;
  }
}

/** Documents for these posts: analysed when live and consented, else listed for removal. */
export async function buildPostDocuments(postIds: number[], pause: Pause = timeSlicer()): Promise<Built & { removals: string[] }> {
  const built: Built & { removals: string[] } = { docs: [], rows: [], items: [], failed: [], removals: [] };
  const { docs, rows, removals } = built;
  if (postIds.length === 0) return built;
  const watch = await watchwordMatcher();
  // One prepared, joined read per batch: the model calls it replaces cost more than the analysis.
  const ids = inList([...new Set(postIds)]);
  const found = await sqlRows<Record<string, unknown>>(
    `SELECT p."id", p."body", p."createdAt", p."deletedAt", p."hiddenAt", p."threadId", t."id" AS "threadRow", t."hiddenAt" AS "threadHiddenAt",
            p."authorId", u."username", u."analyticsConsent", c."id" AS "chapterId", c."slug" AS "chapterSlug",
            g."slug" AS "categorySlug", t."title" AS "title",
            (SELECT min(f."id") FROM "posts" f WHERE f."threadId" = p."threadId") AS "openingId"
       FROM "posts" p
       LEFT JOIN "threads" t ON t."id" = p."threadId"
       LEFT JOIN "users" u ON u."id" = p."authorId"
       LEFT JOIN "chapters" c ON c."id" = t."chapterId"
       LEFT JOIN "categories" g ON g."id" = t."categoryId"
      WHERE p."id" IN (${ids.sql})`,
    ids.params,
  );
  const seen = new Set(found.map((r) => Number(r.id)));
  for (const id of postIds) if (!seen.has(id)) removals.push(`post:${id}`);
  for (const r of found) {
    const id = Number(r.id);
    // Members who withdrew analytics consent are left out of listening entirely.
    const consent = r.analyticsConsent === true || Number(r.analyticsConsent) === 1;
    if (r.threadRow === null || r.username === null || r.deletedAt !== null || r.hiddenAt !== null || r.threadHiddenAt !== null || !consent) {
      removals.push(`post:${id}`);
      continue;
    }
    const a = await analyzeItem(`post:${id}`, String(r.body), 'forum', built, pause);
    if (!a) continue;
    const doc = postDocument(
      {
        id,
        body: String(r.body),
        createdAt: asDate(r.createdAt),
        threadId: Number(r.threadId),
        author: String(r.username),
        chapterId: r.chapterId === null ? null : Number(r.chapterId),
        chapterSlug: r.chapterSlug === null ? null : String(r.chapterSlug),
        categorySlug: r.categorySlug === null ? null : String(r.categorySlug),
        // A thread's first post is its opening post (createThread writes it with the thread).
        title: Number(r.openingId) === id && r.title !== null ? String(r.title) : null,
      },
      a,
    );
    docs.push(doc);
    rows.push(analysisRow(doc, id, a));
    built.items.push(analyzedItem(doc, id, Number(r.authorId), a, String(r.body), watch));
  }
  return built;
}

/** Documents for these mentions. */
export async function buildMentionDocuments(mentionIds: number[], pause: Pause = timeSlicer()): Promise<Built> {
  const built: Built = { docs: [], rows: [], items: [], failed: [] };
  if (mentionIds.length === 0) return built;
  const watch = await watchwordMatcher();
  const mentions = await Mention.findAll({ where: { id: { [Op.in]: mentionIds } } });
  for (const m of mentions) {
    const a = await analyzeItem(`mention:${m.id}`, m.text, m.source, built, pause);
    if (!a) continue;
    const doc = mentionDocument(m, a);
    built.docs.push(doc);
    built.rows.push(analysisRow(doc, m.id, a));
    built.items.push(analyzedItem(doc, m.id, null, a, m.text, watch));
  }
  return built;
}

/** Store analyses (upsert) with their item.analyzed events, in one transaction; drop those of removed documents. */
async function saveAnalyses(rows: AnalysisRow[], removals: string[], items: Built['items'] = []) {
  if (rows.length === 0 && removals.length === 0) return;
  await withTransaction(async (transaction) => {
    if (removals.length) await Analysis.destroy({ where: { docId: { [Op.in]: removals } }, transaction });
    if (rows.length) {
      // Prepared, like the rest of the per-post path: which of these were judged before (first: false).
      const ids = inList(rows.map((r) => r.docId));
      const known = new Set((await sqlRows<{ docId: string }>(`SELECT "docId" FROM "analyses" WHERE "docId" IN (${ids.sql})`, ids.params, transaction)).map((r) => r.docId));
      await Analysis.bulkCreate(rows, {
        transaction,
        updateOnDuplicate: ['lang', 'label', 'score', 'confidence', 'keywords', 'reasons', 'complaint', 'analyzedAt'],
      });
      await recordEvents(transaction, ...items.map((item, i) => ({ type: 'item.analyzed' as const, ...item, first: !known.has(rows[i].docId) })));
    }
  });
}

/** The indexing processor over one search service. */
export function indexProcessor(search: SearchService): Processor<Handled> {
  return {
    name: 'index',
    // Bulk writes amortise well: up to 1,000 events (posts, or mention batches) per round.
    batchSize: 1000,
    // ...and by time: a steady stream of posts becomes ~10 bulk writes a second.
    lingerMs: 100,
    handles: ['post.created', 'post.updated', 'post.removed', 'mentions.ingested', 'user.updated', 'user.deleted'],
    async isTransient() {
      // A failure while the backend is unreachable is an outage, not a poison event.
      return !(await search.healthy());
    },
    async handleBatch(events: StoredEvent<Handled>[]) {
      await search.ready();
      const postIds = new Set<number>();
      const mentionIds = new Set<number>();
      const consentChanged: [userId: number, eventId: number][] = [];
      // The first event that asked for each document: a dead-lettered item names it.
      const eventOf = new Map<string, number>();
      const from = (doc: string, eventId: number) => eventOf.has(doc) || eventOf.set(doc, eventId);
      for (const e of events) {
        if (e.type === 'post.created' || e.type === 'post.updated' || e.type === 'post.removed') {
          postIds.add(e.postId);
          from(`post:${e.postId}`, e.eventId);
        } else if (e.type === 'mentions.ingested') {
          for (const id of e.mentionIds) {
            mentionIds.add(id);
            from(`mention:${id}`, e.eventId);
          }
        } else if (e.type === 'user.updated' && e.consentChanged) consentChanged.push([e.userId, e.eventId]);
        else if (e.type === 'user.deleted') await forgetAuthor(search, e.formerUsername, e.postIds);
      }
      // Re-reading the current row makes every post event "sync this post": an edit re-analyses,
      // a delete or hide removes, and a replay converges to the same state.
      const pause = timeSlicer();
      const posts = await buildPostDocuments([...postIds], pause);
      const mentions = await buildMentionDocuments([...mentionIds], pause);
      if (posts.removals.length) {
        await search.backend.remove(posts.removals);
        await saveAnalyses([], posts.removals);
      }
      const failed = [...posts.failed, ...mentions.failed];
      const all = { docs: [...posts.docs, ...mentions.docs], rows: [...posts.rows, ...mentions.rows], items: [...posts.items, ...mentions.items] };
      failed.push(...(await writeIsolated(search, all, pause)));
      for (const [userId, eventId] of consentChanged) {
        const author = await syncAuthor(search, userId, pause);
        for (const f of author) from(f.id, eventId);
        failed.push(...author);
      }
      return failed.map(({ id, error }): ItemFailure => ({ eventId: eventOf.get(id) ?? events[0].eventId, item: id, error }));
    },
  };
}

/**
 * Index documents and store their analyses, in bulk. When that fails while the backend is up and
 * there are several documents, write them one at a time: the ones that fail alone are returned
 * (to be dead-lettered), the others are stored. A single document's failure is thrown, so the
 * dispatcher retries its event as any other, and so is everything while the backend is down.
 */
async function writeIsolated(search: SearchService, { docs, rows, items }: Omit<Built, 'failed'>, pause: Pause): Promise<Built['failed']> {
  if (docs.length === 0) return [];
  const write = async (d: SearchDocument[], r: AnalysisRow[], it: Built['items']) => {
    crashPoint('indexer.bulk.before');
    await search.backend.index(d);
    crashPoint('indexer.bulk.after');
    await saveAnalyses(r, [], it);
  };
  try {
    await write(docs, rows, items);
    return [];
  } catch (err) {
    // An outage (backend down, disk full) fails every document alike: retry the batch, isolate nothing.
    // A lost lease (cluster/fence.ts) is not this batch's fault: the lane stops, the new holder does it.
    if (err instanceof LeaseLostError || docs.length === 1 || outageOf(err) || !(await search.healthy())) throw err;
  }
  const failed: Built['failed'] = [];
  for (let i = 0; i < docs.length; i++) {
    await pause();
    try {
      await write([docs[i]], [rows[i]], [items[i]]);
    } catch (error) {
      if (error instanceof LeaseLostError || outageOf(error) || !(await search.healthy())) throw error;
      failed.push({ id: docs[i].id, error });
    }
  }
  return failed;
}

/** A deleted account: every document of theirs leaves the index, by id and by their former name. */
async function forgetAuthor(search: SearchService, formerUsername: string, postIds: number[]): Promise<void> {
  const ids = postIds.map((id) => `post:${id}`);
  if (ids.length) await search.backend.remove(ids);
  await search.backend.removeByAuthor([formerUsername], 'post');
  if (ids.length) await saveAnalyses([], ids);
}

/** After a consent change: drop all of the member's posts from listening, or bring them back (returns the posts that failed). */
async function syncAuthor(search: SearchService, userId: number, pause: Pause): Promise<Built['failed']> {
  const failed: Built['failed'] = [];
  const user = await User.findByPk(userId);
  if (!user) return failed;
  if (!user.analyticsConsent) {
    await search.backend.removeByAuthor([user.username], 'post');
    await withTransaction(async (transaction) => {
      const ids = (await Post.findAll({ where: { authorId: userId }, attributes: ['id'], transaction })).map((p) => `post:${p.id}`);
      if (ids.length) await Analysis.destroy({ where: { docId: { [Op.in]: ids } }, transaction });
    });
    return failed;
  }
  let after = 0;
  for (;;) {
    const batch = await Post.findAll({ where: { authorId: userId, id: { [Op.gt]: after } }, order: [['id', 'ASC']], limit: 500, attributes: ['id'] });
    if (batch.length === 0) return failed;
    const built = await buildPostDocuments(batch.map((p) => p.id), pause);
    failed.push(...built.failed, ...(await writeIsolated(search, built, pause)));
    after = batch[batch.length - 1].id;
  }
}
