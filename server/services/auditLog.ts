/** Reading the audit log (admins): filtered, newest first, paged by id; and the same rows as CSV. */
import { Op, type WhereOptions } from 'sequelize';
import { AuditEntry, User } from '../models';
import { authorize, type Actor } from '../policies';

export interface AuditQuery {
  actor?: string;
  action?: string;
  subjectType?: string;
  subjectId?: string;
  from?: Date;
  to?: Date;
  /** Entries older than this id (the previous page's last). */
  before?: number;
  limit: number;
}

/** One page of the log, with the actors' names. */
export async function readAuditLog(viewer: Actor, q: AuditQuery) {
  authorize(viewer, 'audit.view', null);
  const where: WhereOptions<AuditEntry> = {};
  if (q.actor) {
    const u = await User.findOne({ where: { username: q.actor }, attributes: ['id'] });
    Object.assign(where, { actorId: u ? u.id : -1 });
  }
  // A prefix: `alert.` finds every step of the desk's workflow.
  if (q.action) Object.assign(where, { action: q.action.endsWith('.') ? { [Op.like]: `${q.action.replace(/[%_]/g, '')}%` } : q.action });
  if (q.subjectType) Object.assign(where, { subjectType: q.subjectType });
  if (q.subjectId) Object.assign(where, { subjectId: q.subjectId });
  const createdAt: Record<symbol, Date> = {};
  if (q.from) createdAt[Op.gte] = q.from;
  if (q.to) createdAt[Op.lt] = q.to;
  if (q.from || q.to) Object.assign(where, { createdAt });
  if (q.before) Object.assign(where, { id: { [Op.lt]: q.before } });
  const rows = await AuditEntry.findAll({ where, order: [['id', 'DESC']], limit: q.limit + 1 });
  const page = rows.slice(0, q.limit);
  const actorIds = [...new Set(page.map((r) => r.actorId).filter((x): x is number => x !== null))];
  const actors = new Map((actorIds.length ? await User.findAll({ where: { id: { [Op.in]: actorIds } } }) : []).map((u) => [u.id, u]));
  return {
    items: page.map((r) => ({
      id: String(r.id),
      at: r.createdAt.toISOString(),
      actor: r.actorId === null ? null : { username: actors.get(r.actorId)?.username ?? null, displayName: actors.get(r.actorId)?.displayName ?? null },
      action: r.action,
      subject: { type: r.subjectType, id: r.subjectId },
      reason: r.reason,
      data: r.data,
    })),
    ...(rows.length > q.limit ? { cursor: String(page[page.length - 1].id) } : {}),
  };
}
