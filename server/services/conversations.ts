/**
 * Private messages: start a conversation, send, read (marking read), list, report. Participants
 * read; moderators read only a reported conversation, and every such read is audit-logged;
 * everyone else gets 404. Blocks are checked on every send. Messages record `message.created`
 * in the outbox, so live delivery and notifications survive a crash.
 */
import { Op } from 'sequelize';
import { Conversation, ConversationParticipant, ConversationReport, Message, Notification, User } from '../models';
import { authorize, can, type Actor, type ConversationRef } from '../policies';
import { withTransaction } from '../db';
import { recordEvents } from '../events';
import { renderMarkdown } from '../markdown';
import { AppError, Invalid, NotFound } from '../errors';
import { audit } from './audit';
import { blockedSince, blockersOf } from './blocks';
import { recordUploadUses } from './uploadUses';

/** A conversation with what its rules and presenters need. */
export interface LoadedConversation {
  conversation: Conversation;
  ref: ConversationRef;
  /** Participants' user rows, oldest participant first. */
  participants: User[];
}

/**
 * 403 without saying why: a blocked member is not told they are blocked (as mature products do),
 * so the same words cover every refusal to deliver.
 */
const CannotMessage = () => new AppError('forbidden', 'You cannot send messages to this member', undefined, { key: 'messages.error.cannotSend' });
/** 403 when the sender blocked the recipient themselves: that they know, so say it. */
const YouBlocked = () => new AppError('forbidden', 'You have blocked this member; unblock them to send messages', undefined, { key: 'messages.error.youBlocked' });

/** Load a conversation and its participants (no authorization: callers decide). */
export async function loadConversation(id: number): Promise<LoadedConversation | null> {
  const conversation = await Conversation.findByPk(id);
  if (!conversation) return null;
  const rows = await ConversationParticipant.findAll({ where: { conversationId: id }, order: [['id', 'ASC']] });
  const users = new Map((await User.findAll({ where: { id: { [Op.in]: rows.map((r) => r.userId) } } })).map((u) => [u.id, u]));
  return {
    conversation,
    ref: { id, participantIds: rows.map((r) => r.userId), reportedAt: conversation.reportedAt ?? null },
    participants: rows.flatMap((r) => (users.has(r.userId) ? [users.get(r.userId)!] : [])),
  };
}

/** A conversation the actor may read as a participant, else 404 (never 403: its existence is private). */
export async function conversationForParticipant(actor: Actor | null, id: number): Promise<LoadedConversation> {
  const loaded = await loadConversation(id);
  if (!loaded || !can(actor, 'conversation.read', { conversation: loaded.ref })) throw NotFound('Conversation');
  return loaded;
}

/** Refuse a send when a recipient blocked the sender (or the sender blocked a recipient). */
async function checkBlocks(senderId: number, recipientIds: number[]): Promise<void> {
  if ((await blockersOf(senderId, recipientIds)).size > 0) throw CannotMessage();
  const mine = await blockedSince(senderId);
  if (recipientIds.some((id) => mine.has(id))) throw YouBlocked();
}

async function storeMessage(actor: Actor, conversation: Conversation, participantIds: number[], body: string, transaction: import('sequelize').Transaction) {
  const { html } = renderMarkdown(body);
  const message = await Message.create({ conversationId: conversation.id, authorId: actor.id, body, html }, { transaction });
  // Its photos (the sender's own uploads) become readable only by those who may read this conversation.
  await recordUploadUses(transaction, { message: message.id }, body, [actor.id]);
  await Conversation.update({ lastMessageId: message.id, lastMessageAt: message.createdAt }, { where: { id: conversation.id }, transaction });
  conversation.lastMessageId = message.id;
  conversation.lastMessageAt = message.createdAt;
  // The sender has read their own message.
  await ConversationParticipant.update({ lastReadMessageId: message.id }, { where: { conversationId: conversation.id, userId: actor.id }, transaction });
  const recipientIds = participantIds.filter((id) => id !== actor.id);
  await recordEvents(transaction, { type: 'message.created', messageId: message.id, conversationId: conversation.id, authorId: actor.id, recipientIds });
  return message;
}

/** The one-to-one conversation between two members, if they have one. */
async function directConversation(a: number, b: number): Promise<Conversation | null> {
  const mine = await ConversationParticipant.findAll({ where: { userId: a }, attributes: ['conversationId'] });
  if (mine.length === 0) return null;
  const ids = mine.map((p) => p.conversationId);
  const all = await ConversationParticipant.findAll({ where: { conversationId: { [Op.in]: ids } }, attributes: ['conversationId', 'userId'] });
  const members = new Map<number, number[]>();
  for (const p of all) members.set(p.conversationId, [...(members.get(p.conversationId) ?? []), p.userId]);
  for (const [id, users] of members) if (users.length === 2 && users.includes(b)) return Conversation.findByPk(id);
  return null;
}

