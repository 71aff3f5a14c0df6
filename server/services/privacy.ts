/**
 * A member's own data: the JSON export (everything we hold about them, including what the
 * listening pipeline inferred from their posts) and account deletion. Deleting keeps threads
 * readable for everyone else: the posts stay, under an anonymous name, while the account, its
 * sessions, memberships, notifications and every trace in the listening index go.
 */
import { Op } from 'sequelize';
import { Analysis, Block, ConversationParticipant, Credential, Flag, Like, MemberProfile, MemberTag, Membership, Message, Notification, Post, Thread, User } from '../models';
import type { Actor } from '../policies';
import { verifyPassword } from '../passwords';
import { Invalid, NotFound } from '../errors';
import { withTransaction } from '../db';
import { recordEvents } from '../events';
import { audit } from './audit';
import { forgetPostLabels } from './sentimentLabels';
import { presentSelf } from '../presenters';

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

/** Everything the member may take with them, as one JSON document. */
export async function exportOwnData(actor: Actor) {
  const user = await User.findByPk(actor.id);
  if (!user) throw NotFound('User');
  const [posts, threads, likes, flags, memberships, notifications, credentials, profile] = await Promise.all([
    Post.findAll({ where: { authorId: user.id }, order: [['id', 'ASC']] }),
    Thread.findAll({ where: { authorId: user.id }, order: [['id', 'ASC']] }),
    Like.findAll({ where: { userId: user.id }, order: [['id', 'ASC']] }),
    Flag.findAll({ where: { userId: user.id }, order: [['id', 'ASC']] }),
    Membership.findAll({ where: { userId: user.id } }),
    Notification.findAll({ where: { userId: user.id }, order: [['id', 'ASC']] }),
    Credential.findAll({ where: { userId: user.id }, order: [['id', 'ASC']] }),
    MemberProfile.findByPk(user.id),
  ]);
  // Private messages: what they wrote and which conversations they are in (not what others wrote to them).
  const [messages, conversations, blocks] = await Promise.all([
    Message.findAll({ where: { authorId: user.id }, order: [['id', 'ASC']] }),
    ConversationParticipant.findAll({ where: { userId: user.id }, order: [['id', 'ASC']] }),
    Block.findAll({ where: { blockerId: user.id }, order: [['id', 'ASC']] }),
  ]);
  const analyses = posts.length ? await Analysis.findAll({ where: { docId: { [Op.in]: posts.map((p) => `post:${p.id}`) } } }) : [];
  return {
    exportedAt: new Date().toISOString(),
    user: { ...presentSelf(user), createdAt: iso(user.createdAt) },
    // The profile: bio and what the member keeps off it.
    profile: { bio: profile?.bio ?? null, hideLikes: profile?.hideLikes ?? false, hideChapters: profile?.hideChapters ?? false, hideLastSeen: profile?.hideLastSeen ?? false },
    threads: threads.map((t) => ({ id: String(t.id), title: t.title, chapterId: t.chapterId, createdAt: iso(t.createdAt) })),
    posts: posts.map((p) => ({ id: String(p.id), threadId: String(p.threadId), body: p.body, replyTo: p.replyToId ? String(p.replyToId) : null, createdAt: iso(p.createdAt), editedAt: iso(p.editedAt), deleted: !!p.deletedAt, hidden: !!p.hiddenAt })),
    likes: likes.map((l) => ({ postId: String(l.postId), createdAt: iso(l.createdAt) })),
    flags: flags.map((f) => ({ postId: String(f.postId), reason: f.reason, status: f.status, createdAt: iso(f.createdAt) })),
    memberships: memberships.map((m) => ({ chapterId: m.chapterId, status: m.status, role: m.role, since: iso(m.createdAt) })),
    notifications: notifications.map((n) => ({ kind: n.kind, threadId: n.threadId, postId: n.postId, read: !!n.readAt, createdAt: iso(n.createdAt) })),
    conversations: conversations.map((c) => ({ id: String(c.conversationId), joinedAt: iso(c.createdAt) })),
    messages: messages.map((m) => ({ id: String(m.id), conversationId: String(m.conversationId), body: m.body, createdAt: iso(m.createdAt) })),
    blocks: blocks.map((b) => ({ userId: String(b.blockedId), createdAt: iso(b.createdAt) })),
    // What the listening pipeline concluded about their posts (only while they consent to analytics).
    analyses: analyses.map((a) => ({ postId: a.docId.slice('post:'.length), lang: a.lang, sentiment: a.label, score: a.score, keywords: a.keywords })),
    // Sessions and keys without their secrets (only hashes are stored, and those are not exported either).
    credentials: credentials.map((c) => ({ kind: c.kind, name: c.name, createdAt: iso(c.createdAt), lastUsedAt: iso(c.lastUsedAt), revoked: !!c.revokedAt })),
  };
}

/**
 * Delete the caller's account after checking the password. The listening index forgets their
 * posts (user.deleted, handled by the indexer) and their live sockets end (access.revoked).
 */
export async function deleteAccount(actor: Actor, password: string): Promise<void> {
  const user = await User.findByPk(actor.id);
  if (!user) throw NotFound('User');
  if (!(await verifyPassword(password, user.passwordHash))) throw Invalid('password', 'validation.notYourPassword');
  await withTransaction(async (transaction) => {
    const formerUsername = user.username;
    const postIds = (await Post.findAll({ where: { authorId: user.id }, attributes: ['id'], transaction })).map((p) => p.id);
    user.username = `deleted_${user.id}`;
    user.displayName = '—';
    user.passwordHash = '!';
    user.analyticsConsent = false;
    user.suspendedAt = new Date();
    await user.save({ transaction });
    await Credential.update({ revokedAt: new Date() }, { where: { userId: user.id, revokedAt: null }, transaction });
    await Membership.destroy({ where: { userId: user.id }, transaction });
    await Notification.destroy({ where: { userId: user.id }, transaction });
    await MemberTag.destroy({ where: { userId: user.id }, transaction });
    // The bio is the member's own words about themselves: it goes with the account.
    await MemberProfile.destroy({ where: { userId: user.id }, transaction });
    // Messages stay in the others' conversations under the anonymous name, like posts; blocks go.
    await Block.destroy({ where: { [Op.or]: [{ blockerId: user.id }, { blockedId: user.id }] }, transaction });
    // Sentiment labels keep the text as judged: the member's words go with the account.
    await forgetPostLabels(postIds, transaction);
    await audit(transaction, user.id, 'user.delete', 'user', String(user.id), null, { posts: postIds.length });
    await recordEvents(
      transaction,
      { type: 'user.deleted', userId: user.id, formerUsername, postIds },
      { type: 'access.revoked', userId: user.id, credentialId: null, keepCredentialId: null, reason: 'deleted' },
      { type: 'user.updated', userId: user.id, analyticsConsent: false, consentChanged: false },
    );
  });
}
