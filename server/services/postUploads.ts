/**
 * Secure uploads (Discourse's idea): which posts show which uploads, recorded in the transaction
 * that writes the post, and what `GET /uploads/:name` reads to decide who may see an image.
 * Only references to images the post's author (or its editor) uploaded are recorded: quoting or
 * pasting someone else's URL neither opens a private photo nor locks a public one. Records are
 * only added, never removed by an edit or a delete: once shown in a private chapter, an image
 * stays private (it may be in browsers' and readers' hands, but never in shared caches).
 */
import type { Transaction } from 'sequelize';
import type { ChapterRef, PrivateUseRef } from '../policies';
import { asDate, inList, sqlRows } from '../sql';

const UPLOAD_REF = /\/uploads\/([a-f0-9]{32}-\d{1,5}x\d{1,5})(?:\.thumb)?\.webp/g;

/** The distinct upload keys a post body refers to (images, links, any size variant). */
export function uploadKeysIn(body: string): string[] {
  if (!body.includes('/uploads/')) return [];
  return [...new Set([...body.matchAll(UPLOAD_REF)].map((m) => m[1]))];
}

/** Record the uploads this body shows that one of `uploaderIds` uploaded; no query for bodies without any. */
export async function recordPostUploads(t: Transaction, postId: number, body: string, uploaderIds: number[]): Promise<void> {
  const keys = uploadKeysIn(body);
  if (keys.length === 0) return;
  const k = inList(keys, 1);
  const u = inList([...new Set(uploaderIds)], 1 + k.params.length);
  const owned = await sqlRows<{ key: string }>(
    `SELECT DISTINCT "key" FROM "uploads" WHERE "purpose" = 'post' AND "key" IN (${k.sql}) AND "userId" IN (${u.sql})`,
    [...k.params, ...u.params],
    t,
  );
  if (owned.length === 0) return;
  const values = owned.map((_, i) => `($1,$${i + 2})`).join(',');
  await sqlRows(`INSERT INTO "post_uploads" ("postId","uploadKey") VALUES ${values} ON CONFLICT DO NOTHING`, [postId, ...owned.map((r) => String(r.key))], t);
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
}

/**
 * How an image may be cached: `public` (an avatar, or shown only outside private chapters),
 * `private` (shown in a private chapter: policy decides who), `unlisted` (in no post yet; served,
 * but kept out of shared caches in case it goes into a private chapter next).
 */
export type UploadVisibility = 'public' | 'private' | 'unlisted';

/** The visibility of an image from its access facts. */
export function visibilityOf(access: UploadAccess): UploadVisibility {
  if (access.privateUses.length > 0) return 'private';
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
};

// One statement, both branches on an index (uploads.key, post_uploads.uploadKey, then primary keys).
const ACCESS_SQL = `SELECT 'uploader' AS "kind", "userId", "purpose", NULL AS "postId", NULL AS "postAuthorId", NULL AS "deletedAt", NULL AS "hiddenAt",
    NULL AS "threadId", NULL AS "threadAuthorId", NULL AS "chapterId", NULL AS "locked", NULL AS "threadHiddenAt", NULL AS "visibility"
  FROM "uploads" WHERE "key" = $1
UNION ALL
SELECT 'use', NULL, NULL, p."id", p."authorId", p."deletedAt", p."hiddenAt", t."id", t."authorId", t."chapterId", t."locked", t."hiddenAt", c."visibility"
  FROM "post_uploads" pu JOIN "posts" p ON p."id" = pu."postId" JOIN "threads" t ON t."id" = p."threadId" LEFT JOIN "chapters" c ON c."id" = t."chapterId"
  WHERE pu."uploadKey" = $1`;

const dateOrNull = (v: unknown): Date | null => (v === null || v === undefined ? null : asDate(v));

/** Who uploaded an image and which posts show it: one indexed query. */
export async function uploadAccess(key: string): Promise<UploadAccess> {
  const rows = await sqlRows<AccessRow>(ACCESS_SQL, [key]);
  const access: UploadAccess = { uploaderIds: [], avatar: false, publicUse: false, privateUses: [] };
  for (const r of rows) {
    if (r.kind === 'uploader') {
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
  return access;
}
