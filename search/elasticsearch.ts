/**
 * The `elasticsearch` SearchBackend. Documents live in a versioned index
 * (`<prefix>-docs-v<timestamp>`) created from one index template and reached only through
 * the alias `<prefix>-docs`, so `reindexElasticsearch` can build a fresh index and swap the
 * alias atomically. Chinese is segmented in Node (segmentForIndex): documents store the
 * space-joined tokens and queries send the same whitespace-joined tokens with operator AND,
 * analysed by the built-in `whitespace` analyzer (this works on a minimal ES without
 * analysis-common, cjk or smartcn).
 */
import { Client, errors as esErrors, type estypes } from '@elastic/elasticsearch';
import { Validation } from '../server/errors';
import { segmentForIndex } from './analysis';
import type {
  AggregateFilters,
  AggregateQuery,
  Aggregates,
  Bucket,
  DocKind,
  SearchBackend,
  SearchDocument,
  SearchHit,
  SearchQuery,
  SearchResult, SearchFilters } from './backend';
import { MAX_BUCKETS, MAX_WATCH_GROUPS } from './backend';
import { highlight } from './highlight';
import { defaultBaselineFrom, EMERGING_DEFAULT, MIN_DOC_COUNT, overfetch, rankEmerging, segmentWatchGroup } from './significance';

export interface ElasticsearchBackendOptions {
  /** e.g. http://127.0.0.1:9200 */
  node: string;
  /** Names: template `<prefix>-docs-template`, alias `<prefix>-docs`, indices `<prefix>-docs-v<ts>`. */
  indexPrefix: string;
  /** Refresh after writes: 'wait_for' (default; writes are searchable when index() resolves), true, or false (throughput). */
  refresh?: boolean | 'wait_for';
}

/** Documents per bulk request (a few MB for typical posts). */
const BULK_CHUNK = 1000;

const names = (prefix: string) => ({
  template: `${prefix}-docs-template`,
  pattern: `${prefix}-docs-*`,
  alias: `${prefix}-docs`,
  /** The first index gets a fixed version so two concurrent init() calls create the same one. */
  initial: `${prefix}-docs-v0`,
  versioned: () => `${prefix}-docs-v${Date.now()}`,
});

const keyword = { type: 'keyword' } as const;

/** Explicit mappings; `dynamic: strict` rejects any field not listed here. */
export const DOCS_MAPPINGS: estypes.MappingTypeMapping = {
  dynamic: 'strict',
  properties: {
    id: keyword,
    kind: keyword,
    // Shown to readers and highlighted in JS; never searched directly (tokens is).
    text: { type: 'text', index: false },
    tokens: { type: 'text', analyzer: 'whitespace', search_analyzer: 'whitespace' },
    lang: keyword,
    sentiment: {
      properties: {
        label: keyword,
        score: { type: 'float' },
        confidence: { type: 'float' },
      },
    },
    keywords: keyword,
    hashtags: keyword,
    author: keyword,
    authorFollowers: { type: 'long' },
    kol: { type: 'boolean' },
    chapter: keyword,
    chapterId: { type: 'integer' },
    threadId: keyword,
    category: keyword,
    // Shown and highlighted like text; its words are searched through tokens. A keyword (titles
    // are ≤ 200 characters) so that `exists` tells a thread's opening post from a reply.
    title: { type: 'keyword', ignore_above: 1024 },
    source: keyword,
    url: { type: 'keyword', ignore_above: 2048 },
    complaint: keyword,
    createdAt: { type: 'date' },
  },
};

const DOCS_SETTINGS: estypes.IndicesIndexSettings = {
  number_of_shards: 1,
  // 0 replicas on a single node (green), 1 as soon as a second node joins.
  auto_expand_replicas: '0-1',
  // Explicit, so an idle shard still refreshes every second (writes with refresh=false).
  refresh_interval: '1s',
};

/**
 * Fields added after the first release: an index created before them gets them added to its
 * mapping at init (adding fields is allowed in place; `dynamic: strict` would otherwise refuse
 * every new document). Older documents have no value until `resonance reindex`.
 */
const ADDED_FIELDS = ['category', 'title'] as const;

