/** The alert desk's API: the queue, one case in full, the workflow, settings and canned responses. */
import { Router } from 'express';
import { z } from 'zod';
import { authorize, requirePerson, seesHiddenPosts } from '../../policies';
import * as alerts from '../../services/alerts';
import { alertSettings, alertSettingsInput, setOnDuty, updateAlertSettings } from '../../services/alertSettings';
import { AuditEntry, Post, User } from '../../models';
import * as canned from '../../services/cannedResponses';
import { presentAlerts } from '../../workers/desk';
import { presentAuthor, presentPost } from '../../presenters';
import { id, limit, parse, postBody, reason, text, username } from '../schemas';
import { kolScoreOf, forumNode, externalNode } from '../../services/kol';

const STATUSES = ['open', 'claimed', 'responded', 'resolved', 'dismissed', 'active'] as const;
const KINDS = ['negative_post', 'kol_negative', 'spike', 'watchword', 'flag'] as const;
const listQuery = z.object({
  status: z.enum(STATUSES).default('active'),
  kind: z.enum(KINDS).optional(),
  mine: z.enum(['1', 'true']).optional(),
  limit: limit(100, 500),
});
const note = text(1, 2000);
const assignInput = z.object({ username, reason: reason.optional() }).strict();
const respondInput = z.object({ body: postBody }).strict();
const resolveInput = z.object({ note }).strict();
const dismissInput = z.object({ reason: note }).strict();
const reasonInput = z.object({ reason }).strict();
const feedbackInput = z.object({ verdict: z.enum(['negative', 'not_negative']), label: z.enum(['neutral', 'positive']).optional() }).strict();
const dutyInput = z.object({ onDuty: z.boolean() }).strict();

/** One case in full, for the desk's detail pane. */
async function presentDetail(actor: Parameters<typeof alerts.alertDetail>[0], alertId: number, locale: string) {
  const d = await alerts.alertDetail(actor, alertId);
  const [shown] = await presentAlerts([d.alert]);
  const author = d.alert.authorId !== null ? d.users.get(d.alert.authorId) : undefined;
  const node = author ? forumNode(author.username) : d.mention ? externalNode(d.mention.source, d.mention.authorHandle) : null;
  const influence = node ? kolScoreOf(node, locale === 'en' ? 'en' : 'zh-CN') : null;
  const history = await AuditEntry.findAll({ where: { subjectType: 'alert', subjectId: String(alertId) }, order: [['id', 'ASC']], limit: 100 });
  const historyActors = await alerts.usersById(history.map((h) => h.actorId).filter((x): x is number => x !== null));
  const showPost = (p: Post) => ({ ...presentPost(p, d.users.get(p.authorId)), hidden: p.hiddenAt !== null });
  // Hidden posts are for those who may hide and restore them (as on thread pages), not every responder.
  const seesHidden = seesHiddenPosts(actor, d.chapter ? { id: d.chapter.id, visibility: d.chapter.visibility } : null);
  const visible = (p: Post) => !p.hiddenAt || seesHidden;
  return {
    alert: shown,
    signals: d.signals.map((s) => ({ kind: s.kind, severity: s.severity, reasons: s.reasons, parts: s.parts, createdAt: s.createdAt.toISOString() })),
    ...(d.post && visible(d.post) ? { post: showPost(d.post) } : {}),
    ...(d.thread ? { thread: { id: String(d.thread.id), title: d.thread.title, locked: d.thread.locked } } : {}),
    context: d.context.filter(visible).map(showPost),
    ...(d.mention ? { mention: { id: String(d.mention.id), source: d.mention.source, handle: d.mention.authorHandle, followers: d.mention.authorFollowers, text: d.mention.text, url: d.mention.url, publishedAt: d.mention.publishedAt.toISOString() } } : {}),
    ...(author ? { author: { ...presentAuthor(author), role: author.role, joinedAt: author.createdAt.toISOString(), suspended: author.suspendedAt !== null } } : {}),
    ...(influence ? { influence: { score: influence.score, kol: influence.kol, reach: influence.reach, reasons: influence.reasons } } : {}),
    ...(d.analysis ? { analysis: { label: d.analysis.label, score: d.analysis.score, confidence: d.analysis.confidence, reasons: d.analysis.reasons, keywords: d.analysis.keywords } } : {}),
    history: history.map((h) => ({ action: h.action, actor: h.actorId !== null && historyActors.get(h.actorId) ? presentAuthor(historyActors.get(h.actorId)) : null, reason: h.reason, at: h.createdAt.toISOString() })),
  };
}

