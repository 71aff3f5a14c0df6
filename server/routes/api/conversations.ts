/** Private messages API: conversations, messages, reports, blocks (CONTRACT v1.1 "messages"). */
import { Router } from 'express';
import { z } from 'zod';
import { requirePerson } from '../../policies';
import * as conversations from '../../services/conversations';
import { blockMember, listBlocks, unblockMember } from '../../services/blocks';
import { authorsOfMessages } from '../../services/conversationReads';
import { presentConversation, presentConversationReport, presentMessage } from '../../presenters/conversation';
import { presentAuthor } from '../../presenters';
import { unreadCount } from '../../services/notifications';
import { parse, id, limit, postBody, reason, username } from '../schemas';
import type { HttpDeps } from '../deps';

// Input schemas, built once: zod compiles a schema on its first parse, so one per request is costly.
export const startConversationInput = z.object({ to: z.array(username).min(1).max(100), body: postBody });
export const messageInput = z.object({ body: postBody });
export const reportConversationInput = z.object({ reason, messageId: id.optional() });
const listQuery = z.object({ limit: limit(30, 100) });
const conversationQuery = z.object({ limit: limit(50, 200), before: id.optional() });
const reportsQuery = z.object({ limit: limit(50, 200) });

/** Present a member's conversation list (shared with the /messages page). */
export async function presentConversationList(userId: number, max: number) {
  const rows = await conversations.listConversations(userId, max);
  return rows.map((r) =>
    presentConversation(r.conversation, r.participants, {
      unread: r.unread,
      ...(r.lastMessage ? { lastMessage: presentMessage(r.lastMessage, r.lastAuthor) } : {}),
    }),
  );
}

export function conversationsApi({ config, limits }: HttpDeps): Router {
  const r = Router();
  const maxParticipants = config.MESSAGES_MAX_PARTICIPANTS;

  r.get('/conversations', async (req, res) => {
    requirePerson(req.actor);
    const q = parse(listQuery, req.query);
    res.json({ items: await presentConversationList(req.actor.id, q.limit) });
  });

  r.post('/conversations', limits.newConversations, limits.messages, async (req, res) => {
    requirePerson(req.actor);
    const input = parse(startConversationInput, req.body ?? {});
    const started = await conversations.startConversation(req.actor, input, { maxParticipants });
    res.status(201).json({ conversation: presentConversation(started.conversation, started.participants), message: presentMessage(started.message, req.actor) });
  });

  r.get('/conversations/:id', async (req, res) => {
    const conversationId = parse(id, req.params.id, 'id');
    const q = parse(conversationQuery, req.query);
    const opened = await conversations.openConversation(req.actor, conversationId, { limit: q.limit, before: q.before });
    const authors = await authorsOfMessages(opened.messages);
    res.json({
      conversation: presentConversation(opened.conversation, opened.participants, { reported: opened.conversation.reportedAt !== null && opened.asReviewer }),
      messages: opened.messages.map((m) => presentMessage(m, m.authorId ? authors.get(m.authorId) : undefined)),
    });
  });

  r.post('/conversations/:id/messages', limits.messages, async (req, res) => {
    requirePerson(req.actor);
    const conversationId = parse(id, req.params.id, 'id');
    const input = parse(messageInput, req.body ?? {});
    const { message } = await conversations.postMessage(req.actor, conversationId, input.body);
    res.status(201).json({ message: presentMessage(message, req.actor) });
  });

  r.post('/conversations/:id/read', async (req, res) => {
    requirePerson(req.actor);
    const conversationId = parse(id, req.params.id, 'id');
    const loaded = await conversations.conversationForParticipant(req.actor, conversationId);
    await conversations.markConversationRead(req.actor.id, loaded.conversation);
    res.json({ unread: await unreadCount(req.actor.id) });
  });

  r.post('/conversations/:id/report', limits.flags, async (req, res) => {
    requirePerson(req.actor);
    const conversationId = parse(id, req.params.id, 'id');
    const input = parse(reportConversationInput, req.body ?? {});
    const report = await conversations.reportConversation(req.actor, conversationId, input);
    res.status(201).json({ report: presentConversationReport(report, undefined) });
  });

  r.get('/reported-conversations', async (req, res) => {
    const q = parse(reportsQuery, req.query);
    const rows = await conversations.reportedConversations(req.actor, q.limit);
    res.json({ items: rows.map((row) => presentConversationReport(row.report, row.reporter)) });
  });

  r.get('/me/blocks', async (req, res) => {
    requirePerson(req.actor);
    const rows = await listBlocks(req.actor.id);
    res.json({ items: rows.map(({ block, user }) => ({ user: presentAuthor(user), createdAt: block.createdAt.toISOString() })) });
  });

  r.post('/users/:username/block', async (req, res) => {
    requirePerson(req.actor);
    const { block, user } = await blockMember(req.actor, parse(username, req.params.username, 'username'));
    res.json({ block: { user: presentAuthor(user), createdAt: block.createdAt.toISOString() } });
  });

  r.delete('/users/:username/block', async (req, res) => {
    requirePerson(req.actor);
    await unblockMember(req.actor, parse(username, req.params.username, 'username'));
    res.status(204).end();
  });

  return r;
}
