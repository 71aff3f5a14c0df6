/**
 * Opinion console API (staff): the summary behind the console's panels and a CSV export of the
 * matching items. Both read the search backend only (SearchBackend.aggregate / search), so the
 * numbers are the same on the embedded and the Elasticsearch backend.
 */
import { once } from 'node:events';
import { Router, type Request } from 'express';
import { z } from 'zod';
import { authorize } from '../../policies';
import { unreadableChapterIds } from '../../services/chapters';
import { Unavailable, Validation } from '../../errors';
import type { SearchService } from '../../search';
import type { AggregateFilters, AuthorRef, Interval, SearchHit, WatchGroup } from '../../../search/backend';
import { MAX_BUCKETS, MAX_WATCH_GROUPS, MAX_WATCH_TERMS } from '../../../search/backend';
import { defaultBaselineFrom } from '../../../search/significance';
import { CSV_BOM, csvRow } from '../../csv';
import { parse, slug } from '../schemas';
import type { HttpDeps } from '../deps';

/** Where the summary gets the KOL authors (kol=true) and the watched term groups (share of voice). */
export interface OpinionSources {
  /** Row cap of one CSV export (default EXPORT_MAX_ROWS; tests lower it). */
  exportMaxRows?: number;
  /** The flagged KOLs; default none (kol=true then matches nothing). */
  kolAuthors?: () => Promise<AuthorRef[]>;
  /** The admin-kept watch lists (our brand, competitors); default none. */
  watchLists?: () => Promise<WatchGroup[]>;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const INTERVAL_MS: Record<Interval, number> = { minute: 60_000, hour: HOUR, day: DAY };
/** The longest window the console asks for (a bit over a year of daily buckets). */
export const MAX_SPAN_MS = 400 * DAY;
/** Rows in one CSV export, and rows fetched per page while streaming it. */
export const EXPORT_MAX_ROWS = 10_000;
const EXPORT_PAGE = 1000;

const wellFormed = (s: string) => s.isWellFormed();
// Built once: zod compiles a schema on its first parse.
const filtersSchema = z.object({
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  chapter: slug.optional(),
  source: z.string().regex(/^[a-z][a-z0-9_]{1,31}$/).optional(),
  sentiment: z.enum(['negative', 'neutral', 'positive']).optional(),
  keyword: z.string().min(1).max(64).refine(wellFormed, 'contains invalid characters').optional(),
  q: z.string().max(500).refine(wellFormed, 'contains invalid characters').optional(),
  kind: z.enum(['post', 'mention']).optional(),
  kol: z.enum(['true', 'false']).optional(),
});
const summarySchema = filtersSchema.extend({ interval: z.enum(['minute', 'hour', 'day']).optional() });
const exportSchema = filtersSchema.extend({ what: z.enum(['items']).default('items') });

/** The interval for a span when none is asked for: ≤ 3 h by minute, ≤ 7 days by hour, else by day. */
export function intervalFor(spanMs: number): Interval {
  return spanMs <= 3 * HOUR ? 'minute' : spanMs <= 7 * DAY ? 'hour' : 'day';
}

type Filters = z.output<typeof filtersSchema>;

/** The window [from, to) (defaults: the last 24 h) and the filters every panel shares, with the caller's scope. */
async function resolveFilters(req: Request, q: Filters, sources: Required<Omit<OpinionSources, 'exportMaxRows'>>): Promise<{ from: Date; to: Date; filters: AggregateFilters }> {
  const to = q.to ? new Date(q.to) : new Date();
  const from = q.from ? new Date(q.from) : new Date(to.getTime() - DAY);
  if (from >= to) throw Validation('from', 'must be before to');
  if (to.getTime() - from.getTime() > MAX_SPAN_MS) throw Validation('from', `the window must be at most ${MAX_SPAN_MS / DAY} days`);
  const filters: AggregateFilters = {
    sentiment: q.sentiment,
    keyword: q.keyword,
    q: q.q,
    kind: q.kind,
    chapter: q.chapter,
    source: q.source,
    // Private chapters the caller may not read, exactly as search excludes them.
    excludeChapterIds: await unreadableChapterIds(req.actor),
    // kol=true restricts to the flagged KOLs; kol=false (or absent) does not restrict.
    ...(q.kol === 'true' ? { authors: await sources.kolAuthors() } : {}),
  };
  return { from, to, filters };
}

/** Waits for the backend, turning an outage into 503 (retryable) instead of 500. */
async function withBackend<T>(search: SearchService, fn: () => Promise<T>): Promise<T> {
  await search.ready().catch(() => {
    throw Unavailable('The search backend is unavailable; try again shortly');
  });
  return fn().catch(async (err: unknown) => {
    if (!(await search.healthy())) throw Unavailable('The search backend is unavailable; try again shortly');
    throw err;
  });
}

const CSV_HEADER = ['id', 'kind', 'createdAt', 'source', 'chapter', 'author', 'sentiment', 'score', 'text'];
const csvLine = (h: SearchHit) => csvRow([h.id, h.kind, h.createdAt, h.source, h.chapter, h.author, h.sentiment.label, h.sentiment.score, h.text]);

/** The opinion console routes; mount with `api.use(opinionApi(deps, search, sources))`. */
export function opinionApi(_deps: HttpDeps, search: SearchService, sources: OpinionSources = {}): Router {
  const r = Router();
  const maxRows = Math.max(1, sources.exportMaxRows ?? EXPORT_MAX_ROWS);
  const src: Required<Omit<OpinionSources, 'exportMaxRows'>> = {
    kolAuthors: sources.kolAuthors ?? (async () => []),
    watchLists: sources.watchLists ?? (async () => []),
  };

  r.get('/opinion/summary', async (req, res) => {
    authorize(req.actor, 'console.view', null);
    const q = parse(summarySchema, req.query);
    const window = await resolveFilters(req, q, src);
    const interval = q.interval ?? intervalFor(window.to.getTime() - window.from.getTime());
    const size = INTERVAL_MS[interval];
    const buckets = Math.ceil((window.to.getTime() - Math.floor(window.from.getTime() / size) * size) / size);
    if (buckets > MAX_BUCKETS) throw Validation('interval', `too many buckets (${buckets} > ${MAX_BUCKETS}); pick a longer interval`);
    const baselineFrom = defaultBaselineFrom(window.from, window.to);
    const watch = (await src.watchLists()).slice(0, MAX_WATCH_GROUPS).map((g) => ({ key: g.key, terms: g.terms.slice(0, MAX_WATCH_TERMS) }));
    const a = await withBackend(search, () =>
      search.backend.aggregate({ ...window.filters, from: window.from, to: window.to, interval, baselineFrom, topKeywords: 20, emerging: 10, watch }),
    );
    res.json({
      buckets: a.buckets,
      topKeywords: a.topKeywords,
      emerging: a.emerging,
      byChapter: a.byChapter,
      bySource: a.bySource,
      shareOfVoice: a.shareOfVoice,
      range: { from: window.from.toISOString(), to: window.to.toISOString(), interval, baselineFrom: baselineFrom.toISOString() },
    });
  });

  r.get('/opinion/export.csv', async (req, res) => {
    authorize(req.actor, 'console.view', null);
    const q = parse(exportSchema, req.query);
    const window = await resolveFilters(req, q, src);
    const page = (cursor?: string) =>
      search.backend.search({ ...window.filters, from: window.from, to: window.to, limit: Math.min(EXPORT_PAGE, maxRows), cursor });
    // The first page is fetched before any byte is sent, so an outage is still a JSON 503.
    let result = await withBackend(search, () => page());
    const stamp = (d: Date) => d.toISOString().replace(/[-:]|\.\d+/g, ''); // 20240601T120000Z
    res.status(200);
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="opinion-${stamp(window.from)}-${stamp(window.to)}.csv"`);
    res.setHeader('Cache-Control', 'no-store');
    res.write(CSV_BOM + csvRow(CSV_HEADER));
    let rows = 0;
    try {
      for (;;) {
        const items = result.items.slice(0, maxRows - rows);
        rows += items.length;
        // Backpressure: wait for the client to take the page (or go away) before fetching the next.
        if (items.length && !res.write(items.map(csvLine).join(''))) await Promise.race([once(res, 'drain'), once(res, 'close')]);
        if (res.destroyed || !result.cursor || rows >= maxRows) break;
        result = await page(result.cursor);
      }
      res.end();
    } catch {
      // Headers are gone: a truncated download must not look complete, so the connection is cut.
      res.destroy();
    }
  });

  return r;
}
