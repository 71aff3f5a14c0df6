/**
 * The listening pipeline's indexing step: after commit, analyse posts and mentions and write
 * them to the search backend in bulk. Idempotent (documents are keyed by `post:<id>` /
 * `mention:<id>`), so at-least-once delivery is safe. A down backend is a transient failure:
 * the batch waits in the outbox and is retried with backoff until the backend returns.
 */
import { Op } from 'sequelize';
import type { Processor } from './dispatcher';
import type { StoredEvent } from '../events';
import type { SearchService } from '../search';
import type { SearchDocument } from '../../search/backend';
import { analyze, type Analysis as TextAnalysis } from '../../search/analysis';
import { expandForIndex } from '../../search/expand';
import { Analysis, Mention, Post, User } from '../models';
import { asDate, inList, sqlRows } from '../sql';
import { withTransaction } from '../db';

type Handled = 'post.created' | 'post.updated' | 'post.removed' | 'mentions.ingested' | 'user.updated';

/** A mention author with at least this many followers counts as a KOL until issue-5 scoring refines it. */
export const KOL_FOLLOWERS = 10_000;

type DocFields = Pick<SearchDocument, 'id' | 'kind' | 'text' | 'author' | 'authorFollowers' | 'kol' | 'chapter' | 'chapterId' | 'threadId' | 'source' | 'url' | 'createdAt'>;

/** A document from its own fields plus the analysis (the part every kind shares). */
function toDocument(fields: DocFields, a: TextAnalysis): SearchDocument {
  return {
    ...fields,
    tokens: expandForIndex(a.tokens),
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
      source: m.source,
      url: m.url,
      createdAt: m.publishedAt.toISOString(),
    },
    a,
  );
}

function analysisRow(doc: SearchDocument, refId: number, a: TextAnalysis) {
  return {
    docId: doc.id,
    kind: doc.kind,
    refId,
    lang: a.lang,
    label: a.sentiment.label,
    score: a.sentiment.score,
    confidence: a.sentiment.confidence,
    keywords: a.keywords,
    reasons: a.sentiment.reasons,
    complaint: a.complaint?.category ?? null,
    analyzedAt: new Date(),
  };
}

/** Documents for these posts: analysed when live and consented, else listed for removal. */
export async function buildPostDocuments(postIds: number[]) {
  const docs: SearchDocument[] = [];
  const rows: ReturnType<typeof analysisRow>[] = [];
  const removals: string[] = [];
  if (postIds.length === 0) return { docs, rows, removals };
  // One prepared, joined read per batch: the model calls it replaces cost more than the analysis.
  const ids = inList([...new Set(postIds)]);
  const found = await sqlRows<Record<string, unknown>>(
    `SELECT p."id", p."body", p."createdAt", p."deletedAt", p."hiddenAt", p."threadId", t."id" AS "threadRow", t."hiddenAt" AS "threadHiddenAt",
            u."username", u."analyticsConsent", c."id" AS "chapterId", c."slug" AS "chapterSlug"
       FROM "posts" p
       LEFT JOIN "threads" t ON t."id" = p."threadId"
       LEFT JOIN "users" u ON u."id" = p."authorId"
       LEFT JOIN "chapters" c ON c."id" = t."chapterId"
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
    const a = analyze(String(r.body));
    const doc = postDocument(
      {
        id,
        body: String(r.body),
        createdAt: asDate(r.createdAt),
        threadId: Number(r.threadId),
        author: String(r.username),
        chapterId: r.chapterId === null ? null : Number(r.chapterId),
        chapterSlug: r.chapterSlug === null ? null : String(r.chapterSlug),
      },
      a,
    );
    docs.push(doc);
    rows.push(analysisRow(doc, id, a));
  }
  return { docs, rows, removals };
}

/** Documents for these mentions. */
export async function buildMentionDocuments(mentionIds: number[]) {
  const docs: SearchDocument[] = [];
  const rows: ReturnType<typeof analysisRow>[] = [];
  if (mentionIds.length === 0) return { docs, rows };
  const mentions = await Mention.findAll({ where: { id: { [Op.in]: mentionIds } } });
  for (const m of mentions) {
    const a = analyze(m.text);
    const doc = mentionDocument(m, a);
    docs.push(doc);
    rows.push(analysisRow(doc, m.id, a));
  }
  return { docs, rows };
}

/** Store analyses (upsert) and drop those of removed documents. */
async function saveAnalyses(rows: ReturnType<typeof analysisRow>[], removals: string[]) {
  if (rows.length === 0 && removals.length === 0) return;
  await withTransaction(async (transaction) => {
    if (removals.length) await Analysis.destroy({ where: { docId: { [Op.in]: removals } }, transaction });
    if (rows.length) {
      await Analysis.bulkCreate(rows, {
        transaction,
        updateOnDuplicate: ['lang', 'label', 'score', 'confidence', 'keywords', 'reasons', 'complaint', 'analyzedAt'],
      });
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
    handles: ['post.created', 'post.updated', 'post.removed', 'mentions.ingested', 'user.updated'],
    async isTransient() {
      // A failure while the backend is unreachable is an outage, not a poison event.
      return !(await search.healthy());
    },
    async handleBatch(events: StoredEvent<Handled>[]) {
      await search.ready();
      const postIds = new Set<number>();
      const mentionIds = new Set<number>();
      const consentChanged: number[] = [];
      for (const e of events) {
        if (e.type === 'post.created' || e.type === 'post.updated' || e.type === 'post.removed') postIds.add(e.postId);
        else if (e.type === 'mentions.ingested') e.mentionIds.forEach((id) => mentionIds.add(id));
        else if (e.type === 'user.updated' && e.consentChanged) consentChanged.push(e.userId);
      }
      // Re-reading the current row makes every post event "sync this post": an edit re-analyses,
      // a delete or hide removes, and a replay converges to the same state.
      const posts = await buildPostDocuments([...postIds]);
      const mentions = await buildMentionDocuments([...mentionIds]);
      const docs = [...posts.docs, ...mentions.docs];
      if (posts.removals.length) await search.backend.remove(posts.removals);
      if (docs.length) await search.backend.index(docs);
      await saveAnalyses([...posts.rows, ...mentions.rows], posts.removals);
      for (const userId of consentChanged) await syncAuthor(search, userId);
    },
  };
}

/** After a consent change: drop all of the member's posts from listening, or bring them back. */
async function syncAuthor(search: SearchService, userId: number): Promise<void> {
  const user = await User.findByPk(userId);
  if (!user) return;
  if (!user.analyticsConsent) {
    await search.backend.removeByAuthor([user.username], 'post');
    await withTransaction(async (transaction) => {
      const ids = (await Post.findAll({ where: { authorId: userId }, attributes: ['id'], transaction })).map((p) => `post:${p.id}`);
      if (ids.length) await Analysis.destroy({ where: { docId: { [Op.in]: ids } }, transaction });
    });
    return;
  }
  let after = 0;
  for (;;) {
    const batch = await Post.findAll({ where: { authorId: userId, id: { [Op.gt]: after } }, order: [['id', 'ASC']], limit: 500, attributes: ['id'] });
    if (batch.length === 0) return;
    const built = await buildPostDocuments(batch.map((p) => p.id));
    if (built.docs.length) await search.backend.index(built.docs);
    await saveAnalyses(built.rows, []);
    after = batch[batch.length - 1].id;
  }
}
