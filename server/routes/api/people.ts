/** People API (moderators, admins): the member list, sanctions (warn, suspend, ban, lift). */
import { Router } from 'express';
import { z } from 'zod';
import { Op } from 'sequelize';
import { authorize } from '../../policies';
import { User, type Sanction } from '../../models';
import { ROLES } from '../../models/User';
import { SANCTION_KINDS } from '../../models/Sanction';
import { presentMember, presentSanction } from '../../presenters';
import { listPeople } from '../../services/people';
import { liftSanction, sanctionMember, sanctionsOf, MAX_SUSPENSION_DAYS } from '../../services/sanctions';
import { chapterBySlug } from '../../services/chapters';
import { parse, id, limit, reason, slug, text, username, wholeNumber } from '../schemas';

// Input schemas, built once: zod compiles a schema on its first parse, so one per request is costly.
export const peopleQuery = z.object({
  q: text(0, 64).optional(),
  role: z.enum(ROLES).optional(),
  status: z.enum(['active', 'suspended', 'banned']).optional(),
  chapter: slug.optional(),
  limit: limit(30, 100),
  cursor: z.string().regex(/^[1-9][0-9]{0,15}$/, 'is not a cursor').transform(Number).optional(),
});
export const sanctionInput = z.object({
  kind: z.enum(SANCTION_KINDS),
  reason,
  days: wholeNumber(1, MAX_SUSPENSION_DAYS).optional(),
  until: z.iso.datetime({ offset: true }).transform((s) => new Date(s)).optional(),
});
export const liftInput = z.object({ reason });

/** Present sanctions with the staff who gave and lifted them. */
export async function presentSanctions(list: Sanction[]) {
  const ids = [...new Set(list.flatMap((s) => [s.actorId, s.liftedById]).filter((x): x is number => x !== null))];
  const users = new Map((ids.length ? await User.findAll({ where: { id: { [Op.in]: ids } } }) : []).map((u) => [u.id, u]));
  return list.map((s) => presentSanction(s, { actor: s.actorId ? users.get(s.actorId) : undefined, liftedBy: s.liftedById ? users.get(s.liftedById) : undefined }));
}

export function peopleApi(): Router {
  const r = Router();

  r.get('/users', async (req, res) => {
    authorize(req.actor, 'people.view', null);
    const q = parse(peopleQuery, req.query);
    const chapter = q.chapter ? await chapterBySlug(q.chapter) : null;
    const page = await listPeople({ ...q, chapter });
    res.json({ items: page.users.map((u) => presentMember(u, { postCount: page.postCounts.get(u.id) ?? 0 })), cursor: page.cursor });
  });

  r.get('/users/:username/sanctions', async (req, res) => {
    authorize(req.actor, 'people.view', null);
    const { user, sanctions } = await sanctionsOf(parse(username, req.params.username, 'username'));
    res.json({ user: presentMember(user), items: await presentSanctions(sanctions) });
  });

  r.post('/users/:username/sanctions', async (req, res) => {
    authorize(req.actor, 'people.view', null);
    const name = parse(username, req.params.username, 'username');
    const input = parse(sanctionInput, req.body ?? {});
    const { sanction, user } = await sanctionMember(req.actor!, name, input);
    res.status(201).json({ sanction: (await presentSanctions([sanction]))[0], user: presentMember(user) });
  });

  r.post('/sanctions/:id/lift', async (req, res) => {
    authorize(req.actor, 'people.view', null);
    const sanctionId = parse(id, req.params.id, 'id');
    const input = parse(liftInput, req.body ?? {});
    const { sanction, user } = await liftSanction(req.actor!, sanctionId, input.reason);
    res.json({ sanction: (await presentSanctions([sanction]))[0], user: presentMember(user) });
  });

  return r;
}