/**
 * Start a conversation with `to` (usernames) and a first message. Writing to one member you
 * already have a one-to-one conversation with continues it instead of opening a second.
 */
export async function startConversation(actor: Actor, input: { to: string[]; body: string }, limits: { maxParticipants: number }) {
  authorize(actor, 'conversation.start', null);
  const names = [...new Set(input.to)].filter((n) => n !== actor.username);
  if (names.length === 0) throw Invalid('to', 'validation.noRecipients');
  if (names.length + 1 > limits.maxParticipants) throw Invalid('to', 'validation.tooManyParticipants', { max: limits.maxParticipants });
  const users = await User.findAll({ where: { username: { [Op.in]: names } } });
  const found = new Set(users.map((u) => u.username));
  const missing = names.find((n) => !found.has(n));
  if (missing) throw Invalid('to', 'validation.unknownRecipient', { username: missing });
  const recipientIds = users.map((u) => u.id);
  await checkBlocks(actor.id, recipientIds);
  const existing = recipientIds.length === 1 ? await directConversation(actor.id, recipientIds[0]) : null;
  const { conversation, message } = await withTransaction(async (transaction) => {
    let conversation = existing;
    if (!conversation) {
      conversation = await Conversation.create({ creatorId: actor.id, lastMessageId: null, lastMessageAt: null }, { transaction });
      await ConversationParticipant.bulkCreate([actor.id, ...recipientIds].map((userId) => ({ conversationId: conversation!.id, userId })), { transaction });
    }
    const message = await storeMessage(actor, conversation, [actor.id, ...recipientIds], input.body, transaction);
    return { conversation, message };
  });
  return { conversation, message, participants: (await loadConversation(conversation.id))!.participants, continued: existing !== null };
}

/** Send a message in a conversation the actor takes part in (404 otherwise; 403 when blocked). */
export async function postMessage(actor: Actor, conversationId: number, body: string) {
  const loaded = await conversationForParticipant(actor, conversationId);
  authorize(actor, 'conversation.post', { conversation: loaded.ref });
  await checkBlocks(actor.id, loaded.ref.participantIds.filter((id) => id !== actor.id));
  const message = await withTransaction((transaction) => storeMessage(actor, loaded.conversation, loaded.ref.participantIds, body, transaction));
  return { message, loaded };
}

/**
 * Messages of a conversation after `after` (oldest first) as `viewerId` may see them: what a
 * member they blocked wrote after the block does not reach them.
 */
export async function conversationMessages(conversationId: number, opts: { after?: number; before?: number; limit: number; viewerId: number | null }): Promise<Message[]> {
  const where: Record<string | symbol, unknown> = { conversationId };
  if (opts.after) where.id = { [Op.gt]: opts.after };
  if (opts.before) where.id = { [Op.lt]: opts.before };
  // Newest page when reading backwards (the page shows the latest), oldest first when replaying.
  const rows = await Message.findAll({ where, order: [['id', opts.after !== undefined ? 'ASC' : 'DESC']], limit: opts.limit });
  if (opts.after === undefined) rows.reverse();
  if (opts.viewerId === null) return rows;
  const blocked = await blockedSince(opts.viewerId);
  return blocked.size ? rows.filter((m) => !(m.authorId !== null && blocked.has(m.authorId) && m.createdAt >= blocked.get(m.authorId)!)) : rows;
}

/**
 * Open a conversation: participants read it (and it is marked read up to its last message);
 * a moderator reads a reported one, audit-logged. Anyone else: 404.
 */
export async function openConversation(actor: Actor | null, id: number, opts: { limit: number; before?: number }) {
  const loaded = await loadConversation(id);
  if (!loaded) throw NotFound('Conversation');
  const participant = can(actor, 'conversation.read', { conversation: loaded.ref });
  if (!participant) {
    if (!can(actor, 'conversation.review', { conversation: loaded.ref })) throw NotFound('Conversation');
    const reports = await ConversationReport.count({ where: { conversationId: id } });
    await withTransaction((transaction) => audit(transaction, actor!.id, 'conversation.read', 'conversation', String(id), null, { reports, participants: loaded.participants.map((u) => u.username) }));
  }
  const messages = await conversationMessages(id, { limit: opts.limit, before: opts.before, viewerId: participant ? actor!.id : null });
  if (participant) await markConversationRead(actor!.id, loaded.conversation);
  return { ...loaded, messages, asReviewer: !participant };
}