/** Creates or updates the index template (idempotent; concurrent calls are fine). */
async function ensureTemplate(client: Client, prefix: string): Promise<void> {
  const n = names(prefix);
  await client.indices.putIndexTemplate({
    name: n.template,
    index_patterns: [n.pattern],
    // Above the built-in templates (priority 100) that match broad patterns such as logs-*-*.
    priority: 500,
    template: { settings: DOCS_SETTINGS, mappings: DOCS_MAPPINGS },
    _meta: { owner: 'resonance', description: 'listening documents (search/elasticsearch.ts)' },
  });
}

/** The indices the alias points to ([] when it does not exist). */
async function aliasTargets(client: Client, alias: string): Promise<string[]> {
  try {
    const res = await client.indices.getAlias({ name: alias });
    return Object.keys(res).sort();
  } catch (e) {
    if (e instanceof esErrors.ResponseError && e.statusCode === 404) return [];
    throw e;
  }
}

function isAlreadyExists(e: unknown): boolean {
  return (
    e instanceof esErrors.ResponseError &&
    e.statusCode === 400 &&
    /resource_already_exists_exception/.test(JSON.stringify(e.body ?? ''))
  );
}

/** The stored shape: tokens are space-joined for the whitespace analyzer. */
function toSource(doc: SearchDocument): Record<string, unknown> {
  return { ...doc, tokens: doc.tokens.join(' ') };
}

type StoredDoc = Omit<SearchDocument, 'tokens'>;

/** Bulk-upserts docs by id into `index` (an alias or a concrete index); throws if any item failed. */
async function bulkIndex(
  client: Client,
  index: string,
  docs: SearchDocument[],
  refresh: boolean | 'wait_for',
): Promise<void> {
  for (let i = 0; i < docs.length; i += BULK_CHUNK) {
    const chunk = docs.slice(i, i + BULK_CHUNK);
    const res = await client.bulk({
      index,
      refresh,
      operations: chunk.flatMap((doc) => [{ index: { _id: doc.id } }, toSource(doc)]),
    });
    if (res.errors) throw bulkError('index', res.items);
  }
}

function bulkError(action: string, items: Partial<Record<estypes.BulkOperationType, estypes.BulkResponseItem>>[]): Error {
  const failed = items
    .map((it) => Object.values(it)[0])
    .filter((r): r is estypes.BulkResponseItem => !!r?.error);
  const sample = failed
    .slice(0, 3)
    .map((r) => `${r._id}: ${r.error?.type}: ${r.error?.reason}`)
    .join('; ');
  const err = new Error(`Elasticsearch bulk ${action}: ${failed.length} of ${items.length} items failed (${sample})`);
  (err as Error & { failedIds?: string[] }).failedIds = failed.map((r) => r._id ?? '').filter(Boolean);
  return err;
}

// ------------------------------------------------------------------ cursor

function encodeCursor(sort: estypes.SortResults): string {
  return Buffer.from(JSON.stringify(sort), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): estypes.SortResults {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'number' && typeof v[1] === 'string') return v;
  } catch {
    /* fall through */
  }
  throw Validation('cursor', 'invalid cursor');
}

// ------------------------------------------------------------------ queries

