/**
 * The opinion console's pages: the live dashboard (/console, drawn in the browser from
 * /api/v1/opinion/summary, /api/v1/kols and the /console socket) and the staff search page
 * (/console/search, server-rendered: it works without JavaScript and is where every chart drills to).
 */
import { Router } from 'express';
import { reasonText, REASON_KEY_PREFIX } from '../../reasonText';
import { authorize } from '../../policies';
import { keysOf, t } from '../../i18n';
import { renderPage } from './context';
import type { Render } from '../../views';
import type { SearchService } from '../../search';
import { listChapters } from '../../services/chapters';
import { searchListening } from '../../services/search';
import { analysesOf } from '../../services/analyses';
import { Mention } from '../../models';
import { listeningSearchQuery, parse } from '../schemas';
import { presentSearchHit } from '../../presenters';
import { MAX_SPAN_MS } from '../api/opinion';
import { MAX_BUCKETS } from '../../../search/backend';

/** The strings the console's browser code renders itself. */
// The stream's analysis reasons are translated in the browser (server/reasonText.ts).
const REASON_KEYS = keysOf('en').filter((k) => k.startsWith(REASON_KEY_PREFIX));
const CONSOLE_KEYS = [
  'console.live', 'console.offline', 'console.pause', 'console.resume', 'console.resumeNone', 'console.empty', 'console.streamEmpty', 'console.drill',
  'console.kol', 'console.kol.score', 'console.kol.reach', 'console.kol.sentiment', 'console.noWatchLists', 'console.reasons', 'console.avgScore',
  'sentiment.negative', 'sentiment.neutral', 'sentiment.positive', 'console.kpi.volume', 'console.kpi.negativeShare', 'console.kpi.avgScore',
  'console.range.zone', 'console.range.incomplete', 'console.range.order', 'console.range.tooLong', 'console.range.tooManyBuckets',
];

/** Sources a filter can pick: the forum, then every source mentions arrived from. */
async function knownSources(): Promise<string[]> {
  const rows = (await Mention.findAll({ attributes: ['source'], group: ['source'], order: [['source', 'ASC']], raw: true })) as unknown as { source: string }[];
  return ['forum', ...rows.map((r) => r.source)];
}

export function consolePages(render: Render, search: SearchService): Router {
  const r = Router();

  r.get('/console', async (req, res) => {
    authorize(req.actor, 'console.view', null);
    const [chapters, sources] = await Promise.all([listChapters(), knownSources()]);
    await renderPage(req, res, render, 'console', {
      title: t(req.locale, 'console.title'),
      wide: true,
      pageScript: 'console',
      clientKeys: [...CONSOLE_KEYS, ...REASON_KEYS],
      chapters: chapters.map((c) => ({ slug: c.slug, name: c.name })),
      sources,
      // The summary API's limits, so the custom range is checked in the browser before it is asked for.
      limits: { maxSpanDays: MAX_SPAN_MS / 86_400_000, maxBuckets: MAX_BUCKETS },
    });
  });

  r.get('/console/search', async (req, res) => {
    authorize(req.actor, 'search.query', null);
    const q = parse(listeningSearchQuery, req.query);
    const [chapters, sources, result] = await Promise.all([listChapters(), knownSources(), searchListening(search, req.actor, q)]);
    const analyses = await analysesOf(result.items.map((h) => h.id));
    const chapterNames = new Map(chapters.map((c) => [c.slug, c.name]));
    const params = new URLSearchParams(Object.entries(q).filter(([k, v]) => v !== undefined && k !== 'cursor' && k !== 'limit').map(([k, v]) => [k, String(v)]));
    const next = result.cursor ? `/console/search?${new URLSearchParams([...params, ['cursor', result.cursor]])}` : null;
    await renderPage(req, res, render, 'console-search', {
      title: t(req.locale, 'console.search.title'),
      wide: true,
      q,
      total: result.total,
      items: result.items.map((hit) => ({
        ...presentSearchHit(hit),
        chapterName: hit.chapter ? chapterNames.get(hit.chapter) ?? hit.chapter : null,
        reasons: (analyses.get(hit.id)?.reasons ?? []).map((r) => reasonText(r, (key, vars) => t(req.locale, key, vars))),
        keywords: analyses.get(hit.id)?.keywords ?? [],
      })),
      next,
      exportUrl: `/api/v1/opinion/export.csv?${params}`,
      chapters: chapters.map((c) => ({ slug: c.slug, name: c.name })),
      sources,
    });
  });

  return r;
}
