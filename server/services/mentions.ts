/** Ingest of external brand mentions: validated one by one, de-duplicated by (source, externalId). */
import { Op } from 'sequelize';
import { z } from 'zod';
import { Mention } from '../models';
import { withTransaction } from '../db';
import { recordEvents } from '../events';
import { externalId, issueEnglish, text } from '../routes/schemas';

export const MAX_BATCH = 1000;

const mentionItem = z.object({
  source: z.string().regex(/^[a-z][a-z0-9_]{1,31}$/, 'must be a lower-case source id such as weibo, wechat, douyin, xiaohongshu, news, other').refine((s) => s !== 'forum', 'forum is reserved for posts'),
  externalId: z.union([externalId(200), z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER)]).transform(String),
  author: z.object({
    handle: text(1, 100),
    followers: z.number().int().min(0).max(2_000_000_000).optional(),
  }),
  text: text(1, 10_000),
  url: z.string().max(2000).url().refine((u) => /^https?:\/\//i.test(u), 'must be an http(s) URL').optional(),
  publishedAt: z.iso.datetime({ offset: true }).refine((d) => Date.parse(d) < Date.now() + 86400_000, 'is in the future'),
});
export type MentionInput = z.output<typeof mentionItem>;

export interface IngestResult {
  accepted: number;
  duplicates: number;
  rejected: { index: number; reason: string }[];
}

/** Validate each item; store the new ones in one transaction with one outbox event. */
export async function ingestMentions(items: unknown[]): Promise<IngestResult> {
  const rejected: IngestResult['rejected'] = [];
  const valid: MentionInput[] = [];
  items.forEach((item, index) => {
    const r = mentionItem.safeParse(item);
    if (r.success) valid.push(r.data);
    else {
      const issue = r.error.issues[0];
      rejected.push({ index, reason: `${issue.path.join('.') || 'item'}: ${issueEnglish(issue)}` });
    }
  });
  // Duplicates inside the batch count as duplicates too.
  const unique = new Map<string, MentionInput>();
  for (const m of valid) {
    const key = `${m.source}\u0000${m.externalId}`;
    if (!unique.has(key)) unique.set(key, m);
  }
  let duplicates = valid.length - unique.size;
  if (unique.size === 0) return { accepted: 0, duplicates, rejected };

  const accepted = await withTransaction(async (transaction) => {
    const candidates = [...unique.values()];
    // Look up by externalId alone (an IN list; a 1,000-way OR would exceed SQLite's expression
    // depth) and match the source in JS.
    const existing = await Mention.findAll({
      where: { externalId: { [Op.in]: [...new Set(candidates.map((m) => m.externalId))] } },
      attributes: ['source', 'externalId'],
      transaction,
    });
    const seen = new Set(existing.map((m) => `${m.source}\u0000${m.externalId}`));
    const fresh = candidates.filter((m) => !seen.has(`${m.source}\u0000${m.externalId}`));
    duplicates += candidates.length - fresh.length;
    if (fresh.length === 0) return 0;
    const now = new Date();
    await Mention.bulkCreate(
      fresh.map((m) => ({
        source: m.source,
        externalId: m.externalId,
        authorHandle: m.author.handle,
        authorFollowers: m.author.followers ?? null,
        text: m.text,
        url: m.url ?? null,
        publishedAt: new Date(m.publishedAt),
        createdAt: now,
      })),
      { transaction },
    );
    // bulkCreate does not return ids on every dialect: read them back by their natural key.
    const freshKeys = new Set(fresh.map((m) => `${m.source}\u0000${m.externalId}`));
    const rows = await Mention.findAll({
      where: { externalId: { [Op.in]: [...new Set(fresh.map((m) => m.externalId))] } },
      attributes: ['id', 'source', 'externalId'],
      transaction,
    });
    const ids = rows.filter((r) => freshKeys.has(`${r.source}\u0000${r.externalId}`)).map((r) => r.id);
    await recordEvents(transaction, { type: 'mentions.ingested', mentionIds: ids });
    return fresh.length;
  });
  return { accepted, duplicates, rejected };
}