function filtersFor(q: SearchFilters): { filter: estypes.QueryDslQueryContainer[]; must_not: estypes.QueryDslQueryContainer[] } {
  const filter: estypes.QueryDslQueryContainer[] = [];
  const must_not: estypes.QueryDslQueryContainer[] = [];
  if (q.sentiment) filter.push({ term: { 'sentiment.label': q.sentiment } });
  if (q.chapter) filter.push({ term: { chapter: q.chapter } });
  if (q.source) filter.push({ term: { source: q.source } });
  if (q.kind) filter.push({ term: { kind: q.kind } });
  if (q.kol !== undefined) filter.push({ term: { kol: q.kol } });
  if (q.author !== undefined) filter.push({ term: { author: q.author } });
  if (q.category !== undefined) filter.push({ term: { category: q.category } });
  if (q.opening === true) filter.push({ exists: { field: 'title' } });
  if (q.opening === false) must_not.push({ exists: { field: 'title' } });
  if (q.from || q.to) {
    filter.push({
      range: {
        createdAt: {
          ...(q.from ? { gte: q.from.toISOString() } : {}),
          ...(q.to ? { lt: q.to.toISOString() } : {}),
          format: 'strict_date_optional_time',
        },
      },
    });
  }
  if (q.excludeChapterIds?.length) must_not.push({ terms: { chapterId: q.excludeChapterIds } });
  if (q.keyword !== undefined) filter.push({ term: { keywords: q.keyword } });
  if (q.authors && !q.authors.length) filter.push({ match_none: {} });
  else if (q.authors) {
    // One clause per source (terms of its authors), not one per author: KOL lists can be long.
    const bySource = new Map<string, string[]>();
    for (const a of q.authors) bySource.set(a.source, [...(bySource.get(a.source) ?? []), a.author]);
    filter.push({
      bool: {
        should: [...bySource].map(([source, authors]) => ({ bool: { filter: [{ term: { source } }, { terms: { author: authors } }] } })),
        minimum_should_match: 1,
      },
    });
  }
  return { filter, must_not };
}

/** Free text as search sends it: the segmented words, ANDed (none = no clause). */
function textQuery(q: string | undefined): estypes.QueryDslQueryContainer[] {
  const terms = q ? segmentForIndex(q) : [];
  return terms.length ? [{ match: { tokens: { query: terms.join(' '), operator: 'and' } } }] : [];
}

/** The console's filters over [from, to): the search filters plus free text. */
function aggregateFilters(f: AggregateFilters, from: Date, to: Date): estypes.QueryDslQueryContainer {
  const { filter, must_not } = filtersFor({
    sentiment: f.sentiment, chapter: f.chapter, source: f.source, kind: f.kind, from, to,
    excludeChapterIds: f.excludeChapterIds, keyword: f.keyword, authors: f.authors,
  });
  filter.push(...textQuery(f.q));
  return { bool: { filter, must_not } };
}

/** A watched group as a query: ANY of its terms, each an AND of its words (as search matches). */
function anyOfQuery(words: string[][]): estypes.QueryDslQueryContainer {
  return {
    bool: {
      should: words.map((w) => ({ match: { tokens: { query: w.join(' '), operator: 'and' } } })),
      minimum_should_match: 1,
    },
  };
}

const INTERVALS: Record<AggregateQuery['interval'], Partial<estypes.AggregationsDateHistogramAggregation>> = {
  minute: { fixed_interval: '1m' },
  hour: { fixed_interval: '1h' },
  day: { calendar_interval: '1d' },
};

/** Sub-aggregations shared by the time buckets and the by-chapter / by-source breakdowns. */
const SENTIMENT_SUBAGGS: Record<string, estypes.AggregationsAggregationContainer> = {
  labels: { terms: { field: 'sentiment.label', size: 3 } },
  avgScore: { avg: { field: 'sentiment.score' } },
};

interface TermsBucket {
  key: string | number;
  doc_count: number;
}
interface SentimentBucket extends TermsBucket {
  key_as_string?: string;
  labels: { buckets: TermsBucket[] };
  avgScore: { value: number | null };
}

function labelCounts(b: SentimentBucket) {
  const of = (label: string) => b.labels.buckets.find((x) => x.key === label)?.doc_count ?? 0;
  return { negative: of('negative'), neutral: of('neutral'), positive: of('positive') };
}

const avgOf = (b: SentimentBucket) => b.avgScore.value ?? 0;

// ------------------------------------------------------------------ backend

