/** Admin people pages (moderators, admins): the member list, one member's standing, sanctions, role and chapters. */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { authorize, can } from '../../policies';
import { Chapter, Sanction, User } from '../../models';
import { presentChapter, presentMember } from '../../presenters';
import { listPeople, postCounts } from '../../services/people';
import { liftSanction, sanctionMember, sanctionsOf } from '../../services/sanctions';
import { setRole } from '../../services/accounts';
import { appointModerator, chapterBySlug, listChapters, membershipsOf, removeModerator } from '../../services/chapters';
import { toAppError } from '../../middleware/errors';
import { NotFound } from '../../errors';
import { t } from '../../i18n';
import { parse, id, reason, role, slug, username } from '../schemas';
import { liftInput, peopleQuery, presentSanctions, sanctionInput } from '../api/people';
import { formErrorText, renderPage } from './context';
import type { Render } from '../../views';

// Input schemas, built once: zod compiles a schema on its first parse, so one per request is costly.
const roleForm = z.object({ role, reason });
const appointForm = z.object({ chapter: slug, reason });
const reasonForm = z.object({ reason });
// Empty form fields mean "not given"; only a suspension takes a number of days.
const emptyToUndefined = (v: unknown) => (v === '' ? undefined : v);

export function peoplePages(render: Render): Router {
  const r = Router();

  r.get('/admin/people', async (req, res) => {
    authorize(req.actor, 'people.view', null);
    const raw = Object.fromEntries(Object.entries(req.query).map(([k, v]) => [k, emptyToUndefined(v)]));
    const q = parse(peopleQuery, raw);
    const chapter = q.chapter ? await chapterBySlug(q.chapter) : null;
    const page = await listPeople({ ...q, chapter });
    const filters = new URLSearchParams(Object.entries({ q: q.q ?? '', role: q.role ?? '', status: q.status ?? '', chapter: q.chapter ?? '' }).filter(([, v]) => v));
    await renderPage(req, res, render, 'people', {
      title: t(req.locale, 'people.title'),
      query: { q: q.q ?? '', role: q.role ?? '', status: q.status ?? '', chapter: q.chapter ?? '' },
      chapters: (await listChapters()).map(presentChapter),
      people: page.users.map((u) => presentMember(u, { postCount: page.postCounts.get(u.id) ?? 0 })),
      next: page.cursor ? `/admin/people?${new URLSearchParams([...filters, ['cursor', page.cursor]])}` : null,
      first: q.cursor ? `/admin/people${filters.size ? `?${filters}` : ''}` : null,
    });
  });

  /** One member: standing, sanction form and history, role (admin), chapters and organiser roles (admin). */
  async function personPage(req: Request, res: Response, name: string, extra: Record<string, unknown> = {}, status = 200) {
    authorize(req.actor, 'people.view', null);
    const { user, sanctions } = await sanctionsOf(name);
    const actor = req.actor!;
    const canSanction = can(actor, 'user.sanction', { target: { id: user.id, role: user.role } });
    const memberships = await membershipsOf(user.id);
    const canAppoint = can(actor, 'chapter.appoint', null);
    const inChapters = new Set(memberships.filter((m) => m.role === 'moderator').map((m) => m.chapter.id));
    await renderPage(req, res, render, 'person', {
      title: `${user.displayName} · ${t(req.locale, 'people.title')}`,
      member: presentMember(user, { postCount: (await postCounts([user.id])).get(user.id) ?? 0 }),
      sanctions: (await presentSanctions(sanctions)).map((s) => ({ ...s, canLift: canSanction && !s.liftedAt })),
      canSanction,
      isSelf: actor.id === user.id,
      canSetRole: can(actor, 'user.setRole', null),
      canAppoint,
      memberships: memberships.map((m) => ({ chapter: presentChapter(m.chapter), status: m.status, role: m.role })),
      appointable: canAppoint ? (await Chapter.findAll({ order: [['name', 'ASC']] })).filter((c) => !inChapters.has(c.id)).map(presentChapter) : [],
      done: typeof req.query.done === 'string' ? req.query.done : undefined,
      ...extra,
    }, status);
  }

  /** Run a form action; on a validation or policy error show the person page again with the message. */
  async function formAction(req: Request, res: Response, name: string, action: () => Promise<unknown>, done: string) {
    try {
      await action();
      res.redirect(303, `/admin/people/${name}?done=${done}`);
    } catch (err) {
      const e = toAppError(err);
      if (e.code === 'internal' || e.code === 'rate_limited' || e.code === 'unauthenticated' || e.code === 'not_found') throw err;
      await personPage(req, res, name, { error: formErrorText(req.locale, e), form: req.body }, e.status);
    }
  }

  r.get('/admin/people/:username', async (req, res) => {
    await personPage(req, res, parse(username, req.params.username, 'username'));
  });

  r.post('/admin/people/:username/sanctions', async (req, res) => {
    authorize(req.actor, 'people.view', null);
    const name = parse(username, req.params.username, 'username');
    await formAction(req, res, name, async () => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const input = parse(sanctionInput, { kind: body.kind, reason: body.reason, days: body.kind === 'suspend' ? emptyToUndefined(body.days) : undefined });
      await sanctionMember(req.actor!, name, input);
    }, 'sanction');
  });

  r.post('/admin/sanctions/:id/lift', async (req, res) => {
    authorize(req.actor, 'people.view', null);
    const sanctionId = parse(id, req.params.id, 'id');
    const { user } = await sanctionsOfId(sanctionId);
    await formAction(req, res, user.username, () => liftSanction(req.actor!, sanctionId, parse(liftInput, req.body ?? {}).reason), 'lift');
  });

  r.post('/admin/people/:username/role', async (req, res) => {
    authorize(req.actor, 'user.setRole', null);
    const name = parse(username, req.params.username, 'username');
    await formAction(req, res, name, async () => {
      const input = parse(roleForm, req.body ?? {});
      await setRole(req.actor!, name, input.role, input.reason);
    }, 'role');
  });

  r.post('/admin/people/:username/chapters', async (req, res) => {
    authorize(req.actor, 'chapter.appoint', null);
    const name = parse(username, req.params.username, 'username');
    await formAction(req, res, name, async () => {
      const input = parse(appointForm, req.body ?? {});
      await appointModerator(req.actor!, await chapterBySlug(input.chapter), name, input.reason);
    }, 'appoint');
  });

  r.post('/admin/people/:username/chapters/:slug/remove', async (req, res) => {
    authorize(req.actor, 'chapter.appoint', null);
    const name = parse(username, req.params.username, 'username');
    const chapter = await chapterBySlug(parse(slug, req.params.slug, 'slug'));
    await formAction(req, res, name, () => removeModerator(req.actor!, chapter, name, parse(reasonForm, req.body ?? {}).reason), 'remove');
  });

  return r;
}

/** The member a sanction belongs to (404 when either is gone). */
async function sanctionsOfId(sanctionId: number) {
  const s = await Sanction.findByPk(sanctionId);
  const user = s ? await User.findByPk(s.userId) : null;
  if (!s || !user) throw NotFound('Sanction');
  return { sanction: s, user };
}
