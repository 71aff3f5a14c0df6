/** Private message pages: /messages (list), /messages/new, /messages/:id (with a composer), reports, blocks. */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { can, requirePerson } from '../../policies';
import * as conversations from '../../services/conversations';
import { blockMember, unblockMember } from '../../services/blocks';
import { authorsOfMessages } from '../../services/conversationReads';
import { presentConversation, presentConversationReport, presentMessage } from '../../presenters/conversation';
import { presentConversationList } from '../api/conversations';
import { toAppError } from '../../middleware/errors';
import { t } from '../../i18n';
import { parse, id, postBody, reason, text, username } from '../schemas';
import { formErrorText, renderPage, safeNext } from './context';
import type { Render } from '../../views';
import type { HttpDeps } from '../deps';

// Input schemas, built once. `to` is typed as names separated by spaces or commas.
const startForm = z.object({ to: text(1, 1000), body: postBody });
const replyForm = z.object({ body: postBody });
const reportForm = z.object({ reason, messageId: z.union([id, z.literal('')]).optional() });
const blockForm = z.object({ username, next: z.string().optional() });
const nextForm = z.object({ next: z.string().optional() });
const newQuery = z.object({ to: z.union([username, z.literal('')]).optional() });
const conversationQuery = z.object({ before: id.optional() });
// Messages per page of a conversation; older ones are a link away (`?before=`).
const MESSAGES_PER_PAGE = 100;

export function messagePages(render: Render, { config, limits }: HttpDeps): Router {
  const r = Router();
  const maxParticipants = config.MESSAGES_MAX_PARTICIPANTS;

  /** Re-render a form with its error and the draft kept (validation, blocked, ...); limits and bugs go to the error page. */
  async function formError(req: Request, res: Response, page: string, err: unknown, data: Record<string, unknown>) {
    const e = toAppError(err);
    if (e.code === 'internal' || e.code === 'rate_limited' || e.code === 'not_found') throw err;
    await renderPage(req, res, render, page, { ...data, error: formErrorText(req.locale, e) }, e.status);
  }

  /** The conversation page's data for its viewer (participant, or a moderator reviewing a report). */
  async function conversationView(req: Request, conversationId: number, before?: number) {
    // One more than a page: whether there are older messages to link to.
    const opened = await conversations.openConversation(req.actor, conversationId, { limit: MESSAGES_PER_PAGE + 1, before });
    const older = opened.messages.length > MESSAGES_PER_PAGE;
    const shown = older ? opened.messages.slice(1) : opened.messages;
    const authors = await authorsOfMessages(shown);
    const messages = shown.map((m) => presentMessage(m, m.authorId ? authors.get(m.authorId) : undefined));
    const viewerId = req.actor?.id;
    const others = opened.participants.filter((u) => u.id !== viewerId).map((u) => ({ username: u.username, displayName: u.displayName }));
    return {
      title: others.map((o) => o.displayName).join('、') || t(req.locale, 'messages.title'),
      conversation: presentConversation(opened.conversation, opened.participants),
      others,
      messages: messages.map((m) => ({ ...m, mine: m.author.username === req.actor?.username })),
      lastMessageId: messages.length ? messages[messages.length - 1].id : '0',
      asReviewer: opened.asReviewer,
      olderHref: older && messages.length ? `/messages/${conversationId}?before=${messages[0].id}` : null,
      // An older page is history: no live messages appended to it, and a way back to the latest.
      history: before !== undefined,
      canPost: !opened.asReviewer && can(req.actor, 'conversation.post', { conversation: opened.ref }),
    };
  }

  r.get('/messages', async (req, res) => {
    requirePerson(req.actor);
    const items = await presentConversationList(req.actor.id, 100);
    const me = req.actor.username;
    await renderPage(req, res, render, 'messages', {
      title: t(req.locale, 'messages.title'),
      conversations: items.map((c) => ({ ...c, others: c.participants.filter((p) => p.username !== me), group: c.participants.length > 2, lastMine: c.lastMessage?.author.username === me })),
      canReview: can(req.actor, 'conversations.reviewList', null),
    });
  });

  r.get('/messages/new', async (req, res) => {
    requirePerson(req.actor);
    const q = parse(newQuery, req.query);
    await renderPage(req, res, render, 'message-new', { title: t(req.locale, 'messages.new'), to: q.to ?? '', maxParticipants });
  });

  r.post('/messages', limits.newConversations, limits.messages, async (req, res) => {
    requirePerson(req.actor);
    try {
      const input = parse(startForm, req.body);
      const to = input.to.split(/[\s,，、@]+/).filter(Boolean).map((n) => n.toLowerCase());
      const started = await conversations.startConversation(req.actor, { to: parse(z.array(username).min(1), to, 'to'), body: input.body }, { maxParticipants });
      res.redirect(303, `/messages/${started.conversation.id}#m${started.message.id}`);
    } catch (err) {
      await formError(req, res, 'message-new', err, { title: t(req.locale, 'messages.new'), to: String(req.body?.to ?? ''), body: String(req.body?.body ?? ''), maxParticipants });
    }
  });

  r.get('/messages/reported', async (req, res) => {
    const rows = await conversations.reportedConversations(req.actor, 100);
    await renderPage(req, res, render, 'messages-reported', { title: t(req.locale, 'messages.reported'), reports: rows.map((row) => presentConversationReport(row.report, row.reporter)) });
  });

  r.get('/messages/:id', async (req, res) => {
    const conversationId = parse(id, req.params.id, 'id');
    const q = parse(conversationQuery, { before: req.query.before });
    await renderPage(req, res, render, 'conversation', { ...(await conversationView(req, conversationId, q.before)), reported: req.query.reported === '1' });
  });

  r.post('/messages/:id', limits.messages, async (req, res) => {
    requirePerson(req.actor);
    const conversationId = parse(id, req.params.id, 'id');
    try {
      const input = parse(replyForm, req.body);
      const { message } = await conversations.postMessage(req.actor, conversationId, input.body);
      res.redirect(303, `/messages/${conversationId}#m${message.id}`);
    } catch (err) {
      await formError(req, res, 'conversation', err, { ...(await conversationView(req, conversationId)), draft: String(req.body?.body ?? '') });
    }
  });

  r.post('/messages/:id/report', limits.flags, async (req, res) => {
    requirePerson(req.actor);
    const conversationId = parse(id, req.params.id, 'id');
    const input = parse(reportForm, req.body);
    await conversations.reportConversation(req.actor, conversationId, { reason: input.reason, messageId: input.messageId === '' ? undefined : input.messageId });
    res.redirect(303, `/messages/${conversationId}?reported=1`);
  });

  r.post('/blocks', async (req, res) => {
    requirePerson(req.actor);
    const input = parse(blockForm, req.body);
    await blockMember(req.actor, input.username);
    res.redirect(303, safeNext(input.next, '/settings#blocks'));
  });

  r.post('/blocks/:username/delete', async (req, res) => {
    requirePerson(req.actor);
    const input = parse(nextForm, req.body ?? {});
    await unblockMember(req.actor, parse(username, req.params.username, 'username'));
    res.redirect(303, safeNext(input.next, '/settings#blocks'));
  });

  return r;
}
