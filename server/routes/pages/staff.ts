/**
 * Staff pages: the alert desk (/desk: moderators, PR staff, admins) and the audit log
 * (/admin/audit: admins). The desk is drawn in the browser from /api/v1/alerts and the /desk
 * socket; the audit log is server-rendered (it works without JavaScript) and exports as CSV.
 */
import { Router } from 'express';
import { Op } from 'sequelize';
import { authorize, can } from '../../policies';
import { t } from '../../i18n';
import { renderPage } from './context';
import type { Render } from '../../views';
import { User } from '../../models';
import { listCannedResponses } from '../../services/cannedResponses';
import { alertSettings } from '../../services/alertSettings';
import { readAuditLog } from '../../services/auditLog';
import { id, limit, parse, username } from '../schemas';
import { z } from 'zod';

/** The strings the desk's browser code renders itself. */
const DESK_KEYS = [
  'desk.live', 'desk.offline', 'desk.empty', 'desk.select', 'desk.signals', 'desk.sla.left', 'desk.sla.over', 'desk.sla.met', 'desk.age', 'desk.escalated',
  'desk.claim', 'desk.release', 'desk.assign', 'desk.respond', 'desk.resolve', 'desk.dismiss', 'desk.reopen', 'desk.note', 'desk.reasonPrompt', 'desk.notePrompt',
  'desk.feedback', 'desk.feedback.negative', 'desk.feedback.notNegative', 'desk.hide', 'desk.restore', 'desk.lock', 'desk.unlock', 'desk.warn', 'desk.suspend',
  'desk.context', 'desk.author', 'desk.influence', 'desk.kol', 'desk.history', 'desk.evidence', 'desk.openThread', 'desk.canned', 'desk.replyPlaceholder',
  'desk.hidden', 'desk.suspended', 'desk.joined', 'desk.new', 'desk.conflict', 'desk.error', 'desk.done', 'desk.unassigned', 'desk.mention', 'desk.followers',
  'desk.status.open', 'desk.status.claimed', 'desk.status.responded', 'desk.status.resolved', 'desk.status.dismissed',
  'desk.changedMeanwhile', 'desk.kind.negative_post', 'desk.kind.kol_negative', 'desk.kind.spike', 'desk.kind.watchword', 'desk.kind.flag', 'desk.assignee', 'desk.days',
  'sentiment.negative', 'sentiment.neutral', 'sentiment.positive',
  'desk.reason.sentiment', 'desk.reason.reach', 'desk.reason.complaint', 'desk.reason.question', 'desk.reason.kolNegative', 'desk.reason.kolTrend', 'desk.reason.watchword',
  'desk.reason.reports', 'desk.reason.report', 'desk.reason.spike.sudden', 'desk.reason.spike.slow', 'desk.reason.spikeCount', 'desk.reason.share',
  'desk.watch.safety', 'desk.watch.health', 'desk.watch.legal', 'desk.watch.media', 'desk.watch.data',
];

const auditQuery = z.object({
  actor: username.optional(),
  action: z.string().regex(/^[a-z_]+(\.[a-zA-Z_]*)?$/).max(64).optional(),
  cursor: id.optional(),
  limit: limit(50, 200),
});

export function staffPages(render: Render): Router {
  const r = Router();

  r.get('/desk', async (req, res) => {
    authorize(req.actor, 'desk.view', null);
    const actor = req.actor!;
    const [responders, canned, settings] = await Promise.all([
      User.findAll({ where: { role: { [Op.in]: ['moderator', 'pr', 'admin'] }, suspendedAt: null }, order: [['displayName', 'ASC']], limit: 500 }),
      listCannedResponses(),
      alertSettings(),
    ]);
    await renderPage(req, res, render, 'desk', {
      title: t(req.locale, 'nav.desk'),
      wide: true,
      pageScript: 'desk',
      clientKeys: DESK_KEYS,
      me: actor.username,
      canAssign: can(actor, 'alerts.assign', null),
      canModerate: can(actor, 'people.view', null),
      canConfigure: can(actor, 'alerts.configure', null),
      responders: responders.map((u) => ({ username: u.username, displayName: u.displayName })),
      canned: canned.map((c) => ({ id: c.id, title: c.title, body: c.body, locale: c.locale })),
      sla: settings.sla,
    });
  });

  r.get('/admin/audit', async (req, res) => {
    authorize(req.actor, 'audit.view', null);
    const q = parse(auditQuery, req.query);
    const page = await readAuditLog(req.actor!, { actor: q.actor, action: q.action, before: q.cursor, limit: q.limit });
    const params = new URLSearchParams(Object.entries({ actor: q.actor, action: q.action }).filter(([, v]) => v) as [string, string][]);
    await renderPage(req, res, render, 'audit', {
      title: t(req.locale, 'audit.title'),
      wide: true,
      q,
      items: page.items.map((e) => ({ ...e, dataText: Object.keys(e.data ?? {}).length ? JSON.stringify(e.data) : '' })),
      next: page.cursor ? `/admin/audit?${new URLSearchParams([...params, ['cursor', page.cursor]])}` : null,
      exportUrl: `/api/v1/audit/export.csv${params.size ? `?${params}` : ''}`,
    });
  });
  return r;
}
