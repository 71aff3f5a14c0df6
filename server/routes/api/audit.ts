/** The audit log for admins: browse (filtered, paged) and export as CSV. */
import { Router } from 'express';
import { z } from 'zod';
import { requirePerson } from '../../policies';
import { readAuditLog, type AuditQuery } from '../../services/auditLog';
import { id, limit, parse, username } from '../schemas';
import { CSV_BOM, csvRow } from '../../csv';

// ISO-8601 with an offset, as the other time filters (listening search, opinion summary): `new Date()` alone takes "0.5".
const isoDate = z.iso.datetime({ offset: true }).transform((s) => new Date(s));
const actionName = z.string().regex(/^[a-z_]+(\.[a-zA-Z_]*)?$/, 'must be an action such as post.hide or alert.').max(64);
const auditQuery = z.object({
  actor: username.optional(),
  action: actionName.optional(),
  subjectType: z.string().regex(/^[a-z_]{1,32}$/).optional(),
  subjectId: z.string().regex(/^[A-Za-z0-9_:-]{1,64}$/).optional(),
  from: isoDate.optional(),
  to: isoDate.optional(),
  cursor: id.optional(),
  limit: limit(50, 500),
});
const EXPORT_MAX = 50_000;

export function auditApi(): Router {
  const r = Router();
  r.get('/audit', async (req, res) => {
    requirePerson(req.actor);
    const q = parse(auditQuery, req.query);
    res.json(await readAuditLog(req.actor, { ...q, before: q.cursor } as AuditQuery));
  });
  r.get('/audit/export.csv', async (req, res) => {
    requirePerson(req.actor);
    const q = parse(auditQuery.omit({ limit: true }), req.query);
    // The first page is read before any byte is sent, so a refusal is still a JSON error.
    let page = await readAuditLog(req.actor, { ...q, before: q.cursor, limit: 500 } as AuditQuery);
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="audit-${new Date().toISOString().slice(0, 10)}.csv"`);
    res.setHeader('Cache-Control', 'no-store');
    res.write(CSV_BOM + csvRow(['id', 'at', 'actor', 'action', 'subject_type', 'subject_id', 'reason', 'data']));
    let rows = 0;
    for (;;) {
      res.write(page.items.map((e) => csvRow([e.id, e.at, e.actor?.username ?? '', e.action, e.subject.type, e.subject.id, e.reason ?? '', JSON.stringify(e.data)])).join(''));
      rows += page.items.length;
      if (!page.cursor || rows >= EXPORT_MAX || res.destroyed) break;
      page = await readAuditLog(req.actor, { ...q, before: Number(page.cursor), limit: 500 } as AuditQuery);
    }
    res.end();
  });
  return r;
}
