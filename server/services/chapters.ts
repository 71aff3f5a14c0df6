/** City chapters (同城会): listing, creation, joining, leaving and approving members. */
import { Op } from 'sequelize';
import { Chapter, Membership, Notification, User } from '../models';
import type { Actor } from '../policies';
import { authorize, unreadableChapters } from '../policies';
import { Conflict, NotFound } from '../errors';
import { withTransaction } from '../db';
import { recordEvents } from '../events';
import { audit } from './audit';

/** Every chapter (private ones are listed too: their name is public, their content is not). */
export async function listChapters(): Promise<Chapter[]> {
  return Chapter.findAll({ order: [['memberCount', 'DESC'], ['id', 'ASC']] });
}

/** Ids of the private chapters whose content this actor may not read (the policy's query scope). */
export async function unreadableChapterIds(actor: Actor | null): Promise<number[]> {
  const privateChapters = await Chapter.findAll({ where: { visibility: 'private' }, attributes: ['id', 'visibility'] });
  return unreadableChapters(actor, privateChapters).map((c) => c.id);
}

/** Load a chapter by slug or throw 404. */
export async function chapterBySlug(slug: string): Promise<Chapter> {
  const chapter = await Chapter.findOne({ where: { slug } });
  if (!chapter) throw NotFound('Chapter');
  return chapter;
}

/** Create a chapter (admin). */
export async function createChapter(actor: Actor, input: { slug: string; name: string; city: string; visibility: 'public' | 'private'; description?: string }) {
  authorize(actor, 'chapter.create', null);
  return withTransaction(async (transaction) => {
    if (await Chapter.findOne({ where: { slug: input.slug }, transaction })) throw Conflict('A chapter with that slug exists', 'errors.chapterSlugTaken');
    const chapter = await Chapter.create({ ...input, description: input.description ?? '' }, { transaction });
    await audit(transaction, actor.id, 'chapter.create', 'chapter', String(chapter.id), null, { slug: input.slug });
    return chapter;
  });
}

/** Join a chapter: immediate for public chapters, pending approval for private ones. Idempotent. */
export async function joinChapter(actor: Actor, chapter: Chapter) {
  authorize(actor, 'chapter.join', { chapter });
  return withTransaction(async (transaction) => {
    const existing = await Membership.findOne({ where: { chapterId: chapter.id, userId: actor.id }, transaction });
    if (existing) return existing;
    const status = chapter.visibility === 'public' ? 'member' : 'pending';
    const membership = await Membership.create({ chapterId: chapter.id, userId: actor.id, status }, { transaction });
    if (status === 'member') await Chapter.increment('memberCount', { by: 1, where: { id: chapter.id }, transaction });
    await recordEvents(transaction, { type: 'member.joined', chapterId: chapter.id, userId: actor.id, status });
    return membership;
  });
}

/** Leave a chapter (or withdraw a pending request). Idempotent. */
export async function leaveChapter(userId: number, chapter: Chapter): Promise<void> {
  await withTransaction(async (transaction) => {
    const existing = await Membership.findOne({ where: { chapterId: chapter.id, userId }, transaction });
    if (!existing) return;
    await existing.destroy({ transaction });
    if (existing.status === 'member') await Chapter.decrement('memberCount', { by: 1, where: { id: chapter.id }, transaction });
    await recordEvents(transaction, { type: 'member.left', chapterId: chapter.id, userId });
  });
}

/** Pending join requests of a chapter, oldest first, with the requesting users. */
export async function pendingMembers(chapter: Chapter) {
  const pending = await Membership.findAll({ where: { chapterId: chapter.id, status: 'pending' }, order: [['id', 'ASC']] });
  const users = await User.findAll({ where: { id: { [Op.in]: pending.map((m) => m.userId) } } });
  const byId = new Map(users.map((u) => [u.id, u]));
  return pending.map((m) => ({ membership: m, user: byId.get(m.userId)! })).filter((x) => x.user);
}

/** Approve or reject a pending member (chapter moderator or staff). */
export async function decideMembership(actor: Actor, chapter: Chapter, username: string, approve: boolean) {
  authorize(actor, 'chapter.moderate', { chapter });
  return withTransaction(async (transaction) => {
    const user = await User.findOne({ where: { username }, transaction });
    if (!user) throw NotFound('User');
    const m = await Membership.findOne({ where: { chapterId: chapter.id, userId: user.id }, transaction });
    if (!m || m.status !== 'pending') throw NotFound('Pending request');
    if (approve) {
      m.status = 'member';
      await m.save({ transaction });
      await Chapter.increment('memberCount', { by: 1, where: { id: chapter.id }, transaction });
      const note = await Notification.create(
        { userId: user.id, kind: 'membership_approved', actorId: actor.id, chapterId: chapter.id, threadId: null, postId: null, readAt: null },
        { transaction },
      );
      await recordEvents(
        transaction,
        { type: 'member.joined', chapterId: chapter.id, userId: user.id, status: 'member' },
        { type: 'notification.created', notificationId: note.id, userId: user.id },
      );
    } else {
      await m.destroy({ transaction });
      await recordEvents(transaction, { type: 'member.left', chapterId: chapter.id, userId: user.id });
    }
    await audit(transaction, actor.id, approve ? 'membership.approve' : 'membership.reject', 'chapter', String(chapter.id), null, { username });
    return m;
  });
}

