/**
 * The forum search page (/search?q=, CONTRACT v1.1), reached from the search box in every page's
 * header. Server-rendered and usable without JavaScript: filters are a GET form, "more" is a link
 * carrying the cursor. Everyone sees the posts they may read and never their analysis (staff get
 * a link to the opinion search for that).
 */
import { Router } from 'express';
import { z } from 'zod';
import { authorize, can } from '../../policies';
import { t } from '../../i18n';
import { AppError } from '../../errors';
import { renderPage } from './context';
import type { Render } from '../../views';
import type { SearchService } from '../../search';
import type { HttpDeps } from '../deps';
import { listChapters, unreadableChapterIds } from '../../services/chapters';
import { listCategories } from '../../services/categories';
import { searchForum } from '../../services/search';
import { presentForumHit } from '../../presenters';
import { forumSearchQuery, parse } from '../schemas';

const DAY_MS = 86_400_000;
/** The page's time filter: a window ending now (a form cannot type ISO-8601 times). */
const WITHIN_MS = new Map([['day', DAY_MS], ['week', 7 * DAY_MS], ['month', 30 * DAY_MS], ['year', 365 * DAY_MS]]);
const PAGE_SIZE = 20;
const pageQuery = forumSearchQuery.extend({ within: z.enum(['day', 'week', 'month', 'year']).optional() });
/** The form's fields, in the order the "more" link carries them. */
const FIELDS = ['q', 'chapter', 'category', 'author', 'type', 'within', 'from', 'to'] as const;

export function searchPages(render: Render, deps: HttpDeps, search: SearchService): Router {
  const r = Router();

  r.get('/search', deps.limits.search, async (req, res) => {
    authorize(req.actor, 'search.forum', null);
    // An empty form field means "any": drop it instead of failing its pattern.
    const raw = Object.fromEntries(Object.entries(req.query).filter(([, v]) => typeof v === 'string' && v.trim() !== ''));
    if (typeof raw.author === 'string') raw.author = raw.author.trim().replace(/^@/, '').toLowerCase();
    const [chapters, categories, unreadable] = await Promise.all([listChapters(), listCategories(), unreadableChapterIds(req.actor)]);
    // Only chapters whose content the viewer may read are offered as a filter.
    const readable = chapters.filter((c) => !unreadable.includes(c.id));
    const chapterNames = new Map(chapters.map((c) => [c.slug, c.name]));
    const categoryNames = new Map(categories.map((c) => [c.slug, c.name]));
    const common = {
      title: t(req.locale, 'search.title'),
      chapters: readable.map((c) => ({ slug: c.slug, name: c.name })),
      categories: categories.map((c) => ({ slug: c.slug, name: c.name })),
      staffSearch: can(req.actor, 'search.query', null),
    };

    let q: z.output<typeof pageQuery>;
    try {
      q = parse(pageQuery, { ...raw, limit: String(PAGE_SIZE) });
    } catch (err) {
      if (!(err instanceof AppError) || err.code !== 'validation_failed') throw err;
      const field = String(err.details?.field ?? '').split('.')[0];
      const label = (FIELDS as readonly string[]).includes(field) ? t(req.locale, `search.field.${field}`) : field;
      return renderPage(req, res, render, 'search', { ...common, form: raw, searchQuery: raw.q, invalid: t(req.locale, 'search.invalid', { field: label }) }, 400);
    }
    const form = Object.fromEntries(FIELDS.map((f) => [f, q[f]]));
    const searched = FIELDS.some((f) => q[f] !== undefined);
    if (!searched) return renderPage(req, res, render, 'search', { ...common, form, searched: false });

    const within = q.within ? WITHIN_MS.get(q.within) : undefined;
    const from = within ? new Date(Date.now() - within).toISOString() : q.from;
    const result = await searchForum(search, req.actor, { ...q, from });
    const params = new URLSearchParams(FIELDS.filter((f) => q[f] !== undefined).map((f) => [f, String(q[f])]));
    const more = result.cursor ? `/search?${new URLSearchParams([...params, ['cursor', result.cursor]])}` : null;
    await renderPage(req, res, render, 'search', {
      ...common,
      title: q.q ? `${q.q} · ${t(req.locale, 'search.title')}` : common.title,
      form,
      searchQuery: q.q,
      searched: true,
      total: result.total,
      items: result.items.map((f) => {
        const hit = presentForumHit(f);
        return { ...hit, chapterName: hit.chapter ? chapterNames.get(hit.chapter) ?? hit.chapter : null, categoryName: hit.category ? categoryNames.get(hit.category) ?? hit.category : null };
      }),
      more,
      continued: q.cursor !== undefined,
    });
  });

  return r;
}
