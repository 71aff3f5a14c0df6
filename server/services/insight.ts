/**
 * Member insight (Social CRM), for staff: what a member cares about (keywords of what they write
 * and like, plus tags staff give them), what they did lately, how they feel over time, where they
 * belong, and how much they sway others. Members who opted out of analytics show none of it.
 */
import { Op } from 'sequelize';
import { Analysis, Chapter, Like, MemberTag, Membership, Post, Thread, User } from '../models';
import { NotFound, Conflict } from '../errors';
import { withTransaction } from '../db';
import { audit } from './audit';
import { authorize, type Actor } from '../policies';
import { forumNode, kolScoreOf } from './kol';
import type { Locale } from '../i18n';

const RECENT = 500;
const DAY = 86_400_000;

/** Interest tags: keywords weighted by writing (1) and liking (0.5), strongest first. */
function interests(written: string[][], liked: string[][]): { tag: string; weight: number }[] {
  const weight = new Map<string, number>();
  for (const kws of written) for (const k of kws) weight.set(k, (weight.get(k) ?? 0) + 1);
  for (const kws of liked) for (const k of kws) weight.set(k, (weight.get(k) ?? 0) + 0.5);
  return [...weight.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 12).map(([tag, w]) => ({ tag, weight: w }));
}

const keywordsOf = (a: Analysis) => (Array.isArray(a.keywords) ? a.keywords : []) as string[];

/** The insight panel for one member (null fields where there is nothing yet). */
export async function memberInsight(actor: Actor, username: string, locale: Locale) {
  authorize(actor, 'member.insight', null);
  const user = await User.findOne({ where: { username } });
  if (!user) throw NotFound('User');
  if (!user.analyticsConsent) return { optedOut: true as const };
  const [posts, likes, tags, memberships] = await Promise.all([
    Post.findAll({ where: { authorId: user.id, deletedAt: null }, order: [['id', 'DESC']], limit: RECENT }),
    Like.findAll({ where: { userId: user.id }, order: [['id', 'DESC']], limit: RECENT }),
    MemberTag.findAll({ where: { userId: user.id }, order: [['id', 'ASC']] }),
    Membership.findAll({ where: { userId: user.id, status: 'member' } }),
  ]);
  const docIds = [...posts.map((p) => `post:${p.id}`), ...likes.map((l) => `post:${l.postId}`)];
  const analyses = new Map((docIds.length ? await Analysis.findAll({ where: { docId: { [Op.in]: docIds } } }) : []).map((a) => [a.docId, a]));
  const own = posts.map((p) => analyses.get(`post:${p.id}`)).filter((a): a is Analysis => !!a);
  const likedAnalyses = likes.map((l) => analyses.get(`post:${l.postId}`)).filter((a): a is Analysis => !!a);

  // Daily average sentiment of their own posts, oldest first.
  const byDay = new Map<number, { sum: number; n: number; negative: number }>();
  for (const p of posts) {
    const a = analyses.get(`post:${p.id}`);
    if (!a) continue;
    const day = Math.floor(p.createdAt.getTime() / DAY);
    const d = byDay.get(day) ?? { sum: 0, n: 0, negative: 0 };
    d.sum += a.score;
    d.n++;
    if (a.label === 'negative') d.negative++;
    byDay.set(day, d);
  }
  const threadIds = [...new Set([...posts.slice(0, 20).map((p) => p.threadId)])];
  const likedPosts = likes.length ? await Post.findAll({ where: { id: { [Op.in]: likes.slice(0, 20).map((l) => l.postId) } }, attributes: ['id', 'threadId'] }) : [];
  const threads = new Map((await Thread.findAll({ where: { id: { [Op.in]: [...threadIds, ...likedPosts.map((p) => p.threadId)] } }, attributes: ['id', 'title'] })).map((t) => [t.id, t.title]));
  const likedThread = new Map(likedPosts.map((p) => [p.id, p.threadId]));
  const timeline = [
    ...posts.slice(0, 20).map((p) => ({ kind: p.replyToId ? ('reply' as const) : ('post' as const), at: p.createdAt.toISOString(), postId: String(p.id), threadId: String(p.threadId), threadTitle: threads.get(p.threadId) ?? '', sentiment: analyses.get(`post:${p.id}`)?.label ?? null })),
    ...likes.slice(0, 20).map((l) => ({ kind: 'like' as const, at: l.createdAt.toISOString(), postId: String(l.postId), threadId: String(likedThread.get(l.postId) ?? ''), threadTitle: threads.get(likedThread.get(l.postId) ?? -1) ?? '', sentiment: null })),
  ].sort((a, b) => (a.at < b.at ? 1 : -1)).slice(0, 20);
  const chapters = memberships.length ? await Chapter.findAll({ where: { id: { [Op.in]: memberships.map((m) => m.chapterId) } } }) : [];
  return {
    optedOut: false as const,
    interests: interests(own.map(keywordsOf), likedAnalyses.map(keywordsOf)),
    staffTags: tags.map((t) => t.tag),
    timeline,
    sentiment: [...byDay.entries()].sort((a, b) => a[0] - b[0]).map(([day, d]) => ({ day: new Date(day * DAY).toISOString().slice(0, 10), avg: Math.round((d.sum / d.n) * 1000) / 1000, posts: d.n, negative: d.negative })),
    chapters: chapters.map((c) => ({ slug: c.slug, name: c.name, role: memberships.find((m) => m.chapterId === c.id)?.role ?? 'member' })),
    influence: kolScoreOf(forumNode(user.username), locale),
  };
}

/** Add a staff tag to a member (pr, admin); audit-logged. */
export async function tagMember(actor: Actor, username: string, tag: string): Promise<void> {
  authorize(actor, 'member.tag', null);
  const user = await User.findOne({ where: { username } });
  if (!user) throw NotFound('User');
  await withTransaction(async (transaction) => {
    if (await MemberTag.findOne({ where: { userId: user.id, tag }, transaction })) throw Conflict('That member already has this tag', 'errors.tagExists');
    await MemberTag.create({ userId: user.id, tag, addedById: actor.id }, { transaction });
    await audit(transaction, actor.id, 'member.tag', 'user', String(user.id), null, { tag });
  });
}

/** Remove a staff tag (pr, admin); audit-logged. */
export async function untagMember(actor: Actor, username: string, tag: string): Promise<void> {
  authorize(actor, 'member.tag', null);
  const user = await User.findOne({ where: { username } });
  if (!user) throw NotFound('User');
  await withTransaction(async (transaction) => {
    const removed = await MemberTag.destroy({ where: { userId: user.id, tag }, transaction });
    if (removed) await audit(transaction, actor.id, 'member.untag', 'user', String(user.id), null, { tag });
  });
}