/** The Elasticsearch backend (see the module comment for the index layout). */
export function createElasticsearchBackend(opts: ElasticsearchBackendOptions): SearchBackend {
  const client = new Client({ node: opts.node });
  const n = names(opts.indexPrefix);
  const refresh = opts.refresh ?? 'wait_for';

  /**
   * Deletes every document matching `query`. This distribution has no _delete_by_query (it
   * lives in the reindex module), so: find a page of ids, bulk-delete them with refresh=true
   * (the next round must not see them again), repeat until nothing matches.
   */
  async function deleteWhere(query: estypes.QueryDslQueryContainer): Promise<void> {
    await client.indices.refresh({ index: n.alias }); // also catch writes made with refresh=false
    for (;;) {
      const res = await client.search({ index: n.alias, query, size: BULK_CHUNK, _source: false, track_total_hits: false });
      const ids = res.hits.hits.map((h) => h._id).filter((id): id is string => !!id);
      if (!ids.length) return;
      const del = await client.bulk({ index: n.alias, refresh: true, operations: ids.map((_id) => ({ delete: { _id } })) });
      if (del.errors) throw bulkError('delete', del.items);
    }
  }

  return {
    name: 'elasticsearch',

    async init() {
      await ensureTemplate(client, opts.indexPrefix);
      if ((await aliasTargets(client, n.alias)).length) {
        const properties = Object.fromEntries(ADDED_FIELDS.map((f) => [f, DOCS_MAPPINGS.properties![f]]));
        await client.indices.putMapping({ index: n.alias, properties });
        return;
      }
      try {
        await client.indices.create({
          index: n.initial,
          aliases: { [n.alias]: { is_write_index: true } },
        });
      } catch (e) {
        // A concurrent init() created it first: the alias came with it, atomically.
        if (!isAlreadyExists(e)) throw e;
        await client.cluster.health({ index: n.initial, wait_for_status: 'yellow', timeout: '30s' });
      }
    },

    async index(docs) {
      if (!docs.length) return;
      await bulkIndex(client, n.alias, docs, refresh);
    },

    async remove(ids) {
      if (!ids.length) return;
      for (let i = 0; i < ids.length; i += BULK_CHUNK) {
        const res = await client.bulk({
          index: n.alias,
          refresh,
          operations: ids.slice(i, i + BULK_CHUNK).map((id) => ({ delete: { _id: id } })),
        });
        // A missing id is a 404 item without `error`: fine.
        if (res.errors) throw bulkError('delete', res.items);
      }
    },

    async removeByAuthor(authors, kind) {
      if (!authors.length) return;
      await deleteWhere({ bool: { filter: [{ terms: { author: authors } }, { term: { kind } }] } });
    },

    async search(query: SearchQuery): Promise<SearchResult> {
      const terms = query.q ? segmentForIndex(query.q) : [];
      const { filter, must_not } = filtersFor(query);
      const must = textQuery(query.q);
      const limit = Math.max(1, Math.floor(query.limit));
      const res = await client.search<StoredDoc>({
        index: n.alias,
        query: { bool: { must, filter, must_not } },
        sort: [{ createdAt: { order: 'desc' } }, { id: { order: 'desc' } }],
        size: limit + 1, // one extra tells whether there is a next page
        track_total_hits: true,
        _source_excludes: ['tokens'],
        ...(query.cursor ? { search_after: decodeCursor(query.cursor) } : {}),
      });
      const hits = res.hits.hits;
      const page = hits.slice(0, limit);
      const items: SearchHit[] = page.map((h) => {
        const d = h._source!;
        return {
          id: d.id,
          kind: d.kind,
          text: d.text,
          highlight: highlight(d.text, terms),
          sentiment: { label: d.sentiment.label, score: d.sentiment.score },
          author: d.author,
          kol: d.kol,
          chapter: d.chapter ?? null,
          threadId: d.threadId ?? null,
          category: d.category ?? null,
          title: d.title ?? null,
          titleHighlight: d.title ? highlight(d.title, terms) : null,
          source: d.source,
          url: d.url ?? null,
          createdAt: d.createdAt,
        };
      });
      const total = typeof res.hits.total === 'number' ? res.hits.total : (res.hits.total?.value ?? 0);
      const last = page[page.length - 1];
      return {
        total,
        items,
        ...(hits.length > limit && last?.sort ? { cursor: encodeCursor(last.sort) } : {}),
      };
    },

    async aggregate(query: AggregateQuery): Promise<Aggregates> {
      const lastMs = query.to.getTime() - 1; // [from, to): the bucket holding `to` itself is not wanted
      const size = { minute: 60_000, hour: 3_600_000, day: 86_400_000 }[query.interval];
      if (!size) throw Validation('interval', `unknown interval ${String(query.interval)}`);
      const first = Math.floor(query.from.getTime() / size) * size;
      const bucketCount = query.to.getTime() > first ? Math.ceil((query.to.getTime() - first) / size) : 0;
      if (bucketCount > MAX_BUCKETS) throw Validation('interval', `too many buckets (${bucketCount} > ${MAX_BUCKETS})`);
      const watch = query.watch ?? [];
      if (watch.length > MAX_WATCH_GROUPS) throw Validation('watch', `at most ${MAX_WATCH_GROUPS} groups`);
      const emergingSize = Math.max(0, Math.floor(query.emerging ?? EMERGING_DEFAULT));
      const minDocCount = Math.max(1, Math.floor(query.minDocCount ?? MIN_DOC_COUNT));
      const baselineFrom = new Date(Math.min(query.from.getTime(), (query.baselineFrom ?? defaultBaselineFrom(query.from, query.to)).getTime()));
      // A group with no searchable word matches nothing; `filters` needs a query, so it gets match_none.
      const watchFilters = watch.map((g) => {
        const words = segmentWatchGroup(g);
        return words.length ? anyOfQuery(words) : { match_none: {} };
      });

      const res = await client.search({
        index: n.alias,
        size: 0,
        query: aggregateFilters(query, query.from, query.to),
        aggs: {
          overTime: {
            date_histogram: {
              field: 'createdAt',
              ...INTERVALS[query.interval],
              time_zone: 'UTC',
              min_doc_count: 0,
              ...(lastMs >= query.from.getTime()
                ? { extended_bounds: { min: query.from.getTime(), max: lastMs } }
                : {}),
            },
            aggs: SENTIMENT_SUBAGGS,
          },
          topKeywords: { terms: { field: 'keywords', size: Math.max(1, query.topKeywords ?? 10) } },
          byChapter: { terms: { field: 'chapter', size: 200 }, aggs: SENTIMENT_SUBAGGS },
          bySource: { terms: { field: 'source', size: 50 }, aggs: SENTIMENT_SUBAGGS },
          ...(emergingSize
            ? {
              emerging: {
                significant_terms: {
                  field: 'keywords',
                  // The background is the baseline INCLUDING the window (ES's default shape), with the same filters.
                  background_filter: aggregateFilters(query, baselineFrom, query.to),
                  jlh: {},
                  min_doc_count: minDocCount,
                  size: overfetch(emergingSize),
                  shard_size: overfetch(emergingSize) * 5,
                },
              },
            }
            : {}),
          ...(watch.length
            ? { shareOfVoice: { filters: { filters: watchFilters }, aggs: { labels: SENTIMENT_SUBAGGS.labels } } }
            : {}),
        },
      });
      const aggs = res.aggregations as unknown as {
        overTime: { buckets: SentimentBucket[] };
        topKeywords: { buckets: TermsBucket[] };
        byChapter: { buckets: SentimentBucket[] };
        bySource: { buckets: SentimentBucket[] };
        emerging?: { doc_count: number; bg_count: number; buckets: (TermsBucket & { bg_count: number })[] };
        shareOfVoice?: { buckets: { doc_count: number; labels: { buckets: TermsBucket[] } }[] };
      };
      const buckets: Bucket[] = aggs.overTime.buckets.map((b) => ({
        t: new Date(Number(b.key)).toISOString(),
        total: b.doc_count,
        ...labelCounts(b),
        avgScore: avgOf(b),
      }));
      const emerging = aggs.emerging
        ? rankEmerging(
          aggs.emerging.buckets.map((b) => ({ term: String(b.key), count: b.doc_count, baselineCount: b.bg_count })),
          { fgTotal: aggs.emerging.doc_count, bgTotal: aggs.emerging.bg_count },
          { size: emergingSize, minDocCount },
        )
        : [];
      return {
        buckets,
        topKeywords: query.topKeywords === 0 ? [] : aggs.topKeywords.buckets.map((b) => ({ term: String(b.key), count: b.doc_count })),
        byChapter: aggs.byChapter.buckets.map((b) => ({ chapter: String(b.key), total: b.doc_count, ...labelCounts(b), avgScore: avgOf(b) })),
        bySource: aggs.bySource.buckets.map((b) => ({ source: String(b.key), total: b.doc_count, ...labelCounts(b), avgScore: avgOf(b) })),
        emerging,
        shareOfVoice: watch.map((g, i) => {
          const b = aggs.shareOfVoice!.buckets[i];
          return { key: g.key, total: b.doc_count, ...labelCounts(b as SentimentBucket) };
        }),
      };
    },

    async count() {
      const res = await client.count({ index: n.alias });
      return res.count;
    },

    async reset() {
      await deleteWhere({ match_all: {} });
    },

    async ping() {
      try {
        const health = await client.cluster.health({ timeout: '2s' }, { requestTimeout: 2000, maxRetries: 0 });
        return health.status === 'green' || health.status === 'yellow';
      } catch {
        return false;
      }
    },

    async close() {
      await client.close();
    },
  };
}