/** Chapters a user belongs to (for profiles), public ones only unless the viewer may see private ones. */
export async function chaptersOf(userId: number): Promise<Chapter[]> {
  const ms = await Membership.findAll({ where: { userId, status: 'member' } });
  if (ms.length === 0) return [];
  return Chapter.findAll({ where: { id: { [Op.in]: ms.map((m) => m.chapterId) } }, order: [['name', 'ASC']] });
}

/** A chapter's moderators (同城会 organisers), oldest appointment first. */
export async function chapterModerators(chapter: Chapter): Promise<User[]> {
  const ms = await Membership.findAll({ where: { chapterId: chapter.id, status: 'member', role: 'moderator' }, order: [['id', 'ASC']] });
  if (ms.length === 0) return [];
  const users = await User.findAll({ where: { id: { [Op.in]: ms.map((m) => m.userId) } } });
  const byId = new Map(users.map((u) => [u.id, u]));
  return ms.map((m) => byId.get(m.userId)).filter((u): u is User => !!u);
}

/**
 * Appoint a chapter moderator (admin; audited). Someone not yet in the chapter is made a member
 * (a pending request is approved): an organiser must be able to read and post there. Their
 * sockets are ended, as on a role change, so they reconnect with the new rights. Idempotent.
 */
export async function appointModerator(actor: Actor, chapter: Chapter, username: string, reason: string) {
  authorize(actor, 'chapter.appoint', null);
  return withTransaction(async (transaction) => {
    const user = await User.findOne({ where: { username }, transaction });
    if (!user) throw NotFound('User');
    const m = await Membership.findOne({ where: { chapterId: chapter.id, userId: user.id }, transaction });
    const before = m ? { status: m.status, role: m.role } : null;
    if (m?.status === 'member' && m.role === 'moderator') return { user, changed: false };
    const joined = !m || m.status !== 'member';
    if (m) {
      m.status = 'member';
      m.role = 'moderator';
      await m.save({ transaction });
    } else {
      await Membership.create({ chapterId: chapter.id, userId: user.id, status: 'member', role: 'moderator' }, { transaction });
    }
    if (joined) await Chapter.increment('memberCount', { by: 1, where: { id: chapter.id }, transaction });
    await audit(transaction, actor.id, 'chapter.appoint', 'chapter', String(chapter.id), reason, {
      userId: user.id,
      username: user.username,
      before,
      after: { status: 'member', role: 'moderator' },
    });
    await recordEvents(
      transaction,
      ...(joined ? [{ type: 'member.joined' as const, chapterId: chapter.id, userId: user.id, status: 'member' as const }] : []),
      { type: 'access.revoked', userId: user.id, credentialId: null, keepCredentialId: null, reason: 'role' },
    );
    return { user, changed: true };
  });
}

/** Remove a chapter moderator: they stay a member of the chapter (admin; audited; sockets ended). */
export async function removeModerator(actor: Actor, chapter: Chapter, username: string, reason: string) {
  authorize(actor, 'chapter.appoint', null);
  return withTransaction(async (transaction) => {
    const user = await User.findOne({ where: { username }, transaction });
    if (!user) throw NotFound('User');
    const m = await Membership.findOne({ where: { chapterId: chapter.id, userId: user.id }, transaction });
    if (!m || m.role !== 'moderator') throw NotFound('Chapter moderator');
    m.role = 'member';
    await m.save({ transaction });
    await audit(transaction, actor.id, 'chapter.removeModerator', 'chapter', String(chapter.id), reason, {
      userId: user.id,
      username: user.username,
      before: { status: m.status, role: 'moderator' },
      after: { status: m.status, role: 'member' },
    });
    await recordEvents(transaction, { type: 'access.revoked', userId: user.id, credentialId: null, keepCredentialId: null, reason: 'role' });
    return { user };
  });
}

/** Chapters where a user is a member, with their role there (the admin person page). */
export async function membershipsOf(userId: number) {
  const ms = await Membership.findAll({ where: { userId }, order: [['id', 'ASC']] });
  if (ms.length === 0) return [];
  const list = await Chapter.findAll({ where: { id: { [Op.in]: ms.map((m) => m.chapterId) } } });
  const byId = new Map(list.map((c) => [c.id, c]));
  return ms.map((m) => ({ chapter: byId.get(m.chapterId)!, status: m.status, role: m.role })).filter((x) => x.chapter);
}
