/**
 * Secure uploads (Discourse's idea): which posts and which private messages show which uploads,
 * recorded in the transaction that writes them, and what `GET /uploads/:name` reads to decide who
 * may see an image. Only references to images the writer (the post's author or its editor, the
 * message's sender) uploaded are recorded: quoting or pasting someone else's URL neither opens a
 * private photo nor locks a public one. Records are only added, never removed by an edit or a
 * delete: once shown in a private chapter or a conversation, an image stays private (it may be in
 * browsers' and readers' hands, but never in shared caches).
 */
import type { Transaction } from 'sequelize';
import type { ChapterRef, ConversationRef, PrivateUseRef } from '../policies';
import { asDate, inList, sqlRows } from '../sql';

const UPLOAD_REF = /\/uploads\/([a-f0-9]{32}-\d{1,5}x\d{1,5})(?:\.thumb)?\.webp/g;

/** The distinct upload keys a post or message body refers to (images, links, any size variant). */
export function uploadKeysIn(body: string): string[] {
  if (!body.includes('/uploads/')) return [];
  return [...new Set([...body.matchAll(UPLOAD_REF)].map((m) => m[1]))];
}

/** What refers to an upload: a post (in `post_uploads`) or a private message (in `message_uploads`). */
export type UploadReferrer = { post: number } | { message: number };

// Fixed table and column names per kind of referrer: nothing here comes from a request.
const USE_TABLES = {
  post: { table: 'post_uploads', column: 'postId' },
  message: { table: 'message_uploads', column: 'messageId' },
} as const;

/** Record the uploads this body shows that one of `uploaderIds` uploaded; no query for bodies without any. */
export async function recordUploadUses(t: Transaction, referrer: UploadReferrer, body: string, uploaderIds: number[]): Promise<void> {
  const keys = uploadKeysIn(body);
  if (keys.length === 0) return;
  const [use, referrerId] = 'post' in referrer ? [USE_TABLES.post, referrer.post] : [USE_TABLES.message, referrer.message];
  const k = inList(keys, 1);
  const u = inList([...new Set(uploaderIds)], 1 + k.params.length);
  const owned = await sqlRows<{ key: string }>(
    `SELECT DISTINCT "key" FROM "uploads" WHERE "purpose" = 'post' AND "key" IN (${k.sql}) AND "userId" IN (${u.sql})`,
    [...k.params, ...u.params],
    t,
  );
  if (owned.length === 0) return;
  const values = owned.map((_, i) => `($1,$${i + 2})`).join(',');
  await sqlRows(`INSERT INTO "${use.table}" ("${use.column}","uploadKey") VALUES ${values} ON CONFLICT DO NOTHING`, [referrerId, ...owned.map((r) => String(r.key))], t);
}

/** What the rules need about one stored image. */
export interface UploadAccess {
  /** Members with a post upload of this image (the same bytes uploaded twice share a key). */
  uploaderIds: number[];
  /** Someone's avatar: avatars are public wherever they are shown. */
  avatar: boolean;
  /** Shown in a post outside any private chapter. */
  publicUse: boolean;
  /** The posts in private chapters that show it. */
  privateUses: PrivateUseRef[];
  /** The conversations with a message that shows it (whoever may read or review one of them). */
  conversationUses: ConversationRef[];
}

/**
 * How an image may be cached: `public` (an avatar, or shown only in posts outside private
 * chapters), `private` (shown in a private chapter or in a private message: policy decides who),
 * `unlisted` (in no post or message yet; served, but kept out of shared caches in case it goes
 * somewhere private next).
 */
export type UploadVisibility = 'public' | 'private' | 'unlisted';

/** The visibility of an image from its access facts. */
export function visibilityOf(access: UploadAccess): UploadVisibility {
  // Private wins over public use, as for a photo in both a public and a private-chapter post: an
  // image also sent in a message is hidden from the public post's readers rather than leaked to them.
  if (access.privateUses.length > 0 || access.conversationUses.length > 0) return 'private';
  return access.avatar || access.publicUse ? 'public' : 'unlisted';
}

