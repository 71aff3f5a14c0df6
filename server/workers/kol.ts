/**
 * After commit: keep the KOL graph current. Replies, @mentions and likes become interactions
 * (cheap, O(1) each); analysed items record who wrote what, their follower counts and their
 * sentiment. The full recompute runs on its own schedule (services/kol.ts). Every web process
 * keeps its own graph, so this is not durable: a restart reloads the graph from the database.
 */
import type { Processor } from './dispatcher';
import type { StoredEvent } from '../events';
import { asDate, asJson, inList, sqlRows } from '../sql';
import { externalNode, forumNode, recordAuthored, recordInteraction, setOptedOut } from '../services/kol';

type Handled = 'post.created' | 'post.liked' | 'item.analyzed' | 'user.updated' | 'user.deleted';

/** Usernames by id, for the users these events name. */
async function usernames(ids: number[]): Promise<Map<number, string>> {
  if (ids.length === 0) return new Map();
  const list = inList([...new Set(ids)]);
  const rows = await sqlRows<{ id: number; username: string }>(`SELECT "id", "username" FROM "users" WHERE "id" IN (${list.sql})`, list.params);
  return new Map(rows.map((r) => [Number(r.id), String(r.username)]));
}

/** The KOL processor. */
export const kolProcessor: Processor<Handled> = {
  name: 'kol',
  durable: false,
  handles: ['post.created', 'post.liked', 'item.analyzed', 'user.updated', 'user.deleted'],
  batchSize: 500,
  async handleBatch(events: StoredEvent<Handled>[]) {
    // Replies and mentions need the replied-to author and the mentioned names: one read per batch.
    const postIds = events.flatMap((e) => (e.type === 'post.created' && (e.replyToId || e.mentions) ? [e.postId] : e.type === 'post.liked' ? [e.postId] : []));
    const posts = new Map<number, { author: string; createdAt: Date; mentions: string[]; repliedTo: string | null }>();
    if (postIds.length) {
      const list = inList([...new Set(postIds)]);
      const rows = await sqlRows<Record<string, unknown>>(
        `SELECT p."id", p."createdAt", p."mentions", u."username", ru."username" AS "repliedTo"
           FROM "posts" p JOIN "users" u ON u."id" = p."authorId"
           LEFT JOIN "posts" r ON r."id" = p."replyToId" LEFT JOIN "users" ru ON ru."id" = r."authorId"
          WHERE p."id" IN (${list.sql})`,
        list.params,
      );
      for (const r of rows) posts.set(Number(r.id), { author: String(r.username), createdAt: asDate(r.createdAt), mentions: asJson<string[]>(r.mentions) ?? [], repliedTo: r.repliedTo === null ? null : String(r.repliedTo) });
    }
    const names = await usernames(events.flatMap((e) => (e.type === 'post.liked' || e.type === 'user.updated' ? [e.userId] : [])));
    // post.liked is also recorded on unlike: only a like that still stands is an interaction.
    const liked = new Set<string>();
    const likeEvents = events.filter((e) => e.type === 'post.liked');
    if (likeEvents.length) {
      const list = inList([...new Set(likeEvents.map((e) => e.postId))]);
      for (const r of await sqlRows<{ userId: number; postId: number }>(`SELECT "userId", "postId" FROM "likes" WHERE "postId" IN (${list.sql})`, list.params)) liked.add(`${r.userId}:${r.postId}`);
    }
    for (const e of events) {
      if (e.type === 'post.created') {
        const p = posts.get(e.postId);
        if (!p) continue;
        const me = forumNode(p.author);
        if (p.repliedTo) recordInteraction(me, forumNode(p.repliedTo), 'reply', p.createdAt, `post:${e.postId}`);
        for (const name of p.mentions) recordInteraction(me, forumNode(name), 'mention', p.createdAt, `post:${e.postId}`);
      } else if (e.type === 'post.liked') {
        const p = posts.get(e.postId);
        const liker = names.get(e.userId);
        if (p && liker && liked.has(`${e.userId}:${e.postId}`)) recordInteraction(forumNode(liker), forumNode(p.author), 'like', e.at, `post:${e.postId}`);
      } else if (e.type === 'item.analyzed') {
        const node = e.kind === 'post' ? forumNode(e.handle) : externalNode(e.source, e.handle);
        recordAuthored(node, new Date(e.createdAt), `${e.kind}:${e.id}`, e.score, e.followers, e.first);
      } else if (e.type === 'user.deleted') {
        setOptedOut(e.formerUsername, true);
      } else if (e.type === 'user.updated' && e.consentChanged) {
        const name = names.get(e.userId);
        if (name) setOptedOut(name, !e.analyticsConsent);
      }
    }
  },
};