// ------------------------------------------------------------------ reindex

export interface ReindexOptions {
  node: string;
  indexPrefix: string;
  /** Every document to load, in batches (e.g. read page by page from the database). */
  docs: AsyncIterable<SearchDocument[]>;
  /** Wait this long after the alias swap before deleting the old indices, so searches already running against them finish (default 1000 ms). */
  deleteGraceMs?: number;
}

/**
 * Rebuilds the index: a NEW versioned index from the template is bulk-loaded from `docs`,
 * refreshed, then the alias is moved to it with ONE `updateAliases` call (remove from the old
 * indices + add to the new one: atomic, so readers see either the old or the new index, never
 * none or both) and the old indices are deleted.
 *
 * Live writes keep flowing: the backend always writes through the alias, which points at the
 * OLD index until the swap. So writes made during the rebuild land in the old index and are
 * NOT in the new one unless `docs` yields them. The caller (the `reindex` CLI) therefore
 * records the pipeline position (outbox id) BEFORE starting, and after this resolves replays
 * the events from that position; index() upserts by id, so replaying is idempotent and nothing
 * written during the rebuild is lost.
 */
export async function reindexElasticsearch(
  opts: ReindexOptions,
): Promise<{ index: string; count: number; previous: string[] }> {
  const client = new Client({ node: opts.node });
  const n = names(opts.indexPrefix);
  const index = n.versioned();
  try {
    await ensureTemplate(client, opts.indexPrefix);
    // No refreshes while loading (much faster); the template's 1s comes back before the swap.
    await client.indices.create({ index, settings: { refresh_interval: '-1' } });
    let count = 0;
    try {
      for await (const batch of opts.docs) {
        if (!batch.length) continue;
        await bulkIndex(client, index, batch, false);
        count += batch.length;
      }
      await client.indices.putSettings({ index, settings: { refresh_interval: DOCS_SETTINGS.refresh_interval } });
      await client.indices.refresh({ index });
      await client.cluster.health({ index, wait_for_status: 'yellow', timeout: '60s' });
    } catch (e) {
      await client.indices.delete({ index, ignore_unavailable: true }).catch(() => {});
      throw e;
    }

    // Swap. Retried if the alias moved between reading it and swapping (a concurrent init or reindex).
    let previous: string[] = [];
    for (let attempt = 0; ; attempt++) {
      previous = (await aliasTargets(client, n.alias)).filter((i) => i !== index);
      try {
        await client.indices.updateAliases({
          actions: [
            ...previous.map((old) => ({ remove: { index: old, alias: n.alias } })),
            { add: { index, alias: n.alias, is_write_index: true } },
          ],
        });
        break;
      } catch (e) {
        if (attempt >= 4 || !(e instanceof esErrors.ResponseError && e.statusCode === 404)) {
          await client.indices.delete({ index, ignore_unavailable: true }).catch(() => {});
          throw e;
        }
      }
    }

    if (previous.length) {
      await new Promise((r) => setTimeout(r, opts.deleteGraceMs ?? 1000));
      await client.indices.delete({ index: previous, ignore_unavailable: true });
    }
    return { index, count, previous };
  } finally {
    await client.close();
  }
}