type AccessRow = {
  kind: string;
  userId: number | null;
  purpose: string | null;
  postId: number | null;
  postAuthorId: number | null;
  deletedAt: unknown;
  hiddenAt: unknown;
  threadId: number | null;
  threadAuthorId: number | null;
  chapterId: number | null;
  locked: unknown;
  threadHiddenAt: unknown;
  visibility: ChapterRef['visibility'] | null;
  conversationId: number | null;
  reportedAt: unknown;
};

// One statement, every branch on an index (uploads.key, post_uploads.uploadKey,
// message_uploads.uploadKey, then primary keys and conversation_participants' conversationId).
// The conversation branch has one row per participant (`userId`) of each conversation using it
// (DISTINCT inside: an untyped NULL under DISTINCT becomes text on Postgres). The typed NULLs in the first
// branch fix the columns' types for Postgres, which resolves a chain of UNIONs pairwise.
const ACCESS_SQL = `SELECT 'uploader' AS "kind", "userId", "purpose", NULL AS "postId", NULL AS "postAuthorId", NULL AS "deletedAt", NULL AS "hiddenAt",
    NULL AS "threadId", NULL AS "threadAuthorId", NULL AS "chapterId", NULL AS "locked", NULL AS "threadHiddenAt", NULL AS "visibility",
    CAST(NULL AS INTEGER) AS "conversationId", CAST(NULL AS TIMESTAMPTZ) AS "reportedAt"
  FROM "uploads" WHERE "key" = $1
UNION ALL
SELECT 'use', NULL, NULL, p."id", p."authorId", p."deletedAt", p."hiddenAt", t."id", t."authorId", t."chapterId", t."locked", t."hiddenAt", c."visibility", NULL, NULL
  FROM "post_uploads" pu JOIN "posts" p ON p."id" = pu."postId" JOIN "threads" t ON t."id" = p."threadId" LEFT JOIN "chapters" c ON c."id" = t."chapterId"
  WHERE pu."uploadKey" = $1
UNION ALL
SELECT 'conversation', cp."userId", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, cv."id", cv."reportedAt"
  FROM (SELECT DISTINCT m."conversationId" FROM "message_uploads" mu JOIN "messages" m ON m."id" = mu."messageId" WHERE mu."uploadKey" = $1) used
    JOIN "conversations" cv ON cv."id" = used."conversationId" JOIN "conversation_participants" cp ON cp."conversationId" = cv."id"`;

const dateOrNull = (v: unknown): Date | null => (v === null || v === undefined ? null : asDate(v));

/** Who uploaded an image and which posts and conversations show it: one indexed query. */
export async function uploadAccess(key: string): Promise<UploadAccess> {
  const rows = await sqlRows<AccessRow>(ACCESS_SQL, [key]);
  const access: UploadAccess = { uploaderIds: [], avatar: false, publicUse: false, privateUses: [], conversationUses: [] };
  const conversations = new Map<number, ConversationRef>();
  for (const r of rows) {
    if (r.kind === 'conversation') {
      const id = Number(r.conversationId);
      const ref = conversations.get(id) ?? { id, participantIds: [], reportedAt: dateOrNull(r.reportedAt) };
      ref.participantIds.push(Number(r.userId));
      conversations.set(id, ref);
    } else if (r.kind === 'uploader') {
      if (r.purpose === 'avatar') access.avatar = true;
      else access.uploaderIds.push(Number(r.userId));
    } else if (r.visibility === 'private') {
      access.privateUses.push({
        post: { id: Number(r.postId), authorId: Number(r.postAuthorId), deletedAt: dateOrNull(r.deletedAt), hiddenAt: dateOrNull(r.hiddenAt) },
        thread: { id: Number(r.threadId), authorId: Number(r.threadAuthorId), chapterId: Number(r.chapterId), locked: !!Number(r.locked), hiddenAt: dateOrNull(r.threadHiddenAt) },
        chapter: { id: Number(r.chapterId), visibility: 'private' },
      });
    } else access.publicUse = true;
  }
  access.conversationUses = [...conversations.values()];
  return access;
}