/** Mark a conversation read for a participant, with its message notifications. */
export async function markConversationRead(userId: number, conversation: Conversation): Promise<void> {
  const upTo = conversation.lastMessageId ?? 0;
  await withTransaction(async (transaction) => {
    await ConversationParticipant.update({ lastReadMessageId: upTo }, { where: { conversationId: conversation.id, userId, lastReadMessageId: { [Op.lt]: upTo } }, transaction });
    await Notification.update({ readAt: new Date() }, { where: { userId, kind: 'message', conversationId: conversation.id, readAt: null }, transaction });
  });
}

/** A member's conversations, most recent first, with unread counts, last messages and participants. */
export async function listConversations(userId: number, limit: number) {
  const mine = await ConversationParticipant.findAll({ where: { userId } });
  if (mine.length === 0) return [];
  const readUpTo = new Map(mine.map((p) => [p.conversationId, p.lastReadMessageId]));
  const conversations = await Conversation.findAll({ where: { id: { [Op.in]: [...readUpTo.keys()] } }, order: [['lastMessageAt', 'DESC'], ['id', 'DESC']], limit });
  const ids = conversations.map((c) => c.id);
  if (ids.length === 0) return [];
  const [participants, lastMessages, unreadRows, blocked] = await Promise.all([
    ConversationParticipant.findAll({ where: { conversationId: { [Op.in]: ids } }, order: [['id', 'ASC']] }),
    Message.findAll({ where: { id: { [Op.in]: conversations.map((c) => c.lastMessageId).filter((x): x is number => x !== null) } } }),
    Message.findAll({ where: { conversationId: { [Op.in]: ids }, authorId: { [Op.ne]: userId }, id: { [Op.gt]: Math.min(...ids.map((id) => readUpTo.get(id) ?? 0)) } }, attributes: ['id', 'conversationId', 'authorId', 'createdAt'] }),
    blockedSince(userId),
  ]);
  const hidden = (m: Pick<Message, 'authorId' | 'createdAt'>) => m.authorId !== null && blocked.has(m.authorId) && m.createdAt >= blocked.get(m.authorId)!;
  const users = new Map((await User.findAll({ where: { id: { [Op.in]: [...new Set([...participants.map((p) => p.userId), ...lastMessages.map((m) => m.authorId).filter((x): x is number => x !== null)])] } } })).map((u) => [u.id, u]));
  const unread = new Map<number, number>();
  for (const m of unreadRows) if (m.id > (readUpTo.get(m.conversationId) ?? 0) && !hidden(m)) unread.set(m.conversationId, (unread.get(m.conversationId) ?? 0) + 1);
  const last = new Map(lastMessages.filter((m) => !hidden(m)).map((m) => [m.conversationId, m]));
  return conversations.map((conversation) => ({
    conversation,
    participants: participants.filter((p) => p.conversationId === conversation.id).flatMap((p) => (users.has(p.userId) ? [users.get(p.userId)!] : [])),
    lastMessage: last.get(conversation.id) ?? null,
    lastAuthor: last.get(conversation.id)?.authorId ? users.get(last.get(conversation.id)!.authorId!) : undefined,
    unread: unread.get(conversation.id) ?? 0,
  }));
}

/** A participant reports a conversation (or one message in it): moderators may then open it. */
export async function reportConversation(actor: Actor, id: number, input: { reason: string; messageId?: number }) {
  const loaded = await conversationForParticipant(actor, id);
  authorize(actor, 'conversation.report', { conversation: loaded.ref });
  if (input.messageId !== undefined) {
    const message = await Message.findOne({ where: { id: input.messageId, conversationId: id } });
    if (!message) throw Invalid('messageId', 'validation.notInConversation');
  }
  return withTransaction(async (transaction) => {
    const report = await ConversationReport.create({ conversationId: id, messageId: input.messageId ?? null, reporterId: actor.id, reason: input.reason }, { transaction });
    if (!loaded.conversation.reportedAt) await Conversation.update({ reportedAt: new Date() }, { where: { id }, transaction });
    await recordEvents(transaction, { type: 'conversation.reported', conversationId: id, reportId: report.id, reporterId: actor.id, messageId: input.messageId ?? null });
    return report;
  });
}

/** Reports of conversations, newest first (moderators): what the desk links to. */
export async function reportedConversations(actor: Actor | null, limit: number) {
  authorize(actor, 'conversations.reviewList', null);
  const reports = await ConversationReport.findAll({ order: [['id', 'DESC']], limit });
  const reporters = new Map((await User.findAll({ where: { id: { [Op.in]: reports.map((r) => r.reporterId).filter((x): x is number => x !== null) } } })).map((u) => [u.id, u]));
  return reports.map((report) => ({ report, reporter: report.reporterId ? reporters.get(report.reporterId) : undefined }));
}
