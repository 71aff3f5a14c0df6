/** Community API: chapters (join, leave, approve) and categories. */
import { Router } from 'express';
import { z } from 'zod';
import * as chapters from '../../services/chapters';
import * as categories from '../../services/categories';
import { authorize, requirePerson } from '../../policies';
import { presentCategory, presentChapter, presentUser } from '../../presenters';
import { parse, reason, slug, text, username } from '../schemas';

// Input schemas, built once: zod compiles a schema on its first parse, so one per request is costly.
const decisionParam = z.enum(['approve', 'reject']);
const moderatorInput = z.object({ reason });
const categoryInput = z.object({ slug, name: text(1, 100), description: text(0, 2000).optional() });

const chapterInput = z.object({
  slug,
  name: text(1, 100),
  city: text(1, 100),
  visibility: z.enum(['public', 'private']),
  description: text(0, 2000).optional(),
});

export function communityApi(): Router {
  const r = Router();

  r.get('/chapters', async (req, res) => {
    const list = await chapters.listChapters();
    const mine = req.actor?.memberships;
    res.json({
      items: list.map((c) => ({ ...presentChapter(c), membership: mine?.get(c.id)?.status })),
    });
  });

  r.post('/chapters', async (req, res) => {
    requirePerson(req.actor);
    const input = parse(chapterInput, req.body);
    const chapter = await chapters.createChapter(req.actor, input);
    res.status(201).json({ chapter: presentChapter(chapter) });
  });

  r.get('/chapters/:slug', async (req, res) => {
    const chapter = await chapters.chapterBySlug(parse(slug, req.params.slug, 'slug'));
    const moderators = await chapters.chapterModerators(chapter);
    res.json({ chapter: presentChapter(chapter), membership: req.actor?.memberships.get(chapter.id)?.status, moderators: moderators.map(presentUser) });
  });

  // Chapter moderators (同城会 organisers): admins appoint and remove them, with a reason.
  r.put('/chapters/:slug/moderators/:username', async (req, res) => {
    authorize(req.actor, 'chapter.appoint', null);
    const chapter = await chapters.chapterBySlug(parse(slug, req.params.slug, 'slug'));
    const name = parse(username, req.params.username, 'username');
    const input = parse(moderatorInput, req.body ?? {});
    await chapters.appointModerator(req.actor!, chapter, name, input.reason);
    res.json({ moderators: (await chapters.chapterModerators(chapter)).map(presentUser) });
  });

  r.delete('/chapters/:slug/moderators/:username', async (req, res) => {
    authorize(req.actor, 'chapter.appoint', null);
    const chapter = await chapters.chapterBySlug(parse(slug, req.params.slug, 'slug'));
    const name = parse(username, req.params.username, 'username');
    const input = parse(moderatorInput, req.body ?? {});
    await chapters.removeModerator(req.actor!, chapter, name, input.reason);
    res.json({ moderators: (await chapters.chapterModerators(chapter)).map(presentUser) });
  });

  r.post('/chapters/:slug/join', async (req, res) => {
    requirePerson(req.actor);
    const chapter = await chapters.chapterBySlug(parse(slug, req.params.slug, 'slug'));
    const m = await chapters.joinChapter(req.actor, chapter);
    res.json({ membership: { status: m.status } });
  });

  r.post('/chapters/:slug/leave', async (req, res) => {
    requirePerson(req.actor);
    const chapter = await chapters.chapterBySlug(parse(slug, req.params.slug, 'slug'));
    await chapters.leaveChapter(req.actor.id, chapter);
    res.json({ membership: null });
  });

  r.get('/chapters/:slug/pending', async (req, res) => {
    const chapter = await chapters.chapterBySlug(parse(slug, req.params.slug, 'slug'));
    authorize(req.actor, 'chapter.moderate', { chapter });
    const pending = await chapters.pendingMembers(chapter);
    res.json({ items: pending.map((p) => ({ user: presentUser(p.user), requestedAt: p.membership.createdAt.toISOString() })) });
  });

  r.post('/chapters/:slug/members/:username/:decision', async (req, res) => {
    requirePerson(req.actor);
    const decision = parse(decisionParam, req.params.decision, 'decision');
    const chapter = await chapters.chapterBySlug(parse(slug, req.params.slug, 'slug'));
    const m = await chapters.decideMembership(req.actor, chapter, parse(username, req.params.username, 'username'), decision === 'approve');
    res.json({ membership: decision === 'approve' ? { status: m.status } : null });
  });

  r.get('/categories', async (_req, res) => {
    const list = await categories.listCategories();
    res.json({ items: list.map(presentCategory) });
  });

  r.post('/categories', async (req, res) => {
    requirePerson(req.actor);
    const input = parse(categoryInput, req.body);
    const category = await categories.createCategory(req.actor, input);
    res.status(201).json({ category: presentCategory(category) });
  });

  return r;
}