export function alertsApi(): Router {
  const r = Router();

  r.get('/alerts', async (req, res) => {
    requirePerson(req.actor);
    const q = parse(listQuery, req.query);
    const list = await alerts.listAlerts(req.actor, { status: q.status, kind: q.kind, mine: !!q.mine, limit: q.limit });
    res.json({ items: await presentAlerts(list) });
  });

  r.get('/alerts/settings', async (req, res) => {
    authorize(req.actor, 'alerts.view', null);
    res.json({ settings: await alertSettings() });
  });
  r.put('/alerts/settings', async (req, res) => {
    requirePerson(req.actor);
    res.json({ settings: await updateAlertSettings(req.actor, parse(alertSettingsInput, req.body)) });
  });

  // On duty (round-robin hands new cases to responders on duty): each responder for themselves.
  r.get('/desk/duty', async (req, res) => {
    requirePerson(req.actor);
    authorize(req.actor, 'alerts.work', null);
    const settings = await alertSettings();
    res.json({ onDuty: settings.onDuty.includes(req.actor.username), roundRobin: settings.roundRobin, responders: settings.onDuty });
  });
  r.put('/desk/duty', async (req, res) => {
    requirePerson(req.actor);
    const input = parse(dutyInput, req.body);
    const list = await setOnDuty(req.actor, input.onDuty);
    res.json({ onDuty: list.includes(req.actor.username), roundRobin: (await alertSettings()).roundRobin, responders: list });
  });

  r.get('/alerts/:id', async (req, res) => {
    requirePerson(req.actor);
    res.json(await presentDetail(req.actor, parse(id, req.params.id, 'id'), req.locale ?? 'zh-CN'));
  });

  // The workflow. Each answers the case as it now is; a lost race is 409 conflict.
  const step = (path: string, run: (req: Parameters<Parameters<typeof r.post>[1]>[0], alertId: number) => Promise<unknown>) =>
    r.post(`/alerts/:id/${path}`, async (req, res) => {
      requirePerson(req.actor);
      const alertId = parse(id, req.params.id, 'id');
      const extra = await run(req, alertId);
      const [alert] = await presentAlerts([(await alerts.alertDetail(req.actor, alertId)).alert]);
      res.json({ alert, ...(extra && typeof extra === 'object' ? extra : {}) });
    });
  step('claim', (req, alertId) => alerts.claimAlert(req.actor!, alertId));
  step('assign', async (req, alertId) => {
    const input = parse(assignInput, req.body);
    await alerts.assignAlert(req.actor!, alertId, input.username, input.reason ?? null);
  });
  step('release', (req, alertId) => alerts.releaseAlert(req.actor!, alertId, parse(reasonInput, req.body).reason));
  step('respond', async (req, alertId) => {
    const { postId } = await alerts.respondToAlert(req.actor!, alertId, parse(respondInput, req.body).body);
    const post = await Post.findByPk(postId);
    return { post: presentPost(post!, (await User.findByPk(post!.authorId)) ?? undefined) };
  });
  step('resolve', (req, alertId) => alerts.closeAlert(req.actor!, alertId, 'resolved', parse(resolveInput, req.body).note));
  step('dismiss', (req, alertId) => alerts.closeAlert(req.actor!, alertId, 'dismissed', parse(dismissInput, req.body).reason));
  step('reopen', (req, alertId) => alerts.reopenAlert(req.actor!, alertId, parse(reasonInput, req.body).reason));
  step('feedback', async (req, alertId) => {
    const input = parse(feedbackInput, req.body);
    await alerts.setAlertFeedback(req.actor!, alertId, input.verdict, input.label ?? 'neutral');
  });

  // Canned responses: every responder reads them, admins keep them (server/services/cannedResponses.ts).
  r.get('/canned-responses', async (req, res) => {
    authorize(req.actor, 'alerts.view', null);
    res.json({ items: (await canned.listCannedResponses()).map(canned.presentCanned) });
  });
  r.post('/canned-responses', async (req, res) => {
    requirePerson(req.actor);
    authorize(req.actor, 'alerts.configure', null);
    const c = await canned.createCannedResponse(req.actor, parse(canned.cannedInput, req.body));
    res.status(201).json({ item: canned.presentCanned(c) });
  });
  r.patch('/canned-responses/:id', async (req, res) => {
    requirePerson(req.actor);
    authorize(req.actor, 'alerts.configure', null);
    const input = parse(canned.cannedPatch, req.body);
    const c = await canned.updateCannedResponse(req.actor, parse(id, req.params.id, 'id'), input);
    res.json({ item: canned.presentCanned(c) });
  });
  r.delete('/canned-responses/:id', async (req, res) => {
    requirePerson(req.actor);
    authorize(req.actor, 'alerts.configure', null);
    await canned.deleteCannedResponse(req.actor, parse(id, req.params.id, 'id'));
    res.status(204).end();
  });

  return r;
}

